// The start page is kept between writes (app/home/summary.ts): it must show every change at once, and a page view
// must never need to write.
import { afterEach, expect, test } from "bun:test";
import { join } from "node:path";
import { changeCounter, openDb } from "../platform/db/client";
import { createTestApp, type TestApp } from "../../test/support/app";
import { createHomeSummaries } from "./summary";

let t: TestApp;
afterEach(() => t?.cleanup());

const bytes = (text: string) =>
  (async function* () {
    yield new TextEncoder().encode(text);
  })();
const home = async (headers: Record<string, string>) => {
  const r = await t.request("/", { headers });
  expect(r.status).toBe(200);
  return r.text();
};

test("a change shows on the next view, whatever made it: Drive, a route, the quota, the worker's alerts (another connection)", async () => {
  t = createTestApp();
  const admin = t.createAdmin("alice");
  const A = t.signIn(admin);
  const { drive, auth } = t.services;
  expect(await home(A)).toContain("Nothing yet.");
  const file = await drive.upload(admin, { name: "notes.txt", conflict: "rename" }, bytes("hello"));
  let html = await home(A);
  expect(html).toContain(">notes.txt</a>");
  expect(html).toContain("5 B");
  // Through a route, as a browser does it.
  const r = await t.request("/api/v1/trash", {
    method: "POST",
    headers: { ...A, "content-type": "application/json" },
    body: JSON.stringify({ ids: [file.id] }),
  });
  expect(r.status).toBe(200);
  html = await home(A);
  expect(html).not.toContain("notes.txt");
  auth.users.setQuota(admin.id, "1");
  expect(await home(A)).toContain("used of 1.0 GB");

  // The worker writes alerts through its own connection: the start page sees them (SQLite's data_version).
  const summaries = createHomeSummaries({
    drive,
    photos: t.services.photos,
    health: () => t.services.dashboard.alerts.health(),
    silentDevices: () => [],
    changes: changeCounter(t.db, 0),
  });
  expect(summaries.health().level).toBe("green");
  const worker = openDb(join(t.dataDir, "db.sqlite"), { log: () => {} });
  try {
    worker.$client
      .query(
        "INSERT INTO alerts (code, subject, severity, message, first_seen_at, last_seen_at) VALUES ('disk-full', 'fs:/', 'critical', 'The disk is full', 1, 1)",
      )
      .run();
  } finally {
    worker.$client.close();
  }
  expect(summaries.health()).toEqual({ level: "red", reason: "The disk is full" });
});

test("a view writes nothing: with the database refusing writes, the start page still answers when the session's last-seen is due", async () => {
  let now = new Date("2026-12-01T10:00:00Z");
  t = createTestApp({ deps: { now: () => now } });
  const admin = t.createAdmin("alice");
  const A = t.signIn(admin);
  await t.services.drive.upload(admin, { name: "kept.txt", conflict: "rename" }, bytes("kept"));
  now = new Date(now.getTime() + 5 * 60_000); // "last seen" is written at most once a minute: due now
  t.db.$client.exec("PRAGMA query_only = ON"); // any write now fails, as on a full disk
  try {
    const html = await home(A);
    expect(html).toContain(">kept.txt</a>");
    expect(html).toContain('data-testid="home-health"');
  } finally {
    t.db.$client.exec("PRAGMA query_only = OFF");
  }
});

test("the content kept between writes still ages: a file's “just now” becomes “1 min ago” with nothing written", async () => {
  // The file's time comes from the injected clock; its label from the real one (as the page's relative times do).
  const madeAt = Date.now() - 58_500;
  t = createTestApp({ deps: { now: () => new Date(madeAt) } });
  const admin = t.createAdmin("alice");
  const A = t.signIn(admin);
  await t.services.drive.upload(admin, { name: "aging.txt", conflict: "rename" }, bytes("old"));
  const before = await home(A);
  expect(before).toContain(">just now</time>");
  await Bun.sleep(Math.max(0, madeAt + 61_000 - Date.now()));
  const after = await home(A);
  expect(after).toContain(">1 min ago</time>");
  expect(after).toContain(">aging.txt</a>");
});

test("two people's start pages never share kept content", async () => {
  t = createTestApp();
  const admin = t.createAdmin("alice");
  const bob = t.services.auth.users.add({ username: "bob", displayName: "Bob <b>B</b>" }, admin.id).user;
  await t.services.drive.upload(admin, { name: "alice-only.txt", conflict: "rename" }, bytes("a"));
  const a = await home(t.signIn(admin));
  const b = await home(t.signIn(bob));
  expect(a).toContain(">alice-only.txt</a>");
  expect(b).not.toContain("alice-only.txt");
  expect(b).toContain("Hello, <span>Bob &lt;b&gt;B&lt;/b&gt;</span>");
  expect(await home(t.signIn(admin))).toContain(">alice-only.txt</a>");
});
