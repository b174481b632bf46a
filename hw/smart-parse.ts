/**
 * Typed reading of `smartctl --json` output (smartmontools 7.x) for ATA/SATA, NVMe and SCSI/SAS devices.
 * Pure: no I/O. `hw/smart.ts` runs smartctl and hands the text here.
 */

// ---------------------------------------------------------------------------------------------------------
// Exit status (smartctl(8), EXIT STATUS): a bit mask, and most bits describe the disk, not a failed command.

export interface SmartExitStatus {
  raw: number;
  /** bit 0: command line did not parse (smartctl also uses it for "Unable to detect device type"). */
  commandLineError: boolean;
  /** bit 1: device open failed, or the device did not return an IDENTIFY / is in a low-power mode. */
  deviceOpenFailed: boolean;
  /** bit 2: some SMART or other ATA command failed, or a checksum error in a SMART data structure. */
  smartCommandFailed: boolean;
  /** bit 3: SMART status check returned "DISK FAILING". */
  diskFailing: boolean;
  /** bit 4: prefail attributes are at or below their threshold. */
  prefailAtThreshold: boolean;
  /** bit 5: SMART status OK, but usage/prefail attributes were at or below threshold in the past. */
  attributesAtThresholdInPast: boolean;
  /** bit 6: the device error log contains records of errors. */
  errorLogHasErrors: boolean;
  /** bit 7: the device self-test log contains records of errors. */
  selfTestLogHasErrors: boolean;
  /** Bits 0 or 1: smartctl could not talk to the device, so there is no SMART data to read. */
  noData: boolean;
}

export function decodeExitStatus(raw: number): SmartExitStatus {
  const bit = (n: number) => (raw & (1 << n)) !== 0;
  return {
    raw,
    commandLineError: bit(0),
    deviceOpenFailed: bit(1),
    smartCommandFailed: bit(2),
    diskFailing: bit(3),
    prefailAtThreshold: bit(4),
    attributesAtThresholdInPast: bit(5),
    errorLogHasErrors: bit(6),
    selfTestLogHasErrors: bit(7),
    noData: bit(0) || bit(1),
  };
}

/** One line per set bit, for logs and the disk page. */
export function describeExitStatus(exit: SmartExitStatus): string[] {
  const lines: [boolean, string][] = [
    [exit.commandLineError, "smartctl did not accept the command line or could not detect the device type"],
    [exit.deviceOpenFailed, "the device could not be opened"],
    [exit.smartCommandFailed, "a SMART command failed or returned data with a bad checksum"],
    [exit.diskFailing, "SMART overall health: DISK FAILING"],
    [exit.prefailAtThreshold, "pre-failure attributes are at or below their threshold"],
    [exit.attributesAtThresholdInPast, "some attributes were at or below their threshold in the past"],
    [exit.errorLogHasErrors, "the device error log has entries"],
    [exit.selfTestLogHasErrors, "the self-test log records failed tests"],
  ];
  return lines.filter(([set]) => set).map(([, text]) => text);
}

// ---------------------------------------------------------------------------------------------------------
// Result types

export type SmartProtocol = "ATA" | "NVMe" | "SCSI" | "unknown";
export type SmartHealth = "passed" | "failed" | "unknown";

export interface SmartDevice {
  name: string;
  /** smartctl's `-d` type: sat, nvme, scsi, usbjmicron, … */
  type: string;
  protocol: SmartProtocol;
}

export interface SmartAttribute {
  id: number;
  name: string;
  /** Normalised value (higher is better), its worst, and the vendor threshold (failing when value <= threshold > 0). */
  value: number;
  worst: number;
  threshold: number;
  prefailure: boolean;
  /** smartctl's WHEN_FAILED: "now" (value <= threshold), "past" (worst <= threshold), or null. */
  whenFailed: "now" | "past" | null;
  /** The decoded raw number (the leading integer smartctl prints) and smartctl's full raw text. */
  raw: number;
  rawText: string;
  /** What the attribute means, for well-known ids; null for vendor-specific ones we do not explain. */
  meaning: string | null;
  /** A raw value above zero on this attribute predicts failure (Backblaze/Google field studies). */
  critical: boolean;
}

