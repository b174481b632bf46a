#!/usr/bin/env bun
// Admin CLI: works on the same data dir and config as the server (DATA_DIR / --data-dir, ORIGIN / --origin).
import { existsSync, readdirSync, statfsSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { parseArgs } from "node:util";
import { configFlags, linkOrigin, loadConfig, type Config } from "./platform/config";
import { loadMigrations, openDb, type Db } from "./platform/db/client";
import { listBackups } from "./dashboard/backups";
import { createDrive, createServices, type Services } from "./services";
import { AppError } from "./platform/errors";
import { isAdmin } from "./access/viewer";
import { APP_ROOT, dataPaths } from "./platform/paths";
import { terminal, setLogLevel } from "./platform/log";

const USAGE = `Usage: nas [--data-dir DIR] [--origin URL] <command>

Commands:
  user add <username> [--admin] [--name "Display Name"]   create an account; prints its one-time passkey enrolment link
  user list                                               list accounts
  user reset <username>                                   remove the user's passkeys, sessions and recovery codes; prints a new enrolment link
  user quota <username> <GB|none>                         set how much the user may store (none: no limit)
  token create <username> <name>                          create an app token (shown once) for scripts and clients
  token list <username>                                   list a user's active app tokens
  token revoke <id>                                       revoke an app token
  invite                                                  print a one-time registration link (registration policy "invite")
  status                                                  data dir, database check, users, setup, jobs, disk space
  import <dir> --user <username>                          copy a folder of photos/files into the user's Drive (Imported/<dir name>/…),
                                                          skipping content the user already stores (same SHA-256)
  media reprocess [--all]                                 queue again the photos and videos made by an older pipeline (--all: every one)

Options:
  --data-dir DIR   data directory (default: $DATA_DIR or ./data)
  --origin URL     public origin for printed links (default: $ORIGIN or http://localhost:$PORT)
  -h, --help       this text
`;

class UsageError extends Error {}
class CliError extends Error {}

const options = {
  ...configFlags,
  admin: { type: "boolean" },
  name: { type: "string" },
  user: { type: "string" },
  all: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

type Flags = { admin?: boolean; name?: string; user?: string; all?: boolean };
type Out = { print: (line: string) => void; warn: (line: string) => void };

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

const humanBytes = (n: number) => {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) (n /= 1000), i++;
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
};

/**
 * Run as the owner of the data dir: a root shell on the box must not leave root-owned files there (a new WAL, the
 * database itself) that the server, running as its own user, then cannot write. What needs the code (the migration
 * files, modules loaded on first use) is read first, while still root: that user may not be able to read the code
 * (a checkout in /root or in a 0700 folder).
 */
async function becomeDataDirOwner(dataDir: string) {
  if (process.getuid?.() !== 0 || !existsSync(dataDir)) return;
  const { uid, gid } = statSync(dataDir);
  if (uid === 0) return;
  loadMigrations();
  await Promise.all(LOADED_ON_FIRST_USE.map((load) => load()));
  process.setgroups?.([gid]);
  process.setgid?.(gid);
  process.setuid?.(uid);
}

/** Modules the commands load on first use (Drive's content sniffing for `nas import`), loaded before dropping root. */
const LOADED_ON_FIRST_USE = [() => import("file-type")];

/** An error reading the code after root was dropped, said as what it is rather than a stack. */
function unreadableCode(e: unknown): CliError | null {
  const { code, path, message } = e as { code?: string; path?: string; message?: string };
  const mentioned = path ?? message ?? "";
  if (process.getuid?.() === 0 || !mentioned.includes(APP_ROOT) || (code !== "EACCES" && code !== "ENOENT")) return null;
  return new CliError(
    `The data dir's owner (uid ${process.getuid?.()}) cannot read the code at ${APP_ROOT}, so this command cannot finish as that user. Run nas from a checkout that user can read (e.g. /opt/nasd), or make its folders readable.`,
  );
}

/** Every entry under `root`; a folder the data dir's owner (whom nas runs as) cannot read is said as such. */
function readFolder(root: string) {
  try {
    return readdirSync(root, { recursive: true, withFileTypes: true });
  } catch (e) {
    if ((e as { code?: string }).code !== "EACCES") throw e;
    throw new CliError(
      `${root} cannot be read by uid ${process.getuid?.()} (the data dir's owner, whom nas runs as): make it readable, or copy it somewhere that user can read.`,
    );
  }
}

function userNamed(s: Services, username: string) {
  const user = s.auth.users.byName(username.trim().toLowerCase());
  if (!user) throw new CliError(`No user named "${username}". See "nas user list".`);
  return user;
}

type Ctx = { config: Config; db: Db; services: Services; out: Out; origin: string; audit: (action: string, objectId: string | null, detail?: string) => void };
type Command = {
  args: string[];
  flags: (keyof Flags)[];
  /** `user add` may create the database (headless setup); every other command needs the server to have made it. */
  createsDatabase?: boolean;
  run: (args: string[], flags: Flags, ctx: Ctx) => void | Promise<void>;
};

const commands: Record<string, Command> = {
  "user add": {
    args: ["username"],
    flags: ["admin", "name"],
    createsDatabase: true,
    run(args, flags, { services: s, out, origin, audit }) {
      const { user, enrollToken } = s.auth.users.add({ username: args[0]!, displayName: flags.name, role: flags.admin ? "admin" : "user" }, null);
      audit("user.add", user.id);
      out.print(`Created ${user.role} ${user.username} ("${user.displayName}").`);
      out.print(`Send this one-time link to enrol a passkey (valid 7 days):`);
      out.print(`${origin}/enroll/${enrollToken}`);
    },
  },
  "user list": {
    args: [],
    flags: [],
    run(_args, _flags, { services: s, out, origin }) {
      const users = s.auth.users.list();
      if (users.length === 0) {
        out.print(`No users yet. Open ${origin}/setup or run "nas user add <username> --admin".`);
        return;
      }
      const rows = users.map((u) => [
        u.username,
        u.role,
        u.displayName,
        String(s.auth.passkeys.of(u.id).length),
        u.createdAt.toISOString().slice(0, 10),
        u.quotaBytes === null ? "none" : `${u.quotaBytes / 1e9} GB`,
        u.disabledAt ? "disabled" : "active",
      ]);
      const header = ["USERNAME", "ROLE", "NAME", "PASSKEYS", "CREATED", "QUOTA", "STATE"];
      const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
      for (const r of [header, ...rows])
        out.print(
          r
            .map((c, i) => c.padEnd(widths[i]!))
            .join("  ")
            .trimEnd(),
        );
    },
  },
  "user reset": {
    args: ["username"],
    flags: [],
    run(args, _flags, { services: s, out, origin, audit }) {
      const { user, enrollToken } = s.auth.users.reset(userNamed(s, args[0]!).id, null);
      audit("user.reset", user.id);
      out.print(`Reset ${user.username}: passkeys, sessions and recovery codes removed.`);
      out.print(`Send this one-time link to enrol a new passkey (valid 7 days):`);
      out.print(`${origin}/enroll/${enrollToken}`);
    },
  },
  "user quota": {
    args: ["username", "GB|none"],
    flags: [],
    run(args, _flags, { services: s, out, audit }) {
      const user = s.auth.users.setQuota(userNamed(s, args[0]!).id, args[1] === "none" ? "" : args[1]!);
      audit("user.quota", user.id);
      out.print(`${user.username} may now store ${user.quotaBytes === null ? "without limit" : `${user.quotaBytes / 1e9} GB`}.`);
    },
  },
  "token create": {
    args: ["username", "name"],
    flags: [],
    run(args, _flags, { services: s, out, audit }) {
      const user = userNamed(s, args[0]!);
      const { id, token } = s.auth.tokens.create(user.id, args[1]!);
      audit("token.create", id);
      out.print(`App token "${args[1]!.trim()}" for ${user.username} (id ${id}). It is shown only this once:`);
      out.print(token);
    },
  },
  "token list": {
    args: ["username"],
    flags: [],
    run(args, _flags, { services: s, out }) {
      const tokens = s.auth.tokens.of(userNamed(s, args[0]!).id);
      if (tokens.length === 0) out.print("No active tokens.");
      for (const t of tokens) out.print(`${t.id}  ${t.name}  created ${t.createdAt.toISOString()}  last used ${t.lastUsedAt?.toISOString() ?? "never"}`);
    },
  },
  "token revoke": {
    args: ["id"],
    flags: [],
    run(args, _flags, { services: s, out, audit }) {
      s.auth.tokens.revokeById(args[0]!);
      audit("token.revoke", args[0]!);
      out.print(`Revoked token ${args[0]}.`);
    },
  },
  invite: {
    args: [],
    flags: [],
    run(_args, _flags, { services: s, out, origin, audit }) {
      const policy = s.settings.all().registrationPolicy;
      if (policy !== "invite")
        out.warn(
          `Note: registration policy is "${policy}"; ${policy === "closed" ? 'this link will not work until it is "invite"' : "anyone can register without a link"} (Settings → Registration).`,
        );
      const token = s.auth.invites.create(null);
      audit("invite.create", null);
      out.print(`One-time registration link (valid 7 days):`);
      out.print(`${origin}/register?invite=${token}`);
    },
  },
  import: {
    args: ["dir"],
    flags: ["user"],
    async run(args, flags, { config, db, services: s, out, audit }) {
      if (!flags.user) throw new UsageError(`"nas import" needs --user <username>`);
      const user = userNamed(s, flags.user);
      const root = resolve(args[0]!);
      if (!existsSync(root) || !statSync(root).isDirectory()) throw new CliError(`${root} is not a folder.`);
      const drive = createDrive(s, { db, config });
      // Regular files only: a symlink could point anywhere on the box.
      const files = readFolder(root)
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name))
        .sort();
      const counts = { imported: 0, duplicates: 0, failed: 0 };
      for (const [i, path] of files.entries()) {
        const folders = ["Imported", basename(root), ...relative(root, dirname(path)).split(sep).filter(Boolean)];
        try {
          const file = await drive.importFile(user, folders, basename(path), Bun.file(path).stream());
          counts[file ? "imported" : "duplicates"]++;
          out.print(`[${i + 1}/${files.length}] ${file ? "imported" : "already stored, skipped"}: ${relative(root, path)}`);
        } catch (e) {
          counts.failed++;
          out.warn(`[${i + 1}/${files.length}] not imported: ${relative(root, path)}: ${(e as Error).message}`);
        }
      }
      const nFiles = (n: number) => `${n} ${n === 1 ? "file" : "files"}`;
      audit("import", user.id, `${nFiles(counts.imported)} for ${user.username} from ${root} (${counts.duplicates} already stored, ${counts.failed} failed)`);
      out.print(
        `Imported ${nFiles(counts.imported)} for ${user.username}; ${counts.duplicates} already stored; ${counts.failed} failed. Photos and videos are processed by the worker.`,
      );
      if (counts.failed) throw new CliError(`${counts.failed} files could not be imported.`);
    },
  },
  "media reprocess": {
    args: [],
    flags: ["all"],
    run(_args, flags, { services: s, out, audit }) {
      const n = s.media.reprocess({ all: flags.all });
      audit("media.reprocess", null);
      out.print(n === 0 ? "Every photo and video is up to date." : `Queued ${n} photos and videos again; the worker processes them in the background.`);
    },
  },
  status: {
    args: [],
    flags: [],
    run(_args, _flags, { config, db, services: s, out, origin }) {
      const dbPath = dataPaths(config.dataDir).db;
      const check = db.$client
        .query<{ quick_check: string }, []>("PRAGMA quick_check")
        .all()
        .map((r) => r.quick_check);
      const healthy = check.length === 1 && check[0] === "ok";
      const users = s.auth.users.list();
      const admins = users.filter(isAdmin).length;
      const jobs = s.jobs.counts();
      const fs = statfsSync(config.dataDir);
      const backups = listBackups(dataPaths(config.dataDir).backups);
      const lines: [string, string][] = [
        ["data dir", config.dataDir],
        ["origin", config.origins.join(", ")],
        ["database", `${dbPath} (${humanBytes(statSync(dbPath).size)})`],
        ["integrity", healthy ? "quick_check ok" : `QUICK_CHECK FAILED: ${check.slice(0, 5).join("; ")}`],
        ["users", `${users.length} (${admins} admin${admins === 1 ? "" : "s"})`],
        ["setup", s.auth.users.setupDone() ? "done" : `not done: open ${origin}/setup or run "nas user add <username> --admin"`],
        ["jobs", `queued ${jobs.queued}, running ${jobs.running}, done ${jobs.done}, failed ${jobs.failed}`],
        ["last backup", backups[0] ? `${backups[0].name} (${humanBytes(backups[0].bytes)})` : "none yet"],
        ["disk free", `${humanBytes(fs.bavail * fs.bsize)} of ${humanBytes(fs.blocks * fs.bsize)}`],
      ];
      for (const [k, v] of lines) out.print(`${(k + ":").padEnd(13)}${v}`);
      if (!healthy) throw new CliError("The database check failed: restore the latest backup from the backups folder.");
    },
  },
};

