#!/bin/sh
# Grows the root partition to the end of the card, then ext4 online. The
# partition table is rewritten in place; its start does not move, so this is
# safe to repeat after a power cut half-way.
set -eu
dev=$(findmnt -n -o SOURCE /)
disk=/dev/$(lsblk -n -o PKNAME "$dev")
part=$(cat "/sys/class/block/$(basename "$dev")/partition")
before=$(df -m --output=size / | tail -n 1 | tr -d ' ')
echo ", +" | sfdisk --no-reread --no-tell-kernel -N "$part" "$disk" >/dev/null
partx -u -n "$part" "$disk"
resize2fs "$dev" >/dev/null 2>&1
after=$(df -m --output=size / | tail -n 1 | tr -d ' ')
echo "hyphae-growroot: root file system on $dev grown from $before MiB to $after MiB"
touch /etc/hyphae-root-grown
