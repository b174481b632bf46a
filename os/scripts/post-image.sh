#!/bin/sh
# Assemble the disk image from the build outputs. Buildroot calls it as a post-image script;
# the Debian builder calls it the same way after staging the same files.
# Usage: post-image.sh BINARIES_DIR BOARD_DIR
# Inputs in BINARIES_DIR: rootfs.squashfs, the kernel ($KERNEL_IMAGE), optional initrd.img, and
# for systemd-boot boards efi-part/EFI/BOOT/bootx64.efi; for Raspberry Pi boards rpi-firmware/
# and the device trees.
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
rpi-tryboot)
  # Partition 1 only says which boot slot to use; the firmware's tryboot flag picks the other once.
  rm -rf "$bin/boot-part" "$bin/bootA-part"
  mkdir -p "$bin/boot-part" "$bin/bootA-part"
  printf '[all]\ntryboot_a_b=1\nboot_partition=2\n[tryboot]\nboot_partition=3\n' > "$bin/boot-part/autoboot.txt"
  cp -r "$bin/rpi-firmware/." "$bin/bootA-part/"
  cp "$bin"/*.dtb "$bin/bootA-part/" 2>/dev/null || true
  cp "$bin/$KERNEL_IMAGE" "$bin/bootA-part/$KERNEL_IMAGE"
  cp "$board/config.txt" "$bin/bootA-part/config.txt"
  if [ -f "$bin/initrd.img" ]; then # Debian's kernel loads its drivers from an initramfs
    cp "$bin/initrd.img" "$bin/bootA-part/initrd.img"
    echo "initramfs initrd.img followkernel" >> "$bin/bootA-part/config.txt"
  fi
  slot_cmdline A > "$bin/bootA-part/cmdline.txt"
  make_vfat() { # make_vfat IMAGE SIZE_MIB LABEL DIR
    rm -f "$1"
    mkfs.vfat -C -n "$3" "$1" $(($2 * 1024)) > /dev/null
    mcopy -s -i "$1" "$4"/* ::
  }
  make_vfat "$bin/boot.vfat" 32 NASBOOT "$bin/boot-part"
  make_vfat "$bin/bootA.vfat" 128 NASBOOTA "$bin/bootA-part"
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
