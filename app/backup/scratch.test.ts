import { expect, test } from "bun:test";
import { createTestApp } from "../../test/support/app";
import { createBackupRepo } from "./repo";
import { backupTarget, testTarget, type BackupContext, applyRetention, resticFor } from "./run";
import { parseTarget, setPassword, writeTargetSecrets, generatePassword, pairingCode } from "./targets";
import { runCommand } from "../../hw/run";
import { createBackupHost, createHostListener, hashToken, newGuestId, newToken, hostCertificate } from "./host";

test("scratch host", async () => {
  const host = createTestApp();
  const hrepo = createBackupRepo(host.db);
  const gid = newGuestId(); const token = newToken();
  hrepo.insertGuest({ id: gid, name: "friend", tokenHash: hashToken(token), quotaBytes: 50_000_000, createdAt: new Date(), lastSeenAt: null, pruneUntil: null });
  const h = createBackupHost({ repo: hrepo, dataDir: host.dataDir, now: () => new Date() });
  const listener = createHostListener({ host: h, port: 0, hostname: "127.0.0.1", tls: true, dataDir: host.dataDir, names: () => ["127.0.0.1", "localhost"] });
  const srv = await listener.start();
  const { cert } = await hostCertificate(host.dataDir, ["127.0.0.1", "localhost"]);
  const code = pairingCode({ url: `https://127.0.0.1:${srv.port}`, guest: gid, token, cert });

  const t = createTestApp();
  const admin = t.createAdmin("alice");
  const src = async function* () { yield new TextEncoder().encode("hello world ".repeat(1000)); };
  await t.services.drive.upload(admin, { name: "a.txt", conflict: "rename" }, src());
  const repo = createBackupRepo(t.db);
  const ctx: BackupContext = { db: t.db, dataDir: t.dataDir, repo, now: () => new Date(), run: runCommand, timeZone: () => "UTC" };
  const p = parseTarget({ kind: "rest", pairing: code });
  repo.insertTarget({ id: "t1", name: p.name, kind: p.kind, location: p.location, port: p.port, state: "active", createdAt: new Date() });
  writeTargetSecrets(t.dataDir, "t1", p.secrets);
  console.log(await testTarget(ctx, repo.target("t1")!));
  setPassword(t.dataDir, "t1", generatePassword());
  const r = await backupTarget(ctx, repo.target("t1")!, { progress: () => {}, log: console.log });
  console.log(r, repo.target("t1")?.lastSummary);
  try { await applyRetention(ctx, repo.target("t1")!, resticFor(ctx, repo.target("t1")!)); } catch (e) { console.log("ret", e); }
  console.log(repo.target("t1")?.forgetNote);
  const r2 = await backupTarget(ctx, repo.target("t1")!, { progress: () => {}, log: console.log });
  await resticFor(ctx, repo.target("t1")!).restic(["forget", "--keep-last", "1", "--prune"]).catch((e) => console.log("forget:", e.reason, e.message, "|", e.detail));
  console.log(await resticFor(ctx, repo.target("t1")!).restic(["check"]));
  expect(r.ok).toBe(true);
  listener.stop();
}, 60000);
