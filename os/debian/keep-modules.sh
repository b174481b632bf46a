#!/bin/sh
# Delete every kernel module not in the allow-list, except those a kept module needs (modules.dep).
# Usage: keep-modules.sh MODULES_DIR LIST   (MODULES_DIR: /usr/lib/modules/<version>; run depmod after)
set -eu
dir=$1
list=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$dir"
find kernel -type f -name '*.ko*' | sort > "$work/all"
grep -v '^#' "$list" | sed '/^$/d; s|^|kernel/|' > "$work/prefixes"
awk 'NR == FNR { p[++n] = $0; next } { for (i = 1; i <= n; i++) if (index($0, p[i]) == 1) { print; next } }' \
  "$work/prefixes" "$work/all" > "$work/listed"
# The closure over modules.dep ("kernel/a.ko: kernel/b.ko kernel/c.ko").
awk 'NR == FNR { keep[$0] = 1; next }
  { name = $1; sub(/:$/, "", name); $1 = ""; deps[name] = $0 }
  END {
    do { added = 0; for (m in keep) { n = split(deps[m], d, " "); for (i = 1; i <= n; i++) if (!(d[i] in keep)) { keep[d[i]] = 1; added = 1 } } } while (added)
    for (m in keep) print m
  }' "$work/listed" modules.dep | sort > "$work/keep"
comm -23 "$work/all" "$work/keep" > "$work/delete"
xargs -r rm -f < "$work/delete"
find kernel -type d -empty -delete
echo "keep-modules: kept $(wc -l < "$work/keep") of $(wc -l < "$work/all") modules ($(wc -l < "$work/listed") listed, the rest needed by them)"
