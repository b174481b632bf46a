#!/bin/sh
# Runs genimage on the disk template (genimage.cfg and its fragments here) with the values of a board's meta.
# Usage: genimage.sh BOARD_DIR [genimage options…]   (scripts/post-image.sh; os/tests/layout.test.ts adds --configdump)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
board=$(realpath "$1")
shift
. "$board/meta"
export DISK_IMAGE BOOTLOADER
# A relative name: libconfuse looks the config file up in the include path too (and fails on an absolute one).
exec genimage --config genimage.cfg --includepath "$here" "$@"
