#!/bin/sh
# Trim what a NAS never uses from the Debian root filesystem, then prove the media stack still loads.
# Usage: slim.sh ROOTFS
set -eu
root=$1
for kernel in "$root"/usr/lib/modules/*; do
  k="$kernel/kernel"
  # Drivers: only what the allow-list (kernel-modules) names and what those need. Inside the
  # subsystems it keeps whole: radios, cluster and exotic filesystems and protocols, KVM.
  rm -rf "$k/net/bluetooth" "$k/net/mac80211" "$k/net/wireless" "$k/arch/x86/kvm" "$k/fs/ocfs2" "$k/fs/gfs2" \
    "$k/fs/ceph" "$k/fs/afs" "$k/fs/coda" "$k/fs/orangefs" "$k/fs/nilfs2" "$k/fs/jfs" "$k/fs/reiserfs" "$k/fs/ubifs" \
    "$k/fs/dlm" "$k/fs/f2fs" "$k/net/ceph" "$k/net/rxrpc" "$k/net/tipc" "$k/net/rds" "$k/net/batman-adv" \
    "$k/net/openvswitch" "$k/net/l2tp" "$k/net/atm" "$k/net/nfc" "$k/net/ieee802154" "$k/net/mac802154" \
    "$k/net/6lowpan" "$k/net/phonet" "$k/net/caif" "$k/net/dccp" "$k/net/x25" "$k/net/lapb" "$k/net/appletalk" "$k/net/mpls"
  "$(dirname "$0")/keep-modules.sh" "$kernel" "$(dirname "$0")/kernel-modules"
  chroot "$root" depmod "$(basename "$kernel")"
done
# Debian's ffmpeg package (the Pi images; x86 builds its own, ffmpeg.sh) links GL/Vulkan through SDL and
# libplacebo; the OpenGL drivers (and LLVM for them) are only loaded for on-screen output, which a headless
# box never does. VAAPI drivers stay.
find "$root/usr/lib" \( -name 'libLLVM-*.so*' -o -name 'libz3.so*' -o -name '*_dri.so' -o -name 'libvulkan_*.so' \) -delete
# Full Perl (libperl and its modules) only serves package maintainer scripts at build time; an
# image that is replaced as a whole never runs them. perl-base stays.
rm -rf "$root"/usr/lib/*-linux-gnu/perl "$root/usr/share/perl" "$root"/usr/lib/*/libperl.so* \
  "$root"/usr/bin/perl5.*-*-linux-gnu
rm -rf "$root/usr/share/icons" "$root/var/cache/debconf/"*-old
chroot "$root" ffmpeg -hide_banner -loglevel error -f lavfi -i testsrc=duration=0.1:size=64x64 -c:v libx264 -f null -
echo "slim: ffmpeg encodes after trimming"
