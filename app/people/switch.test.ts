// People's default and its size on a small box: on for every 2 GB board (which reports less than 2 GiB), off with a
// sentence on a 1 GB one, the admin's choice above both; and how many indexer children the worker runs.
import { afterAll, expect, test } from "bun:test";
import { createTestApp } from "../../test/support/app";
import { systemClock } from "../platform/clock";
import { createSettingsRepo } from "../settings/repo";
import { indexerChildren, peopleEnabled } from "./indexing";
import { ENABLED_SETTING } from "./model";
import { createPeopleService } from "./service";

const GiB = 1024 ** 3;
/** MemTotal as such boards report it: the Pi 4 image gives the GPU 128 MB and the kernel keeps some. */
const PI_1GB = 0.86 * GiB;
const PI_2GB = 1.8 * GiB;
const PI_4GB = 3.7 * GiB;
const PI_8GB = 7.6 * GiB;

const t = createTestApp();
afterAll(() => t.cleanup());
const settings = createSettingsRepo(t.db);
const serviceOn = (memory: number) => createPeopleService({ db: t.db, dataDir: t.dataDir, access: t.services.access, settings, now: systemClock, memory });

test("without a choice: on for a 2 GB board, off for a 1 GB one with the reason; the admin's choice wins", () => {
  const alice = t.createUser("alice");
  expect(peopleEnabled(settings, PI_2GB)).toBe(true);
  expect(serviceOn(PI_2GB).status(alice)).toMatchObject({ on: true, why: null });
  expect(peopleEnabled(settings, PI_1GB)).toBe(false);
  expect(serviceOn(PI_1GB).status(alice).why).toBe(
    "Off because this box has 0.9 GB of memory: recognising faces and things needs a box with 2 GB or more, to leave room for everything else.",
  );
  settings.set(ENABLED_SETTING, true);
  expect(serviceOn(PI_1GB).status(alice)).toMatchObject({ on: true, why: null });
  settings.set(ENABLED_SETTING, false);
  expect(peopleEnabled(settings, PI_8GB)).toBe(false);
  // Turned off by the admin: no reason to give, it was a choice.
  expect(serviceOn(PI_8GB).status(alice)).toMatchObject({ on: false, why: null });
});

test("indexer children: one per spare core, one per 2 GiB of memory, at least one", () => {
  // A Pi 4 has 4 cores: its memory decides.
  expect(indexerChildren(4, PI_2GB)).toBe(1);
  expect(indexerChildren(4, PI_4GB)).toBe(1);
  expect(indexerChildren(4, PI_8GB)).toBe(3);
  // This machine (2 cores, 24 GB): its cores decide.
  expect(indexerChildren(2, 24 * GiB)).toBe(1);
  expect(indexerChildren(1, 24 * GiB)).toBe(1);
  expect(indexerChildren(16, 64 * GiB)).toBe(15);
});