export interface SelfTestEntry {
  type: string;
  status: string;
  passed: boolean;
  /** Power-on hours when the test ran. */
  lifetimeHours: number | null;
  /** First failing LBA, when the test stopped on a read failure. */
  failingLba: number | null;
}

export interface SelfTestProgress {
  inProgress: boolean;
  /** Percent of the running test still to do (ATA counts down in steps of 10). */
  remainingPercent: number | null;
  text: string;
  /** Recommended polling time per test type, minutes (ATA only). */
  shortMinutes: number | null;
  longMinutes: number | null;
}

export interface NvmeHealth {
  criticalWarning: number;
  criticalWarnings: string[];
  mediaErrors: number;
  percentageUsed: number;
  availableSpare: number | null;
  availableSpareThreshold: number | null;
  errorLogEntries: number;
  unsafeShutdowns: number | null;
}

export interface ScsiHealth {
  grownDefects: number | null;
  uncorrectedReadErrors: number | null;
  uncorrectedWriteErrors: number | null;
  tripTemperatureC: number | null;
}

export interface SmartReport {
  available: true;
  device: SmartDevice;
  model: string | null;
  family: string | null;
  serial: string | null;
  firmware: string | null;
  capacityBytes: number | null;
  /** 0 for SSDs; null when unknown. */
  rotationRpm: number | null;
  health: SmartHealth;
  temperatureC: number | null;
  powerOnHours: number | null;
  powerCycles: number | null;
  /** Reallocated sectors (ATA 5) or the grown defect list (SCSI); null when the device does not report it. */
  reallocatedSectors: number | null;
  /** Sectors waiting to be remapped (ATA 197). */
  pendingSectors: number | null;
  /** Uncorrectable sectors (ATA 198, else 187) or uncorrected read+write errors (SCSI). */
  uncorrectableSectors: number | null;
  nvme: NvmeHealth | null;
  scsi: ScsiHealth | null;
  attributes: SmartAttribute[];
  selfTest: SelfTestProgress | null;
  selfTestLog: SelfTestEntry[];
  /** Entries in the device error log (ATA summary/extended count). */
  errorLogCount: number | null;
  exit: SmartExitStatus;
  messages: SmartMessage[];
}

export type UnavailableCode =
  | "not-installed" // smartctl is not on this machine
  | "open-failed" // smartctl could not open the device (permissions, gone, asleep)
  | "unknown-device-type" // virtio, SD/MMC, or a bridge smartctl cannot identify
  | "unknown-usb-bridge" // a USB bridge smartctl does not know: retry with -d sat
  | "no-smart" // the device answered but has no SMART, or SMART is disabled
  | "asleep" // the disk is in standby and we chose not to wake it
  | "timeout"
  | "bad-output"; // smartctl printed something that is not its JSON

export interface SmartUnavailable {
  available: false;
  device: string;
  code: UnavailableCode;
  /** A sentence for the admin. */
  reason: string;
  /** Identity when smartctl could read it even though SMART is not available. */
  model: string | null;
  capacityBytes: number | null;
  exit: SmartExitStatus | null;
}

export type SmartResult = SmartReport | SmartUnavailable;

export interface SmartMessage {
  severity: string;
  text: string;
}

export interface ScannedDevice extends SmartDevice {
  /** e.g. "/dev/sda [SAT]" */
  infoName: string;
  /** Set by --scan-open when the open failed (e.g. "open failed: Permission denied"). */
  openError: string | null;
}

// ---------------------------------------------------------------------------------------------------------
// Well-known ATA attributes. Meanings follow smartmontools' drivedb and the Wikipedia S.M.A.R.T. table.

