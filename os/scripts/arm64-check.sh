#!/bin/sh
# The arm64 app bundle — Bun for aarch64, sharp's arm64 binary, the app — starts and answers /healthz
# under qemu-user with the Raspberry Pi 4's core (cortex-a72; Bun has had SIGILL reports there) and the
# Pi 5's (cortex-a76). CI-sized: the same bundle the Pi image installs (scripts/bundle-app.sh with the
# Bun package from board/rpi4_64/meta), no image and no kernel. Needs qemu-user-static,
# libc6-arm64-cross and libstdc++6-arm64-cross (the aarch64 loader and libstdc++ for Bun and sharp).
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
. "$repo/os/board/rpi4_64/meta"
work=$(mktemp -d)
pid=""
cleanup() { [ -z "$pid" ] || kill "$pid" 2> /dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
started=$(date +%s)
"$repo/os/scripts/bundle-app.sh" "$BUN_PACKAGE" "$BUN_CPU" "$work/bundle"
# ELF e_machine 183: AArch64.
[ "$(od -An -j18 -N2 -tu2 "$work/bundle/bin/bun" | tr -d ' ')" = 183 ] || { echo "arm64-check: $work/bundle/bin/bun is not an aarch64 binary" >&2; exit 1; }
run() { # run CPU ARGS…: the aarch64 Bun under emulation of that core
  cpu=$1; shift
  qemu-aarch64-static -L /usr/aarch64-linux-gnu -cpu "$cpu" "$work/bundle/bin/bun" "$@"
}
failed=0
for cpu in cortex-a72 cortex-a76; do
  port=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 20000 ))
  mkdir -p "$work/data-$cpu"
  t0=$(date +%s)
  # exec: the background pid is qemu itself, so the kill below stops the server (not just the subshell).
  (cd "$work/bundle" && export DATA_DIR="$work/data-$cpu" PORT=$port HOST=127.0.0.1 NODE_ENV=production &&
    exec qemu-aarch64-static -L /usr/aarch64-linux-gnu -cpu "$cpu" "$work/bundle/bin/bun" dist/main.js > "$work/server-$cpu.log" 2>&1) &
  pid=$!
  healthy=no
  for _ in $(seq 1 120); do
    if curl -fsS --max-time 5 "http://127.0.0.1:$port/healthz" > /dev/null 2>&1; then healthy=yes; break; fi
    kill -0 "$pid" 2> /dev/null || break
    sleep 1
  done
  seconds=$(( $(date +%s) - t0 ))
  kill "$pid" 2> /dev/null || true
  wait "$pid" 2> /dev/null || true
  pid=""
  # sharp's prebuilt arm64 libvips: a WebP thumbnail, as the worker makes them.
  webp=$(cd "$work/bundle" && run "$cpu" -e 'const sharp = require("sharp"); const out = await sharp({ create: { width: 64, height: 64, channels: 3, background: "#c33" } }).resize(32).webp().toBuffer(); console.log(out.subarray(8, 12).toString(), out.length)' 2>&1 | tail -n 1)
  if [ "$healthy" = yes ] && echo "$webp" | grep -q '^WEBP '; then
    echo "ok   arm64 $cpu: /healthz 200 after $seconds s; sharp made a WebP ($webp bytes)"
  else
    echo "FAIL arm64 $cpu: healthz=$healthy after $seconds s, sharp: $webp"
    tail -n 20 "$work/server-$cpu.log"
    failed=1
  fi
done
# The People indexer (issue 25: Human on tfjs' wasm backend, models in the package) on a photo of three people, once on
# the Pi 4's core and once here: the same faces, boxes, embeddings and objects (os/scripts/arm64-people.ts).
photo="$repo/test/fixtures/people/party-1.jpg"
if (cd "$repo" && bun os/scripts/arm64-people.ts detect "$photo" "$work/people-x86.json" > "$work/people-x86.log" 2>&1) &&
  people=$(cd "$work/bundle" && run cortex-a72 "$repo/os/scripts/arm64-people.ts" detect "$photo" "$work/people-arm64.json" 2>&1 | tail -n 1) &&
  verdict=$(bun "$repo/os/scripts/arm64-people.ts" compare "$work/people-x86.json" "$work/people-arm64.json"); then
  echo "ok   arm64 cortex-a72: the People indexer found $people; against x86: $verdict"
else
  echo "FAIL arm64 cortex-a72: the People indexer: ${people:-} ${verdict:-} $(tail -n 5 "$work/people-x86.log" 2> /dev/null)"
  failed=1
fi
echo "arm64-check: done in $(( $(date +%s) - started )) s"
exit $failed
