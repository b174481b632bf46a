#!/bin/sh
# Assemble the disk image from the build outputs. Buildroot calls it as a post-image script;
# the Debian builder calls it the same way after staging the same files.
# Usage: post-image.sh BINARIES_DIR BOARD_DIR
# Inputs in BINARIES_DIR: rootfs.squashfs, the kernel ($KERNEL_IMAGE), optional initrd.img, and
# for GRUB boards efi-part/EFI/BOOT/bootx64.efi; for Raspberry Pi boards rpi-firmware/
# and the device trees.
set -eu
bin=$(realpath "$1")
board=$(realpath "$2")
os=$(cd "$(dirname "$0")/.." && pwd)
. "$board/meta"

case "$BOOTLOADER" in
grub)
  # GRUB (bootx64.efi: Buildroot's grub2 package, or grub-mkimage in debian/build.sh) reads
  # EFI/BOOT/grub.cfg and its counters in EFI/BOOT/grubenv; each slot's kernel sits in nas/<slot>/.
  efi="$bin/efi-part"
  rm -rf "$efi/nas" "$efi/loader"
  mkdir -p "$efi/nas/A" "$efi/EFI/BOOT"
  [ -f "$efi/EFI/BOOT/bootx64.efi" ] || { echo "post-image: $efi/EFI/BOOT/bootx64.efi (GRUB) is missing" >&2; exit 1; }
  cp "$bin/$KERNEL_IMAGE" "$efi/nas/A/bzImage"
  [ ! -f "$bin/initrd.img" ] || cp "$bin/initrd.img" "$efi/nas/A/initrd.img"
  sed "s|@CONSOLE@|$CONSOLE|" "$board/grub.cfg" > "$efi/EFI/BOOT/grub.cfg"
  # Slot A may boot and has all its tries; slot B is empty until the first update.
  NAS_GRUBENV="$efi/EFI/BOOT/grubenv" NAS_CMDLINE=/dev/null "$board/rootfs-overlay/usr/lib/nas/rauc-bootloader" set-primary A
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
  # The root by partition UUID (fixed in genimage/partitions-rpi-tryboot.cfg), never by a name another disk could
  # carry; rauc-post-install-rpi rewrites it for slot B when an update writes bootB.
  rootA_uuid=$(awk '/partition nasd-rootA/ { f = 1 } f && /partition-uuid/ { gsub(/[" ]/, "", $3); print $3; exit }' "$os/genimage/partitions-rpi-tryboot.cfg")
  echo "root=PARTUUID=$rootA_uuid rootfstype=squashfs ro rootwait init=/usr/lib/nas/preinit rauc.slot=A panic=10 $CONSOLE" > "$bin/bootA-part/cmdline.txt"
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
"$os/genimage/genimage.sh" "$board" --inputpath "$bin" --outputpath "$bin" --rootpath "$rootpath" --tmppath "$tmppath"
rm -rf "$rootpath" "$tmppath"

xz -T0 -6 -f -k "$bin/$DISK_IMAGE"
ls -l "$bin/$DISK_IMAGE" "$bin/$DISK_IMAGE.xz"
