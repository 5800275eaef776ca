#!/usr/bin/env bash
# Hyphae's first boot: read the hub's settings that hyphae-provision wrote
# onto the boot partition and write the system's files for them. Run as root
# on the Pi (by hyphae-firstboot.service on Hyphae's Debian image, or by hand
# on Raspberry Pi OS); tests run it with --root pointing at a scratch folder.
#
#   firstboot.sh [--root DIR] [--boot DIR] [--image]
#
# --image: Hyphae's own Debian image, whose units are already in place; the
# access point and DHCP start when wlan0 appears, and systemd starts the hub
# after this script. Without it (Raspberry Pi OS), this script enables and
# starts them itself.
set -euo pipefail

ROOT=/
BOOT=/boot/firmware
IMAGE=no
while [ $# -gt 0 ]; do
  case "$1" in
    --root) ROOT="$2"; shift 2 ;;
    --boot) BOOT="$2"; shift 2 ;;
    --image) IMAGE=yes; shift ;;
    *) echo "firstboot: unknown option $1" >&2; exit 2 ;;
  esac
done
HERE="$(cd "$(dirname "$0")" && pwd)"
CONFIG="$BOOT/hyphae/hub.json"
KEY="$BOOT/hyphae/hub.key"
DEVICES="$BOOT/hyphae/devices.json"
[ -f "$CONFIG" ] || { echo "firstboot: no $CONFIG; run hyphae-provision init on this card" >&2; exit 1; }

# Values from hub.json, with the hub's own defaults where a key is missing.
eval "$(node - "$CONFIG" <<'JS'
const c = JSON.parse(require('node:fs').readFileSync(process.argv[2], 'utf8'));
const n = c.network ?? {};
const q = (v) => `'${String(v).replaceAll("'", `'\\''`)}'`;
const out = (k, v) => console.log(`${k}=${q(v)}`);
out('SSID', n.ssid ?? 'hyphae');
out('PASSPHRASE', n.passphrase ?? '');
out('CHANNEL', n.channel ?? 6);
out('COUNTRY', n.country ?? 'SE');
out('MESH', n.mesh ?? '802.11s');
out('MESH_ID', n.meshId ?? 'hyphae-mesh');
out('ADDRESS', n.address ?? '10.42.0.1');
out('HTTP_PORT', c.http?.port ?? 8080);
out('LORAWAN_PORT', c.lorawan?.port ?? 1700);
JS
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
export SSID PASSPHRASE CHANNEL COUNTRY MESH_ID ADDRESS HTTP_PORT LORAWAN_PORT SUBNET DHCP_START DHCP_END HW_MODE FREQ WPA

# Template → destination pairs; @NAME@ becomes the variable's value. One
# node process renders them all (node starts slowly on a Pi Zero).
PAIRS=(
  hyphae.service etc/systemd/system/hyphae.service
  hyphae-watchdog.service etc/systemd/system/hyphae-watchdog.service
  hyphae-watchdog.timer etc/systemd/system/hyphae-watchdog.timer
  health-check.sh etc/hyphae/health-check.sh
  hostapd.conf etc/hostapd/hostapd.conf
  dnsmasq.conf etc/dnsmasq.d/hyphae.conf
  wlan0.network etc/systemd/network/10-hyphae-wlan0.network
  chrony.conf etc/chrony/conf.d/hyphae.conf
  journald.conf etc/systemd/journald.conf.d/hyphae.conf
  packet-forwarder.json etc/hyphae/packet-forwarder.json
  sysctl.conf etc/sysctl.d/60-hyphae.conf
)
case "$MESH" in
  802.11s) PAIRS+=(mesh-802.11s.sh etc/hyphae/mesh.sh) ;;
  batman-adv) PAIRS+=(mesh-batman-adv.sh etc/hyphae/mesh.sh) ;;
  none) ;;
esac
node - "$HERE/templates" "$ROOT" "${PAIRS[@]}" <<'JS'
const fs = require('node:fs');
const path = require('node:path');
const [templates, root, ...pairs] = process.argv.slice(2);
for (let i = 0; i < pairs.length; i += 2) {
  const src = path.join(templates, pairs[i]);
  const dst = path.join(root, pairs[i + 1]);
  const text = fs.readFileSync(src, 'utf8').replace(/@([A-Z_0-9]+)@/g, (_, name) => {
    const v = process.env[name];
    if (v === undefined) { console.error(`firstboot: template ${src} needs ${name}`); process.exit(1); }
    return v;
  });
  fs.mkdirSync(path.dirname(dst), { recursive: true });
  fs.writeFileSync(dst, text, { mode: dst.endsWith('.sh') ? 0o755 : 0o644 });
  fs.chmodSync(dst, dst.endsWith('.sh') ? 0o755 : 0o644);
}
JS
# The access point's file holds the Wi-Fi passphrase.
chmod 600 "$ROOT/etc/hostapd/hostapd.conf"

# The hub's settings (the steward's password hash, the Wi-Fi passphrase) and
# keys are readable by the hub's user only.
mkdir -p "$ROOT/etc/hyphae" "$ROOT/var/lib/hyphae"
chmod 700 "$ROOT/etc/hyphae" "$ROOT/var/lib/hyphae"
install -m 0600 "$CONFIG" "$ROOT/etc/hyphae/hub.json"
[ -f "$KEY" ] && install -m 0600 "$KEY" "$ROOT/etc/hyphae/hub.key"
[ -f "$DEVICES" ] && install -m 0600 "$DEVICES" "$ROOT/etc/hyphae/devices.json"

if [ "$ROOT" = "/" ]; then
  id hyphae >/dev/null 2>&1 || useradd --system --home /var/lib/hyphae --shell /usr/sbin/nologin hyphae
  chown -R hyphae:hyphae /var/lib/hyphae /etc/hyphae
  # Off the FAT partition, which anyone holding the card can read: the key,
  # the sensors' keys and the settings. A note says where they went.
  rm -f "$KEY" "$DEVICES" "$CONFIG"
  printf 'This card was set up on %s: its settings are in /etc/hyphae.\nWrite a new hub.json here (hyphae-provision init) to set it up again.\n' "$(date -u +%Y-%m-%dT%H:%MZ)" > "$BOOT/hyphae/APPLIED.txt"
  sysctl -q -p /etc/sysctl.d/60-hyphae.conf || true
  systemctl daemon-reload
  if [ "$IMAGE" = yes ]; then
    systemctl enable hyphae.service hyphae-watchdog.timer chrony.service
    systemctl restart systemd-journald || true
    # networkd picks up wlan0's address.
    networkctl reload 2>/dev/null || true
    # This boot's plan was made before the units were enabled: start them now,
    # without waiting (the hub is ordered after this script).
    systemctl start --no-block hyphae.service hyphae-watchdog.timer
    # An adapter that was there before the access point was configured.
    [ -e /sys/class/net/wlan0 ] && systemctl start --no-block hostapd.service hyphae-dnsmasq.service
  else
    systemctl enable --now hyphae.service hyphae-watchdog.timer
    # Without a Wi-Fi adapter the access point cannot start; the hub runs anyway.
    for unit in chrony dnsmasq hostapd; do
      systemctl unmask "$unit" 2>/dev/null || true
      systemctl enable --now "$unit" || echo "firstboot: $unit did not start (no Wi-Fi adapter?); the hub runs without it" >&2
    done
    systemctl restart systemd-journald || true
  fi
fi
echo "firstboot: hub configured for \"$SSID\" on channel $CHANNEL ($COUNTRY), mesh $MESH, console on port $HTTP_PORT"
