#!/bin/sh
# Finish the root filesystem (shared by the Buildroot and the Debian builder).
# Usage: post-build.sh TARGET_DIR BOARD_DIR
set -eu
target=$(realpath "$1")
board=$(realpath "$2")
repo=$(cd "$(dirname "$0")/../.." && pwd)
units="$target/usr/lib/systemd/system"
. "$board/meta"

# Every systemd unit of the image has one home, os/systemd/: those of all boards, then those of the board's boot
# scheme (os/systemd/$BOOTLOADER/: the ESP's mount on GRUB boards; the boot selector's mount and the tryboot commit on
# a Raspberry Pi).
[ -d "$repo/os/systemd/$BOOTLOADER" ] || { echo "post-build: no os/systemd/$BOOTLOADER for BOOTLOADER=$BOOTLOADER" >&2; exit 1; }
mkdir -p "$units"
for unit in "$repo"/os/systemd/* "$repo/os/systemd/$BOOTLOADER"/*; do
  if [ -f "$unit" ]; then install -m 0644 "$unit" "$units/"; fi
done

enable() { # enable UNIT TARGET [wants|requires]: static enablement inside the read-only image, not in /etc
  mkdir -p "$units/$2.${3:-wants}"
  ln -sf "../$1" "$units/$2.${3:-wants}/$1"
}
# /tmp is a tmpfs (the root is read-only; systemd's sandboxing also needs a writable /tmp).
if [ ! -f "$units/tmp.mount" ] && [ -f "$target/usr/share/systemd/tmp.mount" ]; then
  cp "$target/usr/share/systemd/tmp.mount" "$units/tmp.mount"
fi
enable tmp.mount local-fs.target
enable data.mount local-fs.target
case "$BOOTLOADER" in
grub) enable efi.automount local-fs.target ;;
rpi-tryboot) enable mnt-boot.mount local-fs.target && enable nas-boot-commit.service multi-user.target ;;
esac
enable nasd-web.service multi-user.target
enable nasd-worker.service multi-user.target
enable nasd-backup-worker.service multi-user.target
enable nasd-storage-worker.service multi-user.target
enable nas-settings.path multi-user.target
enable nas-settings.service multi-user.target
enable nas-factory-reset.service multi-user.target
enable nas-console-banner.service multi-user.target
enable nas-tls.timer timers.target
# A boot is complete (and its slot marked good by RAUC) only when the app answered its health check.
enable nas-health.service boot-complete.target requires
enable nas-health.service multi-user.target
enable rauc-mark-good.service multi-user.target
for unit in systemd-networkd.service systemd-resolved.service avahi-daemon.service chrony.service; do
  [ -f "$units/$unit" ] && enable "$unit" multi-user.target
done

# Mount points for the overlays' upper layers and for the data partition (the root is read-only).
mkdir -p "$target/mnt/state" "$target/mnt/boot" "$target/data" "$target/efi"

# Stable names for the slot's kernel and initramfs (Buildroot installs /boot/$KERNEL_IMAGE itself; Debian
# names them by version): the image builder and RAUC's post-install handler read these.
if [ ! -e "$target/boot/$KERNEL_IMAGE" ]; then
  for f in "$target"/boot/vmlinuz-*; do [ -e "$f" ] && ln -sf "$(basename "$f")" "$target/boot/$KERNEL_IMAGE"; done
fi
for f in "$target"/boot/initrd.img-*; do [ -e "$f" ] && ln -sf "$(basename "$f")" "$target/boot/initrd.img"; done

# RAUC: the board's slots and compatible (a Pi 5 bundle never installs on a Pi 4), rendered from its meta, and the
# release keyring.
mkdir -p "$target/etc/rauc"
"$repo/os/rauc/system-conf.sh" "$board" > "$target/etc/rauc/system.conf"
install -D -m 0644 "$("$repo/os/scripts/signing-keys.sh" keyring)" "$target/etc/rauc/keyring.pem"

# Buildroot's chrony.conf lacks Debian's sourcedir: the NTP servers the wizard writes to
# /etc/chrony/sources.d/ would be ignored without it.
if [ -f "$target/etc/chrony.conf" ] && ! grep -q '^sourcedir /etc/chrony/sources.d' "$target/etc/chrony.conf"; then
  printf '\n# NTP servers chosen in the web wizard (provision/settings.ts)\nsourcedir /etc/chrony/sources.d\n' >> "$target/etc/chrony.conf"
fi
mkdir -p "$target/etc/chrony/sources.d"

# Every box makes its own machine id, SSH host keys and CA at first boot; none ship in the image.
rm -f "$target/etc/ssh/ssh_host_"*
: > "$target/etc/machine-id"
rm -f "$target/var/lib/dbus/machine-id"

# No default passwords: root cannot log in with one; support uses the serial console's logs and journal.
if [ -f "$target/etc/shadow" ]; then
  sed -i 's/^root:[^:]*:/root:!:/' "$target/etc/shadow"
fi

# SSH stays off until the wizard enables it with a key; no interactive first-boot questions.
mkdir -p "$target/etc/systemd/system" "$target/etc/ssh/authorized_keys"
rm -f "$target/etc/systemd/system/multi-user.target.wants/ssh.service" "$target/etc/systemd/system/multi-user.target.wants/sshd.service"
# Package-manager timers have nothing to do on an image that is updated as a whole (RAUC).
for unit in ssh.service ssh.socket systemd-firstboot.service apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer; do
  ln -sf /dev/null "$target/etc/systemd/system/$unit"
done
# Buildroot's OpenSSH unit is sshd.service (Debian's ssh.service only gets sshd.service as an alias when
# enabled, so that name must stay free there); provision/settings.ts sshUnit() picks the same name.
[ ! -f "$units/sshd.service" ] || ln -sf /dev/null "$target/etc/systemd/system/sshd.service"

# The image's identity for the dashboard and for support (os-release IMAGE_ID / IMAGE_VERSION): app version + commit.
version=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$repo/package.json")
rev=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
os_release="$target/usr/lib/os-release"
[ -f "$os_release" ] || os_release="$target/etc/os-release"
sed -i '/^IMAGE_ID=/d; /^IMAGE_VERSION=/d' "$os_release"
printf 'IMAGE_ID=nas\nIMAGE_VERSION=%s+%s\n' "$version" "$rev" >> "$os_release"

ln -sf ../usr/share/zoneinfo/UTC "$target/etc/localtime"
[ -e "$target/etc/resolv.conf" ] && [ ! -L "$target/etc/resolv.conf" ] && \
  ln -sf ../run/systemd/resolve/stub-resolv.conf "$target/etc/resolv.conf"

if command -v systemd-sysusers > /dev/null; then
  systemd-sysusers --root "$target"
fi
