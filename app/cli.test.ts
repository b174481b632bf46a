import { afterEach, describe, expect, test } from "bun:test";
import { chmodSync, chownSync, cpSync, existsSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomToken } from "./platform/crypto";
import { loadConfig } from "./platform/config";
import { openDb } from "./platform/db/client";
import { auditLog } from "./platform/db/schema";
import { createApp } from "./server";

const root = join(import.meta.dir, "..");
const ORIGIN = "https://nas.example";
const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function tempDataDir() {
  const dir = mkdtempSync(join(tmpdir(), "nas-cli-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs the real CLI in its own process, the way an admin would. */
async function nas(dataDir: string, ...args: string[]) {
  const proc = Bun.spawn(["bun", "app/cli.ts", ...args], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, ORIGIN, PORT: "8080" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { stdout, stderr, code };
}

/** The web app on the same data dir, to check what the CLI wrote from the server's side. */
function appOn(dataDir: string) {
  const db = openDb(join(dataDir, "db.sqlite"), { log: () => {} });
  const config = loadConfig([], { DATA_DIR: dataDir, ORIGIN });
  const app = createApp({ config, db, secret: Buffer.from(randomToken(32)), clientIp: () => "127.0.0.1" });
  cleanups.unshift(() => db.$client.close());
  return { app, db, auth: app.services.auth, get: (path: string) => app.handle(new Request(`${ORIGIN}${path}`)) };
}

const linkIn = (stdout: string, path: string) => {
  const m = new RegExp(`${ORIGIN.replace(/\./g, "\\.")}${path.replace(/\?/g, "\\?")}([A-Za-z0-9_-]{20,})`).exec(stdout);
  if (!m) throw new Error(`no ${path} link in: ${stdout}`);
  return m[1]!;
};

describe("nas user", () => {
  test("add --admin creates the admin on a fresh data dir and prints an enrolment link the server accepts", async () => {
    const dir = tempDataDir();
    const r = await nas(dir, "user", "add", "Alice", "--admin", "--name", "Alice Liddell");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Created admin alice ("Alice Liddell")');
    const token = linkIn(r.stdout, "/enroll/");

    const { auth, get, db } = appOn(dir);
    expect(auth.users.byName("alice")).toMatchObject({ role: "admin", displayName: "Alice Liddell" });
    expect(auth.users.setupDone()).toBe(true);
    expect(auth.invites.enrollmentUser(token)?.username).toBe("alice");
    const page = await get(`/enroll/${token}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Set up your passkey");
    expect(html).not.toContain("This link is invalid");
    expect((await get("/enroll/not-a-real-token")).status).toBe(200);
    expect(await (await get("/enroll/not-a-real-token")).text()).toContain("This link is invalid");
    expect(
      db
        .select()
        .from(auditLog)
        .all()
        .map((a) => a.action),
    ).toContain("cli.user.add");
  });

  test("add without --admin makes a plain user; list shows both; a taken name fails with exit 1", async () => {
    const dir = tempDataDir();
    expect((await nas(dir, "user", "add", "admin", "--admin")).code).toBe(0);
    const bob = await nas(dir, "user", "add", "bob");
    expect(bob.code).toBe(0);
    expect(bob.stdout).toContain('Created user bob ("bob")');

    const list = await nas(dir, "user", "list");
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^USERNAME\s+ROLE\s+NAME\s+PASSKEYS/m);
    expect(list.stdout).toMatch(/^admin\s+admin\s+admin\s+0\s/m);
    expect(list.stdout).toMatch(/^bob\s+user\s+bob\s+0\s/m);

    const again = await nas(dir, "user", "add", "bob");
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("That username is taken.");
    const bad = await nas(dir, "user", "add", "<script>");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("Usernames are 1–32 characters");
    expect(appOn(dir).auth.users.list().length).toBe(2);
  });

  test("reset removes sessions and prints a fresh enrolment link; an unknown user fails with exit 1", async () => {
    const dir = tempDataDir();
    await nas(dir, "user", "add", "carol");
    const { auth } = appOn(dir);
    const carol = auth.users.byName("carol")!;
    const sid = auth.sessions.create(carol.id, { ip: null, userAgent: null });
    expect(auth.sessions.resolve(sid)).not.toBeNull();

    const r = await nas(dir, "user", "reset", "carol");
    expect(r.code).toBe(0);
    await Bun.sleep(250); // the web process sees another process's commit within 0.2 s (cached sessions)
    expect(auth.sessions.resolve(sid)).toBeNull();
    expect(auth.invites.enrollmentUser(linkIn(r.stdout, "/enroll/"))?.id).toBe(carol.id);

    const missing = await nas(dir, "user", "reset", "nobody");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No user named "nobody"');
  });
});

describe("nas user quota", () => {
  test("sets a quota in GB the server enforces, lists it, removes it with none; bad input changes nothing", async () => {
    const dir = tempDataDir();
    expect((await nas(dir, "user", "add", "alice")).code).toBe(0);
    const set = await nas(dir, "user", "quota", "alice", "1.5");
    expect(set.code).toBe(0);
    expect(set.stdout).toContain("alice may now store 1.5 GB.");
    expect((await nas(dir, "user", "list")).stdout).toMatch(/alice\s+user\s+alice\s+0\s+\S+\s+1.5 GB\s+active/);
    const bad = await nas(dir, "user", "quota", "alice", "lots");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("Enter the quota in GB");
    expect((await nas(dir, "user", "quota", "nobody", "5")).code).toBe(1);
    const { auth, db } = appOn(dir);
    expect(auth.users.byName("alice")?.quotaBytes).toBe(1_500_000_000);
    expect(
      db
        .select()
        .from(auditLog)
        .all()
        .filter((r) => r.action === "cli.user.quota"),
    ).toHaveLength(1);
    expect((await nas(dir, "user", "quota", "alice", "none")).stdout).toContain("alice may now store without limit.");
    expect(auth.users.byName("alice")?.quotaBytes).toBeNull();
  });
});

describe("nas token", () => {
  test("create prints a token that authenticates as the user; revoke makes it stop working", async () => {
    const dir = tempDataDir();
    await nas(dir, "user", "add", "dave");
    const created = await nas(dir, "token", "create", "dave", "backup script");
    expect(created.code).toBe(0);
    const token = /^(nas_[A-Za-z0-9_-]+)$/m.exec(created.stdout)?.[1];
    const id = /\(id ([0-9a-f-]{36})\)/.exec(created.stdout)?.[1];
    expect(token).toBeDefined();
    expect(id).toBeDefined();

    const { auth } = appOn(dir);
    expect(auth.tokens.resolve(token!)?.user.username).toBe("dave");
    expect((await nas(dir, "token", "list", "dave")).stdout).toContain(`${id}  backup script`);

    const revoked = await nas(dir, "token", "revoke", id!);
    expect(revoked.code).toBe(0);
    expect(auth.tokens.resolve(token!)).toBeNull();
    expect((await nas(dir, "token", "list", "dave")).stdout).toContain("No active tokens.");

    const twice = await nas(dir, "token", "revoke", id!);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain("No such token.");
  });
});

describe("nas invite and status", () => {
  test("invite prints a registration link that the register page accepts", async () => {
    const dir = tempDataDir();
    await nas(dir, "user", "add", "admin", "--admin");
    const r = await nas(dir, "invite");
    expect(r.code).toBe(0);
    const token = linkIn(r.stdout, "/register?invite=");
    const { auth } = appOn(dir);
    expect(auth.invites.canRegister(token)).toEqual({ allowed: true });
    expect(auth.invites.canRegister("made-up")).toMatchObject({ allowed: false });
  });

  test("status reports the data dir, database check, users, setup, jobs and disk", async () => {
    const dir = tempDataDir();
    await nas(dir, "user", "add", "eve");
    const { app } = appOn(dir);
    app.services.jobs.enqueue("db.backup");
    const r = await nas(dir, "status");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`data dir:    ${dir}`);
    expect(r.stdout).toContain("integrity:   quick_check ok");
    expect(r.stdout).toContain("users:       1 (0 admins)");
    expect(r.stdout).toContain("setup:       not done");
    expect(r.stdout).toContain("jobs:        queued 1, running 0, done 0, failed 0");
    expect(r.stdout).toMatch(/disk free:\s+[\d.]+ [KMGT]?B of [\d.]+ [KMGT]?B/);
  });

  test("commands other than user add refuse a data dir without a database", async () => {
    const dir = tempDataDir();
    const r = await nas(dir, "status");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("No database at");
  });
});

test("run as root on a data dir owned by the service user, files it creates belong to that user", async () => {
  if (process.getuid?.() !== 0) throw new Error("this test runs as root, like CI and the box's admin shell");
  const dir = tempDataDir();
  chownSync(dir, 65534, 65534);
  const r = await nas(dir, "user", "add", "frank");
  expect(r.code).toBe(0);
  for (const name of ["db.sqlite", "db.sqlite-wal", "db.sqlite-shm"]) {
    if (existsSync(join(dir, name))) expect(statSync(join(dir, name)).uid).toBe(65534);
  }
  expect(statSync(join(dir, "db.sqlite")).uid).toBe(65534);
});

test("run as root from a checkout the service user cannot read (a clone in /root or a 0700 folder): the commands still work", async () => {
  if (process.getuid?.() !== 0) throw new Error("this test runs as root, like CI and the box's admin shell");
  // A copy of the code in a folder only root may enter; its packages are this checkout's (resolved through the copy).
  const hidden = mkdtempSync(join(tmpdir(), "nas-private-checkout-"));
  cleanups.push(() => rmSync(hidden, { recursive: true, force: true }));
  expect(statSync(hidden).mode & 0o777).toBe(0o700);
  for (const part of ["app", "views", "hw", "provision", "package.json", "tsconfig.json", "bunfig.toml"])
    cpSync(join(root, part), join(hidden, part), { recursive: true });
  symlinkSync(join(root, "node_modules"), join(hidden, "node_modules"));
  const dir = tempDataDir();
  chownSync(dir, 65534, 65534);
  const photos = tempDataDir();
  chmodSync(photos, 0o755); // the folder to import must be readable by the data dir's owner, whom nas runs as
  writeFileSync(join(photos, "a.txt"), "imported from a private checkout");
  const run = async (...args: string[]) => {
    const proc = Bun.spawn(["bun", "app/cli.ts", ...args], { cwd: hidden, env: { ...process.env, DATA_DIR: dir, ORIGIN }, stdout: "pipe", stderr: "pipe" });
    const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    return { stdout, stderr, code };
  };
  const added = await run("user", "add", "grace", "--admin");
  expect(added.stderr).toBe("");
  expect(added.code).toBe(0);
  const imported = await run("import", photos, "--user", "grace");
  expect([imported.code, imported.stderr]).toEqual([0, ""]);
  expect(imported.stdout).toContain("Imported 1 file for grace");
  expect(statSync(join(dir, "db.sqlite")).uid).toBe(65534);
});

describe("usage errors exit with 2 and print the usage", () => {
  const cases: [string, string[], string][] = [
    ["no command", [], "Give a command."],
    ["unknown command", ["frobnicate"], 'Unknown command "nas frobnicate"'],
    ["unknown subcommand", ["user", "delete", "x"], 'Unknown command "nas user delete"'],
    ["missing argument", ["user", "add"], '"nas user add" takes <username>'],
    ["extra argument", ["token", "create", "a", "b", "c"], '"nas token create" takes <username> <name>'],
    ["unknown flag", ["status", "--verbose"], "Unknown option '--verbose'"],
    ["flag of another command", ["user", "list", "--admin"], '--admin does not apply to "nas user list"'],
    ["bad config value", ["status", "--port", "99999"], "PORT must be 0-65535"],
  ];
  for (const [name, args, message] of cases) {
    test(name, async () => {
      const r = await nas(tempDataDir(), ...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr).toContain("Usage: nas");
    });
  }

  test("--help prints the usage and exits 0", async () => {
    const r = await nas(tempDataDir(), "--help");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("user add <username> [--admin]");
  });
});

describe("nas import and nas media", () => {
  test("import copies a folder into the user's Drive with progress, skips content already stored, and queues media work", async () => {
    const dir = tempDataDir();
    await nas(dir, "user", "add", "eve");
    const src = join(tempDataDir(), "Holiday");
    const photos = join(import.meta.dir, "../test/fixtures/photos");
    const { mkdirSync, copyFileSync, symlinkSync } = await import("node:fs");
    mkdirSync(join(src, "Day 1"), { recursive: true });
    copyFileSync(join(photos, "gps/DSCN0010.jpg"), join(src, "Day 1", "a.jpg"));
    copyFileSync(join(photos, "gps/DSCN0010.jpg"), join(src, "same-as-a.jpg"));
    copyFileSync(join(photos, "README.md"), join(src, "notes.md"));
    symlinkSync("/etc/passwd", join(src, "passwd"));
    expect((await nas(dir, "import", src)).code).toBe(2); // --user is required

    const r = await nas(dir, "import", src, "--user", "eve");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("[1/3] imported: Day 1/a.jpg");
    expect(r.stdout).toContain("[3/3] already stored, skipped: same-as-a.jpg");
    expect(r.stdout).toContain("Imported 2 files for eve; 1 already stored; 0 failed.");
    expect((await nas(dir, "import", src, "--user", "eve")).stdout).toContain("Imported 0 files for eve; 3 already stored");

    const { app, auth, db } = appOn(dir);
    const eve = auth.users.byName("eve")!;
    const names = db.$client
      .query<{ name: string }, [string]>("select name from files where user_id = ? order by seq")
      .all(eve.id)
      .map((f) => f.name);
    expect(names).toEqual(["", "Imported", "Holiday", "Day 1", "a.jpg", "notes.md"]);
    expect(app.services.jobs.counts().queued).toBe(1); // one photo; the notes are not media

    // Still waiting for its job (no worker here): its job will use the current pipeline, so nothing is queued twice.
    expect((await nas(dir, "media", "reprocess")).stdout).toContain("Every photo and video is up to date.");
    db.$client.run("UPDATE media SET status = 'done', version = 0"); // made by an older pipeline
    expect((await nas(dir, "media", "reprocess")).stdout).toContain("Queued 1 photos and videos again");

    // The audit log says who imported what, for whom and from where (not "anonymous used the admin command line").
    const root = auth.users.add({ username: "root", displayName: "Root", role: "admin" }, null).user;
    const sid = auth.sessions.create(root.id, { ip: "127.0.0.1", userAgent: "cli-test" });
    const log = await (await app.handle(new Request(`${ORIGIN}/settings/audit`, { headers: { cookie: `nas_session=${sid}` } }))).text();
    expect(log.replaceAll("&#x27;", "'")).toContain(
      `<strong>the administrator</strong> <span>imported 2 files for eve from ${src} (1 already stored, 0 failed) on the command line</span>`,
    );
    expect(log).not.toContain("<strong>anonymous</strong> <span>used the admin command line</span>");
  });
});

test("runs from any folder, as `nas` does over SSH (the box's wrapper runs /opt/nasd/app/cli.ts from the admin's folder)", async () => {
  // Bun takes the JSX settings from the folder it runs in: a view in the CLI's imports would fail to compile there
  // ("Cannot find module 'react/jsx-dev-runtime'"), and every command with it. The CLI must load no view.
  const elsewhere = tempDataDir();
  const dir = tempDataDir();
  const run = async (...args: string[]) => {
    const proc = Bun.spawn(["bun", join(root, "app/cli.ts"), ...args], {
      cwd: elsewhere,
      env: { ...process.env, DATA_DIR: dir, ORIGIN },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    return { stdout, stderr, code };
  };
  appOn(dir); // the database, as the server makes it
  expect(await run("user", "add", "ada", "--admin")).toMatchObject({ code: 0, stderr: "" });
  const token = await run("token", "create", "ada", "a script");
  expect([token.code, token.stderr]).toEqual([0, ""]);
  expect(token.stdout.trim().split("\n").at(-1)).toMatch(/^nas_[A-Za-z0-9_-]{40,}$/);
});
