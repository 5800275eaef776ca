#!/usr/bin/env bash
# Hyphae on Raspberry Pi OS (64-bit), first boot: read the hub's config from
# the boot partition and write the system's files for it. Run as root on
# the Pi; tests run it with --root pointing at a scratch folder.
#
#   firstboot.sh [--root DIR] [--boot DIR]
set -euo pipefail

ROOT=/
BOOT=/boot/firmware
while [ $# -gt 0 ]; do
  case "$1" in
    --root) ROOT="$2"; shift 2 ;;
    --boot) BOOT="$2"; shift 2 ;;
    *) echo "firstboot: unknown option $1" >&2; exit 2 ;;
  esac
done
HERE="$(cd "$(dirname "$0")" && pwd)"
CONFIG="$BOOT/hyphae/hub.json"
KEY="$BOOT/hyphae/hub.key"
[ -f "$CONFIG" ] || { echo "firstboot: no $CONFIG; run hyphae-provision init on this card" >&2; exit 1; }

# Values from hub.json, with the hub's own defaults where a key is missing.
eval "$(python3 - "$CONFIG" <<'PY'
import json, shlex, sys
c = json.load(open(sys.argv[1]))
n = c.get("network", {})
def out(k, v): print(f"{k}={shlex.quote(str(v))}")
out("SSID", n.get("ssid", "hyphae"))
out("PASSPHRASE", n.get("passphrase", ""))
out("CHANNEL", n.get("channel", 6))
out("COUNTRY", n.get("country", "SE"))
out("MESH", n.get("mesh", "802.11s"))
out("MESH_ID", n.get("meshId", "hyphae-mesh"))
out("ADDRESS", n.get("address", "10.42.0.1"))
out("HTTP_PORT", c.get("http", {}).get("port", 8080))
out("LORAWAN_PORT", c.get("lorawan", {}).get("port", 1700))
PY
)"

case "$SSID$PASSPHRASE" in *$'\n'*) echo "firstboot: newline in Wi-Fi settings" >&2; exit 1 ;; esac
PREFIX="${ADDRESS%.*}"
SUBNET="$PREFIX.0/24"
DHCP_START="$PREFIX.50"
DHCP_END="$PREFIX.250"
if [ "$CHANNEL" -gt 14 ]; then HW_MODE=a; FREQ=$((5000 + CHANNEL * 5)); else HW_MODE=g; FREQ=$((2407 + CHANNEL * 5)); fi
if [ -n "$PASSPHRASE" ]; then
  WPA=$'wpa=2\nwpa_key_mgmt=WPA-PSK\nrsn_pairwise=CCMP\nwpa_passphrase='"$PASSPHRASE"
else
  WPA="# open network: residents land on the captive portal"
fi

render() { # template → destination, replacing @NAME@ with the variable's value
  local src="$HERE/templates/$1" dst="$ROOT/$2"
  mkdir -p "$(dirname "$dst")"
  python3 - "$src" "$dst" <<'PY'
import os, re, sys
text = open(sys.argv[1]).read()
def sub(m):
    v = os.environ.get(m.group(1))
    if v is None: raise SystemExit(f"firstboot: template {sys.argv[1]} needs {m.group(1)}")
    return v
open(sys.argv[2], "w").write(re.sub(r"@([A-Z_0-9]+)@", sub, text))
PY
}
export SSID PASSPHRASE CHANNEL COUNTRY MESH_ID ADDRESS HTTP_PORT LORAWAN_PORT SUBNET DHCP_START DHCP_END HW_MODE FREQ WPA

render hyphae.service etc/systemd/system/hyphae.service
render hyphae-watchdog.service etc/systemd/system/hyphae-watchdog.service
render hyphae-watchdog.timer etc/systemd/system/hyphae-watchdog.timer
render hostapd.conf etc/hostapd/hostapd.conf
render dnsmasq.conf etc/dnsmasq.d/hyphae.conf
render chrony.conf etc/chrony/conf.d/hyphae.conf
render journald.conf etc/systemd/journald.conf.d/hyphae.conf
render packet-forwarder.json etc/hyphae/packet-forwarder.json
render sysctl.conf etc/sysctl.d/60-hyphae.conf
case "$MESH" in
  802.11s) render mesh-802.11s.sh etc/hyphae/mesh.sh ;;
  batman-adv) render mesh-batman-adv.sh etc/hyphae/mesh.sh ;;
  none) ;;
esac
[ -f "$ROOT/etc/hyphae/mesh.sh" ] && chmod 755 "$ROOT/etc/hyphae/mesh.sh"

mkdir -p "$ROOT/etc/hyphae" "$ROOT/var/lib/hyphae"
install -m 0644 "$CONFIG" "$ROOT/etc/hyphae/hub.json"
[ -f "$KEY" ] && install -m 0600 "$KEY" "$ROOT/etc/hyphae/hub.key"
[ -f "$BOOT/hyphae/devices.json" ] && install -m 0644 "$BOOT/hyphae/devices.json" "$ROOT/etc/hyphae/devices.json"
# The private key stays on the data side only: remove it from the FAT partition anyone can read.
[ "$ROOT" = "/" ] && rm -f "$KEY"

if [ "$ROOT" = "/" ]; then
  id hyphae >/dev/null 2>&1 || useradd --system --home /var/lib/hyphae hyphae
  chown -R hyphae: /var/lib/hyphae /etc/hyphae
  sysctl -q -p /etc/sysctl.d/60-hyphae.conf || true
  systemctl daemon-reload
  systemctl enable --now hyphae.service hyphae-watchdog.timer hostapd dnsmasq chrony
  systemctl restart systemd-journald
fi
echo "firstboot: hub configured for \"$SSID\" on channel $CHANNEL ($COUNTRY), mesh $MESH"
