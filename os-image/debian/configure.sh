#!/bin/sh
# Second stage, inside the card under QEMU (arm64 kernel, chroot): installs
# the packages that the first stage unpacked, so every maintainer script runs
# for real, then sets the card up and writes the package manifest.
set -eu
export DEBIAN_FRONTEND=noninteractive DEBCONF_NONINTERACTIVE_SEEN=true
B=/hyphae-build
say() { echo "configure: $*"; }
cd /var/cache/apt/archives

status() { dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null || true; }
pending() { while read -r pkg deb; do [ "$(status "$pkg")" = "ii " ] || echo "$deb"; done < "$1"; }

# The kernel's own postinst makes the initramfs once; the initramfs-tools
# trigger would make it again (ten minutes under TCG): off while installing.
sed -i 's/^update_initramfs=.*/update_initramfs=no/' /etc/initramfs-tools/update-initramfs.conf

say "installing the essential set ($(wc -l < $B/essential.list) packages)"
# dpkg's database is empty after the first stage's extraction: install the
# essential packages first, ignoring their order, as mmdebstrap does.
dpkg --force-depends --force-confold --install $(cut -d' ' -f2 $B/essential.list) || true
dpkg --force-confold --configure -a || true
pass=1
while [ $pass -le 4 ]; do
  todo=$(pending $B/all.list)
  [ -z "$todo" ] && break
  say "pass $pass: installing $(echo "$todo" | wc -l) packages"
  dpkg --force-confold --install $todo || true
  dpkg --force-confold --configure -a || true
  pass=$((pass + 1))
done
todo=$(pending $B/all.list)
if [ -n "$todo" ]; then say "not installed: $todo"; exit 1; fi
say "all $(wc -l < $B/all.list) packages installed"
sed -i 's/^update_initramfs=.*/update_initramfs=yes/' /etc/initramfs-tools/update-initramfs.conf

# The hub's user, its folders, and the units.
systemd-sysusers
systemd-tmpfiles --create /usr/lib/tmpfiles.d/hyphae.conf
systemctl enable systemd-networkd.service hyphae-growroot.service hyphae-firstboot.service hyphae-boot-report.service hyphae-update.path hyphae-usb-backup.timer
# Nothing waits for a network that may never come (a hub with no cable), nor
# for a time source (the hub knows when its clock can be trusted, and says so).
systemctl mask systemd-networkd-wait-online.service chrony-wait.service
# The access point and its DHCP start when the Wi-Fi adapter appears (udev:
# 90-hyphae-wlan.rules), not at every boot.
systemctl disable hostapd.service 2>/dev/null || true
systemctl unmask hostapd.service 2>/dev/null || true
# A hub has no console user: the getty on the screen stays, no one can log in
# without a password (root's is locked).

# The Pi's firmware: boot by label (the card's root is found whatever the
# slot), per-model settings, then regenerate config.txt and cmdline.txt.
sed -i 's|^#\?ROOTPART=.*|ROOTPART=LABEL=RASPIROOT|' /etc/default/raspi-firmware
cp $B/raspi-firmware-custom /etc/default/raspi-firmware-custom
kver=$(ls /lib/modules | sort -V | tail -n 1)
# The hook acts only when told it runs from a package configuring.
DEB_MAINT_PARAMS=configure /etc/kernel/postinst.d/z50-raspi-firmware "$kver" "/boot/vmlinuz-$kver"
say "boot partition: $(ls /boot/firmware | wc -l) files; cmdline: $(cat /boot/firmware/cmdline.txt)"

# What must be unique per card is made at its first boot, not here.
echo uninitialized > /etc/machine-id
rm -f /var/lib/dbus/machine-id /var/lib/systemd/random-seed /var/lib/systemd/credential.secret
mkdir -p /usr/share/hyphae
dpkg-query -W -f='${Package}\t${Version}\t${Architecture}\n' | LC_ALL=C sort > /usr/share/hyphae/packages.tsv
say "manifest: $(wc -l < /usr/share/hyphae/packages.tsv) packages"
# Caches and logs of the build itself. apt's package cache and ldconfig's
# aux-cache were the only files that differed between two builds of one
# commit (compare-builds.sh); both are made again when needed.
rm -f /var/cache/apt/archives/*.deb /var/cache/debconf/*-old /var/lib/dpkg/*-old
rm -f /var/cache/apt/pkgcache.bin /var/cache/apt/srcpkgcache.bin /var/cache/ldconfig/aux-cache
rm -f /var/log/dpkg.log /var/log/alternatives.log /var/log/apt/*.log
rm -rf /var/log/journal/*
# This script and its lists leave with the build.
rm -rf /hyphae-build
sync
