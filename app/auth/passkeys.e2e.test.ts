// The whole account journey in Debian's Chromium with a CDP virtual authenticator, plus the attacks
// a passkey server must refuse. Runs by `make test-browser` (part of `make test`).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { addVirtualAuthenticator, fillWizardToSummary, launchBrowser, startServer, watchPageErrors, type TestServer } from "../../test/support/browser";

let server: TestServer;
let browser: Browser;
let fakeBin: string;

// The wizard's storage step lists disks with lsblk: the server finds this one first in its PATH (a boot disk and
// one free disk whose model carries markup), so the step looks the same on every machine. Nothing here formats.
const lsblk = JSON.stringify({
  blockdevices: [
    {
      name: "mmcblk0",
      path: "/dev/mmcblk0",
      type: "disk",
      size: 32e9,
      children: [{ name: "mmcblk0p2", path: "/dev/mmcblk0p2", type: "part", size: 31e9, fstype: "ext4", uuid: "u-root", mountpoints: ["/"] }],
    },
    { name: "sda", path: "/dev/sda", type: "disk", size: 2e12, model: "WD Red <img src=x onerror=alert(1)>", children: [] },
  ],
});

beforeAll(async () => {
  fakeBin = mkdtempSync(join(tmpdir(), "nas-e2e-bin-"));
  writeFileSync(join(fakeBin, "lsblk"), `#!/bin/sh\ncat <<'EOF'\n${lsblk}\nEOF\n`);
  chmodSync(join(fakeBin, "lsblk"), 0o755);
  server = await startServer({ env: { PATH: `${fakeBin}:${process.env.PATH}` } });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(fakeBin, { recursive: true, force: true });
});

/** A page with its own authenticator: one person's phone. */
async function newDevice() {
  const context = await browser.newContext();
  const page = await context.newPage();
  const authenticator = await addVirtualAuthenticator(page);
  const errors = watchPageErrors(page);
  return { page, authenticator, errors };
}

async function saveCodesAndContinue(page: Page) {
  await page.locator("#recovery-codes").waitFor({ state: "visible" });
  const codes = await page.locator("#recovery-codes .codes span").allTextContents();
  expect(codes).toHaveLength(10);
  await page.click("#codes-saved");
  return codes;
}

async function signOut(page: Page) {
  await page.click("form.logout button");
  await page.waitForURL(/\/login$/);
}

async function signInWithPasskey(page: Page) {
  await page.goto(`${server.origin}/login`);
  await page.click("#passkey-login");
  await page.waitForURL(`${server.origin}/`);
}

/** Asks the box for a login challenge and lets the authenticator answer it, from inside the page. */
function assertionFor(page: Page) {
  return page.evaluate(async () => {
    const csrf = document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')!.content;
    const res = await fetch("/auth/login/options", { method: "POST", headers: { "x-csrf-token": csrf, accept: "application/json" } });
    const { challengeId, options } = await res.json();
    // @ts-expect-error: the vendored UMD bundle defines this global
    const response = await SimpleWebAuthnBrowser.startAuthentication({ optionsJSON: options });
    return { challengeId, response, options };
  });
}

function postVerify(page: Page, body: unknown) {
  return page.evaluate(async (b) => {
    const csrf = document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')!.content;
    const res = await fetch("/auth/login/verify", {
      method: "POST",
      headers: { "content-type": "application/json", "x-csrf-token": csrf, accept: "application/json" },
      body: JSON.stringify(b),
    });
    return { status: res.status, body: await res.json() };
  }, body);
}

let admin: Awaited<ReturnType<typeof newDevice>>;

test("fresh server → wizard → admin passkey → storage step (keep files here) → sign out → passkey sign-in", async () => {
  admin = await newDevice();
  const { page } = admin;
  await page.goto(server.origin);
  await page.waitForURL(/\/setup$/);
  await fillWizardToSummary(page, { deviceName: "Family NAS", username: "ada", displayName: "Ada Lovelace" });
  await expect(page.locator("#summary").textContent()).resolves.toContain("Family NAS");
  await page.click("#wizard-next");
  await saveCodesAndContinue(page);

  // Last step, signed in now: where the files live. The free disk is offered (its name as text), the boot disk is not.
  await page.waitForURL(`${server.origin}/setup/storage`);
  expect(await page.textContent("h1")).toBe("Where should your files live?");
  const disks = page.locator('[data-testid="setup-disks"]');
  expect(await disks.textContent()).toContain("WD Red <img src=x onerror=alert(1)>");
  expect(await disks.locator("img").count()).toBe(0);
  expect(await disks.textContent()).not.toContain("mmcblk0");
  // Choosing the disk opens its typed confirmation; keeping the files here formats nothing.
  await expect(page.locator("#confirm-sda").isVisible()).resolves.toBe(false);
  await disks.locator('input[type="radio"]').check();
  await page.locator("#confirm-sda").waitFor({ state: "visible" });
  await page.click("#storage-keep");
  await page.waitForURL(`${server.origin}/`);
  const db = new Database(join(server.dataDir, "db.sqlite"), { readonly: true });
  expect(db.query("select count(*) as n from jobs where kind = 'storage.move'").get()).toEqual({ n: 0 });
  db.close();
  expect(await page.textContent("h1")).toContain("Ada Lovelace");
  expect(await page.title()).toContain("Family NAS");
  expect(await admin.authenticator.credentials()).toHaveLength(1);

  // The wizard is gone for good.
  await page.goto(`${server.origin}/setup`);
  expect(page.url()).toBe(`${server.origin}/`); // → /login → already signed in → home

  await signOut(page);
  await signInWithPasskey(page);
  expect(await page.textContent("h1")).toContain("Ada Lovelace");
  expect(admin.errors.filter((e) => /Content Security Policy|Alpine|Error/i.test(e))).toEqual([]);
}, 60_000);

