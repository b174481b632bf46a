#!/usr/bin/env bun
/**
 * `nas update status`: what RAUC knows about the A/B slots, in words — the booted slot, each root
 * slot's version and health, and whether the last update rolled back (its slot never became
 * healthy, so the box runs the other one).
 */

/** The part of `rauc status --detailed --output-format=json` this reads. */
export type RaucStatus = {
  compatible: string;
  booted: string;
  boot_primary: string | null;
  slots: Record<
    string,
    {
      class: string;
      bootname?: string | null;
      boot_status?: string | null;
      slot_status?: { bundle?: { version?: string }; installed?: { timestamp?: string } };
    }
  >[];
};

export type SlotSummary = { name: string; version: string; installed: string | null; good: boolean; booted: boolean };
export type UpdateStatus = { compatible: string; booted: string; slots: SlotSummary[]; rolledBack: SlotSummary | null };

export function summarize(status: RaucStatus, imageVersion: string): UpdateStatus {
  const slots = status.slots
    .flatMap((entry) => Object.values(entry))
    .filter((slot) => slot.class === "rootfs" && slot.bootname)
    .map((slot) => ({
      name: slot.bootname!,
      version: slot.bootname === status.booted ? imageVersion : (slot.slot_status?.bundle?.version ?? "as flashed"),
      installed: slot.slot_status?.installed?.timestamp ?? null,
      good: slot.boot_status === "good",
      booted: slot.bootname === status.booted,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  // The most recent install went to a slot that is not running and is marked bad: the box fell back.
  const last = slots.filter((s) => s.installed).sort((a, b) => b.installed!.localeCompare(a.installed!))[0];
  const rolledBack = last && !last.booted && !last.good ? last : null;
  return { compatible: status.compatible, booted: status.booted, slots, rolledBack };
}

export function describe(s: UpdateStatus): string {
  const lines = [`booted: slot ${s.booted} (${s.compatible})`];
  for (const slot of s.slots) {
    lines.push(
      `slot ${slot.name}: ${slot.version}, ${slot.good ? "good" : "bad"}${slot.booted ? ", booted" : ""}${slot.installed ? `, installed ${slot.installed}` : ""}`,
    );
  }
  if (s.rolledBack)
    lines.push(`rolled back: the update to ${s.rolledBack.version} in slot ${s.rolledBack.name} did not become healthy; running slot ${s.booted}`);
  return lines.join("\n");
}

if (import.meta.main) {
  const proc = Bun.spawnSync(["rauc", "status", "--detailed", "--output-format=json"], { stderr: "inherit" });
  if (proc.exitCode !== 0) process.exit(1);
  const osRelease = await Bun.file("/usr/lib/os-release").text();
  const version = osRelease.match(/^IMAGE_VERSION=(.*)$/m)?.[1] ?? "unknown";
  console.log(describe(summarize(JSON.parse(proc.stdout.toString()), version)));
}
