#!/bin/sh
# Trim what a NAS never uses from the Debian root filesystem, then prove the media stack still loads.
# Usage: slim.sh ROOTFS
set -eu
root=$1
for kernel in "$root"/usr/lib/modules/*; do
  k="$kernel/kernel"
  # Radios, sound, TV tuners, lab and cluster hardware; GPUs whose firmware the image does not ship.
  rm -rf "$k/sound" "$k/net/bluetooth" "$k/net/mac80211" "$k/net/wireless" "$k/drivers/net/wireless" \
    "$k/drivers/bluetooth" "$k/drivers/media" "$k/drivers/staging" "$k/drivers/infiniband" "$k/drivers/isdn" \
    "$k/drivers/comedi" "$k/drivers/iio" "$k/drivers/gpu/drm/amd" "$k/drivers/gpu/drm/nouveau" \
    "$k/drivers/gpu/drm/radeon" "$k/drivers/net/ethernet/mellanox" "$k/drivers/net/can" \
    "$k/drivers/net/wwan" "$k/drivers/net/ieee802154" "$k/drivers/net/hamradio" "$k/drivers/net/fddi" \
    "$k/drivers/net/arcnet" "$k/drivers/atm" "$k/drivers/target" "$k/drivers/scsi/qla2xxx" "$k/drivers/scsi/lpfc" \
    "$k/drivers/scsi/bfa" "$k/drivers/scsi/qla4xxx" "$k/drivers/scsi/be2iscsi" "$k/drivers/scsi/bnx2fc" \
    "$k/drivers/scsi/bnx2i" "$k/drivers/scsi/fnic" "$k/drivers/scsi/csiostor" "$k/drivers/scsi/qedf" \
    "$k/drivers/scsi/qedi" "$k/drivers/net/ethernet/qlogic" "$k/drivers/net/ethernet/chelsio" \
    "$k/drivers/net/ethernet/sfc" "$k/drivers/net/ethernet/netronome" "$k/drivers/net/ethernet/huawei" \
    "$k/drivers/net/ethernet/cavium" "$k/drivers/net/ethernet/emulex" "$k/drivers/gpu/drm/vmwgfx" \
    "$k/drivers/gpu/drm/gma500" "$k/drivers/nfc" "$k/drivers/gnss" "$k/drivers/fpga" "$k/drivers/parport" \
    "$k/drivers/pcmcia" "$k/drivers/memstick" "$k/drivers/vdpa" "$k/drivers/ipack" "$k/drivers/hsi" \
    "$k/arch/x86/kvm" "$k/fs/ocfs2" "$k/fs/gfs2" "$k/fs/ceph" "$k/fs/afs" "$k/fs/coda" "$k/fs/orangefs" \
    "$k/fs/nilfs2" "$k/fs/jfs" "$k/fs/reiserfs" "$k/fs/ubifs" "$k/fs/dlm" "$k/fs/f2fs" "$k/net/ceph" \
    "$k/net/rxrpc" "$k/net/tipc" "$k/net/rds" "$k/net/batman-adv" "$k/net/openvswitch" "$k/net/l2tp" \
    "$k/net/atm" "$k/net/nfc" "$k/net/ieee802154" "$k/net/mac802154" "$k/net/6lowpan" "$k/net/phonet" \
    "$k/net/caif" "$k/net/dccp" "$k/net/x25" "$k/net/lapb" "$k/net/appletalk" "$k/net/mpls"
  chroot "$root" depmod "$(basename "$kernel")"
done
# ffmpeg's Debian build links GL/Vulkan through SDL and libplacebo; the OpenGL drivers (and LLVM for
# them) are only loaded for on-screen output, which a headless box never does. VAAPI drivers stay.
find "$root/usr/lib" \( -name 'libLLVM-*.so*' -o -name 'libz3.so*' -o -name '*_dri.so' -o -name 'libvulkan_*.so' \) -delete
# Full Perl (libperl and its modules) only serves package maintainer scripts at build time; an
# image that is replaced as a whole never runs them. perl-base stays.
rm -rf "$root"/usr/lib/*-linux-gnu/perl "$root/usr/share/perl" "$root"/usr/lib/*/libperl.so* \
  "$root"/usr/bin/perl5.*-*-linux-gnu
rm -rf "$root/usr/share/icons" "$root/var/cache/debconf/"*-old
chroot "$root" ffmpeg -hide_banner -loglevel error -f lavfi -i testsrc=duration=0.1:size=64x64 -c:v libx264 -f null -
echo "slim: ffmpeg encodes after trimming"
