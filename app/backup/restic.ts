/**
 * The one way this feature runs restic (Debian's 0.14): an argument array through `hw/run.ts`, never a secret in
 * it. The password, the repository address (which for another box carries its pairing token) and any credentials
 * are files of the target (`<data>/backup/targets/<id>/`, 0600) that restic reads itself (RESTIC_PASSWORD_FILE,
 * RESTIC_REPOSITORY_FILE) or variables of its environment (S3 keys): never its command line, never a log line.
 *
 * restic retries a failing backend call ten times over about a minute. A full target or a host box's quota does not
 * get better in a minute, so such a retry report ends the run at once with a clear sentence; a target that answers
 * nothing at all for `stallMs` (a dead link) ends it too. restic is stopped with SIGINT, the only signal on which
 * it removes its lock.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Runner } from "../../hw/run";
import { AppError } from "../platform/errors";
import { dataPaths } from "../platform/paths";

export type TargetKind = "local" | "sftp" | "rest" | "s3" | "rclone";

/** Why a restic command failed, in words a person can act on. */
export type FailureReason =
  | "wrong-password"
  | "not-authorized"
  | "no-repository"
  | "locked"
  | "target-full"
  | "unreachable"
  | "stalled"
  | "refused"
  | "damaged"
  | "interrupted"
  | "failed";

export class ResticFailure extends AppError {
  constructor(
    readonly reason: FailureReason,
    message: string,
    /** restic's own last words, secrets removed (for the log and the status detail). */
    readonly detail: string,
  ) {
    // A wrong password, a key the server does not know or a refusal will not fix itself: permanent (400). The rest may: retried (503).
    super(["wrong-password", "not-authorized", "refused", "no-repository"].includes(reason) ? 400 : 503, message);
  }
}

/** A target's secret files. */
export function targetFiles(dataDir: string, targetId: string) {
  const dir = dataPaths(dataDir).backup.target(targetId);
  return {
    dir,
    password: join(dir, "password"),
    /** The full repository address restic opens (with another box's pairing token in it). */
    repository: join(dir, "repository"),
    /** KEY=VALUE lines for restic's environment: S3 access keys. */
    env: join(dir, "env"),
    rcloneConfig: join(dir, "rclone.conf"),
    /** Another box's certificate, pinned at pairing. */
    cacert: join(dir, "ca.pem"),
    knownHosts: join(dir, "known_hosts"),
  };
}

export type TargetFiles = ReturnType<typeof targetFiles>;

export type ResticTarget = { id: string; kind: TargetKind; port: number | null };

export type ResticOptions = {
  /** JSON lines restic prints on stdout (`--json`): status and summary of a backup. */
  onJson?: (message: Record<string, unknown>) => void;
  /** Lines of text on stdout (progress of `check`, output of `snapshots` without --json). */
  onLine?: (line: string) => void;
  signal?: AbortSignal;
  /** Stop when restic reports no progress for this long (backups: a link that went dead). */
  stallMs?: number;
  timeoutMs?: number;
  cwd?: string;
  lowPriority?: boolean;
  limitUploadKiB?: number | null;
  /** What a run may take from stdout (a `dump` of a database goes to a file instead). */
  maxOutputBytes?: number;
};

export type ResticDeps = {
  dataDir: string;
  run: Runner;
  /** The restic program (tests may wrap it, e.g. under faketime); default: restic from PATH. */
  restic?: readonly string[];
  /** Added to restic's environment (tests: a far-off clock). */
  env?: Record<string, string>;
};

const DAY = 24 * 3600_000;

