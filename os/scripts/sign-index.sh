#!/bin/sh
# The update channel's signed index for a folder of bundles, to put on any static web server:
#   DIR/index.json      {"bundles":[{"version","compatible","url","sha256","size"}]} (url relative to the index)
#   DIR/index.json.sig  detached CMS signature (PEM) by the release signing key, which boxes check
#                       against their RAUC keyring (the CA that signed that key)
# Usage: sign-index.sh DIR   (signing keys: scripts/signing-keys.sh, as for make-bundle.sh)
set -eu
dir=$(realpath "$1")
repo=$(cd "$(dirname "$0")/../.." && pwd)
keys="$repo/os/scripts/signing-keys.sh"
cert=$("$keys" cert)
key=$("$keys" key)
keyring=$("$keys" keyring)
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
first=yes
printf '{\n  "bundles": [' > "$tmp"
for bundle in "$dir"/*.raucb; do
  [ -e "$bundle" ] || continue
  manifest=$(rauc info --output-format=json --keyring="$keyring" "$bundle" 2> /dev/null)
  version=$(printf '%s' "$manifest" | sed -n 's/.*"version":"\([^"]*\)".*/\1/p')
  compatible=$(printf '%s' "$manifest" | sed -n 's/.*"compatible":"\([^"]*\)".*/\1/p')
  [ -n "$version" ] && [ -n "$compatible" ] || { echo "sign-index: $bundle is not a bundle signed for this keyring" >&2; exit 1; }
  [ $first = yes ] || printf ',' >> "$tmp"
  first=no
  printf '\n    {"version": "%s", "compatible": "%s", "url": "%s", "sha256": "%s", "size": %s}' \
    "$version" "$compatible" "$(basename "$bundle")" "$(sha256sum "$bundle" | cut -d' ' -f1)" "$(stat -c %s "$bundle")" >> "$tmp"
done
printf '\n  ]\n}\n' >> "$tmp"
cp "$tmp" "$dir/index.json"
openssl cms -sign -binary -in "$dir/index.json" -signer "$cert" -inkey "$key" -outform PEM -out "$dir/index.json.sig"
echo "sign-index: $dir/index.json ($(grep -c '"version"' "$dir/index.json") bundles), signed by $(openssl x509 -noout -subject -in "$cert" | sed 's/^subject=//')"
