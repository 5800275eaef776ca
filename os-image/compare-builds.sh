#!/usr/bin/env bash
# Compares two builds of the image (the reproducibility check): their
# package manifests must be the same, and their root file systems may differ
# only in files that are unique to each build. Prints every file that differs.
#
#   os-image/compare-builds.sh A.img.xz B.img.xz
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 A.img.xz B.img.xz" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for i in 1 2; do
  img="${!i}"
  man="${img%.img.xz}.manifest.tsv"
  grep -v '^#' "$man" > "$work/manifest$i" || true
  xz -dc "$img" > "$work/card$i.img"
  start=$(sfdisk -d "$work/card$i.img" | awk -F'[=,]' '/start=/{n++; if (n==2) print $2+0}')
  dd if="$work/card$i.img" of="$work/root$i.img" bs=512 skip="$start" status=none
  rm "$work/card$i.img"
  mkdir "$work/fs$i"
  debugfs -R "rdump / $work/fs$i" "$work/root$i.img" >/dev/null 2>&1
  rm "$work/root$i.img"
  ( cd "$work/fs$i" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum ) > "$work/sums$i"
done
if diff -u "$work/manifest1" "$work/manifest2" > "$work/manifest.diff"; then
  echo "package manifest: identical ($(grep -c '^deb' "$work/manifest1") Debian packages, $(grep -c '^npm' "$work/manifest1") npm packages)"
else
  echo "package manifest: DIFFERENT"; cat "$work/manifest.diff"; status=1
fi
# diff exits 1 when the lists differ, which is what is being measured, not a failure.
{ diff <(awk '{print $2, $1}' "$work/sums1") <(awk '{print $2, $1}' "$work/sums2") || true; } | awk '/^[<>]/{print $2}' | LC_ALL=C sort -u > "$work/differ"
echo "root file system: $(wc -l < "$work/sums1") files; $(wc -l < "$work/differ") differ:"
sed 's/^/  /' "$work/differ"
exit "${status:-0}"
