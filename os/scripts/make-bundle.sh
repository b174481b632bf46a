#!/bin/sh
# A signed RAUC update bundle (verity format) from a built image's outputs.
# Usage: make-bundle.sh BOARD BIN_DIR OUT_DIR   (BIN_DIR: Buildroot's images/ or out/debian-<board>/)
# Reads BIN_DIR/rootfs.squashfs (+ bootA.vfat on Raspberry Pi boards); the version is the image's
# own IMAGE_VERSION (os-release inside the root), the compatible nas-<BOARD_ID>. Signing keys:
# scripts/signing-keys.sh (NAS_SIGNING_CERT / NAS_SIGNING_KEY for a release, else the dev keys).
# Prints the bundle's path last.
set -eu
board_id=$1
bin=$(realpath "$2")
out=$(mkdir -p "$3" && realpath "$3")
repo=$(cd "$(dirname "$0")/../.." && pwd)
. "$repo/os/board/$board_id/meta"

version=$(unsquashfs -cat "$bin/rootfs.squashfs" usr/lib/os-release 2> /dev/null | sed -n 's/^IMAGE_VERSION=//p')
[ -n "$version" ] || { echo "make-bundle: no IMAGE_VERSION in $bin/rootfs.squashfs" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/content"
ln "$bin/rootfs.squashfs" "$work/content/rootfs.img" 2> /dev/null || cp "$bin/rootfs.squashfs" "$work/content/rootfs.img"
{
  printf '[update]\ncompatible=nas-%s\nversion=%s\ndescription=nasd %s for %s\nbuild=%s\n\n' \
    "$BOARD_ID" "$version" "$version" "$BOARD_NAME" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  # verity: the box checks every block as it reads the bundle, so it can install straight from the
  # uploaded file without unpacking it first.
  printf '[bundle]\nformat=verity\n\n[image.rootfs]\nfilename=rootfs.img\n'
  if [ "$BOOTLOADER" = rpi-tryboot ]; then
    cp "$bin/bootA.vfat" "$work/content/boot.vfat"
    printf '\n[image.boot]\nfilename=boot.vfat\n'
  fi
} > "$work/content/manifest.raucm"
bundle="$out/nas-$BOARD_ID-$version.raucb"
rm -f "$bundle"
rauc bundle --cert="$("$repo/os/scripts/signing-keys.sh" cert)" --key="$("$repo/os/scripts/signing-keys.sh" key)" \
  "$work/content" "$bundle" > /dev/null
echo "bundle: nas-$BOARD_ID $version, $(du -m "$bundle" | cut -f1) MiB, signed by $(openssl x509 -noout -subject -in "$("$repo/os/scripts/signing-keys.sh" cert)" | sed 's/^subject=//')"
echo "$bundle"