const ATTRIBUTE_MEANINGS: Record<number, { meaning: string; critical?: true }> = {
  1: { meaning: "Rate of hardware read errors; vendor-scaled, the raw value is usually meaningless (Seagate counts every read)." },
  2: { meaning: "Overall throughput performance of the drive." },
  3: { meaning: "Average time for the spindle to spin up." },
  4: { meaning: "Number of spindle start/stop cycles." },
  5: { meaning: "Sectors found bad and remapped to spares. Any increase means the surface is degrading.", critical: true },
  7: { meaning: "Rate of seek errors of the heads; vendor-scaled raw value." },
  8: { meaning: "Average performance of seek operations." },
  9: { meaning: "Total time the drive has been powered on." },
  10: { meaning: "Retries needed to spin up to speed; non-zero points at a mechanical or power problem.", critical: true },
  11: { meaning: "Retries needed to recalibrate the heads." },
  12: { meaning: "Number of full power on/off cycles." },
  13: { meaning: "Read errors corrected by the drive's firmware (vendor-scaled)." },
  22: { meaning: "Helium level inside a sealed drive (100 = full)." },
  170: { meaning: "Reserved blocks still available for remapping (SSD)." },
  171: { meaning: "Flash program operations that failed (SSD)." },
  172: { meaning: "Flash erase operations that failed (SSD)." },
  173: { meaning: "Average wear-levelling count of the flash (SSD)." },
  174: { meaning: "Power losses without a clean shutdown (SSD)." },
  175: { meaning: "Program failures (SSD)." },
  177: { meaning: "Wear of the flash cells; the normalised value counts down from 100 as the SSD wears out." },
  179: { meaning: "Reserved blocks already used to replace bad ones (SSD)." },
  181: { meaning: "Flash program operations that failed (SSD)." },
  182: { meaning: "Flash erase operations that failed (SSD)." },
  183: { meaning: "Blocks that went bad during operation (Samsung: runtime bad blocks)." },
  184: { meaning: "Parity errors between the drive's cache and the host interface.", critical: true },
  187: { meaning: "Errors the drive could not correct with its ECC; each one was a failed read.", critical: true },
  188: { meaning: "Commands aborted because the drive did not answer in time (cabling or power).", critical: true },
  189: { meaning: "Writes done with the head flying outside its normal height." },
  190: { meaning: "Airflow temperature (°C); the normalised value is often 100 minus the temperature." },
  191: { meaning: "Shocks and vibration detected by the drive." },
  192: { meaning: "Emergency head retracts after power loss." },
  193: { meaning: "Head load/unload cycles; drives are rated for a few hundred thousand." },
  194: { meaning: "Drive temperature (°C); the raw text also shows the min/max seen." },
  195: { meaning: "Errors corrected by the drive's ECC (vendor-scaled)." },
  196: { meaning: "Remap operations (successful or not) of bad sectors.", critical: true },
  197: { meaning: "Unstable sectors waiting to be remapped; they are rewritten or reallocated on the next write.", critical: true },
  198: { meaning: "Sectors that could not be read during offline scans: data there is lost.", critical: true },
  199: { meaning: "Transfer errors on the cable (UDMA CRC); usually a bad SATA/USB cable or connector, not the disk." },
  200: { meaning: "Errors while writing a sector (multi-zone error rate)." },
  201: { meaning: "Off-track/soft read errors.", critical: true },
  202: { meaning: "Data address mark errors (or, on some SSDs, percentage of rated life used)." },
  220: { meaning: "Distance the platters have shifted (shock)." },
  222: { meaning: "Time spent loaded on the platters." },
  223: { meaning: "Head load/unload retries." },
  225: { meaning: "Head load/unload cycles." },
  226: { meaning: "Time spent loading the heads." },
  230: { meaning: "Head amplitude (HDD) or life curve status (SSD)." },
  231: { meaning: "SSD life left, or controller temperature, depending on the vendor." },
  232: { meaning: "Reserved space left for remapping (SSD)." },
  233: { meaning: "Media wearout indicator (SSD); the normalised value counts down from 100." },
  234: { meaning: "Average/maximum erase count (SSD)." },
  235: { meaning: "Good blocks / power-loss recovery count (vendor-specific)." },
  240: { meaning: "Time spent positioning the heads." },
  241: { meaning: "Total amount of data written (in LBAs on most drives)." },
  242: { meaning: "Total amount of data read (in LBAs on most drives)." },
};

const NVME_CRITICAL_WARNING_BITS = [
  "available spare is below its threshold",
  "temperature is outside its limits",
  "reliability is degraded by media or internal errors",
  "media is in read-only mode",
  "volatile memory backup has failed",
  "persistent memory region is read-only or unreliable",
];

export function decodeNvmeCriticalWarning(value: number): string[] {
  return NVME_CRITICAL_WARNING_BITS.filter((_, bit) => (value & (1 << bit)) !== 0);
}

