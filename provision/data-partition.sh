#!/bin/sh
# Check the data filesystem, then grow its partition (the last one) and the filesystem to the
# end of the disk. Idempotent: on later boots only the check runs. Usage: data-partition.sh DEVICE
# (/dev/nas/data: the data partition of the boot disk, never one of another disk carrying this image)
set -eu
dev=$(readlink -f "$1")
name=$(basename "$dev")
sys=/sys/class/block/$name
disk=/dev/$(basename "$(dirname "$(readlink -f "$sys")")")
partnum=$(cat "$sys/partition")
# The data filesystem's size in the image (os/genimage/genimage.cfg).
IMAGE_DATA_MIB=${IMAGE_DATA_MIB:-64}

disk_sectors=$(cat "/sys/class/block/$(basename "$disk")/size")
part_start=$(cat "$sys/start")
part_sectors=$(cat "$sys/size")
# First boot: the partition still has the image's size and ends long before the disk does.
first_boot=no
[ $((part_start + part_sectors + 4096)) -lt "$disk_sectors" ] && [ "$part_sectors" -eq $((IMAGE_DATA_MIB * 2048)) ] && first_boot=yes

# e2fsck -p: 0 clean, 1 errors fixed, 2 fixed but reboot wanted; anything higher needs a person,
# except on first boot: the filesystem is still the image's empty one, so it is made again.
rc=0
e2fsck -p "$dev" || rc=$?
if [ "$rc" -gt 2 ]; then
  if [ "$first_boot" = no ]; then
    echo "nas-data: e2fsck found errors it cannot fix on $dev (exit $rc)" >&2
    exit 1
  fi
  echo "nas-data: the new, empty data filesystem on $dev is damaged (e2fsck exit $rc); making it again"
  mkfs.ext4 -q -F -L data -b 4096 -O 64bit -T default -m 1 "$dev"
fi

# Every disk flashed with the same image has the same partition UUIDs. On GRUB disks (an nasd-esp
# partition) give this box its own on first boot, so root=PARTUUID= (GRUB probes it on its boot disk
# every boot) never matches another disk carrying the image; takes effect at the next boot. (The Pi's
# cmdline.txt names fixed UUIDs, so Pi disks keep theirs.) Before growing: a power cut during the growth leaves a
# partition that no longer looks new, and this step would never run again.
if [ "$first_boot" = yes ] && sfdisk --json "$disk" | grep -q '"name": *"nasd-esp"'; then
  # Not fatal: a box that keeps the image's UUIDs still boots and serves.
  if sfdisk --no-reread --no-tell-kernel --disk-id "$disk" "$(cat /proc/sys/kernel/random/uuid)" > /dev/null &&
    (for n in $(seq 1 "$partnum"); do
      sfdisk --no-reread --no-tell-kernel --part-uuid "$disk" "$n" "$(cat /proc/sys/kernel/random/uuid)" > /dev/null || exit 1
    done); then
    echo "nas-data: this disk has its own partition UUIDs now"
  else
    echo "nas-data: could not give this disk its own partition UUIDs (continuing)" >&2
  fi
fi

# A flashed image keeps its backup GPT header where the image ended; leave 1 MiB + GPT room at the end.
if [ $((part_start + part_sectors + 4096)) -lt "$disk_sectors" ]; then
  echo "nas-data: growing partition $partnum of $disk to the end of the disk"
  sfdisk --relocate gpt-bak-std "$disk"
  echo ", +" | sfdisk --no-reread --no-tell-kernel -N "$partnum" "$disk"
  partx -u --nr "$partnum" "$disk"
  udevadm settle
fi

fs_blocks=$(dumpe2fs -h "$dev" 2>/dev/null | awk -F: '/^Block count/ { gsub(/ /, "", $2); print $2 }')
block_size=$(dumpe2fs -h "$dev" 2>/dev/null | awk -F: '/^Block size/ { gsub(/ /, "", $2); print $2 }')
part_bytes=$(( $(cat "$sys/size") * 512 ))
if [ $((fs_blocks * block_size + 4 * 1024 * 1024)) -lt "$part_bytes" ]; then
  echo "nas-data: growing the filesystem on $dev to $((part_bytes / 1024 / 1024)) MiB"
  resize2fs "$dev"
fi
