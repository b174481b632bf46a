/**
 * The A/B update path's scripts and configuration, run for real in temp directories: the GRUB
 * environment backend RAUC calls (checked against GRUB's own grub-editenv), the root filesystem
 * finishing step (post-build.sh) for each board, bundle signing with `rauc`, `nas update`, the Pi's
 * per-slot cmdline, and the first-boot data partition on a loop device. The booted behaviour
 * (GRUB counting tries, rollback, power cuts) is proved by `make image-test` (os/tests/image.e2e.ts).
 */
import { afterEach, describe, expect, test } from "bun:test";
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";

const repo = resolve(import.meta.dir, "../..");
const os = join(repo, "os");
const dirs: string[] = [];
function tempDir(prefix = "nas-update-") {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function sh(argv: string[], env: Record<string, string> = {}) {
  const proc = Bun.spawnSync(argv, { env: { ...process.env, ...env }, stderr: "pipe" });
  return { code: proc.exitCode, out: proc.stdout.toString(), err: proc.stderr.toString() };
}
const read = (path: string) => readFileSync(path, "utf8");

describe("GRUB environment backend (board/x86_64/rootfs-overlay/usr/lib/nas/rauc-bootloader)", () => {
  const backend = join(os, "board/x86_64/rootfs-overlay/usr/lib/nas/rauc-bootloader");
  const setup = () => {
    const env = join(tempDir(), "grubenv");
    const run = (...args: string[]) => sh([backend, ...args], { NAS_GRUBENV: env, NAS_CMDLINE: join(repo, "package.json") });
    return { env, run, grub: () => sh(["grub-editenv", env, "list"]).out };
  };

  test("the image's first state: slot A primary and good, slot B cannot boot; a block GRUB itself reads", () => {
    const { env, run, grub } = setup();
    expect(run("set-primary", "A").code).toBe(0);
    expect(statSync(env).size).toBe(1024);
    expect(grub()).toBe("ORDER=A B\nA_OK=1\nA_TRY=0\nB_OK=0\nB_TRY=0\n");
    expect(run("get-primary").out).toBe("A\n");
    expect(run("get-state", "B").out).toBe("bad\n");
  });

  test("the first update is accepted: RAUC marks B bad before writing (no entry for B exists yet), then makes it primary", () => {
    const { run, grub } = setup();
    run("set-primary", "A");
    const marked = run("set-state", "B", "bad");
    expect(marked).toMatchObject({ code: 0, err: "" });
    expect(run("set-primary", "B").code).toBe(0);
    expect(grub()).toBe("ORDER=B A\nA_OK=1\nA_TRY=0\nB_OK=1\nB_TRY=0\n");
    expect(run("get-primary").out).toBe("B\n");
  });

  test("a slot that used up its three tries (GRUB counted them) is bad, and the other one is primary again", () => {
    const { env, run, grub } = setup();
    run("set-primary", "A");
    run("set-primary", "B");
    // What grub.cfg's save_env leaves after three boots of B that never reached boot-complete.target.
    expect(sh(["grub-editenv", env, "set", "B_TRY=3"]).code).toBe(0);
    expect(run("get-state", "B").out).toBe("bad\n");
    expect(run("get-primary").out).toBe("A\n");
    // A healthy boot of A: rauc-mark-good resets A's counter and leaves B's record alone.
    expect(sh(["grub-editenv", env, "set", "A_TRY=1"]).code).toBe(0);
    run("set-state", "A", "good");
    expect(grub()).toBe("ORDER=B A\nA_OK=1\nA_TRY=0\nB_OK=1\nB_TRY=3\n");
  });

  test("unknown slots and states are refused", () => {
    const { run } = setup();
    expect(run("set-primary", "C").code).not.toBe(0);
    expect(run("set-state", "A", "maybe").code).not.toBe(0);
  });
});

/** A root filesystem as the builders leave it before post-build.sh: Debian names or Buildroot names. */
function fakeTarget(board: string, flavour: "debian" | "buildroot") {
  const target = tempDir("nas-target-");
  cpSync(join(os, "rootfs-overlay"), target, { recursive: true });
  // The Pi boards' overlay is a link to board/rpi-common/rootfs-overlay.
  cpSync(join(os, `board/${board}/rootfs-overlay`), target, { recursive: true, dereference: true });
  Bun.spawnSync([join(os, "package/nasd/install.sh"), tempDir(), target]);
  // The builder's own packages (Debian's, Buildroot's) have made the unit directory; post-build.sh adds os/systemd/.
  mkdirSync(join(target, "usr/lib/systemd/system"), { recursive: true });
  mkdirSync(join(target, "boot"), { recursive: true });
  mkdirSync(join(target, "etc"), { recursive: true });
  writeFileSync(join(target, "usr/lib/os-release"), "ID=debian\n");
  if (flavour === "debian") {
    writeFileSync(join(target, "boot/vmlinuz-6.1.0-40-amd64"), "kernel");
    writeFileSync(join(target, "boot/initrd.img-6.1.0-40-amd64"), "initrd");
    writeFileSync(join(target, "usr/lib/systemd/system/ssh.service"), "[Service]\n");
  } else {
    writeFileSync(join(target, "boot/bzImage"), "kernel");
    writeFileSync(join(target, "usr/lib/systemd/system/sshd.service"), "[Service]\n");
    writeFileSync(join(target, "etc/chrony.conf"), "pool pool.ntp.org iburst\n");
  }
  const keys = tempDir("nas-keys-");
  const result = sh([join(os, "scripts/post-build.sh"), target, join(os, `board/${board}`)], { NAS_KEYS_DIR: keys });
  return { target, keys, result };
}

describe("post-build.sh", () => {
  test("each board gets its own RAUC compatible, and the update keyring is installed at build time", () => {
    const compatibles = ["x86_64", "rpi4_64", "rpi5_64"].map((board) => {
      const { target, keys, result } = fakeTarget(board, "buildroot");
      expect(result.code).toBe(0);
      expect(read(join(target, "etc/rauc/keyring.pem"))).toBe(read(join(keys, "dev-ca.cert.pem")));
      // The board's RAUC configuration as os/rauc/system-conf.sh renders it (compared with the old files: layout.test.ts).
      expect(read(join(target, "etc/rauc/system.conf"))).toBe(sh([join(os, "rauc/system-conf.sh"), join(os, `board/${board}`)]).out);
      return read(join(target, "etc/rauc/system.conf")).match(/^compatible=(.*)$/m)?.[1];
    });
    expect(compatibles).toEqual(["nas-x86_64", "nas-rpi4_64", "nas-rpi5_64"]);
  });

  test("every unit comes from os/systemd/: all boards' units, plus those of the board's boot scheme only", () => {
    const home = join(os, "systemd");
    const files = (dir: string) =>
      readdirSync(join(home, dir), { withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => join(home, dir, e.name));
    expect(files("").map((f) => basename(f))).toContain("nasd-web.service");
    for (const [board, own, other] of [
      ["x86_64", "grub", "rpi-tryboot"],
      ["rpi4_64", "rpi-tryboot", "grub"],
    ] as const) {
      const units = join(fakeTarget(board, "debian").target, "usr/lib/systemd/system");
      expect(files(own).length).toBeGreaterThan(0);
      for (const file of [...files(""), ...files(own)]) expect(read(join(units, basename(file)))).toBe(read(file));
      for (const file of files(other)) expect(existsSync(join(units, basename(file)))).toBe(false);
    }
  });

  test("Debian: the kernel and initramfs get the stable names the builder and RAUC's post-install read", () => {
    const { target, result } = fakeTarget("x86_64", "debian");
    expect(result.code).toBe(0);
    expect(readlinkSync(join(target, "boot/bzImage"))).toBe("vmlinuz-6.1.0-40-amd64");
    expect(readlinkSync(join(target, "boot/initrd.img"))).toBe("initrd.img-6.1.0-40-amd64");
    expect(read(join(os, "board/x86_64/rootfs-overlay/usr/lib/nas/rauc-post-install"))).toContain('"$mnt/boot/bzImage"');
    // Debian's ssh.service is masked; the sshd.service name stays free for its alias.
    expect(readlinkSync(join(target, "etc/systemd/system/ssh.service"))).toBe("/dev/null");
    expect(existsSync(join(target, "etc/systemd/system/sshd.service"))).toBe(false);
  });

  test("Buildroot: sshd.service is masked, and chrony reads the wizard's NTP servers (sourcedir)", () => {
    const { target } = fakeTarget("x86_64", "buildroot");
    expect(readlinkSync(join(target, "etc/systemd/system/sshd.service"))).toBe("/dev/null");
    expect(read(join(target, "etc/chrony.conf"))).toMatch(/^sourcedir \/etc\/chrony\/sources.d$/m);
    expect(lstatSync(join(target, "boot/bzImage")).isFile()).toBe(true);
  });

  test("a boot completes only through the health check, and only a complete boot marks the slot good", () => {
    const { target } = fakeTarget("x86_64", "debian");
    const units = join(target, "usr/lib/systemd/system");
    expect(readlinkSync(join(units, "boot-complete.target.requires/nas-health.service"))).toBe("../nas-health.service");
    expect(existsSync(join(units, "multi-user.target.wants/rauc-mark-good.service"))).toBe(true);
    const health = read(join(units, "nas-health.service"));
    expect(health).toMatch(/^Before=boot-complete.target$/m);
    expect(health).toMatch(/^RequiredBy=boot-complete.target$/m);
    expect(health).toMatch(/^OnFailure=nas-boot-fallback.service$/m);
    expect(read(join(units, "rauc-mark-good.service"))).toMatch(/^Requires=boot-complete.target$/m);
  });

  test("Raspberry Pi: the slot is committed after the health check, not when the web unit starts", () => {
    const { target } = fakeTarget("rpi4_64", "debian");
    const commit = read(join(target, "usr/lib/systemd/system/nas-boot-commit.service"));
    expect(commit).toMatch(/^Requires=.*boot-complete.target/m);
    expect(commit).not.toContain("nasd-web");
  });

  test("watchdog and panic reboot: a hung or crashed tried slot resets by itself", () => {
    const { target } = fakeTarget("x86_64", "debian");
    expect(read(join(target, "usr/lib/systemd/system.conf.d/nas-watchdog.conf"))).toMatch(/^RuntimeWatchdogSec=30s$/m);
    expect(read(join(os, "board/x86_64/grub.cfg"))).toMatch(/^linux .* panic=10 /m);
    expect(read(join(os, "scripts/post-image.sh"))).toMatch(/rauc\.slot=A panic=10 /);
  });
});

describe("Raspberry Pi per-slot boot", () => {
  test("a boot slot written by an update names its own root, not slot A's", () => {
    const dir = tempDir();
    const cmdline = join(dir, "cmdline.txt");
    writeFileSync(
      cmdline,
      "root=PARTUUID=8f6b4a36-3a4e-4c55-9d0b-6e1f5b0a7a01 rootfstype=squashfs ro rootwait init=/usr/lib/nas/preinit rauc.slot=A panic=10 console=tty1\n",
    );
    const r = sh([join(os, "board/rpi-common/rootfs-overlay/usr/lib/nas/rpi-cmdline-for-slot"), cmdline, "B", "8f6b4a36-3a4e-4c55-9d0b-6e1f5b0a7b02"]);
    expect(r.code).toBe(0);
    expect(read(cmdline)).toBe(
      "root=PARTUUID=8f6b4a36-3a4e-4c55-9d0b-6e1f5b0a7b02 rootfstype=squashfs ro rootwait init=/usr/lib/nas/preinit rauc.slot=B panic=10 console=tty1\n",
    );
    // The UUIDs post-image.sh and the handler use are the ones genimage writes (the built tables: layout.test.ts).
    const cfg = read(join(os, "genimage/partitions-rpi-tryboot.cfg"));
    expect(cfg).toMatch(/partition nasd-rootA \{\n\tpartition-uuid = "8f6b4a36-3a4e-4c55-9d0b-6e1f5b0a7a01"/);
    expect(cfg).toMatch(/partition nasd-rootB \{\n\tpartition-uuid = "8f6b4a36-3a4e-4c55-9d0b-6e1f5b0a7b02"/);
  });
});

describe("nas update", () => {
  /** `rauc` and `systemctl` stand-ins that log their arguments; `rauc install` prints raucOutput and exits with raucExit. */
  function fakeTools(raucOutput: string, raucExit: number) {
    const bin = tempDir();
    const log = join(bin, "calls.log");
    writeFileSync(join(bin, "install-output"), `${raucOutput}\n`);
    writeFileSync(
      join(bin, "rauc"),
      `#!/bin/sh\necho "rauc $*" >> ${log}\n[ "$1" = install ] && { cat ${join(bin, "install-output")} >&2; exit ${raucExit}; }\n[ "$1" = info ] && echo "RAUC_MF_VERSION='0.2.0+abc1234'"\nexit 0\n`,
    );
    writeFileSync(join(bin, "systemctl"), `#!/bin/sh\necho "systemctl $*" >> ${log}\n`);
    chmodSync(join(bin, "rauc"), 0o755);
    chmodSync(join(bin, "systemctl"), 0o755);
    return { bin, log };
  }
  const update = (bin: string, lib: string, ...args: string[]) =>
    sh([join(os, "package/nasd/nas-update"), ...args], { PATH: `${bin}:${process.env.PATH}`, NAS_LIB: lib });

  test("x86: installs, then reboots (GRUB tries the new slot)", () => {
    const { bin, log } = fakeTools("installing: done", 0);
    const r = update(bin, join(os, "board/x86_64/rootfs-overlay/usr/lib/nas"), "/data/update.raucb");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/installed 0\.2\.0\+abc1234/);
    expect(read(log)).toMatch(/^rauc install \/data\/update.raucb\n(.*\n)*systemctl reboot\n$/);
  });

  test("Raspberry Pi: reboots with the firmware's tryboot flag, or the new slot would never be tried", () => {
    const { bin, log } = fakeTools("installing: done", 0);
    expect(update(bin, join(os, "board/rpi-common/rootfs-overlay/usr/lib/nas"), "/data/update.raucb").code).toBe(0);
    expect(read(log)).toMatch(/systemctl reboot 0 tryboot\n$/);
  });

  test("a refused bundle says why in words and never reboots", () => {
    for (const [said, expected] of [
      ["Compatible mismatch: Expected 'nas-x86_64' but bundle manifest has 'nas-rpi4_64'", /for another board \(nas-rpi4_64/],
      ["signature verification failed: Verify error:unable to get local issuer certificate", /not signed with this box's update key/],
    ] as const) {
      const { bin, log } = fakeTools(said, 1);
      const r = update(bin, join(os, "board/x86_64/rootfs-overlay/usr/lib/nas"), "/data/x.raucb");
      expect(r.code).toBe(1);
      expect(r.err).toMatch(expected);
      expect(read(log)).not.toContain("reboot");
    }
  });
});

describe.skipIf(!Bun.which("rauc") || !Bun.which("mksquashfs"))("signed bundles (make-bundle.sh, rauc on this machine)", () => {
  test("a bundle carries the image's version and board, verifies against the dev keyring and not against another", () => {
    const bin = tempDir();
    const root = tempDir();
    mkdirSync(join(root, "usr/lib"), { recursive: true });
    writeFileSync(join(root, "usr/lib/os-release"), "ID=debian\nIMAGE_ID=nas\nIMAGE_VERSION=0.1.0+1234567\n");
    writeFileSync(join(root, "payload"), crypto.getRandomValues(new Uint8Array(65536))); // verity needs more than one block
    expect(sh(["mksquashfs", root, join(bin, "rootfs.squashfs"), "-quiet", "-noappend"]).code).toBe(0);
    const keys = tempDir("nas-keys-");
    const out = tempDir();
    const made = sh([join(os, "scripts/make-bundle.sh"), "x86_64", bin, out], { NAS_KEYS_DIR: keys });
    expect(made.code).toBe(0);
    const bundle = made.out.trim().split("\n").at(-1)!;
    expect(bundle).toBe(join(out, "nas-x86_64-0.1.0+1234567.raucb"));
    const info = sh(["rauc", "info", "--output-format=shell", `--keyring=${join(keys, "dev-ca.cert.pem")}`, bundle]);
    expect(info.code).toBe(0);
    expect(info.out).toContain("RAUC_MF_COMPATIBLE='nas-x86_64'");
    expect(info.out).toContain("RAUC_MF_VERSION='0.1.0+1234567'");
    const text = sh(["rauc", "info", `--keyring=${join(keys, "dev-ca.cert.pem")}`, bundle]);
    expect(text.out).toMatch(/Bundle Format: \tverity/);
    expect(text.err).toContain("Verified inline signature by 'O = nasd development, CN = nasd development bundle signing'");
    const otherKeys = tempDir("nas-keys-");
    const other = sh([join(os, "scripts/signing-keys.sh"), "keyring"], { NAS_KEYS_DIR: otherKeys }).out.trim();
    const refused = sh(["rauc", "info", `--keyring=${other}`, bundle]);
    expect(refused.code).not.toBe(0);
    expect(refused.err).toMatch(/signature|verif/i);
  });
});

describe("Buildroot package and defconfigs", () => {
  test("nasd is a local source over a bundle made before the build; no npm or bun runs inside Buildroot", () => {
    const mk = read(join(os, "package/nasd/nasd.mk"));
    expect(mk).toMatch(/^NASD_SITE_METHOD = local$/m);
    expect(
      mk
        .split("\n")
        .filter((line) => !line.startsWith("#"))
        .join("\n"),
    ).not.toMatch(/npm|bun |bundle-app/);
    const build = read(join(os, "scripts/buildroot-build.sh"));
    expect(build).toMatch(
      /\. "\$repo\/os\/board\/\$board\/meta"\n(.*\n)*.*bundle-app.sh" "\$BUN_PACKAGE" "\$BUN_CPU" "\$repo\/out\/bundle-\$ARCH"\n(.*\n)*make -C "\$src" BR2_EXTERNAL/,
    );
    expect(read(join(os, "package/nasd/Config.in"))).toContain('default "$(BR2_EXTERNAL_NAS_PATH)/../out/bundle-$(call qstrip,$(BR2_ARCH))"');
  });

  test("the Pi defconfigs can read their kernels' xz-compressed modules; x86 boots GRUB, not systemd-boot", () => {
    for (const board of ["rpi4_64", "rpi5_64"]) {
      const defconfig = read(join(os, `configs/nas_${board}_defconfig`));
      for (const symbol of ["BR2_PACKAGE_XZ=y", "BR2_PACKAGE_HOST_KMOD_XZ=y", "BR2_PACKAGE_KMOD_TOOLS=y"]) expect(defconfig).toContain(symbol);
    }
    const x86 = read(join(os, "configs/nas_x86_64_defconfig"));
    expect(x86).toContain("BR2_TARGET_GRUB2_X86_64_EFI=y");
    expect(x86).not.toContain("SYSTEMD_BOOT");
  });
});

describe("kernel module allow-list (os/debian/keep-modules.sh)", () => {
  test("keeps the listed modules and everything they need, deletes the rest", () => {
    const dir = tempDir();
    const files = [
      "kernel/drivers/net/ethernet/intel/e1000e/e1000e.ko",
      "kernel/drivers/net/ethernet/sfc/sfc.ko",
      "kernel/lib/crc-itu-t.ko",
      "kernel/drivers/gpu/drm/i915/i915.ko",
      "kernel/drivers/gpu/drm/drm_buddy.ko",
      "kernel/drivers/gpu/drm/nouveau/nouveau.ko",
      "kernel/drivers/media/cec/cec.ko",
    ];
    for (const f of files) {
      mkdirSync(join(dir, f, ".."), { recursive: true });
      writeFileSync(join(dir, f), "");
    }
    writeFileSync(
      join(dir, "modules.dep"),
      [
        "kernel/drivers/net/ethernet/intel/e1000e/e1000e.ko:",
        "kernel/drivers/net/ethernet/sfc/sfc.ko:",
        "kernel/lib/crc-itu-t.ko:",
        // i915 needs drm_buddy and (outside every listed prefix) cec, which needs nothing else.
        "kernel/drivers/gpu/drm/i915/i915.ko: kernel/drivers/gpu/drm/drm_buddy.ko kernel/drivers/media/cec/cec.ko",
        "kernel/drivers/gpu/drm/drm_buddy.ko:",
        "kernel/drivers/gpu/drm/nouveau/nouveau.ko: kernel/drivers/gpu/drm/drm_buddy.ko",
        "kernel/drivers/media/cec/cec.ko:",
      ].join("\n") + "\n",
    );
    const r = sh([join(os, "debian/keep-modules.sh"), dir, join(os, "debian/kernel-modules")]);
    expect(r.code).toBe(0);
    const left = files.filter((f) => existsSync(join(dir, f)));
    expect(left).toEqual([
      "kernel/drivers/net/ethernet/intel/e1000e/e1000e.ko",
      "kernel/lib/crc-itu-t.ko",
      "kernel/drivers/gpu/drm/i915/i915.ko",
      "kernel/drivers/gpu/drm/drm_buddy.ko",
      "kernel/drivers/media/cec/cec.ko",
    ]);
    expect(r.out).toContain("kept 5 of 7 modules");
  });
});
