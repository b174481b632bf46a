/**
 * Backup: a blank disk plugged in for backups (boot "backup"). The admin formats and mounts it over SSH (the box
 * mounts no disk by itself), then, through the dashboard's routes, adds it as a target, makes the password, opens
 * the emergency kit and confirms; the backup worker (nasd-backup-worker) backs the box up with restic. One file is
 * restored twice and its SHA-256 compared with the upload's: by the box into Drive (`Restored/<date>/`), and with
 * the plain restic command the kit prints, run on the box with the kit's password. The port other boxes back up to
 * (:8000) answers and refuses a request without a pairing token. The target is paused and the disk unmounted after.
 */
import { spawnSync } from "bun";
import { createHash, randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { appToken, type DashboardApi, dashboardApi, SSH_OPTS, sshRun, waitForSsh } from "./clients";
import { type Boot, type Concern, check, powerOff, serial, sleep, waitForHttps } from "./harness";

const FOLDER = "/mnt/nasd-backup";
const FILE = "image-test-backup.bin";
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
/** Visible text of an HTML fragment, for a failure's detail. */
const textOf = (html: string) =>
  html
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ")
    .trim();

/** Polls `probe` every 3 s until it returns a value (not undefined) or `ms` pass. */
async function until<T>(ms: number, probe: () => Promise<T | undefined>): Promise<T | undefined> {
  const end = performance.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined || performance.now() > end) return value;
    await sleep(3000);
  }
}

const form = (fields: Record<string, string>) => ({
  method: "POST",
  body: new URLSearchParams(fields),
  redirect: "manual" as const,
});

/** The target's card on the Backups page (its status table), as HTML. */
async function targetCard(api: DashboardApi, id: string) {
  const html = await (await api("/dashboard/fragments/backup-targets")).text();
  const start = html.indexOf(`data-target="${id}"`);
  return start < 0 ? "" : html.slice(start, html.indexOf("</section>", start));
}

/** The wizard through the routes: the target, its password, the kit (its text), the confirmation. */
async function setUpTarget(api: DashboardApi) {
  const created = await api("/dashboard/backups/targets", form({ kind: "local", name: "Backup disk", path: FOLDER }));
  const id = /\/targets\/([A-Za-z0-9]+)\/setup$/.exec(created.headers.get("location") ?? "")?.[1];
  if (!id) return { detail: `add target: ${created.status} ${textOf(await created.text()).slice(0, 300)}` };
  const made = await api(`/dashboard/backups/targets/${id}/password/generate`, form({}));
  if (made.status !== 303) return { id, detail: `password: ${made.status} ${textOf(await made.text()).slice(0, 300)}` };
  const kit = await (await api(`/dashboard/backups/targets/${id}/kit.txt`)).text();
  const password = /^Password:\s+(\S+)$/m.exec(kit)?.[1];
  if (!password) return { id, detail: `the kit has no password line: ${kit.slice(0, 300)}` };
  // Confirming needs a connection test that reached the disk (a job of the backup worker): asked again until then.
  let last = "";
  const confirmed = await until(180_000, async () => {
    const res = await api(
      `/dashboard/backups/targets/${id}/confirm`,
      form({ hour: "2", keepDaily: "31", keepWeekly: "52", keepMonthly: "", limitUploadKiB: "", kitSaved: "on" }),
    );
    last = `${res.status} ${textOf(await res.text()).slice(0, 300)}`;
    return res.status === 303 ? true : undefined;
  });
  return { id, kit, password, detail: confirmed ? "" : `confirm: ${last}` };
}

