#!/bin/sh
# Install the app bundle (from scripts/bundle-app.sh), the nas command, and its tmpfiles, sysusers and polkit
# entries into a root filesystem. Called by nasd.mk (Buildroot) and by debian/build.sh alike. The systemd units
# that run it live with all the others in os/systemd/ (installed by scripts/post-build.sh).
# Usage: install.sh BUNDLE_DIR TARGET_DIR
set -eu
bundle=$1
target=$2
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$target/opt/nasd" "$target/usr/lib/tmpfiles.d" "$target/usr/lib/sysusers.d"
cp -a "$bundle/." "$target/opt/nasd/"
chown -R 0:0 "$target/opt/nasd"
install -D -m 0755 "$here/nas" "$target/usr/bin/nas"
install -D -m 0755 "$here/nas-update" "$target/usr/lib/nas/nas-update"
install -m 0644 "$here/tmpfiles.d/nasd.conf" "$target/usr/lib/tmpfiles.d/nasd.conf"
install -m 0644 "$here/sysusers.d/nasd.conf" "$target/usr/lib/sysusers.d/nasd.conf"
# Lets the web user (nasd) reboot / power off through logind; polkitd reads it (the directory belongs to polkitd).
install -D -m 0644 "$here/polkit/50-nasd.rules" "$target/usr/share/polkit-1/rules.d/50-nasd.rules"
