# Two commands for a fresh machine: `make run` and `make test`. Everything else is a detail of those.
SHELL := /bin/bash
BUN := $(shell command -v bun 2>/dev/null || echo $(HOME)/.bun/bin/bun)
export PATH := $(dir $(BUN)):$(PATH)

DATA_DIR ?= ./data
PORT ?= 8080
# test/hostile: the hostile media suite; test/reliability runs on its own (real processes, not under faketime).
UNIT_TESTS := ./app ./hw ./provision ./views ./os/tests ./test/hostile
# The reliability suite (issue 21): real web and worker processes, kill -9, a full disk, the attack suite, power loss.
# `make test` runs it small; `make soak` runs the same tests long (SOAK=1) and the load test.
RELIABILITY_TESTS := ./test/reliability

.PHONY: run worker deps system-deps build test typecheck lint format xss test-unit test-unit-next-year test-reliability soak test-browser screenshots bench image image-debian image-test image-memory bundle arm64-check image-rpi4 image-rpi4-test check-buildroot clean

# Installs Bun (from the npm registry) when missing, then the packages from bun.lock.
deps: node_modules/.installed views/static/vendor/.done
node_modules/.installed: package.json bun.lock
	@command -v bun >/dev/null || npm i -g bun
	bun install --frozen-lockfile
	@touch $@
views/static/vendor/.done: node_modules/.installed scripts/vendor.ts
	bun scripts/vendor.ts
	@touch $@

# Both processes, as the box runs them: the worker is the only scheduler (periodic work, media, backups), so the
# web process alone would never sample, purge or back up. Ctrl-C stops both.
run: deps
	DATA_DIR=$(DATA_DIR) bun app/worker.ts & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT; DATA_DIR=$(DATA_DIR) PORT=$(PORT) bun app/main.ts

worker: deps
	DATA_DIR=$(DATA_DIR) bun app/worker.ts

# What the image runs: app/main.ts and app/worker.ts bundled into dist/ (one file per entry plus shared and lazily
# loaded chunks). Fewer modules to load: about 6 MB less memory for the web process than running the sources.
build: deps
	rm -rf dist
	bun build app/main.ts app/worker.ts --target=bun --outdir dist --splitting

test: deps system-deps lint typecheck xss test-unit test-unit-next-year test-reliability test-browser

# Chromium, ffmpeg, smartctl, faketime…: installed with apt when missing (as root, or through sudo); elsewhere it
# prints the command to run.
system-deps:
	@scripts/system-deps.sh

typecheck: deps
	bunx tsc --noEmit
	bunx tsc --noEmit -p tsconfig.e2e.json
	bunx tsc -p tsconfig.browser.json

# Biome: formatting and lint rules (biome.json). `make format` rewrites what `make lint` would refuse.
# Biome, then the architecture (.dependency-cruiser.cjs through scripts/arch-check.ts: no cycles, views import only
# types from app/, hw/ and provision/ nothing from app/, the platform no feature, features only each other's entry points, no function over 150 lines).
lint: deps
	bunx biome check .
	bun scripts/arch-check.ts

format: deps
	bunx biome check --write .

# @kitajs/ts-html-plugin: fails on any JSX text that could carry unescaped user input (run by node: it uses the TypeScript API).
xss: deps
	node node_modules/@kitajs/ts-html-plugin/dist/cli.js --simplified

test-unit: deps
	bun test --timeout=60000 $(UNIT_TESTS) --path-ignore-patterns='**/*.e2e.test.ts'

# The same tests with the clock a year ahead (libfaketime) and in random order (bun prints the seed): no test may
# depend on the day it was written or on another test.
test-unit-next-year: deps
	faketime -f '+366d' bun test --timeout=60000 --randomize $(UNIT_TESTS) --path-ignore-patterns='**/*.e2e.test.ts'

test-reliability: deps
	bun test --timeout=600000 $(RELIABILITY_TESTS)