/** The box's own restore of the file into its owner's Drive; the restored copy's item and bytes. */
async function restoreIntoDrive(api: DashboardApi, id: string, original: { id: string }) {
  const list = await (await api(`/dashboard/backups/targets/${id}/snapshots`)).text();
  const snapshot = /\/snapshots\/([0-9a-f]{64})/.exec(list)?.[1];
  if (!snapshot) return { detail: `no snapshot listed: ${textOf(list).slice(0, 300)}` };
  const page = `/dashboard/backups/targets/${id}/snapshots/${snapshot}`;
  // The snapshot's database is fetched by a job first; the page shows the owner's Drive once it is here.
  const html = await until(300_000, async () => {
    const body = await (await api(page)).text();
    return body.includes('data-testid="snapshot-folder"') ? body : undefined;
  });
  const row = html?.slice(html.indexOf(`${FILE}</span>`));
  const fileId = row && /name="kind" value="file"[^>]*>\s*<input[^>]*name="id" value="([^"]+)"/.exec(row)?.[1];
  if (!fileId) return { detail: `the snapshot's listing has no ${FILE}: ${textOf(html ?? "").slice(0, 300)}` };
  const asked = await api(`${page}/restore`, form({ kind: "file", id: fileId }));
  if (asked.status !== 303) return { detail: `restore: ${asked.status} ${textOf(await asked.text()).slice(0, 300)}` };
  // Restored/<date>/<the file>, found the way the Drive page walks folders.
  type Item = { id: string; name: string; kind: string };
  const children = async (path: string) => ((await (await api(path)).json()) as { children?: Item[] }).children ?? [];
  const restored = await until(300_000, async () => {
    const folder = (await children("/api/v1/root")).find((i) => i.name === "Restored" && i.kind === "folder");
    for (const day of folder ? await children(`/api/v1/files/${folder.id}`) : []) {
      const file = (await children(`/api/v1/files/${day.id}`)).find((i) => i.name === FILE);
      if (file) return { ...file, day: day.name };
    }
    return undefined;
  });
  if (!restored) return { detail: "no Restored/<date>/ copy in Drive after 300 s" };
  const bytes = new Uint8Array(await (await api(`/api/v1/files/${restored.id}/content`)).arrayBuffer());
  return { bytes, folder: `Restored/${restored.day}`, beside: restored.id === original.id, detail: "" };
}

/**
 * The kit's one-file restore command, run on the box as printed (for the admin's file instead of the example),
 * with the kit's password typed on restic's standard input; the restored file's SHA-256.
 */
function restoreWithKit(b: Boot, key: string, kit: string, password: string) {
  const printed = kit.split("\n").find((l) => l.includes("restore latest --target nasd-restore --include"));
  if (!printed) return { detail: "the kit prints no one-file restore command" };
  const command = printed.trim().replace(/--include \S+$/, `--include '/files/ada/${FILE}'`);
  const script = [
    "set -e",
    "dir=$(mktemp -d /data/kit-restore.XXXXXX)",
    "trap 'rm -rf \"$dir\"' EXIT",
    'cd "$dir"',
    'export RESTIC_CACHE_DIR="$dir/.cache"',
    `${command} >&2`,
    `sha256sum nasd-restore/files/ada/${FILE}`,
  ].join("\n");
  const out = spawnSync(["ssh", "-i", key, "-p", String(b.ssh), ...SSH_OPTS, "root@127.0.0.1", script], {
    stdin: Buffer.from(`${password}\n`),
    timeout: 600_000,
  });
  return { command, code: out.exitCode, sha: out.stdout.toString().split(/\s/)[0] ?? "", detail: out.stderr.toString().trim().slice(-400) };
}

