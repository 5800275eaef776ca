#!/bin/sh
# usb-backup.sh DEVICE: copy the hub's sealed backups (the last seven) to a
# stick, under hyphae-backups/<file name>, and tell the hub (usb-status.json).
# The files are sealed with the backup passphrase: a lost stick gives nothing away.
# A folder instead of a device is used as it is (a stick mounted already;
# tests, with HYPHAE_ROOT before the hub's paths).
set -eu
dev="$1"
src="${HYPHAE_ROOT:-}/var/lib/hyphae/backups"
[ -d "$src" ] || { echo "hyphae-usb-backup: no backups yet"; exit 0; }
if [ -d "$dev" ]; then
  mnt="$dev"
else
  mnt=$(mktemp -d /run/hyphae-backup.XXXXXX)
  mount -o nosuid,nodev,noexec "$dev" "$mnt"
  trap 'umount "$mnt" 2>/dev/null; rmdir "$mnt"' EXIT
fi
mkdir -p "$mnt/hyphae-backups"
n=0
newest=
for f in $(ls -1 "$src"/*.backup.json 2>/dev/null | sort -r | head -n 7); do
  b=$(basename "$f")
  [ -n "$newest" ] || newest=$b
  if [ ! -f "$mnt/hyphae-backups/$b" ]; then cp "$f" "$mnt/hyphae-backups/.$b.part" && mv "$mnt/hyphae-backups/.$b.part" "$mnt/hyphae-backups/$b"; fi
  n=$((n + 1))
done
# Keep seven on the stick too.
ls -1 "$mnt"/hyphae-backups/*.backup.json 2>/dev/null | sort -r | tail -n +8 | while read -r old; do rm -f "$old"; done
sync
[ -n "$newest" ] || { echo "hyphae-usb-backup: no backups yet"; exit 0; }
printf '{"at":%s,"file":"%s","device":"%s","copies":%s}\n' "$(($(date +%s) * 1000))" "$newest" "$(readlink -f "$dev")" "$n" > "$src/usb-status.json.tmp"
chown hyphae:hyphae "$src/usb-status.json.tmp" 2>/dev/null || true
mv "$src/usb-status.json.tmp" "$src/usb-status.json"
echo "hyphae-usb-backup: $n sealed backup(s) on $dev, newest $newest"
