#!/bin/sh
# The Raspberry Pi 4 image's arm64 root filesystem booted under qemu-system-aarch64 (the `virt` machine:
# qemu has no Pi 4 model), with the image's own kernel, initramfs and kernel command line from boot
# slot A: proves the arm64 services come up (first-boot provisioning, TLS, web, health check).
# Not the Pi's firmware, device tree or tryboot. Usage: rpi4-virt-boot.sh [IMAGE]  (after make image-rpi4)
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
image=${1:-$repo/out/nas-rpi4_64.img}
work=$(mktemp -d)
qemu=""
cleanup() { [ -z "$qemu" ] || kill "$qemu" 2> /dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
cp --sparse=always "$image" "$work/disk.img"
truncate -s 4G "$work/disk.img"
bootA=$(sfdisk --json "$image" | awk -F'[:,]' '/"start"/ { start = $2 } /"name": *"nasd-bootA"/ { print start + 0; exit }')
mcopy -i "$work/disk.img@@$((bootA * 512))" ::Image ::initrd.img ::cmdline.txt "$work/"
# The slot's own command line, with the virt machine's serial console instead of the Pi's.
cmdline="$(sed 's/console=[^ ]*//g' "$work/cmdline.txt") console=ttyAMA0"
port=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 20000 ))
started=$(date +%s)
qemu-system-aarch64 -M virt -cpu cortex-a72 -smp 2 -m 2048 -accel tcg -nodefaults -display none \
  -kernel "$work/Image" -initrd "$work/initrd.img" -append "$cmdline" \
  -drive if=none,id=disk,file="$work/disk.img",format=raw -device virtio-blk-pci,drive=disk \
  -netdev user,id=lan,restrict=on,hostfwd=tcp:127.0.0.1:$port-:443 -device virtio-net-pci,netdev=lan,romfile= \
  -serial file:"$work/serial.log" -no-reboot &
qemu=$!
for _ in $(seq 1 600); do
  if grep -aq 'nas-health: healthy' "$work/serial.log" 2> /dev/null && curl -skf --max-time 5 "https://127.0.0.1:$port/healthz" > /dev/null; then
    echo "ok   Pi 4 root (arm64) under qemu virt: healthy and https /healthz 200 after $(( $(date +%s) - started )) s"
    grep -a 'nas-status:' "$work/serial.log" | sed 's/.*nas-status:/nas-status:/'
    exit 0
  fi
  kill -0 "$qemu" 2> /dev/null || break
  sleep 1
done
echo "FAIL Pi 4 root under qemu virt: no healthy https within 600 s; serial log tail:"
tail -n 40 "$work/serial.log"
exit 1
