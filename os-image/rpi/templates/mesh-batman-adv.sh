#!/bin/sh
# Join the neighbourhood's batman-adv mesh on the second radio (IBSS underneath).
set -eu
modprobe batman-adv
iw dev wlan1 set type ibss
ip link set wlan1 up
iw dev wlan1 ibss join @MESH_ID@ @FREQ@
batctl if add wlan1
ip link set bat0 up
