// Login Flow v2 as the Nextcloud apps run it, in Debian's Chromium with a virtual authenticator: a script plays the
// app (POST /index.php/login/v2, then polls), the person signs in with their passkey on the page the app opened and
// allows "<device>"; the app receives an app password that works for WebDAV and is listed in Settings → Devices.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { addVirtualAuthenticator, fillWizardToSummary, launchBrowser, startServer, watchPageErrors, type TestServer } from "../../test/support/browser";

let server: TestServer;
let browser: Browser;
beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

test("an app signs in through the browser with a passkey and receives its own app password", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await addVirtualAuthenticator(page);
  const errors = watchPageErrors(page);
  // The owner exists with a passkey (the wizard), and is signed out when the app asks.
  await page.goto(server.origin);
  await fillWizardToSummary(page, { deviceName: "Family NAS", username: "ada", displayName: "Ada" });
  await page.click("#wizard-next");
  await page.locator("#recovery-codes").waitFor({ state: "visible" });
  await page.click("#codes-saved");
  await page.waitForURL(`${server.origin}/setup/storage`);
  await page.goto(`${server.origin}/settings`);
  await page.click("form.logout button");
  await page.waitForURL(/\/login$/);

  // The app's side: start the flow, poll before anything happened.
  const ua = "Mozilla/5.0 (Android) Nextcloud-android/3.29.0";
  const start = await fetch(`${server.origin}/index.php/login/v2`, { method: "POST", headers: { "user-agent": ua } });
  expect(start.status).toBe(200);
  const flow = (await start.json()) as { poll: { token: string; endpoint: string }; login: string };
  expect(flow.login).toStartWith(`${server.origin}/index.php/login/v2/flow/`);
  const poll = () => fetch(flow.poll.endpoint, { method: "POST", body: new URLSearchParams({ token: flow.poll.token }) });
  expect((await poll()).status).toBe(404);

  // The person's side: the page the app opened asks for sign-in, then for the approval.
  await page.goto(flow.login);
  await page.waitForURL(/\/login\?next=/);
  await page.click("#passkey-login");
  await page.waitForURL(flow.login);
  expect(await page.textContent("h1")).toBe("Android phone wants access to your files");
  await page.fill("#device-name", "Pixel 8");
  await page.click("#allow");
  await page.locator("#flow-result").waitFor();
  expect(await page.textContent("#flow-result")).toContain("“Pixel 8” is connected");

  const answer = await poll();
  expect(answer.status).toBe(200);
  const creds = (await answer.json()) as { server: string; loginName: string; appPassword: string };
  expect(creds.server).toBe(server.origin);
  expect(creds.loginName).toBe("ada");
  // Once only.
  expect((await poll()).status).toBe(404);

  const auth = `Basic ${Buffer.from(`${creds.loginName}:${creds.appPassword}`).toString("base64")}`;
  const listing = await fetch(`${server.origin}/remote.php/dav/files/ada/`, { method: "PROPFIND", headers: { authorization: auth, depth: "1" } });
  expect(listing.status).toBe(207);
  const user = await fetch(`${server.origin}/ocs/v2.php/cloud/user?format=json`, { headers: { authorization: auth } });
  expect(((await user.json()) as { ocs: { data: { id: string } } }).ocs.data.id).toBe("ada");

  await page.goto(`${server.origin}/settings/devices`);
  expect(await page.textContent("#devices")).toContain("Pixel 8");
  expect(errors.filter((e) => /Content Security Policy|Alpine|Error/i.test(e))).toEqual([]);
  await context.close();
}, 90_000);
