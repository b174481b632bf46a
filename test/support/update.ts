// Test helpers for updates: real signing keys (openssl), real RAUC bundles (`rauc bundle`, host package) and a
// box's RAUC configuration in a temp dir. Tests only.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

function sh(argv: string[]) {
  const p = Bun.spawnSync(argv, { stderr: "pipe" });
  if (p.exitCode !== 0) throw new Error(`${argv.join(" ")}: ${p.stderr.toString()}`);
}

/** A release CA and a signing certificate under it, as os/scripts/signing-keys.sh makes them. */
export function makeKeys(dir: string, name: string) {
  mkdirSync(dir, { recursive: true });
  const f = (n: string) => join(dir, `${name}-${n}`);
  sh([
    "openssl",
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-days",
    "30",
    "-subj",
    `/CN=${name} update CA`,
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
    "-keyout",
    f("ca.key"),
    "-out",
    f("ca.pem"),
  ]);
  sh([
    "openssl",
    "req",
    "-new",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-subj",
    `/CN=${name} bundle signing`,
    "-keyout",
    f("signing.key"),
    "-out",
    f("signing.csr"),
  ]);
  writeFileSync(f("ext.cnf"), "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n");
  sh([
    "openssl",
    "x509",
    "-req",
    "-in",
    f("signing.csr"),
    "-CA",
    f("ca.pem"),
    "-CAkey",
    f("ca.key"),
    "-CAcreateserial",
    "-days",
    "30",
    "-extfile",
    f("ext.cnf"),
    "-out",
    f("signing.pem"),
  ]);
  return { keyring: f("ca.pem"), cert: f("signing.pem"), key: f("signing.key") };
}

export type Keys = ReturnType<typeof makeKeys>;

/** A small signed verity bundle. */
export function makeBundle(dir: string, keys: Keys, opts: { compatible: string; version: string; name?: string }) {
  const content = mkdtempSync(join(tmpdir(), "nas-bundle-content-"));
  writeFileSync(join(content, "rootfs.img"), crypto.getRandomValues(new Uint8Array(65536)));
  writeFileSync(
    join(content, "manifest.raucm"),
    `[update]\ncompatible=${opts.compatible}\nversion=${opts.version}\n\n[bundle]\nformat=verity\n\n[image.rootfs]\nfilename=rootfs.img\n`,
  );
  const out = join(dir, opts.name ?? `nas-${opts.compatible}-${opts.version}.raucb`);
  sh(["rauc", "bundle", `--cert=${keys.cert}`, `--key=${keys.key}`, content, out]);
  return out;
}

/** The box's RAUC system.conf (its compatible) in a temp dir. */
export function makeSystemConf(dir: string, compatible: string) {
  const path = join(dir, "system.conf");
  writeFileSync(path, `[system]\ncompatible=${compatible}\nbootloader=noop\n`);
  return path;
}
