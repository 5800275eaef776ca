#!/bin/sh
# Point the forwarder at the hub (same host) and start it.
set -eu
sed -e "s/\"server_address\": *\"[^\"]*\"/\"server_address\": \"${SERVER_ADDRESS}\"/" \
    -e "s/\"serv_port_up\": *[0-9]*/\"serv_port_up\": ${SERVER_PORT}/" \
    -e "s/\"serv_port_down\": *[0-9]*/\"serv_port_down\": ${SERVER_PORT}/" \
    "global_conf.json.${LORAWAN_REGION}" > global_conf.json
exec ./lora_pkt_fwd
