// Test helpers for offsite backups: a real box (temp SQLite, temp data dir) with the backup lane run in process by
// the real job runner, real restic, and real targets on loopback: a folder, Debian's sshd, a second box's REST host.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, createServer, type Server, type Socket } from "node:net";
import { runCommand } from "../../hw/run";
import { createBackupHost, createHostListener, hashToken, hostCertificate, newGuestId, newToken } from "../../app/backup/host";
import { type BackupTuning, backupJobs } from "../../app/backup/jobs";
import { createBackupRepo } from "../../app/backup/repo";
import { sha256Of } from "../../app/backup/restore";
import { pairingCode, type TargetInput } from "../../app/backup/targets";
import type { Clock } from "../../app/platform/clock";
import type { Config } from "../../app/platform/config";
import type { User } from "../../app/platform/db/schema";
import { dataPaths } from "../../app/platform/paths";
import { createJobRunner } from "../../app/platform/queue/runner";
import { createSettingsRepo } from "../../app/settings/repo";
import { createStorageRepo } from "../../app/storage/repo";
import { createTestApp, type TestApp } from "./app";

/** Bytes that look like a photo's to a compressor: random, so nothing dedupes or compresses by accident. */
export const someBytes = (size: number) => new Uint8Array(randomBytes(size));

async function* chunks(bytes: Uint8Array) {
  yield bytes;
}

/** A box with an admin, its backup lane and helpers to fill its Drive. */
export function backupBox(opts: { tuning?: BackupTuning; now?: Clock; dataDir?: string; log?: (line: string) => void; config?: Partial<Config> } = {}) {
  let clock: Clock = opts.now ?? (() => new Date());
  const t: TestApp = createTestApp({ config: { ...opts.config, ...(opts.dataDir ? { dataDir: opts.dataDir } : {}) }, deps: { now: () => clock() } });
  const { services, db, dataDir } = t;
  const handlers = backupJobs.handlers({
    db,
    dataDir,
    now: () => clock(),
    run: runCommand,
    queue: services.jobs,
    settings: createSettingsRepo(db),
    storageRepo: createStorageRepo(db),
    drive: async () => ({ drive: services.drive, uploads: services.tus }),
    backupTuning: opts.tuning,
  });
  const runner = createJobRunner({ queue: services.jobs, handlers, log: opts.log ?? (() => {}), progressEveryMs: 0 });
  const repo = createBackupRepo(db);
  return {
    ...t,
    repo,
    backup: services.backup,
    handlers,
    setClock: (next: Clock) => (clock = next),
    /** Runs queued backup-lane jobs until none is due; returns how many ran. */
    async drain() {
      let n = 0;
      while (await runner.runOnce()) n++;
      return n;
    },
    /** Stores `bytes` at `path` (folders made as needed) in `user`'s Drive, as an upload does. */
    async put(user: User, path: string, bytes: Uint8Array) {
      const parts = path.split("/");
      const parent = parts.length > 1 ? services.drive.mkdirs(user, undefined, parts.slice(0, -1)) : undefined;
      return services.drive.upload(user, { parentId: parent?.id, name: parts.at(-1)!, conflict: "rename" }, chunks(bytes));
    },
    /**
     * The wizard, as an admin walks it: describe the target, test it, make a password (or give the existing one),
     * open the kit, confirm; the first backup runs. Returns the target's id.
     */
    async addTarget(
      input: TargetInput,
      opts: { password?: string; options?: Partial<Parameters<typeof services.backup.confirm>[1]>; authorize?: (sshKey: string) => void } = {},
    ) {
      const target = services.backup.create(input);
      await this.drain();
      if (opts.authorize) {
        // SFTP: the first test makes the box's key; the server's admin adds it, and the admin tests again.
        opts.authorize(services.backup.sshKey()!);
        services.backup.test(target.id);
        await this.drain();
      }
      if (opts.password) {
        services.backup.usePassword(target.id, opts.password);
        await this.drain();
      } else services.backup.generatePassword(target.id);
      services.backup.kit(target.id);
      services.backup.confirm(
        target.id,
        { includeMedia: false, hour: 2, limitUploadKiB: null, lowPriority: false, keepDaily: 31, keepWeekly: 52, keepMonthly: null, ...opts.options },
        true,
      );
      await this.drain();
      return target.id;
    },
    /** Every stored blob of the box, checked against its address: owner/sha → ok. */
    async blobsIntact() {
      const rows = db.$client.query<{ user_id: string; sha256: string }, []>("select user_id, sha256 from blobs order by 1, 2").all();
      const out: Record<string, boolean> = {};
      for (const r of rows) {
        const path = dataPaths(dataDir).blob(r.user_id, r.sha256);
        out[`${r.user_id}/${r.sha256}`] = existsSync(path) && (await sha256Of(path)) === r.sha256;
      }
      return out;
    },
  };
}
export type BackupBox = ReturnType<typeof backupBox>;

