#!/bin/sh
# Finish the root filesystem (shared by the Buildroot and the Debian builder).
# Usage: post-build.sh TARGET_DIR [BOARD_DIR]
set -eu
target=$(realpath "$1")
units="$target/usr/lib/systemd/system"

enable() { # enable UNIT TARGET: static enablement inside the read-only image, not in /etc
  mkdir -p "$units/$2.wants"
  ln -sf "../$1" "$units/$2.wants/$1"
}
# /tmp is a tmpfs (the root is read-only; systemd's sandboxing also needs a writable /tmp).
if [ ! -f "$units/tmp.mount" ] && [ -f "$target/usr/share/systemd/tmp.mount" ]; then
  cp "$target/usr/share/systemd/tmp.mount" "$units/tmp.mount"
fi
enable tmp.mount local-fs.target
enable data.mount local-fs.target
[ -f "$units/efi.automount" ] && enable efi.automount local-fs.target
[ -f "$units/mnt-boot.mount" ] && enable mnt-boot.mount local-fs.target && enable nas-boot-commit.service multi-user.target
enable nasd-web.service multi-user.target
enable nasd-worker.service multi-user.target
enable nasd-storage-worker.service multi-user.target
enable nas-settings.path multi-user.target
enable nas-settings.service multi-user.target
enable nas-console-banner.service multi-user.target
enable nas-tls.timer timers.target
for unit in systemd-networkd.service systemd-resolved.service avahi-daemon.service chrony.service; do
  [ -f "$units/$unit" ] && enable "$unit" multi-user.target
done

# Mount points for the overlays' upper layers and for the data partition (the root is read-only).
mkdir -p "$target/mnt/state" "$target/mnt/boot" "$target/data" "$target/efi"

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
rm -f "$target/etc/systemd/system/multi-user.target.wants/ssh.service" "$target/etc/systemd/system/sshd.service"
# Package-manager timers have nothing to do on an image that is updated as a whole (RAUC).
for unit in ssh.service ssh.socket systemd-firstboot.service apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer; do
  ln -sf /dev/null "$target/etc/systemd/system/$unit"
done

# The image's identity for the dashboard and for support (os-release IMAGE_ID / IMAGE_VERSION): app version + commit.
repo=$(cd "$(dirname "$0")/../.." && pwd)
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
