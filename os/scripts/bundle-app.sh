#!/bin/sh
# Stage the app bundle installed at /opt/nasd: Bun for the target CPU (from the npm registry),
# the app sources and production node_modules built for that CPU.
# Usage: bundle-app.sh BUN_PACKAGE BUN_CPU DEST   e.g. @oven/bun-linux-x64-baseline x64 out/bundle
set -eu
bun_package=$1
cpu=$2
dest=$3
repo=$(cd "$(dirname "$0")/../.." && pwd)
bun_version=$(bun --version)

rm -rf "$dest"
mkdir -p "$dest/bin"
dest=$(realpath "$dest")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Bun itself: the same version as the one building, from its npm platform package.
(cd "$work" && npm pack --silent "$bun_package@$bun_version" > /dev/null)
tar -xzf "$work"/*.tgz -C "$work"
install -m 0755 "$work/package/bin/bun" "$dest/bin/bun"

for path in app views provision hw package.json bun.lock tsconfig.json bunfig.toml; do
  [ -e "$repo/$path" ] && cp -a "$repo/$path" "$dest/"
done
# Tests, their helpers (hw/testing.ts; the app's are in test/support/, not copied) and fixtures stay out of the image.
find "$dest" \( -name '*.test.ts' -o -name '*.test.tsx' -o -name '*.e2e.ts' -o -name 'testing*.ts' -o -name fixtures \) -prune -exec rm -rf {} +

# The web and worker processes run the bundle (fewer modules, less memory); the CLI, the preview child and the
# storage boot script run from the sources copied above.
(cd "$repo" && bun build app/main.ts app/worker.ts --target=bun --outdir "$dest/dist" --splitting > /dev/null)

cd "$dest"
if [ -f scripts/vendor.ts ] || [ -f "$repo/scripts/vendor.ts" ]; then
  (cd "$repo" && bun run scripts/vendor.ts)
  mkdir -p "$dest/views/static" && cp -a "$repo/views/static/vendor" "$dest/views/static/"
fi
bun install --production --frozen-lockfile --cpu="$cpu" --os=linux --no-progress --ignore-scripts > /dev/null
# Type declarations and the TypeScript compiler are build-time only (Bun runs .ts directly).
rm -rf node_modules/typescript node_modules/@typescript node_modules/@types node_modules/bun-types node_modules/csstype
find node_modules \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -iname '*.md' \) -type f -delete
# Test coverage reports, docs and examples shipped inside packages (fluent-ffmpeg alone carries 12 MB of coverage).
for pkg in node_modules/* node_modules/@*/*; do
  rm -rf "$pkg/coverage" "$pkg/doc" "$pkg/docs" "$pkg/example" "$pkg/examples" "$pkg/test" "$pkg/tests" "$pkg/__tests__"
done
du -sh "$dest/bin/bun" "$dest/node_modules" | sed 's/^/bundle: /'
