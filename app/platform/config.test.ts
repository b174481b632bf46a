import { expect, test } from "bun:test";
import { loadConfig } from "./config";

test("defaults: ./data, port 8080, passkeys for localhost", () => {
  const c = loadConfig([], {});
  expect(c.dataDir.endsWith("/data")).toBe(true);
  expect(c.port).toBe(8080);
  expect(c.origins).toEqual(["http://localhost:8080"]);
  expect(c.rpID).toBe("localhost");
  expect(c.secureCookies).toBe(false);
  expect(c.tls).toBeNull();
  expect(c.logLevel).toBe("info");
});

test("env overrides defaults and flags override env", () => {
  const env = { DATA_DIR: "/srv/nas", PORT: "9000", ORIGIN: "https://nas.local,https://nas.home.arpa", TLS_CERT: "/t/c.pem", TLS_KEY: "/t/k.pem" };
  const c = loadConfig(["--port", "443"], env);
  expect(c.dataDir).toBe("/srv/nas");
  expect(c.port).toBe(443);
  expect(c.origins).toEqual(["https://nas.local", "https://nas.home.arpa"]);
  expect(c.rpID).toBe("nas.local");
  expect(c.secureCookies).toBe(true);
  expect(c.tlsDir).toBe("/t");
});

test("bad values are refused with a readable message", () => {
  expect(() => loadConfig([], { PORT: "99999" })).toThrow(/PORT must be/);
  expect(() => loadConfig([], { TLS_CERT: "/c.pem" })).toThrow(/together/);
  expect(() => loadConfig([], { ORIGIN: "https://nas.local/path" })).toThrow(/bare origin/);
  expect(() => loadConfig([], { BACKUP_HOST_PORT: "-1" })).toThrow(/BACKUP_HOST_PORT must be/);
  expect(() => loadConfig([], { LOG_LEVEL: "verbose" })).toThrow(/LOG_LEVEL must be one of debug, info, warn, error/);
  expect(() => loadConfig([], { NAS_PEOPLE_PAUSE_ABOVE: "busy" })).toThrow(/NAS_PEOPLE_PAUSE_ABOVE must be 0-100/);
});

test("the appliance's NAS_* switches are read here and nowhere else", () => {
  expect(loadConfig([], {})).toMatchObject({
    appliance: false,
    smartInWorker: false,
    storageLoopDevices: false,
    workerKinds: null,
    workerOffline: false,
    backupHostPort: 0,
    mediaWorkers: 2,
    raucSystemConf: null,
    peoplePauseAbove: 50,
  });
  const image = loadConfig([], {
    NAS_APPLIANCE: "1",
    NAS_SMART_IN_WORKER: "1",
    NAS_STORAGE_LOOP_DEVICES: "1",
    NAS_WORKER_KINDS: " storage.move, smart.refresh ,",
    NAS_WORKER_OFFLINE: "1",
    BACKUP_HOST_PORT: "8000",
    NAS_MEDIA_WORKERS: "3",
    NAS_RAUC_SYSTEM_CONF: "/tmp/system.conf",
    NAS_PEOPLE_PAUSE_ABOVE: "0",
  });
  expect(image).toMatchObject({
    appliance: true,
    smartInWorker: true,
    storageLoopDevices: true,
    workerKinds: ["storage.move", "smart.refresh"],
    workerOffline: true,
    backupHostPort: 8000,
    mediaWorkers: 3,
    raucSystemConf: "/tmp/system.conf",
    peoplePauseAbove: 0,
  });
  // Media workers stay between 1 and 4 whatever is written; not a number: the default.
  for (const [raw, n] of [
    ["9", 4],
    ["0", 1],
    ["many", 2],
  ] as const)
    expect(loadConfig([], { NAS_MEDIA_WORKERS: raw }).mediaWorkers).toBe(n);
  expect(loadConfig([], { NAS_APPLIANCE: "yes" }).appliance).toBe(false);
});
