#!/bin/sh
# Check the data filesystem, then grow its partition (the last one) and the filesystem to the
# end of the disk. Idempotent: on later boots only the check runs. Usage: data-partition.sh DEVICE
set -eu
dev=$(readlink -f "$1")
name=$(basename "$dev")
sys=/sys/class/block/$name
disk=/dev/$(basename "$(dirname "$(readlink -f "$sys")")")
partnum=$(cat "$sys/partition")

# e2fsck -p: 0 clean, 1 errors fixed, 2 fixed but reboot wanted; anything higher needs a person.
rc=0
e2fsck -p "$dev" || rc=$?
if [ "$rc" -gt 2 ]; then
  echo "nas-data: e2fsck found errors it cannot fix on $dev (exit $rc)" >&2
  exit 1
fi

disk_sectors=$(cat "/sys/class/block/$(basename "$disk")/size")
part_start=$(cat "$sys/start")
part_sectors=$(cat "$sys/size")
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
