import { describe as group, expect, test } from "bun:test";
import { describe, summarize, type RaucStatus } from "./update-status";

/** The shape of `rauc status --detailed --output-format=json` (RAUC 1.8) with two root slots. */
function status(booted: "A" | "B", slots: { A: Partial<Slot>; B: Partial<Slot> }): RaucStatus {
  const slot = (name: "A" | "B", index: number) => ({
    [`rootfs.${index}`]: {
      class: "rootfs",
      device: `/dev/nas/root${name}`,
      bootname: name,
      state: name === booted ? "booted" : "inactive",
      boot_status: slots[name].good === false ? "bad" : "good",
      slot_status: slots[name].version
        ? { bundle: { compatible: "nas-x86_64", version: slots[name].version }, installed: { timestamp: slots[name].installed, count: 1 }, status: "ok" }
        : { status: "ok" },
    },
  });
  return { compatible: "nas-x86_64", booted, boot_primary: "rootfs.0", slots: [slot("A", 0), slot("B", 1)] };
}
type Slot = { version: string; installed: string; good: boolean };

group("nas update status", () => {
  test("after an update: the booted slot runs the new version, the flashed one is kept", () => {
    const s = summarize(status("B", { A: {}, B: { version: "0.1.0+n1", installed: "2026-11-30T13:00:00Z" } }), "0.1.0+n1");
    expect(s.rolledBack).toBeNull();
    expect(describe(s)).toBe("booted: slot B (nas-x86_64)\nslot A: as flashed, good\nslot B: 0.1.0+n1, good, booted, installed 2026-11-30T13:00:00Z");
  });

  test("a later update that never became healthy: the box runs the other slot and says it rolled back", () => {
    const s = summarize(
      status("B", {
        A: { version: "0.1.0+broken", installed: "2026-11-30T14:00:00Z", good: false },
        B: { version: "0.1.0+n1", installed: "2026-11-30T13:00:00Z" },
      }),
      "0.1.0+n1",
    );
    expect(s.rolledBack?.name).toBe("A");
    expect(describe(s)).toContain("rolled back: the update to 0.1.0+broken in slot A did not become healthy; running slot B");
  });
});
