// The support bundle holds logs and versions and no secret: a box full of known secret values, a journal that
// leaked some of them, and a byte search of the unpacked archive.
import { afterEach, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { gunzipSync } from "node:zlib";
import { fakeRunner } from "../../hw/testing";
import { passkeys, settings, shareLinks, jobs } from "../platform/db/schema";
import { createTestApp, type TestApp } from "../../test/support/app";
import { supportBundleHandler } from "./root-jobs";
import type { JobContext } from "../platform/queue/queue";
import { listSupportBundles, scrubSecrets, supportName, tarFiles } from "./support";
import { systemClock } from "../platform/clock";

let t: TestApp;
afterEach(() => t?.cleanup());

const ctx: JobContext = { progress: () => {}, log: () => {}, signal: new AbortController().signal };

test("a support bundle of a box full of secrets: logs, versions, SMART and failed jobs are in it, not one secret is", async () => {
  t = createTestApp();
  const admin = t.createAdmin("ada");
  const { auth } = t.services;
  // Secrets as the box holds them: a session cookie, an app token, an invite, recovery codes, a passkey,
  // a share link with a password, the instance secret, the TLS keys, an alert webhook (an ntfy topic).
  const sessionCookie = auth.sessions.create(admin.id, { ip: "192.168.1.20", userAgent: "Firefox" });
  const { token: appToken } = auth.tokens.create(admin.id, "backup script");
  const publicKey = Buffer.from("passkey-public-key-material-0123456789abcdef");
  t.db
    .insert(passkeys)
    .values({
      id: "cred-id-AbCdEf0123456789_xyzXYZ",
      userId: admin.id,
      publicKey,
      counter: 0,
      deviceType: "multiDevice",
      backedUp: true,
      name: "iPhone",
      createdAt: new Date(),
      transports: ["internal"],
    } as never)
    .run();
  const shareToken = "Sh4reT0kenValue_abcdefghijklmnopqrstu";
  t.db
    .insert(shareLinks)
    .values({
      id: "link1",
      userId: admin.id,
      fileId: "f1",
      tokenHash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
      passwordHash: "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
      createdAt: new Date(),
    } as never)
    .run();
  const webhook = "https://ntfy.sh/my-secret-topic-9x8y7z";
  t.db
    .insert(settings)
    .values({ key: "alertWebhook", value: webhook })
    .onConflictDoUpdate({ target: settings.key, set: { value: webhook } })
    .run();
  t.db
    .insert(jobs)
    .values({
      kind: "media.process",
      payload: {},
      status: "failed",
      attempts: 5,
      error: "ffmpeg exited with 1 on IMG_0001.MOV",
      runAfter: new Date(),
      createdAt: new Date(),
      finishedAt: new Date(),
    })
    .run();
  const tlsDir = join(t.dataDir, "tls");
  mkdirSync(tlsDir);
  const caKey = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgSECRETCAKEY\n-----END PRIVATE KEY-----\n";
  writeFileSync(join(tlsDir, "ca.key"), caKey);
  writeFileSync(join(t.dataDir, "secret.key"), "c2VjcmV0LWluc3RhbmNlLWtleS1tYXRlcmlhbC0wMTIz");
  const osRelease = join(t.dataDir, "os-release");
  writeFileSync(osRelease, 'PRETTY_NAME="Debian GNU/Linux 12"\nIMAGE_ID=nas\nIMAGE_VERSION=1.0.0+abc1234\n');

  // A journal that leaked what logs sometimes leak: a share URL, a bearer header, a cookie, a token in a query.
  const journal = [
    "2026-11-30T10:00:00+0000 nas bun[812]: nasd-web started on :443",
    `2026-11-30T10:00:01+0000 nas bun[812]: GET /s/${shareToken} 200`,
    `2026-11-30T10:00:02+0000 nas bun[812]: request had Authorization: Bearer ${appToken}`,
    `2026-11-30T10:00:03+0000 nas bun[812]: cookie: nas_session=${sessionCookie}`,
    `2026-11-30T10:00:04+0000 nas bun[812]: webhook ${webhook} answered 500`,
    `2026-11-30T10:00:05+0000 nas bun[812]: GET /api/v1/files?token=${appToken}`,
    `2026-11-30T10:00:06+0000 nas bun[812]: ${caKey}`,
  ].join("\n");
  const run = fakeRunner((argv) => {
    if (argv[0] === "journalctl") return { stdout: argv.includes("-k") ? "kernel: ata1: link up\n" : `${journal}\n` };
    if (argv[0] === "rauc") return { stdout: "=== System Info ===\nCompatible:  nas-x86_64\nBooted from: rootfs.0 (A)\n" };
    if (argv[0] === "df") return { stdout: "Filesystem Size Used Avail Use% Mounted on\n/dev/vda5 1.6G 120M 1.4G 8% /data\n" };
    return { stdout: `${argv.join(" ")} output\n` };
  });

  const name = supportName(new Date("2026-11-30T10:05:00Z"));
  await supportBundleHandler({ db: t.db, dataDir: t.dataDir, tlsDir, run: run.run, osRelease, now: systemClock })({ payload: { name } } as never, ctx);
  const [file] = listSupportBundles(t.dataDir);
  expect(file?.name).toBe("nas-support-20261130T100500Z.tar.gz");
  const text = gunzipSync(await Bun.file(join(t.dataDir, "support", name)).bytes()).toString("latin1");

  // What helps: the logs (scrubbed), versions, RAUC, disks, failed jobs.
  expect(text).toContain("nasd-web started on :443");
  expect(text).toContain("IMAGE_VERSION=1.0.0+abc1234");
  expect(text).toContain("Compatible:  nas-x86_64");
  expect(text).toContain("/dev/vda5 1.6G");
  expect(text).toContain("ffmpeg exited with 1 on IMG_0001.MOV");
  expect(text).toContain("GET /s/[removed] 200");
  // What opens the box: none of it, in any form.
  const secrets = [
    sessionCookie,
    appToken,
    shareToken,
    webhook,
    "my-secret-topic-9x8y7z",
    "SECRETCAKEY",
    "BEGIN PRIVATE KEY",
    "c2VjcmV0LWluc3RhbmNlLWtleS1tYXRlcmlhbC0wMTIz",
    "cred-id-AbCdEf0123456789_xyzXYZ",
    publicKey.toString("base64"),
    "$argon2id$",
    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "SQLite format 3",
  ];
  for (const secret of secrets) expect({ secret, found: text.includes(secret) }).toEqual({ secret, found: false });
  // Every command the bundle ran is read-only (journal, rauc status, df, lsblk, uname, systemctl --failed).
  expect(run.calls.map((c) => c.slice(0, 2).join(" "))).toEqual(
    expect.arrayContaining(["journalctl --no-pager", "rauc status", "df -h", "lsblk -o", "systemctl --no-pager"]),
  );
});

test("scrubbing keeps readable names and removes token-shaped strings", () => {
  const out = scrubSecrets("Started systemd-tmpfiles-setup-dev-early.service; key=abc123; sid 0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c", []);
  expect(out).toContain("systemd-tmpfiles-setup-dev-early.service");
  expect(out).toContain("key=[removed]");
  expect(out).not.toContain("0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c");
});

test("the archive is a valid tar that GNU tar lists", () => {
  const dir = tmpdir();
  const path = join(dir, `tar-test-${process.pid}.tar`);
  writeFileSync(
    path,
    tarFiles([
      { name: "nas-support/a.txt", text: "hello\n", mtime: new Date() },
      { name: "nas-support/b.txt", text: "x".repeat(600), mtime: new Date() },
    ]),
  );
  const listed = Bun.spawnSync(["tar", "-tvf", path]).stdout.toString();
  expect(listed).toContain("nas-support/a.txt");
  expect(listed).toMatch(/600 .*nas-support\/b\.txt/);
  Bun.spawnSync(["rm", "-f", path]);
});
