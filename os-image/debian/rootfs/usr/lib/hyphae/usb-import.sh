#!/bin/sh
# usb-import.sh DEVICE: copy update files from a HYPHAE-UPDATE stick into the hub's inbox.
set -eu
dev="$1"
mnt=$(mktemp -d /run/hyphae-usb.XXXXXX)
mount -o ro,nosuid,nodev,noexec "$dev" "$mnt"
inbox=/var/lib/hyphae/updates/inbox
mkdir -p "$inbox"
n=0
for f in "$mnt"/*.hyphae-update; do
  [ -f "$f" ] || continue
  install -o hyphae -g hyphae -m 0600 "$f" "$inbox/.$(basename "$f").part"
  mv "$inbox/.$(basename "$f").part" "$inbox/$(basename "$f")"
  n=$((n + 1))
done
umount "$mnt"; rmdir "$mnt"
echo "hyphae-usb-import: $n update file(s) from $dev handed to the hub"
