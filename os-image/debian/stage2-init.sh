#!/bin/busybox sh
# /init of the build's second stage: a tiny initramfs that QEMU boots with
# the card's own kernel. It mounts the card's root (vdb) and boot (vda)
# partitions and runs configure.sh inside them, so every maintainer script
# runs on a real arm64 kernel, then powers off. The host reads the verdict
# from the serial console.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /modules/order); do insmod "/modules/$m" || echo "stage2: insmod $m failed"; done
mdev -s 2>/dev/null
i=0; while [ ! -b /dev/vdb ] && [ $i -lt 50 ]; do sleep 0.2; i=$((i+1)); done
mkdir -p /target
mount -t ext4 /dev/vdb /target || { echo "HYPHAE-STAGE2-FAILED no root"; poweroff -f; }
mkdir -p /target/boot/firmware
mount -t vfat /dev/vda /target/boot/firmware || { echo "HYPHAE-STAGE2-FAILED no boot"; poweroff -f; }
mount -t proc proc /target/proc
mount -t sysfs sysfs /target/sys
mount -o bind /dev /target/dev
mkdir -p /target/dev/pts /target/run /target/tmp
mount -t devpts devpts /target/dev/pts
mount -t tmpfs tmpfs /target/run
# The guest's clock comes from the host's RTC; the build fixes file times itself.
if chroot /target /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 SOURCE_DATE_EPOCH="$(cat /source-date-epoch)" /bin/sh /hyphae-build/configure.sh; then
  result=OK
else
  result="FAILED configure.sh exited $?"
fi
umount /target/dev/pts /target/dev /target/run /target/proc /target/sys /target/boot/firmware
sync
umount /target
echo "HYPHAE-STAGE2-$result"
poweroff -f
