#!/usr/bin/env bash
# Builds Hyphae's SD-card image for the Raspberry Pi (3B+, 4, 400, 5, Zero 2 W)
# from Debian packages and the hub's bundle, the way Debian's raspi images and
# FreedomBox's freedom-maker do, with no Docker, loop devices or binfmt_misc:
#
#   1 bundle     the hub bundle, with npm's prebuilt linux-arm64 native modules
#   2 rootfs     mmdebstrap --variant=extract unpacks Debian trixie (arm64)
#   3 overlay    the bundle, the units and the first-boot scripts go in
#   4 stage2     a small initramfs (busybox + virtio/ext4/vfat modules)
#   5 partitions the FAT boot and ext4 root file systems, from folders (mke2fs -d)
#   6 configure  QEMU boots the card's own kernel; dpkg installs every package
#                for real, raspi-firmware fills the boot partition
#   7 finish     e2fsck, zerofree, the MBR image, xz, manifest, checksums
#
#   os-image/build.sh [--out DIR] [--keep-work]      (npm run image:build)
#
# Needs (Debian): mmdebstrap qemu-system-arm qemu-utils mtools dosfstools
# e2fsprogs fdisk kmod cpio zerofree xz-utils, ~5 GB of scratch, and Debian's
# archive (DEBIAN_MIRROR, default http://deb.debian.org/debian). Caches in
# os-image/cache make a second build faster (packages are not downloaded again).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
OUT="$HERE/out"
KEEP=no
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --keep-work) KEEP=yes; shift ;;
    *) echo "build.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SUITE=trixie
CACHE="$HERE/cache"
WORK="$OUT/work"
VERSION="$(node -p "require('$REPO/device/package.json').version")"
NAME="hyphae-$VERSION-rpi-arm64"
# Every file time in the image is the commit's, so two builds of one commit agree.
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git -C "$REPO" log -1 --format=%ct 2>/dev/null || date +%s)}"
export E2FSPROGS_FAKE_TIME="$SOURCE_DATE_EPOCH"
BOOT_MIB=256
# Fixed identifiers: the disk and file systems are found by label, and a
# build that is repeated gives the same ones. Each card's own are made at
# its first boot (machine-id) or by provisioning (the hub's key).
DISK_ID=0x48797068
ROOT_UUID=4879706a-6165-4000-8000-0000726f6f74
FAT_ID=48595048

for tool in openssl mmdebstrap qemu-system-aarch64 mkfs.vfat mcopy mke2fs e2fsck sfdisk depmod modprobe cpio zerofree xz debugfs; do
  command -v "$tool" >/dev/null || { echo "build.sh: $tool is missing (apt-get install mmdebstrap qemu-system-arm mtools dosfstools e2fsprogs fdisk kmod cpio zerofree xz-utils)" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "build.sh: run as root (mmdebstrap's root mode, and file ownership in the image)" >&2; exit 1; }

STARTED=$(date +%s)
STAGE_START=$STARTED
stage() { # stage N NAME: one progress line per stage, with the time the last one took
  local now; now=$(date +%s)
  [ -n "${STAGE_NAME:-}" ] && echo "   … $STAGE_NAME took $((now - STAGE_START)) s"
  STAGE_NAME="$2"; STAGE_START=$now
  echo "[$1/7] $2"
}
elapsed() { echo $(( $(date +%s) - STARTED )); }

rm -rf "$WORK"
mkdir -p "$WORK" "$CACHE/debs" "$OUT"
ROOTFS="$WORK/rootfs"

stage 1 "hub bundle (linux-arm64 native modules from npm)"
( cd "$REPO" && npm run build --silent >/dev/null && node os-image/build-bundle.mjs --out "$WORK/bundle" --no-gpio-plugin )
( cd "$WORK/bundle" && npm install --omit=dev --cpu=arm64 --os=linux --libc=glibc --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null )
for native in @lmdb/lmdb-linux-arm64 @node-rs/argon2-linux-arm64-gnu; do
  [ -d "$WORK/bundle/node_modules/$native" ] || { echo "build.sh: npm did not fetch $native" >&2; exit 1; }
done
echo "   bundle: $(du -sm "$WORK/bundle" | cut -f1) MiB with its arm64 modules"

