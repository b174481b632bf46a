#!/usr/bin/env bun
/**
 * Run by the image as root at boot, after the data partition is mounted and before nasd-web/nasd-worker start:
 *   bun /opt/nasd/hw/datadisk-boot.ts --data-dir /data/nasd
 * Finishes a pending move to the data disk, mounts the data disk and bind-mounts its data directory over
 * --data-dir. Exit 0: the services may start (on the disk, or on the old data with the reason printed).
 * Exit 1: the data lives on a disk that cannot be mounted; starting would show stale data, so they must not.
 */
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { runCommand } from "./run";
import { applyStorageAtBoot } from "./datadisk";

const { values } = parseArgs({ options: { "data-dir": { type: "string" }, state: { type: "string" } } });
const dataDir = resolve(values["data-dir"] ?? process.env.DATA_DIR ?? "/data/nasd");
try {
  const outcome = await applyStorageAtBoot({ run: runCommand, dataDir, statePath: values.state, log: console.log });
  console.log(`nas-storage: ${outcome.action}: ${outcome.message}`);
} catch (e) {
  console.error(`nas-storage: ${(e as Error).message}`);
  process.exit(1);
}
