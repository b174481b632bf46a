/**
 * The box-to-box host speaks restic's REST protocol to its guests: these are its refusals, request by request (the
 * drill in drill.test.ts runs real restic against it).
 */
import { afterEach, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { createTestApp } from "../../test/support/app";
import { x509 } from "../../provision/x509";
import { createBackupHost, hashToken, hostCertificate, newGuestId, newToken } from "./host";
import { createBackupRepo } from "./repo";
import { dataPaths } from "../platform/paths";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function hostWith(quotaBytes = 10_000) {
  const box = createTestApp();
  cleanups.push(box.cleanup);
  let now = new Date("2026-06-01T00:00:00Z");
  const repo = createBackupRepo(box.db);
  const host = createBackupHost({ repo, dataDir: box.dataDir, now: () => now });
  const guest = (name: string) => {
    const id = newGuestId();
    const token = newToken();
    repo.insertGuest({ id, name, tokenHash: hashToken(token), quotaBytes, createdAt: now, lastSeenAt: null, pruneUntil: null });
    const auth = `Basic ${Buffer.from(`${id}:${token}`).toString("base64")}`;
    const call = (method: string, path: string, body?: Uint8Array, headers: Record<string, string> = {}) =>
      host.handle(new Request(`https://host.test/${id}${path}`, { method, body, headers: { authorization: auth, ...headers } }), "10.0.0.2");
    return { id, token, auth, call };
  };
  return { box, repo, host, guest, later: (ms: number) => (now = new Date(now.getTime() + ms)) };
}

const named = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

test("a guest reaches its own repository only, with its own token", async () => {
  const h = hostWith();
  const alice = h.guest("alice's box");
  const bob = h.guest("bob's box");
  expect((await alice.call("POST", "/?create=true")).status).toBe(200);
  const data = new TextEncoder().encode("encrypted pack");
  expect((await alice.call("POST", `/data/${named(data)}`, data)).status).toBe(200);

  // No token, a wrong one, bob's token on alice's repository, an unknown guest: all 401, nothing read.
  const url = `https://host.test/${alice.id}/data/${named(data)}`;
  expect((await h.host.handle(new Request(url), "10.0.0.3")).status).toBe(401);
  const wrong = `Basic ${Buffer.from(`${alice.id}:${newToken()}`).toString("base64")}`;
  expect((await h.host.handle(new Request(url, { headers: { authorization: wrong } }), "10.0.0.3")).status).toBe(401);
  expect((await h.host.handle(new Request(url, { headers: { authorization: bob.auth } }), "10.0.0.3")).status).toBe(401);
  expect((await h.host.handle(new Request(`https://host.test/gnobody/config`, { headers: { authorization: bob.auth } }), "10.0.0.3")).status).toBe(401);
  // Paths that are not restic's: refused (401 when the URL resolves outside the guest's own folder), never a file.
  for (const path of ["/../../db.sqlite", "/data/..%2F..%2Fconfig", "/data/zz", `/other/${named(data)}`, "/keys/../../secret.key"])
    expect([401, 404]).toContain((await alice.call("GET", path)).status);
  // Guessing is counted per address before any token is compared: the 21st failure in 15 minutes is a 429.
  for (let i = 0; i < 20; i++) await h.host.handle(new Request(url, { headers: { authorization: wrong } }), "10.0.0.9");
  expect((await h.host.handle(new Request(url, { headers: { authorization: alice.auth } }), "10.0.0.9")).status).toBe(429);
  expect((await h.host.handle(new Request(url, { headers: { authorization: alice.auth } }), "10.0.0.8")).status).toBe(200);
  expect(h.repo.guest(alice.id)!.lastSeenAt).toBeInstanceOf(Date);
});

test("append-only: nothing is replaced or deleted, except locks, and everything while the admin allows pruning", async () => {
  const h = hostWith();
  const g = h.guest("family");
  await g.call("POST", "/?create=true");
  const snapshot = new TextEncoder().encode("a snapshot");
  const id = named(snapshot);
  expect((await g.call("POST", `/snapshots/${id}`, snapshot)).status).toBe(200);
  expect((await g.call("POST", `/snapshots/${id}`, snapshot)).status).toBe(403);
  expect((await g.call("DELETE", `/snapshots/${id}`)).status).toBe(403);
  expect((await g.call("POST", "/config", new TextEncoder().encode("c1"))).status).toBe(200);
  expect((await g.call("POST", "/config", new TextEncoder().encode("c2"))).status).toBe(403);
  expect((await g.call("DELETE", "/config")).status).toBe(403);
  expect(await (await g.call("GET", "/config")).text()).toBe("c1");
  const lock = new TextEncoder().encode("lock");
  await g.call("POST", `/locks/${named(lock)}`, lock);
  expect((await g.call("DELETE", `/locks/${named(lock)}`)).status).toBe(200);

  h.repo.updateGuest(g.id, { pruneUntil: new Date(Date.parse("2026-06-02T00:00:00Z")) });
  expect((await g.call("DELETE", `/snapshots/${id}`)).status).toBe(200);
  await g.call("POST", `/snapshots/${id}`, snapshot);
  h.later(2 * 86_400_000);
  expect((await g.call("DELETE", `/snapshots/${id}`)).status).toBe(403);
});

test("uploads are checked against their names and the quota; a refused upload leaves nothing", async () => {
  const h = hostWith(1000);
  const g = h.guest("small");
  await g.call("POST", "/?create=true");
  const ok = new Uint8Array(600).fill(7);
  expect((await g.call("POST", `/data/${named(ok)}`, ok)).status).toBe(200);
  const damaged = new Uint8Array(100).fill(1);
  expect((await g.call("POST", `/data/${named(new Uint8Array(100))}`, damaged)).status).toBe(400);
  const big = new Uint8Array(500).fill(3);
  const refused = await g.call("POST", `/data/${named(big)}`, big);
  expect(refused.status).toBe(413);
  expect(await refused.text()).toContain("quota");
  expect(h.host.usedBytes(h.repo.guest(g.id)!)).toBe(600);
  const dir = join(dataPaths(h.box.dataDir).backup.guest(g.id), "data", named(big).slice(0, 2));
  expect(existsSync(join(dir, named(big)))).toBe(false);
  expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  // The admin raises the quota: the same upload now fits.
  h.repo.updateGuest(g.id, { quotaBytes: 2000 });
  expect((await g.call("POST", `/data/${named(big)}`, big)).status).toBe(200);
});

test("reads: HEAD, ranges, and lists in both of restic's formats", async () => {
  const h = hostWith();
  const g = h.guest("reader");
  await g.call("POST", "/?create=true");
  const pack = new TextEncoder().encode("0123456789");
  await g.call("POST", `/data/${named(pack)}`, pack);
  const head = await g.call("HEAD", `/data/${named(pack)}`);
  expect([head.status, head.headers.get("content-length")]).toEqual([200, "10"]);
  const part = await g.call("GET", `/data/${named(pack)}`, undefined, { range: "bytes=2-5" });
  expect([part.status, await part.text(), part.headers.get("content-range")]).toEqual([206, "2345", "bytes 2-5/10"]);
  expect(await (await g.call("GET", "/data/", undefined, { accept: "application/vnd.x.restic.rest.v2" })).json()).toEqual([{ name: named(pack), size: 10 }]);
  expect(await (await g.call("GET", "/data/")).json()).toEqual([named(pack)]);
  expect((await g.call("GET", `/data/${named(new Uint8Array(1))}`)).status).toBe(404);
});

test("the listener's certificate names the box's addresses, an IPv6 one without its URL brackets, and is kept", async () => {
  const box = createTestApp();
  cleanups.push(box.cleanup);
  // What services.ts passes: the hostnames of the box's origins (a URL's IPv6 hostname keeps its brackets).
  const names = ["nas.local", new URL("https://10.0.2.15").hostname, new URL("https://[fec0::5054:ff:fe12:3456]").hostname, "localhost"];
  const first = await hostCertificate(box.dataDir, names);
  const san = new x509.X509Certificate(first.cert).getExtension(x509.SubjectAlternativeNameExtension)!;
  expect(
    san.names
      .toJSON()
      .map((n) => `${n.type}:${n.value}`)
      .sort(),
  ).toEqual(["dns:localhost", "dns:nas.local", "ip:10.0.2.15", "ip:fec0::5054:ff:fe12:3456"]);
  // The same names again (a restart): the same certificate, so guests' pins hold.
  expect((await hostCertificate(box.dataDir, names)).cert).toBe(first.cert);
});