export const backup: Concern = {
  name: "backup",
  needs: ["boot", "https", "dashboard"],
  async run(run) {
    const before = run.running("backup");
    check("backup: clean power-off before plugging in a blank disk for backups", await powerOff(before));
    run.box = null;
    const diskFile = join(run.work, "backup-disk.img");
    spawnSync(["truncate", "-s", String(2 * 1024 ** 3), diskFile]);
    console.log("boot backup: a blank disk for backups plugged in");
    const b = await run.powerOn("backup", { secondDisk: run.secondDisk?.path, backupDisk: diskFile });
    const seconds = await waitForHttps(b);
    if (seconds === null) throw new Error(`boot backup: no https; serial log tail:\n${serial(b).slice(-4000)}`);
    await waitForSsh(b, run.sshKey);

    // What the admin does with a new disk: an ext4 filesystem, mounted under /mnt, a folder the nasd user owns.
    const dev = "/dev/disk/by-id/virtio-nas-backup";
    const mounted = sshRun(
      b,
      run.sshKey,
      `set -e; mkfs.ext4 -q -F -L nas-backup ${dev}; mount ${dev} /mnt; install -d -o nasd -g nasd -m 0700 ${FOLDER}; findmnt -n -o SOURCE /mnt`,
    );
    check("backup: the blank disk formatted and mounted on /mnt over SSH", mounted.code === 0, `${mounted.out.trim()} ${mounted.err}`);

    // Another box's backups: the port answers over HTTPS and asks for a pairing token.
    const refused = await fetch(`https://127.0.0.1:${b.backupHost}/gnobody/config`, { tls: { rejectUnauthorized: false }, signal: AbortSignal.timeout(30_000) })
      .then(async (r) => `${r.status} ${(await r.text()).trim()}`)
      .catch((e: Error) => e.message);
    check("backup: :8000 (other boxes' backups, BACKUP_HOST_PORT) answers and refuses a request without a pairing token", refused.startsWith("401 "), refused);

    const api = dashboardApi(b, appToken(run, b));
    const bytes = new Uint8Array(randomBytes(3 * 1024 ** 2));
    const local = join(run.work, FILE);
    writeFileSync(local, bytes);
    const up = await api(`/api/v1/upload?name=${FILE}`, { method: "PUT", body: Bun.file(local) });
    const original = up.status === 201 ? ((await up.json()) as { item: { id: string } }).item : null;
    check("backup: a 3 MiB file uploaded into the admin's Drive", original !== null, `${up.status}`);
    if (!original) return;

    const started = performance.now();
    const target = await setUpTarget(api);
    check("backup: the disk added as a target; password made, emergency kit opened, first backup confirmed", !target.detail, target.detail);
    if (!target.id || !target.password || !target.kit) return;
    let card = "";
    const lastSuccess = await until(900_000, async () => {
      card = await targetCard(api, target.id);
      const when = /<th>Last success<\/th>\s*<td>([^<]*)<\/td>/.exec(card)?.[1];
      return when && when !== "none yet" ? when : undefined;
    });
    const backupSeconds = (performance.now() - started) / 1000;
    check("backup: the backup worker's restic backup to the disk succeeded (Last success on the page)", lastSuccess !== undefined, textOf(card).slice(0, 400));
    run.timings.push(`backup to the second disk: set up and first backup in ${backupSeconds.toFixed(0)} s under TCG`);
    if (!lastSuccess) return;
    const onDisk = sshRun(b, run.sshKey, `ls ${FOLDER}; grep -rlF ${FILE} ${FOLDER} | wc -l`);
    check(
      "backup: a restic repository on the disk, the file's name nowhere in it (encrypted)",
      onDisk.code === 0 && /^config$/m.test(onDisk.out) && /^data$/m.test(onDisk.out) && onDisk.out.trim().endsWith("\n0"),
      onDisk.out.replace(/\n/g, " "),
    );

    const drive = await restoreIntoDrive(api, target.id, original);
    check(
      "backup: the file restored by the box into Drive (Restored/<date>/), not over the original, with the same SHA-256",
      !drive.detail && !drive.beside && drive.bytes !== undefined && sha256(drive.bytes) === sha256(bytes),
      drive.detail || `folder ${drive.folder}, ${drive.bytes?.length} bytes`,
    );

    const kit = restoreWithKit(b, run.sshKey, target.kit, target.password);
    check(
      "backup: the kit's printed restic command restores the file on the box with the kit's password, same SHA-256",
      kit.code === 0 && kit.sha === sha256(bytes),
      kit.code === 0 ? `${kit.command}` : `exit ${kit.code}: ${kit.detail}`,
    );

    // The disk goes back in a drawer: no nightly run against a missing disk in the concerns that follow.
    const paused = await api(`/dashboard/backups/targets/${target.id}/pause`, form({}));
    const unmounted = sshRun(b, run.sshKey, "umount /mnt");
    check("backup: the target paused and the disk unmounted", paused.status === 303 && unmounted.code === 0, `${paused.status} ${unmounted.err}`);
  },
};
