#!/bin/sh
# Build the appliance disk image from Debian packages with mmdebstrap: same overlay, units,
# first-boot scripts, app bundle and partition layout (os/genimage/) as Buildroot.
# Usage: os/debian/build.sh [BOARD] [OUT_DIR]   → OUT_DIR/nas-<board>.img and .img.xz (runs as root)
set -eu
board_id=${1:-x86_64}
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mkdir -p "${2:-$repo/out}" && cd "${2:-$repo/out}" && pwd)
board="$repo/os/board/$board_id"
. "$board/meta"
work="$out/debian-$board_id"
cache="$out/apt-cache-$DEBIAN_ARCH"
started=$(date +%s)

rm -rf "$work"
mkdir -p "$work" "$cache"
"$repo/os/scripts/bundle-app.sh" "$BUN_PACKAGE" "$BUN_CPU" "$work/bundle"

packages="$(grep -v '^#' "$repo/os/debian/packages.txt" | tr '\n' ' ') $DEBIAN_PACKAGES"
# ffmpeg: built from Debian's source with only what the app uses (ffmpeg.sh, cached in out/ffmpeg-cache) where
# the board says DEBIAN_FFMPEG=source, plus the libraries it links; else Debian's ffmpeg package.
if [ "${DEBIAN_FFMPEG:-package}" = source ]; then
  ffmpeg_root=$("$repo/os/debian/ffmpeg.sh" "$out/ffmpeg-cache")
  packages="$packages $("$repo/os/debian/ffmpeg.sh" --runtime)"
  install_ffmpeg="cp -a \"$ffmpeg_root/.\" \"\$1/\" && chroot \"\$1\" ldconfig"
else
  packages="$packages ffmpeg"
  install_ffmpeg=true
fi
# Debian 12 from mmdebstrap's default mirror (plus updates and security). Docs, man pages and
# translations are dropped; Recommends are not installed.
# non-free-firmware: raspi-firmware (the Pi boot files) lives there; the x86 image takes nothing from it.
mmdebstrap --variant=minbase --arch="$DEBIAN_ARCH" --format=directory --components=main,non-free-firmware \
  --include="$(echo $packages | tr ' ' ',')" \
  --aptopt='APT::Install-Recommends "false"' \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/info/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-exclude=/usr/share/lintian/*' \
  --setup-hook="mkdir -p \"\$1/var/cache/apt/archives\" && cp -a \"$cache/.\" \"\$1/var/cache/apt/archives/\"" \
  --essential-hook="mkdir -p \"\$1/etc/initramfs-tools/conf.d\" \"\$1/usr/share/initramfs-tools/modules.d\"" \
  --essential-hook="printf 'MODULES=list\nCOMPRESS=zstd\n' > \"\$1/etc/initramfs-tools/conf.d/nas.conf\"" \
  --essential-hook="cp \"$repo/os/debian/initramfs-modules\" \"\$1/usr/share/initramfs-tools/modules.d/nas.conf\"" \
  --customize-hook="cp -a \"\$1/var/cache/apt/archives/.\" \"$cache/\" && rm -f \"$cache/lock\"" \
  --customize-hook="cp -a \"$repo/os/rootfs-overlay/.\" \"\$1/\"" \
  --customize-hook="cp -a \"$board/rootfs-overlay/.\" \"\$1/\"" \
  --customize-hook="\"$repo/os/package/nasd/install.sh\" \"$work/bundle\" \"\$1\"" \
  --customize-hook="$install_ffmpeg" \
  --customize-hook="\"$repo/os/debian/slim.sh\" \"\$1\"" \
  --customize-hook="\"$repo/os/scripts/post-build.sh\" \"\$1\" \"$board\"" \
  bookworm "$work/rootfs"

# mmdebstrap can leave the chroot's /proc and /sys mounted here; they must not go into the image.
awk -v root="$work/rootfs/" 'index($2, root) == 1 { print $2 }' /proc/mounts | sort -r | xargs -r umount -l
# The app's probe, poster and transcode with the image's own ffmpeg (the app's tests use the host's).
if [ "${DEBIAN_FFMPEG:-package}" = source ]; then
  bun "$repo/os/debian/media-check.ts" "$work/rootfs"
fi

# Stage what Buildroot would leave in its images/ directory, then run the shared post-image step.
# post-build.sh gave the kernel and initramfs stable names in /boot (what RAUC's post-install reads too).
cp "$work/rootfs/boot/$KERNEL_IMAGE" "$work/$KERNEL_IMAGE"
cp "$work/rootfs/boot/initrd.img" "$work/initrd.img"
case "$BOOTLOADER" in
grub)
  # GRUB's EFI image from the build host's grub-efi-amd64-bin: the modules grub.cfg uses, nothing else.
  mkdir -p "$work/efi-part/EFI/BOOT"
  grub-mkimage -O x86_64-efi -p /EFI/BOOT -o "$work/efi-part/EFI/BOOT/bootx64.efi" \
    part_gpt fat normal linux loadenv test regexp probe echo configfile efi_gop
  ;;
rpi-tryboot)
  # Debian's raspi-firmware (start4.elf, fixup4.dat, …) and the kernel package's device trees.
  mkdir -p "$work/rpi-firmware"
  cp -r "$work/rootfs/usr/lib/raspi-firmware/." "$work/rpi-firmware/"
  cp "$work"/rootfs/usr/lib/linux-image-*/broadcom/bcm27*-rpi-*.dtb "$work/"
  ;;
esac
mksquashfs "$work/rootfs" "$work/rootfs.squashfs" -noappend -quiet -comp zstd -Xcompression-level 19 -b 1M \
  -e var/cache/apt/archives var/lib/apt/lists
"$repo/os/scripts/post-image.sh" "$work" "$board"

mv "$work/$DISK_IMAGE" "$work/$DISK_IMAGE.xz" "$out/"
rm -rf "$work/rootfs"
echo "image: $out/$DISK_IMAGE.xz $(du -m "$out/$DISK_IMAGE.xz" | cut -f1) MiB, rootfs.squashfs $(du -m "$work/rootfs.squashfs" | cut -f1) MiB, built in $(( $(date +%s) - started )) s"
