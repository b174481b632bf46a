/** The emergency kit's steps for "any computer" are run here as printed, with nothing but the plain restic command. */
import { afterEach, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { backupBox, folderTarget, passwordOf, someBytes, startHostBox } from "../../test/support/backup";
import { sha256Of } from "./restore";
import type { TargetInput } from "./targets";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

/** A person at a computer: a fresh folder, no restic settings in the environment, the password typed when asked. */
function atComputer() {
  const dir = mkdtempSync(join(tmpdir(), "nas-computer-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  // Not spawnSync: the other box's host answers from this very process.
  const run = async (command: string, password: string, cwd = dir) => {
    const p = Bun.spawn(["bash", "-c", command], {
      cwd,
      env: { PATH: process.env.PATH!, HOME: dir },
      stdin: new TextEncoder().encode(`${password}\n`),
      stdout: "pipe",
      stderr: "pipe",
    });
    const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
    return { code, out, err };
  };
  return { dir, run };
}

async function kitWorks(input: () => TargetInput) {
  const b = backupBox();
  cleanups.push(b.cleanup);
  const alice = b.createAdmin("alice");
  const photo = await b.put(alice, "Photos/example.jpg", someBytes(90_000));
  const doc = await b.put(alice, "Letters/to grandma 'quoted'.txt", someBytes(2_000));
  const id = await b.addTarget(input());
  const kit = b.backup.kit(id);
  expect(kit.password).toBe(passwordOf(b, id));

  // The printed page and the download carry the same commands.
  const page = await (await b.request(`/dashboard/backups/targets/${id}/kit`, { headers: b.signIn(alice) })).text();
  const text = await (await b.request(`/dashboard/backups/targets/${id}/kit.txt`, { headers: b.signIn(alice) })).text();
  const commands = kit.computer.filter((s) => s.command).map((s) => s.command!);
  expect(commands.length).toBeGreaterThanOrEqual(3);
  for (const c of commands) {
    expect(text).toContain(c);
    expect(page).toContain(Bun.escapeHTML(c));
  }
  expect(text).toContain(kit.password);

  const computer = atComputer();
  if (kit.certificate) writeFileSync(join(computer.dir, "nasd-host.pem"), kit.certificate);
  const [list, restoreAll, restoreOne] = commands.filter((c) => c.startsWith("restic "));
  const snapshots = await computer.run(list!, kit.password);
  expect([snapshots.code, snapshots.err]).toEqual([0, expect.any(String)]);
  expect(snapshots.out).toContain("1 snapshots");
  const all = await computer.run(restoreAll!, kit.password);
  expect([all.code, all.err]).toEqual([0, expect.any(String)]);
  for (const f of [photo, doc]) {
    const path = join(computer.dir, "nasd-restore/files/alice", f === photo ? "Photos/example.jpg" : "Letters/to grandma 'quoted'.txt");
    expect(await sha256Of(path)).toBe(f.sha256!);
  }
  // The one-file step, in a folder of its own: that file and nothing else.
  const other = atComputer();
  if (kit.certificate) writeFileSync(join(other.dir, "nasd-host.pem"), kit.certificate);
  const one = await other.run(restoreOne!, kit.password);
  expect(one.code).toBe(0);
  expect(await sha256Of(join(other.dir, "nasd-restore/files/alice/Photos/example.jpg"))).toBe(photo.sha256!);
  expect(existsSync(join(other.dir, "nasd-restore/files/alice/Letters"))).toBe(false);
  expect(readdirSync(join(other.dir, "nasd-restore"))).toEqual(["files"]);
  // A wrong password gets nothing.
  const wrong = atComputer();
  if (kit.certificate) writeFileSync(join(wrong.dir, "nasd-host.pem"), kit.certificate);
  expect((await wrong.run(restoreAll!, "not it")).code).not.toBe(0);
  expect(existsSync(join(wrong.dir, "nasd-restore/files"))).toBe(false);
}

test("the emergency kit of a USB disk: its printed steps restore every file with plain restic", async () => {
  const target = folderTarget();
  await kitWorks(() => target);
}, 120_000);

test("the emergency kit of another box: the certificate and the pairing token in it are enough", async () => {
  const host = await startHostBox();
  cleanups.push(host.stop);
  const { code } = host.pair("kit");
  await kitWorks(() => ({ kind: "rest", pairing: code }));
}, 120_000);
