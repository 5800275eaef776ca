#!/bin/sh
# Installs the update the community approved (the hub wrote staged.json), as
# root, and takes it back if the new version does not answer. Run by
# hyphae-update.service when hyphae-update.path sees staged.json.
#
#  1. check the file again, with the hub that runs now (code already trusted)
#     and the release key baked into the image, not one the hub's user could
#     have changed;
#  2. unpack it beside the running version, under /opt/hyphae-releases;
#  3. swap /opt/hyphae (a symlink) in one rename, restart the hub;
#  4. wait up to five minutes for its health check to answer with the new
#     version; if it does not, swap back, restart, and say why;
#  5. write result.json for the hub to report, keep the version before.
#
# Tests run it on a scratch folder: HYPHAE_ROOT prefixes every path, and
# HYPHAE_RESTART, HYPHAE_HEALTH_URL and HYPHAE_HEALTH_SECONDS replace
# systemctl, the hub's address and the five minutes.
set -eu
R="${HYPHAE_ROOT:-}"
DATA="$R/var/lib/hyphae/updates"
KEY="${HYPHAE_RELEASE_KEY:-$R/usr/share/hyphae/release-key.pub}"
RELEASES="$R/opt/hyphae-releases"
LINK="$R/opt/hyphae"
NODE="${HYPHAE_NODE:-/usr/bin/node}"
RESTART="${HYPHAE_RESTART:-systemctl restart hyphae.service}"
HEALTH_SECONDS="${HYPHAE_HEALTH_SECONDS:-300}"
STAGED="$DATA/staged.json"

say() { echo "hyphae-update: $*"; }
field() { "$NODE" -e 'const v = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))[process.argv[2]]; if (typeof v !== "string") process.exit(1); console.log(v)' "$1" "$2"; }
result() { # outcome detail
  "$NODE" -e 'require("fs").writeFileSync(process.argv[1], JSON.stringify({ version: process.argv[2], outcome: process.argv[3], at: Date.now(), detail: process.argv[4] }) + "\n")' "$DATA/result.json.tmp" "$VERSION" "$1" "$2"
  mv "$DATA/result.json.tmp" "$DATA/result.json"
  [ -z "$R" ] && chown hyphae:hyphae "$DATA/result.json" 2>/dev/null || true
  rm -f "$STAGED"
  say "$VERSION: $1${2:+ ($2)}"
}
healthy() { # version: does the hub answer, as that version?
  url="${HYPHAE_HEALTH_URL:-}"
  if [ -z "$url" ]; then
    port=$("$NODE" -e 'try{console.log(JSON.parse(require("fs").readFileSync("/etc/hyphae/hub.json","utf8")).http?.port??8080)}catch{console.log(8080)}')
    url="http://127.0.0.1:$port/api/v1/health"
  fi
  "$NODE" -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(5000) }).then((r) => r.json()).then((h) => process.exit(h.version === process.argv[2] ? 0 : 1), () => process.exit(1))' "$url" "$1"
}

[ -f "$STAGED" ] || { say "nothing staged"; exit 0; }
VERSION=$(field "$STAGED" version) || { VERSION=unknown; result refused "staged.json is not readable"; exit 1; }
FILE=$(field "$STAGED" file) || { result refused "staged.json names no file"; exit 1; }
case "$FILE" in "$DATA"/*.hyphae-update) ;; *) result refused "the staged file is not in the hub's update folder"; exit 1 ;; esac
CURRENT=$(readlink "$LINK" 2>/dev/null || true)
[ -n "$CURRENT" ] || { result refused "/opt/hyphae is not a release link; this card cannot swap versions"; exit 1; }
case "$CURRENT" in /*) ;; *) CURRENT="$(dirname "$LINK")/$CURRENT" ;; esac
CURRENT_VERSION=$(basename "$CURRENT")

# 1. Check, with the running hub's own code and the image's key.
WORK="$RELEASES/.incoming"
rm -rf "$WORK"
mkdir -p "$WORK/bundle"
if ! "$NODE" "$LINK/hyphae.mjs" update verify "$FILE" --key "$KEY" --payload-out "$WORK/payload.tar.gz" > "$WORK/manifest.json" 2> "$WORK/verify.err"; then
  result refused "$(tail -n 1 "$WORK/verify.err")"
  rm -rf "$WORK"
  exit 1
fi
[ "$(field "$WORK/manifest.json" version)" = "$VERSION" ] || { result refused "the file is version $(field "$WORK/manifest.json" version), not $VERSION"; rm -rf "$WORK"; exit 1; }

# 2. Unpack beside the running version.
tar -xzf "$WORK/payload.tar.gz" -C "$WORK/bundle" --no-same-owner
[ -f "$WORK/bundle/hyphae.mjs" ] || { result refused "the update holds no hub bundle"; rm -rf "$WORK"; exit 1; }
chmod -R go-w "$WORK/bundle"
rm -rf "${RELEASES:?}/$VERSION"
mv "$WORK/bundle" "$RELEASES/$VERSION"
rm -rf "$WORK"

# 3. Swap in one rename (a new symlink moved over the old one).
swap() { ln -sfn "$RELEASES/$1" "$LINK.new" && mv -T "$LINK.new" "$LINK"; }
say "installing $VERSION in place of $CURRENT_VERSION"
swap "$VERSION"
sync
$RESTART || true

# 4. The new version must answer within the time allowed. One that keeps
# stopping (systemd restarting it again and again) is given up on sooner.
restarts() { [ -z "$R" ] && systemctl show -P NRestarts hyphae.service 2>/dev/null || echo 0; }
restarts_before=$(restarts)
waited=0
while [ "$waited" -lt "$HEALTH_SECONDS" ]; do
  if [ $(( $(restarts) - restarts_before )) -ge 3 ]; then
    say "$VERSION stopped three times since it started"
    break
  fi
  if healthy "$VERSION"; then
    # 5. Keep the version before (for a later roll-back by hand), drop older ones.
    for old in "$RELEASES"/*; do
      v=$(basename "$old")
      [ "$v" = "$VERSION" ] || [ "$v" = "$CURRENT_VERSION" ] || rm -rf "$old"
    done
    rm -f "$FILE"
    result installed ""
    exit 0
  fi
  sleep 5
  waited=$((waited + 5))
done
say "$VERSION did not answer within $waited s; going back to $CURRENT_VERSION"
swap "$CURRENT_VERSION"
sync
$RESTART || true
rm -rf "${RELEASES:?}/$VERSION"
rm -f "$FILE"
result rolled-back "the new version did not answer its health check within $waited s; $CURRENT_VERSION runs again"
exit 1