test("admin invites → second person registers with their own passkey → signs in", async () => {
  const { page } = admin;
  await page.goto(`${server.origin}/settings/admin`);
  await page.click("#create-invite");
  const link = await page.inputValue("#new-link");
  expect(link).toStartWith(`${server.origin}/register?invite=`);

  const bob = await newDevice();
  await bob.page.goto(link);
  await bob.page.fill("#username", "bob");
  await bob.page.fill("#display", "Bob <b>Builder</b>");
  await bob.page.click("#create-passkey");
  await saveCodesAndContinue(bob.page);
  await bob.page.waitForURL(`${server.origin}/`);
  expect(await bob.page.textContent("h1")).toContain("Bob <b>Builder</b>"); // shown as text, not markup

  await signOut(bob.page);
  await signInWithPasskey(bob.page);
  expect(await bob.page.textContent("h1")).toContain("Bob");

  // The invite worked once.
  const reuse = await browser.newPage();
  await reuse.goto(link);
  expect(await reuse.textContent("main")).toContain("invalid, expired or already used");
  await reuse.close();
}, 60_000);

test("a tampered signature is refused", async () => {
  const { page } = admin;
  await signOut(page);
  const { challengeId, response } = await assertionFor(page);
  const sig = Buffer.from(response.response.signature, "base64url");
  sig.writeUInt8(sig.readUInt8(sig.length - 5) ^ 0xff, sig.length - 5);
  response.response.signature = sig.toString("base64url");
  const result = await postVerify(page, { challengeId, response });
  expect(result.status).toBe(401);
  expect(result.body.error).toMatch(/signature/i);
}, 30_000);

test("a replayed challenge is refused, even after a successful sign-in", async () => {
  const { page } = admin;
  const { challengeId, response } = await assertionFor(page);
  const first = await postVerify(page, { challengeId, response });
  expect(first.status).toBe(200);
  await page.goto(`${server.origin}/login`); // fresh CSRF token for the new session state
  const replay = await postVerify(page, { challengeId, response });
  expect(replay.status).toBe(400);
  expect(replay.body.error).toMatch(/expired or was already used/);
  await page.goto(`${server.origin}/`);
  await signOut(page);
}, 30_000);

test("an assertion made on another origin (a phishing page relaying the challenge) is refused", async () => {
  const { page } = admin;
  // Same rpID (localhost), different origin: what a look-alike page on another port could obtain.
  const phishing = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: () => new Response("<!doctype html><title>phish</title>", { headers: { "content-type": "text/html" } }),
  });
  try {
    await page.goto(`${server.origin}/login`);
    const { challengeId, options } = await page.evaluate(async () => {
      const csrf = document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')!.content;
      const res = await fetch("/auth/login/options", { method: "POST", headers: { "x-csrf-token": csrf, accept: "application/json" } });
      return res.json();
    });
    await page.goto(`http://localhost:${phishing.port}/`);
    const response = await page.evaluate(async (opts) => {
      const b64 = (s: string) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
      const enc = (b: ArrayBuffer) =>
        btoa(String.fromCharCode(...new Uint8Array(b)))
          .replace(/\+/g, "-")
          .replace(/\//g, "_")
          .replace(/=+$/, "");
      const cred = (await navigator.credentials.get({
        publicKey: { challenge: b64(opts.challenge), rpId: opts.rpId, userVerification: "preferred" },
      })) as PublicKeyCredential;
      const r = cred.response as AuthenticatorAssertionResponse;
      return {
        id: cred.id,
        rawId: enc(cred.rawId),
        type: cred.type,
        clientExtensionResults: {},
        response: {
          clientDataJSON: enc(r.clientDataJSON),
          authenticatorData: enc(r.authenticatorData),
          signature: enc(r.signature),
          userHandle: r.userHandle ? enc(r.userHandle) : undefined,
        },
      };
    }, options);
    await page.goto(`${server.origin}/login`);
    const result = await postVerify(page, { challengeId, response });
    expect(result.status).toBe(401);
    expect(result.body.error).toMatch(/origin/i);
  } finally {
    phishing.stop(true);
  }
}, 30_000);