/** Runs one command; returns the process exit code (0 ok, 1 failed, 2 usage). */
export async function main(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
  out: Out = { print: terminal.out, warn: terminal.err },
): Promise<number> {
  let db: Db | null = null;
  try {
    const { values, positionals } = parse(argv);
    if (values.help || positionals[0] === "help") {
      out.print(USAGE);
      return 0;
    }
    const group = positionals[0] ?? "";
    const name = ["user", "token", "media"].includes(group) ? `${group} ${positionals[1] ?? ""}`.trim() : group;
    const command = commands[name];
    if (!command) throw new UsageError(name ? `Unknown command "nas ${name}".` : "Give a command.");
    const args = positionals.slice(name.split(" ").length);
    if (args.length !== command.args.length) {
      throw new UsageError(`"nas ${name}" takes ${command.args.length ? command.args.map((a) => `<${a}>`).join(" ") : "no arguments"}`);
    }
    const flags: Flags = { admin: values.admin, name: values.name, user: values.user, all: values.all };
    for (const key of Object.keys(flags) as (keyof Flags)[]) {
      if (flags[key] !== undefined && !command.flags.includes(key)) throw new UsageError(`--${key} does not apply to "nas ${name}"`);
    }

    let config: Config;
    try {
      config = loadConfig(argv, env);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    setLogLevel(config.logLevel);
    await becomeDataDirOwner(config.dataDir);
    const dbPath = dataPaths(config.dataDir).db;
    if (!existsSync(dbPath) && !command.createsDatabase) {
      throw new CliError(`No database at ${dbPath}. Start the server once, or pass the right --data-dir (or DATA_DIR).`);
    }
    db = openDb(dbPath, { log: out.warn });
    const services = createServices({ db, config });
    const audit = (action: string, objectId: string | null, detail = "admin CLI") =>
      services.audit.record({ action: `cli.${action}`, objectId, ok: true, detail });
    await command.run(args, flags, { config, db, services, out, origin: linkOrigin(config, argv, env), audit });
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      out.warn(`nas: ${e.message}\n`);
      out.warn(USAGE);
      return 2;
    }
    if (e instanceof CliError || e instanceof AppError) {
      out.warn(`nas: ${e.message}`);
      return 1;
    }
    const unreadable = unreadableCode(e);
    if (unreadable) {
      out.warn(`nas: ${unreadable.message}`);
      return 1;
    }
    out.warn(`nas: unexpected error: ${(e as Error).stack ?? String(e)}`);
    return 1;
  } finally {
    db?.$client.close();
  }
}

if (import.meta.main) process.exit(await main(process.argv.slice(2)));
