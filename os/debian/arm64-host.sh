#!/bin/sh
# What an x86-64 Debian 12 host needs to build an arm64 root filesystem with mmdebstrap (as root):
# qemu-user-static with its binfmt handler enabled (arm64 maintainer scripts run under emulation)
# and arch-test (mmdebstrap's check that the foreign architecture can run).
set -eu
export DEBIAN_FRONTEND=noninteractive
missing=""
for pkg in qemu-user-static binfmt-support arch-test; do
  dpkg-query -W -f='${Status}' "$pkg" 2> /dev/null | grep -q 'install ok installed' || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $missing > /dev/null
fi
[ -d /proc/sys/fs/binfmt_misc ] && [ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
update-binfmts --enable qemu-aarch64 2> /dev/null || true
arch-test arm64 > /dev/null || { echo "arm64-host: arm64 binaries cannot run here (binfmt for qemu-aarch64)" >&2; exit 1; }
echo "arm64-host: arm64 binaries run under qemu-user"