/** A folder target on this machine. */
export const folderTarget = (): TargetInput => ({ kind: "local", name: "USB disk", path: join(mkdtempSync(join(tmpdir(), "nas-target-")), "nasd-backup") });

/**
 * Debian's sshd on a free loopback port, run by this user with its own host key and config: an SFTP server for the
 * box's key (added with `authorize`). Logging in as this same user is what a non-root sshd can do.
 */
export async function startSshd() {
  const sshd = "/usr/sbin/sshd";
  if (!existsSync(sshd)) throw new Error("No /usr/sbin/sshd: install openssh-server (make test does it as root).");
  const dir = mkdtempSync(join(tmpdir(), "nas-sshd-"));
  const port = await freePort();
  const hostKey = join(dir, "host_ed25519");
  await runCommand(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostKey]);
  const authorized = join(dir, "authorized_keys");
  writeFileSync(authorized, "", { mode: 0o600 });
  const config = join(dir, "sshd_config");
  writeFileSync(
    config,
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${authorized}`,
      `PidFile ${join(dir, "sshd.pid")}`,
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PermitRootLogin prohibit-password",
      "UsePAM no",
      "StrictModes no",
      "Subsystem sftp internal-sftp",
      "",
    ].join("\n"),
  );
  // sshd as root wants its privilege-separation folder; a test machine may have never started sshd.
  if (process.getuid?.() === 0) mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  const proc = Bun.spawn([sshd, "-D", "-e", "-f", config], { stdout: "ignore", stderr: "pipe" });
  for (let i = 0; i < 100; i++) {
    try {
      const socket = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } });
      socket.end();
      break;
    } catch {
      if (proc.exitCode !== null) throw new Error(`sshd did not start: ${await new Response(proc.stderr).text()}`);
      await Bun.sleep(50);
    }
  }
  const path = join(dir, "repo");
  // Bun's os.userInfo() reads $USER, which a CI shell may not set.
  const user = Bun.spawnSync(["id", "-un"]).stdout.toString().trim();
  return {
    port,
    user,
    path,
    authorize: (publicKey: string) => writeFileSync(authorized, `${publicKey}\n`, { mode: 0o600, flag: "a" }),
    input: (name = "SFTP server"): TargetInput => ({ kind: "sftp", name, host: "127.0.0.1", port: String(port), user, path }),
    stop() {
      proc.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A second box that keeps other boxes' backups: its REST host on a loopback port (HTTPS, its own certificate). */
export async function startHostBox(opts: { quotaBytes?: number } = {}) {
  const box = createTestApp();
  const repo = createBackupRepo(box.db);
  const host = createBackupHost({ repo, dataDir: box.dataDir, now: () => new Date() });
  const names = ["127.0.0.1", "localhost"];
  const listener = createHostListener({ host, port: 0, hostname: "127.0.0.1", tls: true, dataDir: box.dataDir, names: () => names });
  const server = await listener.start();
  const cert = (await hostCertificate(box.dataDir, names)).cert;
  return {
    box,
    repo,
    host,
    port: server.port!,
    /** A guest with a quota, and the pairing code its admin pastes (pointing at `port`, e.g. a proxy's). */
    pair(name = "friend", quotaBytes = opts.quotaBytes ?? 1e9, port = server.port!) {
      const guest = newGuestId();
      const token = newToken();
      repo.insertGuest({ id: guest, name, tokenHash: hashToken(token), quotaBytes, createdAt: new Date(), lastSeenAt: null, pruneUntil: null });
      return { guest, token, code: pairingCode({ url: `https://127.0.0.1:${port}`, guest, token, cert }) };
    },
    /** The guest's repository files on the host's disk. */
    files: (guest: string, type: string) => {
      const dir = join(dataPaths(box.dataDir).backup.guest(guest), type);
      return existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String) : [];
    },
    stop() {
      listener.stop();
      box.cleanup();
    },
  };
}

export async function freePort(): Promise<number> {
  const s = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = s.port!;
  s.stop(true);
  return port;
}

/** A TCP proxy on loopback whose link can be cut (every connection dropped, new ones refused) and brought back. */
export async function tcpProxy(toPort: number) {
  const open = new Set<Socket>();
  const port = await freePort();
  let server: Server | null = null;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(toPort, "127.0.0.1");
        open.add(client).add(upstream);
        // pipe() keeps to each side's pace (backpressure); either side closing ends the other.
        client.pipe(upstream).pipe(client);
        for (const s of [client, upstream])
          s.on("close", () => {
            open.delete(s);
            client.destroy();
            upstream.destroy();
          }).on("error", () => {});
      });
      server.listen(port, "127.0.0.1", resolve);
    });
  await listen();
  const cut = () => {
    server?.close();
    server = null;
    for (const s of open) s.destroy();
    open.clear();
  };
  return { port, cut, restore: listen, stop: cut };
}

/** A target's repository password, as the box keeps it (what logs, pages and process arguments must never show). */
export const passwordOf = (box: BackupBox, targetId: string) => readFileSync(join(dataPaths(box.dataDir).backup.target(targetId), "password"), "utf8").trim();