// ---------------------------------------------------------------------------------------------------------
// Parsing

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const obj = (v: unknown): Json => (isObj(v) ? v : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === "string" && v.trim() !== "" ? v.trim() : null);
const bool = (v: unknown): boolean | null => (typeof v === "boolean" ? v : null);
const firstNum = (...vs: unknown[]): number | null => {
  for (const v of vs) if (num(v) !== null) return num(v);
  return null;
};

/** smartctl's raw text starts with the decoded number ("32 (Min/Max 24/38)", "2725 (151 234 0)"). */
function leadingInt(text: string | null): number | null {
  const m = text?.match(/^\s*(\d+)/);
  return m ? Number(m[1]) : null;
}

function protocolOf(v: unknown): SmartProtocol {
  return v === "ATA" || v === "NVMe" || v === "SCSI" ? v : "unknown";
}

function messagesOf(json: Json): SmartMessage[] {
  return arr(obj(json.smartctl).messages)
    .map((m) => ({ severity: str(obj(m).severity) ?? "information", text: str(obj(m).string) ?? "" }))
    .filter((m) => m.text !== "");
}

/** Parses `smartctl --scan` / `--scan-open` JSON. */
export function parseScan(text: string): ScannedDevice[] {
  const json = safeParse(text);
  if (!json) return [];
  return arr(json.devices).flatMap((d) => {
    const dev = obj(d);
    const name = str(dev.name);
    if (!name) return [];
    return [
      {
        name,
        infoName: str(dev.info_name) ?? name,
        type: str(dev.type) ?? "auto",
        protocol: protocolOf(dev.protocol),
        openError: str(dev.open_error),
      },
    ];
  });
}

function safeParse(text: string): Json | null {
  try {
    const v: unknown = JSON.parse(text);
    return isObj(v) ? v : null;
  } catch {
    return null;
  }
}

function parseAttribute(v: unknown): SmartAttribute | null {
  const a = obj(v);
  const id = num(a.id);
  if (id === null) return null;
  const raw = obj(a.raw);
  const rawText = str(raw.string) ?? String(num(raw.value) ?? "");
  const flags = obj(a.flags);
  const when = str(a.when_failed);
  const known = ATTRIBUTE_MEANINGS[id];
  return {
    id,
    name: str(a.name) ?? `Attribute_${id}`,
    value: num(a.value) ?? 0,
    worst: num(a.worst) ?? 0,
    threshold: num(a.thresh) ?? 0,
    prefailure: bool(flags.prefailure) ?? false,
    whenFailed: when === "now" ? "now" : when === "past" || when === "In_the_past" ? "past" : null,
    raw: leadingInt(rawText) ?? num(raw.value) ?? 0,
    rawText,
    meaning: known?.meaning ?? null,
    critical: known?.critical ?? false,
  };
}

function parseAtaSelfTestLog(json: Json): SelfTestEntry[] {
  const log = obj(json.ata_smart_self_test_log);
  // -x reads the extended (GPL) log, -a the standard one; prefer whichever has entries.
  const table = arr(obj(log.extended).table).length ? arr(obj(log.extended).table) : arr(obj(log.standard).table);
  return table.map((e) => {
    const entry = obj(e);
    const status = obj(entry.status);
    return {
      type: str(obj(entry.type).string) ?? "unknown",
      status: str(status.string) ?? "unknown",
      passed: bool(status.passed) ?? false,
      lifetimeHours: num(entry.lifetime_hours),
      failingLba: num(entry.lba),
    };
  });
}

function parseNvmeSelfTestLog(json: Json): SelfTestEntry[] {
  return arr(obj(json.nvme_self_test_log).table).map((e) => {
    const entry = obj(e);
    const result = obj(entry.self_test_result);
    return {
      type: str(obj(entry.self_test_code).string) ?? "unknown",
      status: str(result.string) ?? "unknown",
      passed: num(result.value) === 0,
      lifetimeHours: num(entry.power_on_hours),
      failingLba: num(entry.lba),
    };
  });
}

function parseScsiSelfTestLog(json: Json): SelfTestEntry[] {
  // smartctl 7.2+ writes scsi_self_test_0 … scsi_self_test_19.
  return Object.keys(json)
    .filter((k) => /^scsi_self_test_\d+$/.test(k))
    .sort((a, b) => Number(a.slice(15)) - Number(b.slice(15)))
    .map((k) => {
      const entry = obj(json[k]);
      const result = obj(entry.result);
      return {
        type: str(obj(entry.code).string) ?? "unknown",
        status: str(result.string) ?? "unknown",
        passed: num(result.value) === 0,
        lifetimeHours: num(obj(entry.power_on_time).hours),
        failingLba: num(entry.lba_first_failure),
      };
    });
}

