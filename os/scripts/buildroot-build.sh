#!/bin/sh
# Build the image with Buildroot (pinned release) on a machine with internet access.
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
make -C "$src" BR2_EXTERNAL="$repo/os" O="$out" "nas_${board}_defconfig"
make -C "$src" BR2_EXTERNAL="$repo/os" O="$out"
. "$repo/os/board/$board/meta"
mkdir -p "$repo/out"
cp "$out/images/$DISK_IMAGE" "$out/images/$DISK_IMAGE.xz" "$repo/out/"
ls -l "$repo/out/$DISK_IMAGE.xz"
