#!/bin/sh
# One status block on the console (serial and screen) so a person, or support, can see where the
# web interface is and whether the system is healthy without logging in.
set -u
addrs=$(ip -4 -o addr show scope global 2>/dev/null | awk '{ split($4, a, "/"); printf " https://%s", a[1] }')
host=$(hostname)
root_mode=$(awk '$2 == "/" { split($4, o, ","); m = o[1] } END { print m }' /proc/mounts)
data_bytes=$(df -B1 --output=size /data 2>/dev/null | tail -n 1 | tr -d ' ')
web=$(systemctl is-active nasd-web.service)
storage=$(systemctl is-active nas-storage.service)
storage_worker=$(systemctl is-active nasd-storage-worker.service)
# Whether polkit lets the running web process reboot the box (the dashboard's power page).
web_pid=$(systemctl show -P MainPID nasd-web.service)
power=no
[ "${web_pid:-0}" != 0 ] && command -v pkcheck > /dev/null && pkcheck --action-id org.freedesktop.login1.reboot --process "$web_pid" > /dev/null 2>&1 && power=yes
echo "nas: open https://$host.local$addrs"
echo "nas: trust the certificate: http://$host.local/setup/trust"
# Update state for support: the booted A/B slot, the image version, and the watchdog systemd arms.
slot=$(sed -n 's/.*rauc\.slot=\([AB]\).*/\1/p' /proc/cmdline)
image=$(sed -n 's/^IMAGE_VERSION=//p' /usr/lib/os-release)
watchdog=$(tr ' ' _ < /sys/class/watchdog/watchdog0/identity 2> /dev/null || echo none)
echo "nas-status: root=$root_mode data_bytes=${data_bytes:-0} web=$web storage=$storage storage_worker=$storage_worker power=$power slot=${slot:-?} image=${image:-?} watchdog=$watchdog"