stage 2 "Debian $SUITE root file system (mmdebstrap, extract only)"
PACKAGES=$(grep -v '^\s*#' "$HERE/debian/packages" | grep -v '^\s*$' | paste -sd, -)
mmdebstrap --mode=root --variant=extract --arch=arm64 --skip=check/qemu --skip=cleanup/apt/cache \
  --components=main,non-free-firmware --include='?essential' --include="$PACKAGES" \
  --setup-hook="mkdir -p \"\$1/var/cache/apt/archives\" && find '$CACHE/debs' -name '*.deb' -exec cp -t \"\$1/var/cache/apt/archives/\" {} +" \
  --quiet "$SUITE" "$ROOTFS" "$MIRROR"
ARCHIVES="$ROOTFS/var/cache/apt/archives"
cp -n "$ARCHIVES"/*.deb "$CACHE/debs/" 2>/dev/null || true
# The packages apt chose: of several versions of one package (an older one
# from the cache), the newest, which is what apt downloaded or reused.
mkdir -p "$ROOTFS/hyphae-build"
for deb in "$ARCHIVES"/*.deb; do
  printf '%s %s %s %s %s\n' "$(dpkg-deb -f "$deb" Package)" "$(dpkg-deb -f "$deb" Version)" "$(basename "$deb")" "$(dpkg-deb -f "$deb" Essential)" "$(dpkg-deb -f "$deb" Priority)"
done | sort -k1,1 -k2,2V > "$WORK/debs.all"
awk '{ last[$1] = $0 } END { for (p in last) print last[p] }' "$WORK/debs.all" | LC_ALL=C sort > "$WORK/debs.chosen"
comm -23 <(awk '{print $3}' "$WORK/debs.all" | LC_ALL=C sort) <(awk '{print $3}' "$WORK/debs.chosen" | LC_ALL=C sort) | while read -r stale; do rm -f "$ARCHIVES/$stale"; done
awk '{print $1, $3}' "$WORK/debs.chosen" > "$ROOTFS/hyphae-build/all.list"
awk '$4 == "yes" || $5 == "required" {print $1, $3}' "$WORK/debs.chosen" > "$ROOTFS/hyphae-build/essential.list"
awk '{printf "%s\t%s\tarm64\n", $1, $2}' "$WORK/debs.chosen" > "$WORK/packages.expected"
echo "   $(wc -l < "$WORK/debs.chosen") packages ($(wc -l < "$ROOTFS/hyphae-build/essential.list") essential), $(du -sm "$ROOTFS" | cut -f1) MiB unpacked"

stage 3 "overlay: the hub, its units and first-boot scripts"
# /opt/hyphae is a link to the running release: an update swaps it in one
# rename and keeps the version before (usr/lib/hyphae/apply-update.sh).
mkdir -p "$ROOTFS/opt/hyphae-releases"
cp -a "$WORK/bundle" "$ROOTFS/opt/hyphae-releases/$VERSION"
ln -sfn "/opt/hyphae-releases/$VERSION" "$ROOTFS/opt/hyphae"
# The release key's public half: updates must be signed with its private
# half. HYPHAE_RELEASE_KEY names the project's (kept off this machine's
# repository); without it a development key is made in os-image/cache.
mkdir -p "$ROOTFS/usr/share/hyphae"
if [ -n "${HYPHAE_RELEASE_KEY:-}" ]; then
  openssl pkey -in "$HYPHAE_RELEASE_KEY" -pubout -out "$ROOTFS/usr/share/hyphae/release-key.pub"
else
  [ -f "$CACHE/release-key.pem" ] || openssl genpkey -algorithm ed25519 -out "$CACHE/release-key.pem"
  openssl pkey -in "$CACHE/release-key.pem" -pubout -out "$ROOTFS/usr/share/hyphae/release-key.pub"
  echo "   signed updates: development release key $CACHE/release-key.pem (set HYPHAE_RELEASE_KEY for a release)"
fi
cp -a "$HERE/debian/rootfs/." "$ROOTFS/"
mkdir -p "$ROOTFS/usr/lib/hyphae"
cp -a "$HERE/rpi/firstboot.sh" "$HERE/rpi/templates" "$ROOTFS/usr/lib/hyphae/"
cp "$HERE/debian/configure.sh" "$HERE/debian/raspi-firmware-custom" "$ROOTFS/hyphae-build/"
mkdir -p "$ROOTFS/usr/local/bin"
cat > "$ROOTFS/usr/local/bin/hyphae" <<'EOF'
#!/bin/sh
# The hub's own command line as the hub's user, e.g. hyphae ledger verify --data /var/lib/hyphae
cd /var/lib/hyphae && exec setpriv --reuid=hyphae --regid=hyphae --init-groups /usr/bin/node /opt/hyphae/hyphae.mjs "$@"
EOF
chmod 755 "$ROOTFS/usr/local/bin/hyphae"
printf 'HYPHAE_VERSION=%s\nHYPHAE_BUILD_EPOCH=%s\nDEBIAN_SUITE=%s\n' "$VERSION" "$SOURCE_DATE_EPOCH" "$SUITE" > "$ROOTFS/etc/hyphae-release"
chown -R 0:0 "$ROOTFS/opt/hyphae-releases" "$ROOTFS/usr/lib/hyphae"

stage 4 "second-stage initramfs"
KVER=$(ls "$ROOTFS/lib/modules" | sort -V | tail -n 1)
INITRD="$WORK/initrd"
mkdir -p "$INITRD"/{bin,proc,sys,dev,modules}
cp "$ROOTFS/usr/bin/busybox" "$INITRD/bin/busybox"
depmod -b "$ROOTFS" "$KVER"
: > "$INITRD/modules/order"
# The host's modprobe reads the card's (arm64) module index; busybox's insmod
# takes plain .ko files, so they are unpacked here.
for m in virtio_pci virtio_blk ext4 vfat nls_cp437 nls_ascii; do modprobe -d "$ROOTFS" -S "$KVER" --show-depends "$m"; done | awk '$1 == "insmod" {print $2}' | while read -r ko; do
  base=$(basename "$ko"); plain="${base%.xz}"; plain="${plain%.zst}"
  grep -qx "$plain" "$INITRD/modules/order" && continue
  case "$ko" in
    *.xz) xz -dc "$ko" > "$INITRD/modules/$plain" ;;
    *.zst) zstd -dcq "$ko" > "$INITRD/modules/$plain" ;;
    *) cp "$ko" "$INITRD/modules/$plain" ;;
  esac
  echo "$plain" >> "$INITRD/modules/order"
done
cp "$HERE/debian/stage2-init.sh" "$INITRD/init"
echo "$SOURCE_DATE_EPOCH" > "$INITRD/source-date-epoch"
( cd "$INITRD" && find . | cpio -o -H newc --quiet | gzip -1 > "$WORK/stage2.cpio.gz" )
cp "$ROOTFS/boot/vmlinuz-$KVER" "$WORK/vmlinuz"
echo "   kernel $KVER; $(wc -l < "$INITRD/modules/order") modules"

stage 5 "partitions (FAT boot, ext4 root)"
# Room for dpkg to install what is unpacked, plus the hub's first data; the
# root grows to the whole card at first boot.
ROOT_MIB=$(( $(du -sm "$ROOTFS" | cut -f1) * 13 / 10 + 400 ))
mkfs.vfat -F 32 -n RASPIFIRM -i "$FAT_ID" -C "$WORK/boot.img" $((BOOT_MIB * 1024)) >/dev/null
mke2fs -q -t ext4 -L RASPIROOT -U "$ROOT_UUID" -E "root_owner=0:0,hash_seed=$ROOT_UUID" -m 1 -d "$ROOTFS" "$WORK/root.img" "${ROOT_MIB}M"
echo "   boot $BOOT_MIB MiB, root $ROOT_MIB MiB"

stage 6 "configure in QEMU (dpkg runs every maintainer script on an arm64 kernel; slow under TCG)"
LOG="$OUT/$NAME.configure.log"
: > "$LOG"
qemu-system-aarch64 -M virt -cpu cortex-a72 -smp "$(nproc)" -m 2048 -nographic -no-reboot \
  -kernel "$WORK/vmlinuz" -initrd "$WORK/stage2.cpio.gz" -append "console=ttyAMA0 panic=-1 quiet" \
  -drive "file=$WORK/boot.img,format=raw,if=virtio" -drive "file=$WORK/root.img,format=raw,if=virtio" \
  -rtc base="$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%S)",clock=vm >"$LOG" 2>&1 &
QEMU=$!
TOTAL=$(wc -l < "$ROOTFS/hyphae-build/all.list")
while kill -0 $QEMU 2>/dev/null; do
  for _ in 1 2 3 4 5 6; do kill -0 $QEMU 2>/dev/null && sleep 5; done
  echo "   $(grep -ac '^Setting up ' "$LOG" || true) of $TOTAL packages set up after $(( $(date +%s) - STAGE_START )) s; $(grep -a '^configure:' "$LOG" | tail -n 1 | tr -d '\r')"
done
wait $QEMU || true
grep -a '^configure:' "$LOG" | tr -d '\r' | sed 's/^/   /'
grep -aq 'HYPHAE-STAGE2-OK' "$LOG" || { echo "build.sh: the second stage failed; see $LOG" >&2; grep -a 'HYPHAE-STAGE2' "$LOG" >&2 || tail -n 30 "$LOG" >&2; exit 1; }

stage 7 "finish: check, zero free space, assemble, compress"
e2fsck -fy "$WORK/root.img" >/dev/null || [ $? -le 1 ] || { echo "build.sh: e2fsck found errors in the root file system" >&2; exit 1; }
zerofree "$WORK/root.img"
IMG="$WORK/$NAME.img"
BOOT_START=$((4 * 2048)); BOOT_SECTORS=$((BOOT_MIB * 2048)); ROOT_START=$((BOOT_START + BOOT_SECTORS))
truncate -s $(( (ROOT_START / 2048 + ROOT_MIB) * 1024 * 1024 )) "$IMG"
sfdisk --quiet "$IMG" <<EOF
label: dos
label-id: $DISK_ID
start=$BOOT_START, size=$BOOT_SECTORS, type=c, bootable
start=$ROOT_START, type=83
EOF
dd if="$WORK/boot.img" of="$IMG" bs=1M seek=4 conv=notrunc,sparse status=none
dd if="$WORK/root.img" of="$IMG" bs=1M seek=$((ROOT_START / 2048)) conv=notrunc,sparse status=none
# The manifest: every Debian package on the card, the hub's npm packages, and checksums.
MANIFEST="$OUT/$NAME.manifest.tsv"
debugfs -R 'cat /usr/share/hyphae/packages.tsv' "$WORK/root.img" 2>/dev/null > "$WORK/packages.tsv"
[ -s "$WORK/packages.tsv" ] || { echo "build.sh: the image has no package manifest" >&2; exit 1; }
{
  echo "# Hyphae $VERSION for the Raspberry Pi (arm64), Debian $SUITE; built from $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "# kind	name	version	architecture"
  sed 's/^/deb\t/' "$WORK/packages.tsv"
  # The lockfile names every platform's optional modules; the card has the arm64 ones.
  node -e '
    const { existsSync } = require("node:fs");
    const { join } = require("node:path");
    const lock = require(join(process.argv[1], "package-lock.json")).packages;
    for (const [p, v] of Object.entries(lock)) if (p && existsSync(join(process.argv[1], p))) console.log(`npm\t${p.replace(/^.*node_modules\//, "")}\t${v.version}\t${v.cpu?.join(",") ?? "any"}`);
  ' "$WORK/bundle" | LC_ALL=C sort
} > "$MANIFEST"
echo "   $(grep -c '^deb' "$MANIFEST") Debian packages, $(grep -c '^npm' "$MANIFEST") npm packages in $(basename "$MANIFEST")"
rm -f "$OUT/$NAME.img.xz"
xz -T0 -6 -c "$IMG" > "$OUT/$NAME.img.xz"
( cd "$OUT" && sha256sum "$NAME.img.xz" > "$NAME.img.xz.sha256" )
RAW_MIB=$(( $(stat -c %s "$IMG") / 1048576 ))
XZ_MIB=$(( $(stat -c %s "$OUT/$NAME.img.xz") / 1048576 ))
stage 7 "done"
echo "image: $OUT/$NAME.img.xz"
echo "size: ${XZ_MIB} MiB xz (${RAW_MIB} MiB raw); build time: $(elapsed) s"
[ "$KEEP" = yes ] || rm -rf "$WORK"
