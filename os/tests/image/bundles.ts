/**
 * The RAUC bundles the update, rollback and support concerns install, made before the first power-on from the image
 * just built (`unsquashfs`, a new IMAGE_VERSION, os/scripts/make-bundle.sh with the development keys).
 */
import { spawnSync } from "bun";
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repo } from "./harness";
/**
 * The update bundles the test installs, made from the image just built: version N+1 (same root, a new
 * IMAGE_VERSION), a broken one (its web server exits at once, so it never becomes healthy), and two that
 * must be refused before anything is written: signed with another key, and made for another board.
 */
export function makeTestBundles(work: string) {
  const started = performance.now();
  const built = join(repo, "out/debian-x86_64/rootfs.squashfs");
  const root = join(work, "bundle-root");
  const run = (argv: string[], env: Record<string, string> = {}) => {
    const r = spawnSync(argv, { env: { ...process.env, ...env }, stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr.toString().trim()}`);
    return r.stdout.toString().trim().split("\n").at(-1)!;
  };
  run(["unsquashfs", "-q", "-n", "-d", root, built]);
  const osRelease = join(root, "usr/lib/os-release");
  const current = readFileSync(osRelease, "utf8").match(/^IMAGE_VERSION=(.*)$/m)![1]!;
  const squash = (version: string, dir: string) => {
    writeFileSync(osRelease, readFileSync(osRelease, "utf8").replace(/^IMAGE_VERSION=.*$/m, `IMAGE_VERSION=${version}`));
    mkdirSync(dir, { recursive: true });
    // zstd level 3: quick to make; the image itself is built at level 19.
    run(["mksquashfs", root, join(dir, "rootfs.squashfs"), "-noappend", "-quiet", "-comp", "zstd", "-Xcompression-level", "3", "-b", "1M"]);
    return run([join(repo, "os/scripts/make-bundle.sh"), "x86_64", dir, join(work, "bundles")]);
  };
  const next = `${current}.next`;
  const nextBundle = squash(next, join(work, "next"));
  writeFileSync(join(root, "opt/nasd/dist/main.js"), "console.error('deliberately broken update'); process.exit(3);\n");
  const broken = `${current}.broken`;
  const brokenBundle = squash(broken, join(work, "broken"));
  rmSync(root, { recursive: true, force: true });

  // Refused ones: a small root is enough (RAUC checks signature and compatible before writing a byte).
  const tiny = join(work, "tiny");
  mkdirSync(join(tiny, "root/usr/lib"), { recursive: true });
  writeFileSync(join(tiny, "root/usr/lib/os-release"), `IMAGE_VERSION=${current}.other\n`);
  writeFileSync(join(tiny, "root/payload"), crypto.getRandomValues(new Uint8Array(65536)));
  run(["mksquashfs", join(tiny, "root"), join(tiny, "rootfs.squashfs"), "-noappend", "-quiet"]);
  const wrongKey = run([join(repo, "os/scripts/make-bundle.sh"), "x86_64", tiny, join(work, "bundles-other-key")], { NAS_KEYS_DIR: join(work, "other-keys") });
  const content = join(tiny, "content");
  mkdirSync(content);
  copyFileSync(join(tiny, "rootfs.squashfs"), join(content, "rootfs.img"));
  writeFileSync(
    join(content, "manifest.raucm"),
    `[update]\ncompatible=nas-rpi4_64\nversion=${current}.pi\n\n[bundle]\nformat=verity\n\n[image.rootfs]\nfilename=rootfs.img\n`,
  );
  const wrongBoard = join(work, "bundles/wrong-board.raucb");
  const keys = (what: string) => run([join(repo, "os/scripts/signing-keys.sh"), what]);
  run(["rauc", "bundle", `--cert=${keys("cert")}`, `--key=${keys("key")}`, content, wrongBoard]);
  console.log(
    `update bundles made in ${((performance.now() - started) / 1000).toFixed(0)} s: ${next} (${(statSync(nextBundle).size / 1024 ** 2).toFixed(0)} MiB), ${broken}, another key, another board`,
  );
  return { current, next, nextBundle, broken, brokenBundle, wrongKey, wrongBoard };
}
export type TestBundles = ReturnType<typeof makeTestBundles>;
