#!/usr/bin/env bash
# Installs the system packages `make test` needs (Debian/Ubuntu), or says the one command to run.
# Used by `make test` and by .ci/run; `--image` adds what building and booting the appliance image needs.
set -euo pipefail

packages=(chromium ffmpeg smartmontools sqlite3 openssl curl ca-certificates faketime libheif-examples libvips-tools
  libimage-exiftool-perl strace
  python3-tuspy wrk nginx-light
  # os/tests (unit tests of the image's update and disk layout): RAUC bundles, GRUB's environment, the disk template
  rauc grub-common genimage squashfs-tools fdisk
  # the reliability suite's full-disk test mounts a tmpfs of a fixed size
  mount
  # WebDAV clients the tests run (app/dav), and Apache httpd with mod_dav_fs, the baseline of bench/dav.ts
  litmus rclone nextcloud-desktop-cmd apache2

  # app/backup: restic makes the backups; the SFTP target's tests run Debian's sshd as their own process on a loopback port
  restic openssh-server)
if [ "${1:-}" = "--image" ]; then
  packages+=(qemu-system-x86 qemu-utils ovmf libnss3-tools mmdebstrap erofs-utils mtools
    dosfstools xz-utils grub-efi-amd64-bin openssh-client qemu-user-static libc6-arm64-cross
    libstdc++6-arm64-cross
    # os/debian/ffmpeg.sh: the x86 image's ffmpeg is compiled here against these (the image gets their runtime libraries)
    gcc make nasm pkg-config libx264-dev libva-dev libdrm-dev libdav1d-dev zlib1g-dev)
fi

if ! command -v dpkg-query >/dev/null; then
  echo "system-deps: not a Debian/Ubuntu system. Install these with your package manager: ${packages[*]}" >&2
  echo "(Chromium is expected at /usr/bin/chromium, or set CHROMIUM_PATH.)" >&2
  exit 0
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "system-deps: installing ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null; then
  echo "system-deps: not root, using sudo" >&2
  sudo=(sudo)
else
  echo "system-deps: run as root: apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
