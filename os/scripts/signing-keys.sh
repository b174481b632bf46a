#!/bin/sh
# The update-signing keys. A release sets NAS_KEYRING (the CA certificate boxes trust) and
# NAS_SIGNING_CERT + NAS_SIGNING_KEY (signed by that CA; the key never enters the repository or the
# image). Without them a development CA and signing key are made once in $NAS_KEYS_DIR
# (default out/keys, ignored by git): images and bundles built on the same machine then match.
# Usage: signing-keys.sh keyring|cert|key   → prints the path of that file
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
dir=${NAS_KEYS_DIR:-$repo/out/keys}

dev_keys() {
  [ -f "$dir/dev-signing.key.pem" ] && return 0
  mkdir -p "$dir" && chmod 700 "$dir"
  tmp=$(mktemp -d "$dir/.new.XXXXXX")
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
    -subj "/O=nasd development/CN=nasd development update CA $(hostname)" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
    -keyout "$tmp/dev-ca.key.pem" -out "$tmp/dev-ca.cert.pem" 2> /dev/null
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -subj "/O=nasd development/CN=nasd development bundle signing" \
    -keyout "$tmp/dev-signing.key.pem" -out "$tmp/signing.csr" 2> /dev/null
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n' > "$tmp/ext.cnf"
  openssl x509 -req -in "$tmp/signing.csr" -CA "$tmp/dev-ca.cert.pem" -CAkey "$tmp/dev-ca.key.pem" \
    -CAcreateserial -days 3650 -extfile "$tmp/ext.cnf" -out "$tmp/dev-signing.cert.pem" 2> /dev/null
  mv "$tmp/dev-ca.key.pem" "$tmp/dev-ca.cert.pem" "$tmp/dev-signing.cert.pem" "$dir/"
  mv "$tmp/dev-signing.key.pem" "$dir/" # last: its presence means the set is complete
  rm -rf "$tmp"
  echo "signing-keys: made a development update CA and signing key in $dir" >&2
}

case "${1:-}" in
keyring) if [ -n "${NAS_KEYRING:-}" ]; then echo "$NAS_KEYRING"; else dev_keys; echo "$dir/dev-ca.cert.pem"; fi ;;
cert) if [ -n "${NAS_SIGNING_CERT:-}" ]; then echo "$NAS_SIGNING_CERT"; else dev_keys; echo "$dir/dev-signing.cert.pem"; fi ;;
key) if [ -n "${NAS_SIGNING_KEY:-}" ]; then echo "$NAS_SIGNING_KEY"; else dev_keys; echo "$dir/dev-signing.key.pem"; fi ;;
*) echo "usage: signing-keys.sh keyring|cert|key" >&2; exit 1 ;;
esac
