#!/bin/sh
# Join the neighbourhood's 802.11s mesh on the second radio.
set -eu
iw dev wlan1 interface add mesh0 type mp mesh_id @MESH_ID@ 2>/dev/null || true
iw dev mesh0 set channel @CHANNEL@
ip link set mesh0 up
