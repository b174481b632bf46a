/**
 * The disk layout and RAUC's configuration are each written once, as a template rendered with a board's meta
 * (os/genimage/, os/rauc/system-conf.sh). Each board must get exactly what its own files said before the templates
 * existed: those files are kept as expected outputs in fixtures/layout/ (taken from commit 40913b8).
 * genimage is compared by its own parse (--configdump: includes resolved, variables expanded, defaults applied)
 * and by the partition table it writes; RAUC by every section and key in order (comments may differ).
 */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const os = resolve(import.meta.dir, "..");
const fixtures = join(import.meta.dir, "fixtures/layout");
const boards = ["x86_64", "rpi4_64", "rpi5_64"];
const dirs: string[] = [];
function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), "nas-layout-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function run(argv: string[]) {
  const proc = Bun.spawnSync(argv, { stderr: "pipe" });
  if (proc.exitCode !== 0) throw new Error(`${argv.join(" ")}: ${proc.stderr.toString().trim().split("\n").slice(-3).join(" | ")}`);
  return proc.stdout.toString();
}

/** The files post-image.sh hands genimage, as small stand-ins (genimage copies them into their partitions). */
function inputs() {
  const dir = tempDir();
  mkdirSync(join(dir, "efi-part/EFI/BOOT"), { recursive: true });
  mkdirSync(join(dir, "efi-part/nas/A"), { recursive: true });
  writeFileSync(join(dir, "efi-part/EFI/BOOT/bootx64.efi"), "grub");
  writeFileSync(join(dir, "efi-part/nas/A/bzImage"), "kernel");
  for (const name of ["rootfs.squashfs", "boot.vfat", "bootA.vfat"]) writeFileSync(join(dir, name), new Uint8Array(4096));
  return dir;
}

/** Runs genimage (`argv` up to the config) into a fresh output directory: its configdump and the disk's partition table. */
function build(argv: string[], input: string, diskImage: string) {
  const dir = tempDir();
  const dump = join(dir, "configdump");
  const rootpath = join(dir, "root");
  mkdirSync(rootpath);
  const options = ["--configdump", dump, "--inputpath", input, "--outputpath", join(dir, "out"), "--rootpath", rootpath, "--tmppath", join(dir, "tmp")];
  run([...argv, ...options]);
  type Partition = { node: string; start: number; size: number; type: string; uuid: string; name: string; attrs?: string };
  const table = JSON.parse(run(["sfdisk", "--json", join(dir, "out", diskImage)])).partitiontable as { partitions: Partition[] };
  return { dump: readFileSync(dump, "utf8"), partitions: table.partitions.map(({ node: _node, ...p }) => p) };
}

const meta = (board: string, key: string) => readFileSync(join(os, "board", board, "meta"), "utf8").match(new RegExp(`^${key}=(.*)$`, "m"))?.[1];

describe.skipIf(!Bun.which("genimage") || !Bun.which("sfdisk"))("genimage template (os/genimage/)", () => {
  for (const board of boards) {
    test(`${board}: the same disk as its own genimage.cfg made`, () => {
      const input = inputs();
      const diskImage = meta(board, "DISK_IMAGE")!;
      const rendered = build([join(os, "genimage/genimage.sh"), join(os, "board", board)], input, diskImage);
      const expected = build(["genimage", "--config", join(fixtures, `genimage-${board}.cfg`)], input, diskImage);
      expect(rendered.dump).toBe(expected.dump);
      // Partition UUIDs the config leaves open are random on each run; fixed ones are compared below.
      const geometry = (parts: typeof rendered.partitions) => parts.map(({ uuid: _uuid, ...p }) => p);
      expect(geometry(rendered.partitions)).toEqual(geometry(expected.partitions));
      expect(rendered.partitions.map((p) => p.name)).toEqual(
        board === "x86_64"
          ? ["nasd-esp", "nasd-rootA", "nasd-rootB", "nasd-state", "nasd-data"]
          : ["nasd-boot", "nasd-bootA", "nasd-bootB", "nasd-rootA", "nasd-rootB", "nasd-state", "nasd-data"],
      );
    });
  }

  test("Raspberry Pi: the root slots carry the fixed UUIDs that slot A's cmdline.txt (post-image.sh) and the handler name", () => {
    const input = inputs();
    for (const board of ["rpi4_64", "rpi5_64"]) {
      const { partitions } = build([join(os, "genimage/genimage.sh"), join(os, "board", board)], input, meta(board, "DISK_IMAGE")!);
      const uuid = (name: string) => partitions.find((p) => p.name === name)?.uuid.toLowerCase();
      expect(uuid("nasd-rootA")).toBe("8f6b4a36-3a4e-4c55-9d0b-6e1f5b0a7a01");
      expect(uuid("nasd-rootB")).toBe("8f6b4a36-3a4e-4c55-9d0b-6e1f5b0a7b02");
    }
    // post-image.sh reads slot A's UUID from the fragment with this awk program; it must find the one genimage writes.
    const postImage = readFileSync(join(os, "scripts/post-image.sh"), "utf8");
    const awk = postImage.match(/rootA_uuid=\$\(awk '([^']+)' "\$os\/genimage\/partitions-rpi-tryboot.cfg"\)/)?.[1];
    expect(awk).toBeDefined();
    expect(run(["awk", awk!, join(os, "genimage/partitions-rpi-tryboot.cfg")]).trim()).toBe("8f6b4a36-3a4e-4c55-9d0b-6e1f5b0a7a01");
  });
});

/** The sections and keys of an INI file in order, comments and blank lines left out. */
function iniEntries(text: string) {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

describe("RAUC system.conf (os/rauc/system-conf.sh)", () => {
  for (const board of boards) {
    test(`${board}: every section and key its own system.conf had, in the same order`, () => {
      const rendered = run([join(os, "rauc/system-conf.sh"), join(os, "board", board)]);
      expect(iniEntries(rendered)).toEqual(iniEntries(readFileSync(join(fixtures, `system-${board}.conf`), "utf8")));
      expect(rendered).toMatch(new RegExp(`^compatible=nas-${board}$`, "m"));
    });
  }

  test("a board with an unknown boot scheme is refused, not given a half configuration", () => {
    const board = tempDir();
    writeFileSync(join(board, "meta"), "BOARD_ID=odd\nBOARD_NAME=odd\nBOOTLOADER=u-boot\n");
    const proc = Bun.spawnSync([join(os, "rauc/system-conf.sh"), board], { stderr: "pipe" });
    expect(proc.exitCode).not.toBe(0);
    expect(proc.stderr.toString()).toContain("unknown BOOTLOADER=u-boot");
    expect(proc.stdout.toString()).toBe("");
  });
});