function parseSelfTestProgress(json: Json): SelfTestProgress | null {
  const ata = obj(obj(json.ata_smart_data).self_test);
  if (isObj(ata.status)) {
    const status = obj(ata.status);
    const value = num(status.value) ?? 0;
    // ATA self-test execution status: high nibble 0xF means a test is running, low nibble = tenths remaining.
    const inProgress = value >> 4 === 0xf;
    const polling = obj(ata.polling_minutes);
    return {
      inProgress,
      remainingPercent: inProgress ? (num(status.remaining_percent) ?? (value & 0xf) * 10) : null,
      text: str(status.string) ?? "",
      shortMinutes: num(polling.short),
      longMinutes: num(polling.extended),
    };
  }
  const nvme = obj(json.nvme_self_test_log);
  if (isObj(nvme.current_self_test_operation)) {
    const op = obj(nvme.current_self_test_operation);
    const inProgress = (num(op.value) ?? 0) !== 0;
    const done = num(nvme.current_self_test_completion_percent);
    return {
      inProgress,
      remainingPercent: inProgress && done !== null ? 100 - done : null,
      text: str(op.string) ?? "",
      shortMinutes: null,
      longMinutes: null,
    };
  }
  return null;
}

function unavailable(device: string, code: UnavailableCode, reason: string, json: Json | null, exit: SmartExitStatus | null): SmartUnavailable {
  return {
    available: false,
    device,
    code,
    reason,
    model: json ? str(json.model_name) : null,
    capacityBytes: json ? num(obj(json.user_capacity).bytes) : null,
    exit,
  };
}

/**
 * Parses one device's `smartctl --json` output (-a, -x, -A, -i…). `processExitCode` is used when the JSON lacks
 * `smartctl.exit_status` (old versions, hand-trimmed output). Never throws.
 */
