#!/bin/sh
# Build the image with Buildroot (pinned release) on a machine with internet access.
# The Bun package and CPU for the app bundle come from board/<board>/meta.
# Usage: buildroot-build.sh BOARD   (x86_64 | rpi4_64 | rpi5_64)
# BUILDROOT_DIR: an existing checkout of the pinned release (cloned into ../nas-buildroot otherwise).
# BR_OUT: build output, outside the repo so `bun test` never scans it (default ../nas-buildroot-out/BOARD).
set -eu
board=${1:?usage: buildroot-build.sh BOARD}
repo=$(cd "$(dirname "$0")/../.." && pwd)
version=2026.02.3
src=${BUILDROOT_DIR:-$repo/../nas-buildroot}
out=${BR_OUT:-$repo/../nas-buildroot-out/$board}

if [ ! -f "$src/Makefile" ]; then
  git clone --depth 1 --branch "$version" "${BUILDROOT_GIT:-https://gitlab.com/buildroot.org/buildroot.git}" "$src"
fi
. "$repo/os/board/$board/meta"
# The app bundle first (npm/bun fetch Bun and node_modules for the target CPU here, outside Buildroot):
# package/nasd installs it from out/bundle-$ARCH (BR2_PACKAGE_NASD_BUNDLE_DIR) as a local source.
"$repo/os/scripts/bundle-app.sh" "$BUN_PACKAGE" "$BUN_CPU" "$repo/out/bundle-$ARCH"
make -C "$src" BR2_EXTERNAL="$repo/os" O="$out" "nas_${board}_defconfig"
make -C "$src" BR2_EXTERNAL="$repo/os" O="$out"
mkdir -p "$repo/out"
cp "$out/images/$DISK_IMAGE" "$out/images/$DISK_IMAGE.xz" "$repo/out/"
ls -l "$repo/out/$DISK_IMAGE.xz"
