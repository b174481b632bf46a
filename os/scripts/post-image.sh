#!/bin/sh
# Assemble the disk image from the build outputs. Buildroot calls it as a post-image script;
# the Debian builder calls it the same way after staging the same files.
# Usage: post-image.sh BINARIES_DIR BOARD_DIR
# Inputs in BINARIES_DIR: rootfs.squashfs, the kernel ($KERNEL_IMAGE), optional initrd.img, and
# for systemd-boot boards efi-part/EFI/BOOT/bootx64.efi; for Raspberry Pi boards rpi-firmware/,
# the device trees and u-boot.bin.
set -eu
bin=$(realpath "$1")
board=$(realpath "$2")
. "$board/meta"

slot_cmdline() {
  echo "root=PARTLABEL=root$1 rootfstype=squashfs ro rootwait init=/usr/lib/nas/preinit rauc.slot=$1 $CONSOLE"
}

case "$BOOTLOADER" in
systemd-boot)
  efi="$bin/efi-part"
  rm -rf "$efi/loader" "$efi/nas"
  mkdir -p "$efi/loader/entries" "$efi/nas/A"
  cp "$bin/$KERNEL_IMAGE" "$efi/nas/A/$KERNEL_IMAGE"
  initrd_line=""
  if [ -f "$bin/initrd.img" ]; then
    cp "$bin/initrd.img" "$efi/nas/A/initrd.img"
    initrd_line="initrd /nas/A/initrd.img"
  fi
  # No editor: nobody at the console can add init=/bin/sh. The menu shows while a key is held.
  printf 'default nas-A*\ntimeout 0\neditor no\nconsole-mode keep\n' > "$efi/loader/loader.conf"
  # Slot B gets its entry (with a boot counter, see rauc-bootloader) when RAUC installs into it.
  {
    echo "title NAS (slot A)"
    echo "linux /nas/A/$KERNEL_IMAGE"
    [ -z "$initrd_line" ] || echo "$initrd_line"
    echo "options $(slot_cmdline A)"
  } > "$efi/loader/entries/nas-A.conf"
  ;;
uboot-rpi)
  boot="$bin/boot-part"
  rm -rf "$boot"
  mkdir -p "$boot/overlays"
  cp -r "$bin"/rpi-firmware/*.elf "$bin"/rpi-firmware/*.dat "$boot/" 2>/dev/null || true
  cp "$bin"/rpi-firmware/overlays/* "$boot/overlays/" 2>/dev/null || true
  cp "$bin"/*.dtb "$boot/"
  cp "$board/config.txt" "$boot/config.txt"
  cp "$bin/u-boot.bin" "$boot/u-boot.bin"
  mkimage -A arm64 -T script -C none -d "$board/../rpi-common/boot.cmd" "$boot/boot.scr"
  # U-Boot loads the kernel of the chosen slot from that slot's root filesystem (/boot/Image).
  ;;
*)
  echo "post-image: unknown BOOTLOADER=$BOOTLOADER in $board/meta" >&2
  exit 1
  ;;
esac

rootpath=$(mktemp -d)
tmppath=$(mktemp -d)
rm -rf "$tmppath"
genimage --config "$board/genimage.cfg" --inputpath "$bin" --outputpath "$bin" \
  --rootpath "$rootpath" --tmppath "$tmppath"
rm -rf "$rootpath" "$tmppath"

xz -T0 -6 -f -k "$bin/$DISK_IMAGE"
ls -l "$bin/$DISK_IMAGE" "$bin/$DISK_IMAGE.xz"
