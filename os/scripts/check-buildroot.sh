#!/bin/sh
# Every symbol our defconfigs set must survive `make BR2_EXTERNAL=os <defconfig>` in a Buildroot
# checkout: kconfig silently drops unknown symbols and those whose dependencies are unmet. Our packages (nasd,
# restic) must be selected, and restic's Debian package must download with the hashes in its restic.hash.
# Usage: BUILDROOT_DIR=/path/to/buildroot os/scripts/check-buildroot.sh
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
if [ -z "${BUILDROOT_DIR:-}" ] || [ ! -f "${BUILDROOT_DIR}/Makefile" ]; then
  echo "check-buildroot: skipped (set BUILDROOT_DIR to a Buildroot checkout to run it)"
  exit 0
fi
failed=0
checked=0
dl=$(mktemp -d)
trap 'rm -rf "$dl"' EXIT
for defconfig in "$repo"/os/configs/*_defconfig; do
  name=$(basename "$defconfig")
  out=$(mktemp -d)
  if ! make -s -C "$BUILDROOT_DIR" BR2_EXTERNAL="$repo/os" O="$out" "$name" > "$out/make.log" 2>&1; then
    echo "FAIL $name: make $name failed"; cat "$out/make.log"; failed=$((failed + 1)); rm -rf "$out"; continue
  fi
  missing=""
  while IFS= read -r line; do
    case "$line" in
      BR2_*=*) symbol=${line%%=*}; grep -qxF "$line" "$out/.config" || missing="$missing $symbol" ;;
      "# BR2_"*" is not set") symbol=${line#\# }; symbol=${symbol%% *}; ! grep -q "^$symbol=" "$out/.config" || missing="$missing $symbol" ;;
    esac
  done < "$defconfig"
  # show-info evaluates every selected package's .mk (ours included) without downloading anything.
  if ! make -s -C "$BUILDROOT_DIR" BR2_EXTERNAL="$repo/os" O="$out" show-info > "$out/info.json" 2> "$out/info.log" \
     || ! grep -q '"nasd"' "$out/info.json" || ! grep -q '"restic"' "$out/info.json"; then
    missing="$missing (show-info, nasd and restic: $(tail -n 1 "$out/info.log"))"
  fi
  # restic (package/restic) comes from Debian: fetched for this board's CPU, its SHA-256 and its copyright file's
  # checked against restic.hash, and the program taken out of the .deb. With the host's tar: Buildroot would first
  # build host-tar (a newer tar, for reproducible tarballs) from GNU's site, which our extraction does not need.
  if ! BR2_DL_DIR="$dl" make -s -C "$BUILDROOT_DIR" BR2_EXTERNAL="$repo/os" O="$out" BR2_TAR_HOST_DEPENDENCY= TAR=tar \
       restic-extract restic-legal-info > "$out/restic.log" 2>&1; then
    missing="$missing (restic: $(grep -m1 -i 'error' "$out/restic.log" || tail -n 1 "$out/restic.log"))"
  else
    cpu=x86-64
    grep -q '^BR2_aarch64=y' "$out/.config" && cpu=aarch64
    file "$out"/build/restic-*/usr/bin/restic | grep -q "ELF 64-bit.*$cpu" || missing="$missing (restic: not a program for $cpu)"
  fi
  if [ -n "$missing" ]; then
    echo "FAIL $name: unknown, or dependencies unmet:$missing"
    failed=$((failed + 1))
  else
    echo "ok   $name: $(grep -c '^BR2_' "$defconfig") symbols resolved, $(grep -o '"type": "target"' "$out/info.json" | wc -l) target packages"
    checked=$((checked + 1))
  fi
  rm -rf "$out"
done
echo "check-buildroot: $checked passed, $failed failed"
[ "$failed" -eq 0 ]