# The long runs: 20 crash rounds, 10,000 concurrent writes, 50 clients for 5 minutes. Prints the README's figures.
soak: deps
	SOAK=1 bun test --timeout=3600000 $(RELIABILITY_TESTS)
	bun bench/load.ts

# Real Chromium (Debian's /usr/bin/chromium) through playwright-core.
# ./app: bun takes the files as paths, not name filters that scan the whole tree (out/ may hold an image build with /proc mounted).
test-browser: deps
	bun test $$(find ./app ./test -name '*.e2e.test.ts' | sort) --timeout=120000

# The wizard, Drive (grid and viewer), Photos (timeline, lightbox with info, the editor, the map, memories, a memory's story, duplicates, partner sharing), the dashboard and settings at desktop and phone size, into docs/screenshots/.
screenshots: deps
	bun scripts/screenshots.ts

# Each prints its baseline (bare Bun.serve, dd conv=fsync, nginx…) measured in the same run, and the ratio.
bench: deps
	bun bench/spine.ts
	bun bench/drive-io.ts
	bun bench/drive-scale.ts
	bun bench/dashboard-refresh.ts
	bun bench/dav.ts

clean:
	rm -rf node_modules views/static/vendor out dist

# The appliance image (os/README.md). BOARD: x86_64 | rpi4_64 | rpi5_64.
BOARD ?= x86_64

# Buildroot (pinned release, output outside the repo); needs internet for Buildroot's downloads.
image:
	os/scripts/buildroot-build.sh $(BOARD)

# The same image from Debian packages with mmdebstrap (as root): out/nas-$(BOARD).img and .img.xz.
image-debian: deps
	os/debian/build.sh $(BOARD) out

# A signed RAUC update bundle (verity) of the last image-debian build of BOARD: out/nas-$(BOARD)-<version>.raucb.
# Signing keys: NAS_SIGNING_CERT/NAS_SIGNING_KEY, else development keys made once in out/keys (os/README.md).
bundle:
	[ -f out/debian-$(BOARD)/rootfs.squashfs ] || $(MAKE) image-debian BOARD=$(BOARD)
	os/scripts/make-bundle.sh $(BOARD) out/debian-$(BOARD) out

# Boots the Debian x86_64 image under qemu (TCG, OVMF) and checks it from outside.
image-test: deps
	os/debian/build.sh x86_64 out
	bun os/tests/image.e2e.ts

# The whole box in 1 GB: the Debian x86_64 image booted with -m 1024 ingests twelve 12 MP photos, the iPhone HEIC and
# a 1080p HEVC video under a read load (os/tests/image/memory.ts). About as long as image-test: not in CI.
image-memory: deps
	[ -f out/nas-x86_64.img ] || os/debian/build.sh x86_64 out
	QEMU_MEMORY_MB=1024 bun os/tests/image.e2e.ts memory

# The arm64 app bundle (Bun, sharp, the app) answers /healthz under qemu-user as a Pi 4 (cortex-a72) and a Pi 5
# (cortex-a76) core: minutes, run by CI. Needs qemu-user-static libc6-arm64-cross libstdc++6-arm64-cross.
arm64-check: deps
	os/scripts/arm64-check.sh

# The Raspberry Pi 4 image from Debian packages on a fresh Debian 12 machine (root): installs what an arm64 root
# filesystem needs on an x86 host (qemu-user-static + binfmt, arch-test), then builds. About half an hour: not in CI.
image-rpi4: deps
	os/debian/arm64-host.sh
	os/debian/build.sh rpi4_64 out

# The Pi 4 image's arm64 root booted under qemu-system-aarch64 (virt machine, the slot's kernel, initramfs and
# command line) until the app is healthy. Needs qemu-system-arm; a few minutes; not in CI.
image-rpi4-test: image-rpi4
	os/tests/rpi4-virt-boot.sh out/nas-rpi4_64.img

# Every defconfig symbol must be known to Buildroot (BUILDROOT_DIR=<checkout>; prints "skipped" without one).
check-buildroot:
	os/scripts/check-buildroot.sh