export function parseSmartReport(text: string, opts: { device?: string; processExitCode?: number } = {}): SmartResult {
  const json = safeParse(text);
  const fallbackName = opts.device ?? "unknown device";
  if (!json) {
    const exit = opts.processExitCode === undefined ? null : decodeExitStatus(opts.processExitCode);
    return unavailable(fallbackName, "bad-output", "smartctl did not print JSON (is it older than 7.0?)", null, exit);
  }
  const deviceJson = obj(json.device);
  const argv = arr(obj(json.smartctl).argv).filter((a): a is string => typeof a === "string");
  const name = str(deviceJson.name) ?? opts.device ?? argv.findLast((a) => a.startsWith("/dev/")) ?? fallbackName;
  const exit = decodeExitStatus(num(obj(json.smartctl).exit_status) ?? opts.processExitCode ?? 0);
  const messages = messagesOf(json);
  const errorText = messages
    .filter((m) => m.severity === "error")
    .map((m) => m.text)
    .join("; ");

  if (exit.noData) {
    // `-n standby` skipped the device: "Device is in STANDBY mode, exit(2)" (also SLEEP / IDLE modes).
    if (messages.some((m) => /^Device is in \w+ mode/i.test(m.text))) {
      return unavailable(name, "asleep", "the disk is asleep (standby); it is not woken up just to read SMART", json, exit);
    }
    if (/unknown usb bridge/i.test(errorText)) {
      return unavailable(name, "unknown-usb-bridge", `${errorText} (smartctl does not know this USB bridge)`, json, exit);
    }
    if (/unable to detect device type/i.test(errorText)) {
      return unavailable(
        name,
        "unknown-device-type",
        "no SMART: smartctl cannot identify this kind of device (virtual disk, SD/MMC card or unsupported bridge)",
        json,
        exit,
      );
    }
    if (exit.deviceOpenFailed) {
      return unavailable(name, "open-failed", `the device could not be opened${errorText ? `: ${errorText}` : ""}`, json, exit);
    }
    return unavailable(name, "bad-output", errorText || "smartctl rejected the command line", json, exit);
  }

  const support = obj(json.smart_support);
  if (bool(support.available) === false) {
    return unavailable(name, "no-smart", "the device does not support SMART", json, exit);
  }
  if (bool(support.enabled) === false) {
    return unavailable(name, "no-smart", "SMART is disabled on the device (enable it with smartctl -s on)", json, exit);
  }

  const protocol = protocolOf(deviceJson.protocol);
  const attributes = arr(obj(json.ata_smart_attributes).table)
    .map(parseAttribute)
    .filter((a): a is SmartAttribute => a !== null);
  const attr = (id: number) => attributes.find((a) => a.id === id) ?? null;
  const attrRaw = (id: number) => attr(id)?.raw ?? null;

  const nvmeLog = obj(json.nvme_smart_health_information_log);
  const nvme: NvmeHealth | null = isObj(json.nvme_smart_health_information_log)
    ? {
        criticalWarning: num(nvmeLog.critical_warning) ?? 0,
        criticalWarnings: decodeNvmeCriticalWarning(num(nvmeLog.critical_warning) ?? 0),
        mediaErrors: num(nvmeLog.media_errors) ?? 0,
        percentageUsed: num(nvmeLog.percentage_used) ?? 0,
        availableSpare: num(nvmeLog.available_spare),
        availableSpareThreshold: num(nvmeLog.available_spare_threshold),
        errorLogEntries: num(nvmeLog.num_err_log_entries) ?? 0,
        unsafeShutdowns: num(nvmeLog.unsafe_shutdowns),
      }
    : null;

  const scsiErrors = obj(json.scsi_error_counter_log);
  const isScsi = protocol === "SCSI";
  const scsi: ScsiHealth | null = isScsi
    ? {
        grownDefects: num(json.scsi_grown_defect_list),
        uncorrectedReadErrors: num(obj(scsiErrors.read).total_uncorrected_errors),
        uncorrectedWriteErrors: num(obj(scsiErrors.write).total_uncorrected_errors),
        tripTemperatureC: num(obj(json.temperature).drive_trip),
      }
    : null;

  const passed = bool(obj(json.smart_status).passed);
  const health: SmartHealth = passed === true && !exit.diskFailing ? "passed" : passed === false || exit.diskFailing ? "failed" : "unknown";

  const namespaces = arr(json.nvme_namespaces);
  const capacityBytes = firstNum(obj(json.user_capacity).bytes, json.nvme_total_capacity, obj(obj(namespaces[0]).capacity).bytes);

  const selfTestLog = protocol === "NVMe" ? parseNvmeSelfTestLog(json) : isScsi ? parseScsiSelfTestLog(json) : parseAtaSelfTestLog(json);
  const errorLog = obj(json.ata_smart_error_log);

  return {
    available: true,
    device: { name, type: str(deviceJson.type) ?? "auto", protocol },
    model: str(json.model_name) ?? ([str(json.vendor), str(json.product)].filter(Boolean).join(" ") || null),
    family: str(json.model_family),
    serial: str(json.serial_number),
    firmware: str(json.firmware_version) ?? str(json.revision),
    capacityBytes,
    rotationRpm: num(json.rotation_rate),
    health,
    temperatureC: firstNum(obj(json.temperature).current, nvmeLog.temperature, attrRaw(194), attrRaw(190)),
    powerOnHours: firstNum(obj(json.power_on_time).hours, nvmeLog.power_on_hours, attrRaw(9)),
    powerCycles: firstNum(json.power_cycle_count, nvmeLog.power_cycles, attrRaw(12)),
    reallocatedSectors: isScsi ? (scsi?.grownDefects ?? null) : attrRaw(5),
    pendingSectors: isScsi ? num(obj(json.scsi_pending_defects).count) : attrRaw(197),
    uncorrectableSectors: isScsi
      ? scsi?.uncorrectedReadErrors == null && scsi?.uncorrectedWriteErrors == null
        ? null
        : (scsi.uncorrectedReadErrors ?? 0) + (scsi.uncorrectedWriteErrors ?? 0)
      : (attrRaw(198) ?? attrRaw(187)),
    nvme,
    scsi,
    attributes,
    selfTest: parseSelfTestProgress(json),
    selfTestLog,
    errorLogCount: firstNum(obj(errorLog.summary).count, obj(errorLog.extended).count),
    exit,
    messages,
  };
}
