/**
 * Runs smartctl (smartmontools ≥ 7.0, JSON output) through the project runner. Every function resolves with a
 * typed result — a missing binary, an unopenable device or a disk without SMART is a value, never a throw.
 */
import { CommandNotFoundError, runCommand, type RunResult, type Runner } from "./run";
import {
  decodeExitStatus,
  parseScan,
  parseSmartReport,
  type ScannedDevice,
  type SmartResult,
  type SmartUnavailable,
  type UnavailableCode,
} from "./smart-parse";

export type ScanResult = { available: true; devices: ScannedDevice[] } | { available: false; code: UnavailableCode; reason: string };

export type SelfTestKind = "short" | "long";

export type StartSelfTestResult =
  | { started: true; device: string; kind: SelfTestKind; message: string }
  | { started: false; device: string; kind: SelfTestKind; reason: string };

export interface SmartReader {
  scanDevices(): Promise<ScanResult>;
  /** `wake: false` (the default) leaves a sleeping disk asleep and reports it as not available for now. */
  readSmartReport(device: string | ScannedDevice, opts?: { wake?: boolean }): Promise<SmartResult>;
  startSelfTest(device: string | ScannedDevice, kind: SelfTestKind): Promise<StartSelfTestResult>;
}

export interface SmartDeps {
  run?: Runner;
  /**
   * The smartctl command: a path, or an argument prefix such as ["sudo", "-n", "/usr/sbin/smartctl"] when the
   * service user needs a sudo rule to open disks (smartctl needs root or CAP_SYS_RAWIO/CAP_SYS_ADMIN).
   */
  smartctl?: string | readonly string[];
  timeoutMs?: number;
}

const NOT_INSTALLED = "smartctl is not installed (package smartmontools)";

/** A device path must look like a device: smartctl also accepts options, and a name like "-s" must never reach it. */
function devicePath(device: string): string {
  if (!/^\/dev\/[A-Za-z0-9/_:.-]+$/.test(device) || device.includes("..")) {
    throw new TypeError(`not a device path: ${JSON.stringify(device)}`);
  }
  return device;
}

function typeArgs(device: string | ScannedDevice): string[] {
  if (typeof device === "string" || device.type === "auto") return [];
  if (!/^[a-z0-9,+_-]+$/i.test(device.type)) throw new TypeError(`bad smartctl device type: ${device.type}`);
  return ["-d", device.type];
}

export function createSmartReader(deps: SmartDeps = {}): SmartReader {
  const run = deps.run ?? runCommand;
  const command = typeof deps.smartctl === "string" ? [deps.smartctl] : [...(deps.smartctl ?? ["smartctl"])];
  const timeoutMs = deps.timeoutMs ?? 60_000;

  async function smartctl(args: string[]): Promise<RunResult | "not-installed"> {
    try {
      return await run([...command, ...args], { timeoutMs, maxOutputBytes: 8 * 1024 * 1024 });
    } catch (err) {
      if (err instanceof CommandNotFoundError) return "not-installed";
      throw err;
    }
  }

  const notAvailable = (device: string, code: UnavailableCode, reason: string): SmartUnavailable => ({
    available: false,
    device,
    code,
    reason,
    model: null,
    capacityBytes: null,
    exit: null,
  });

  async function readOnce(name: string, dArgs: string[], wake: boolean): Promise<SmartResult> {
    // -n standby: do not spin up a sleeping disk just to draw a dashboard (smartctl exits 2 and says so).
    const res = await smartctl(["-x", "--json=c", ...(wake ? [] : ["-n", "standby"]), ...dArgs, name]);
    if (res === "not-installed") return notAvailable(name, "not-installed", NOT_INSTALLED);
    if (res.timedOut) return notAvailable(name, "timeout", `smartctl did not answer within ${Math.round(timeoutMs / 1000)} s`);
    return parseSmartReport(res.stdout, { device: name, processExitCode: res.code ?? undefined });
  }

  return {
    async scanDevices() {
      const res = await smartctl(["--scan-open", "--json=c"]);
      if (res === "not-installed") return { available: false, code: "not-installed", reason: NOT_INSTALLED };
      if (res.timedOut) return { available: false, code: "timeout", reason: "smartctl --scan-open did not finish in time" };
      if (res.code !== null && decodeExitStatus(res.code).commandLineError) {
        return { available: false, code: "bad-output", reason: res.stderr.trim() || "smartctl rejected --scan-open" };
      }
      return { available: true, devices: parseScan(res.stdout) };
    },

    async readSmartReport(device, opts = {}) {
      const name = devicePath(typeof device === "string" ? device : device.name);
      const dArgs = typeArgs(device);
      const first = await readOnce(name, dArgs, opts.wake ?? false);
      // USB enclosures: smartctl may not know the bridge, or see only its SCSI face. Most bridges pass SAT through.
      const seenAsScsi = dArgs.length === 0 || dArgs[1] === "scsi";
      const bridgeMayHideSat = !first.available && (first.code === "unknown-usb-bridge" || (first.code === "no-smart" && seenAsScsi));
      if (!bridgeMayHideSat) return first;
      const viaSat = await readOnce(name, ["-d", "sat"], opts.wake ?? false);
      if (viaSat.available) return viaSat;
      return { ...first, reason: `${first.reason}; retried through the USB bridge with -d sat: ${viaSat.reason}` };
    },

    async startSelfTest(device, kind) {
      const name = devicePath(typeof device === "string" ? device : device.name);
      const res = await smartctl(["-t", kind, "--json=c", ...typeArgs(device), name]);
      if (res === "not-installed") return { started: false, device: name, kind, reason: NOT_INSTALLED };
      if (res.timedOut) return { started: false, device: name, kind, reason: "smartctl did not answer in time" };
      const parsed = safeJson(res.stdout);
      const exit = decodeExitStatus(parsed?.exitStatus ?? res.code ?? 0);
      const message = parsed?.messages.join("; ") ?? res.stderr.trim();
      // Bit 2 here means the test command itself was refused (e.g. another test is running).
      if (exit.noData || exit.smartCommandFailed) {
        return { started: false, device: name, kind, reason: message || "smartctl could not start the self-test" };
      }
      return { started: true, device: name, kind, message: message || `${kind} self-test started` };
    },
  };
}

function safeJson(text: string): { exitStatus: number | undefined; messages: string[] } | null {
  try {
    const json = JSON.parse(text) as { smartctl?: { exit_status?: unknown; messages?: { string?: unknown }[] } };
    const exitStatus = typeof json.smartctl?.exit_status === "number" ? json.smartctl.exit_status : undefined;
    const messages = (json.smartctl?.messages ?? []).map((m) => m.string).filter((s): s is string => typeof s === "string");
    return { exitStatus, messages };
  } catch {
    return null;
  }
}