/** Every line that could carry a secret is passed through this before it is stored or logged. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 6) out = out.split(s).join("…");
  // restic shows REST addresses as rest:https://user:***@host/; anything else that looks like a password in a URL goes too.
  return out.replace(/(\w+:\/\/[^\s:/@]+:)[^\s@/]+@/g, "$1…@");
}

function readEnvFile(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  const env: Record<string, string> = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m) env[m[1]!] = m[2]!;
  }
  return env;
}

/** restic's stderr and exit code → a reason and a sentence. */
export function classify(stderr: string, code: number | null, signal: string | null): { reason: FailureReason; message: string } {
  const has = (re: RegExp) => re.test(stderr);
  if (has(/wrong password or no key found/i)) return { reason: "wrong-password", message: "The password does not open this repository." };
  if (has(/Is there a repository at the following location\?|unable to open config file/i))
    return { reason: "no-repository", message: "There is no backup repository at this location (yet)." };
  if (has(/repository is already locked/i)) return { reason: "locked", message: "The repository is locked by another backup or maintenance run." };
  if (has(/no space left on device|disk quota exceeded|507 Insufficient Storage|413 Request Entity Too Large|\(507\)|\(413\)/i))
    return { reason: "target-full", message: "The backup target is full (or this box's quota on it is used up)." };
  if (has(/Permission denied \(publickey/i))
    return {
      reason: "not-authorized",
      message: "The server refused this box's SSH key: add the key shown on this page to the account's ~/.ssh/authorized_keys.",
    };
  if (has(/\(403\)|403 Forbidden|blob not removed|permission denied/i))
    return { reason: "refused", message: "The target refused the change (an append-only repository keeps every snapshot)." };
  if (has(/repository contains errors|pack .* (contains|damaged)|ciphertext verification failed|invalid data returned/i))
    return { reason: "damaged", message: "The check found damaged data in the repository." };
  if (
    has(
      /connection refused|no such host|i\/o timeout|network is unreachable|connection reset|broken pipe|EOF|ssh: |Connection closed|unable to start the sftp session|context deadline exceeded|TLS handshake|certificate|host key verification failed/i,
    )
  )
    return { reason: "unreachable", message: "The backup target could not be reached." };
  if (signal || code === 130) return { reason: "interrupted", message: "The run was interrupted." };
  return { reason: "failed", message: "restic failed." };
}

/** The last meaningful lines of restic's stderr (progress noise and retry chatter dropped), for a person to read. */
function lastWords(stderr: string): string {
  const lines = stderr
    .replace(/\u001b\[[0-9;]*[A-Za-z]/g, "")
    .split("\n")
    .map((l) => l.trim())
    // Not the retry chatter, nor the Go stack frames restic prints after some errors.
    .filter((l) => l && !/retrying after|signal interrupt received|\.go:\d+|^(runtime|main|golang\.org|github\.com)[./]/.test(l));
  return lines.slice(-3).join(" ").slice(0, 500);
}

/** Retry reports that will not get better by retrying: stop now rather than after restic's minute of retries. */
const HOPELESS: [RegExp, FailureReason, string][] = [
  [
    /returned error, retrying after .*(no space left on device|disk quota exceeded|\(507\)|\(413\))/i,
    "target-full",
    "The backup target is full (or this box's quota on it is used up).",
  ],
  [/Remove\(.*returned error, retrying after .*\(403\)/i, "refused", "The target refused to delete (an append-only repository keeps every snapshot)."],
];

/**
 * restic's flags for this target: for sftp, ssh with the box's key and this target's own known_hosts (first
 * connection: trusted, recorded, shown); another box's pinned certificate; the upload limit.
 */
function globalFlags(target: ResticTarget, files: TargetFiles, sshKey: string, opts: ResticOptions): string[] {
  const flags: string[] = [];
  if (target.kind === "sftp") {
    const ssh = [
      "ssh",
      "-F",
      "/dev/null",
      "-i",
      sshKey,
      "-o",
      "IdentitiesOnly=yes",
      "-o",
      "BatchMode=yes",
      "-o",
      `UserKnownHostsFile=${files.knownHosts}`,
      "-o",
      "StrictHostKeyChecking=accept-new",
      "-o",
      "ConnectTimeout=20",
      "-o",
      "ServerAliveInterval=15",
      "-p",
      String(target.port ?? 22),
    ];
    const location = readFileSync(files.repository, "utf8").trim();
    const m = /^sftp:([^:]+):/.exec(location);
    if (!m) throw new AppError(400, "The SFTP address must look like sftp:user@host:/path.");
    flags.push("-o", `sftp.command=${[...ssh, m[1]!, "-s", "sftp"].join(" ")}`);
  }
  if (existsSync(files.cacert)) flags.push("--cacert", files.cacert);
  if (opts.limitUploadKiB) flags.push("--limit-upload", String(opts.limitUploadKiB));
  return flags;
}

export function createRestic(deps: ResticDeps, target: ResticTarget) {
  const files = targetFiles(deps.dataDir, target.id);
  const paths = dataPaths(deps.dataDir).backup;
  const scratch = join(paths.root, "tmp");

  /** The secrets of this target, to scrub from anything restic says. */
  function secrets(): string[] {
    const out: string[] = [];
    if (existsSync(files.password)) out.push(readFileSync(files.password, "utf8").trim());
    for (const v of Object.values(readEnvFile(files.env))) out.push(v);
    // Another box's address carries its pairing token; other addresses are no secret.
    const repository = existsSync(files.repository) ? readFileSync(files.repository, "utf8") : "";
    const token = /\/\/[^:/@]+:([^@/]+)@/.exec(repository)?.[1];
    if (token) out.push(token, decodeURIComponent(token));
    return out.filter(Boolean);
  }

  function environment(): Record<string, string> {
    mkdirSync(scratch, { recursive: true, mode: 0o700 });
    return {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: paths.root,
      // restic writes its pack files here before uploading: on the data disk, not a small /tmp.
      TMPDIR: scratch,
      RESTIC_PASSWORD_FILE: files.password,
      RESTIC_REPOSITORY_FILE: files.repository,
      RESTIC_CACHE_DIR: paths.cache,
      // One status line a second (JSON backups, check's progress) rather than 60.
      RESTIC_PROGRESS_FPS: "1",
      // backup --time is given in UTC.
      TZ: "UTC",
      // A smaller heap target: restic's peak memory for 100,000 files stays well under a Pi's (bench/backup.ts).
      GOGC: "50",
      ...(existsSync(files.rcloneConfig) ? { RCLONE_CONFIG: files.rcloneConfig } : {}),
      ...readEnvFile(files.env),
      ...deps.env,
    };
  }

  /**
   * Runs `restic <args>`; resolves with its stdout, or throws a ResticFailure with a sentence and restic's last
   * (redacted) words.
   */
  async function restic(args: readonly string[], opts: ResticOptions = {}): Promise<string> {
    const program = deps.restic ?? ["restic"];
    const argv = [
      ...(opts.lowPriority ? ["nice", "-n", "19", "ionice", "-c", "3"] : []),
      ...program,
      ...globalFlags(target, files, paths.sshKey, opts),
      ...args,
    ];
    const abort = new AbortController();
    let aborted: { reason: FailureReason; message: string } | null = null;
    const stop = (reason: FailureReason, message: string) => {
      aborted ??= { reason, message };
      abort.abort();
    };
    const onOuterAbort = () => stop("interrupted", "The run was interrupted.");
    if (opts.signal?.aborted) onOuterAbort();
    opts.signal?.addEventListener("abort", onOuterAbort, { once: true });

    // Progress watchdog: restic's JSON status repeats every second even when nothing moves; only a change counts.
    let lastProgress = Date.now();
    let lastMark = "";
    const watchdog = opts.stallMs
      ? setInterval(
          () => {
            if (Date.now() - lastProgress > opts.stallMs!)
              stop("stalled", `The backup target stopped answering (no progress for ${Math.round(opts.stallMs! / 1000)} s).`);
          },
          Math.min(1000, opts.stallMs),
        )
      : null;

    let pending = "";
    const onStdout = (text: string) => {
      pending += text;
      const lines = pending.split("\n");
      pending = lines.pop()!;
      for (const line of lines) {
        if (!line.trim()) continue;
        if (line.startsWith("{")) {
          let message: Record<string, unknown>;
          try {
            message = JSON.parse(line) as Record<string, unknown>;
          } catch {
            continue;
          }
          const mark = `${message.message_type}:${message.bytes_done}:${message.files_done}`;
          if (mark !== lastMark) {
            lastMark = mark;
            lastProgress = Date.now();
          }
          opts.onJson?.(message);
        } else {
          lastProgress = Date.now();
          opts.onLine?.(line);
        }
      }
    };
    let errPending = "";
    const onStderr = (text: string) => {
      errPending += text;
      const lines = errPending.split("\n");
      errPending = lines.pop()!;
      for (const line of lines) for (const [re, reason, message] of HOPELESS) if (re.test(line)) stop(reason, message);
    };

    try {
      const result = await deps.run(argv, {
        cwd: opts.cwd,
        env: environment(),
        timeoutMs: opts.timeoutMs ?? 7 * DAY,
        // Time for restic to remove its lock after SIGINT (over a dead link it cannot, and the lock is cleared next time).
        killGraceMs: 10_000,
        stopSignal: "SIGINT",
        signal: abort.signal,
        onStdout,
        onStderr,
        maxOutputBytes: opts.maxOutputBytes,
      });
      if (result.code === 0 && !aborted) return result.stdout;
      const detail = redact(lastWords(result.stderr), secrets());
      const why =
        aborted ??
        (result.timedOut
          ? { reason: "stalled" as const, message: "restic took too long and was stopped." }
          : classify(result.stderr, result.code, result.signal));
      throw new ResticFailure(why.reason, why.message, detail);
    } finally {
      if (watchdog) clearInterval(watchdog);
      opts.signal?.removeEventListener("abort", onOuterAbort);
    }
  }

  return { restic, files, secrets, redact: (text: string) => redact(text, secrets()) };
}

export type Restic = ReturnType<typeof createRestic>;
