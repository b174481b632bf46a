#!/bin/sh
# RAUC's /etc/rauc/system.conf for a board, rendered from its meta: the one place it is written (Home Assistant OS
# renders ota/system.conf.gtpl the same way). scripts/post-build.sh runs it for the Buildroot and the Debian builder.
# Usage: system-conf.sh BOARD_DIR > system.conf
set -eu
. "$1/meta"

case "$BOOTLOADER" in
grub)
  # GRUB boot counters (board/x86_64/grub.cfg): a new slot gets three tries; rauc-mark-good.service marks it good
  # once nas-health.service saw the app answer. The post-install handler copies the new slot's kernel and initrd
  # to the ESP.
  backend=/usr/lib/nas/rauc-bootloader
  post_install=/usr/lib/nas/rauc-post-install
  boot_slots=no
  ;;
rpi-tryboot)
  # A new slot is booted once with the firmware's tryboot flag (`nas update` reboots with "0 tryboot"); only when
  # it comes up healthy does nas-boot-commit.service make it permanent in autoboot.txt (after nas-health.service
  # passed, boot-complete.target). A failed try falls back to the old slot. The post-install handler makes the new
  # boot slot's cmdline.txt name its own root (the bundle's boot image was built for slot A).
  backend=/usr/lib/nas/rauc-bootloader-tryboot
  post_install=/usr/lib/nas/rauc-post-install-rpi
  boot_slots=yes
  ;;
*)
  echo "system-conf: unknown BOOTLOADER=$BOOTLOADER in $1/meta" >&2
  exit 1
  ;;
esac

cat << EOF_CONF
# RAUC A/B update slots for $BOARD_NAME, rendered by os/rauc/system-conf.sh from board/$BOARD_ID/meta
# (disk layout: os/genimage/).
[system]
# One compatible per board (nas-<BOARD_ID>): a Pi 5 bundle never installs on a Pi 4.
compatible=nas-$BOARD_ID
bootloader=custom
statusfile=/mnt/state/rauc.status
mountprefix=/run/rauc
# Signed verity bundles only (made by scripts/make-bundle.sh).
bundle-formats=-plain

[keyring]
# The release CA, installed at build time by scripts/post-build.sh; anything else is refused.
path=/etc/rauc/keyring.pem

[handlers]
bootloader-custom-backend=$backend
post-install=$post_install

# /dev/nas/*: partitions of the boot disk only (rootfs-overlay/usr/lib/udev/rules.d/70-nas-boot-disk.rules).
EOF_CONF
for slot in 0:A 1:B; do
  index=${slot%:*}
  name=${slot#*:}
  if [ "$boot_slots" = yes ]; then
    printf '[slot.boot.%s]\ndevice=/dev/nas/boot%s\ntype=vfat\nparent=rootfs.%s\n\n' "$index" "$name" "$index"
  fi
  printf '[slot.rootfs.%s]\ndevice=/dev/nas/root%s\ntype=raw\nbootname=%s\n' "$index" "$name" "$name"
  [ "$name" = B ] || echo
done
