/**
 * The dashboard in Debian's Chromium, as the owner meets it on the first boot: the box's CA imported into an NSS
 * database (what *Authorities → Import* does), https://nas.local (no port: the box's origin and WebAuthn rpID;
 * --host-resolver-rules maps the name to the forwarded port), the setup wizard with a CDP virtual authenticator, then
 * the admin dashboard the box renders from its own hardware (CPU, memory, temperature, network, data storage, /dev/vda
 * with SMART or the reason why not), the alerts page, a backup written by the worker on "Back up now", what an open tab
 * costs the box, and SSH turned on in Settings → System with the test's key (which the later concerns use).
 */
import { spawnSync } from "bun";
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { addVirtualAuthenticator, fillWizardToSummary, launchBrowser, watchPageErrors } from "../../../test/support/browser";
import { waitForSsh } from "./clients";
import { type Concern, check, sleep } from "./harness";

const origin = "https://nas.local";

/**
 * Debian's Chromium with the box's CA in its NSS database (what importing ca.crt under *Authorities*
 * does), reaching https://nas.local through the forwarded port. Flags as launchBrowser() in
 * test/support/browser.ts, plus the name mapping; HOME points Chromium at the NSS database.
 */
async function launchTrustingBrowser(work: string, caFile: string, httpsPort: number) {
  const home = join(work, "browser-home");
  const nssdb = `sql:${join(home, ".pki/nssdb")}`;
  mkdirSync(join(home, ".pki/nssdb"), { recursive: true });
  for (const args of [
    ["-N", "--empty-password"],
    ["-A", "-t", "C,,", "-n", "nas-ca", "-i", caFile],
  ]) {
    const res = spawnSync(["certutil", "-d", nssdb, ...args]);
    if (res.exitCode !== 0) throw new Error(`certutil ${args[0]}: ${res.stderr.toString().trim()}`);
  }
  return launchBrowser({ env: { HOME: home }, args: [`--host-resolver-rules=MAP nas.local 127.0.0.1:${httpsPort}`] });
}

/** The element's text as rendered, whitespace collapsed; "" when there is no such element. */
async function text(page: Page, selector: string): Promise<string> {
  const element = page.locator(selector).first();
  if ((await element.count()) === 0) return "";
  // biome-ignore lint/performance/useDomNodeTextContent: what a person sees (layout and visibility applied), not the raw text
  return (await element.innerText()).replace(/\s+/g, " ").trim();
}

/** Reloads `url` until `ready` holds (work the box does in the background: SMART scan, backup job). */
async function reloadUntil(page: Page, url: string, ready: () => Promise<boolean>, ms: number): Promise<boolean> {
  const until = performance.now() + ms;
  for (;;) {
    await page.goto(url);
    if (await ready()) return true;
    if (performance.now() > until) return false;
    await sleep(3000);
  }
}

/** First-run wizard with a passkey; ends signed in on the start page. */
async function setupWizard(page: Page, authenticator: Awaited<ReturnType<typeof addVirtualAuthenticator>>) {
  // A certificate error fails goto (net::ERR_CERT_…) and would also make Chromium refuse WebAuthn.
  await page.goto(`${origin}/`);
  check("Chromium opens https://nas.local trusting the box's CA (NSS db) and lands on the wizard", page.url() === `${origin}/setup`, page.url());
  check("the page is a secure context with WebAuthn", (await page.evaluate("window.isSecureContext && typeof PublicKeyCredential === 'function'")) === true);

  await fillWizardToSummary(page, { deviceName: "Image Test NAS", username: "ada", displayName: "Ada Lovelace" });
  await page.click("#wizard-next"); // create the passkey
  await page.locator("#recovery-codes").waitFor({ state: "visible" });
  const codes = await page.locator("#recovery-codes .codes span").count();
  await page.click("#codes-saved");
  // Last step, signed in: where the files live. The only disk is the one the system boots from.
  await page.waitForURL(`${origin}/setup/storage`);
  const storageStep = await text(page, '[data-testid="setup-storage"]');
  check(
    "wizard storage step: the system disk is not offered for formatting",
    (await page.locator('[data-testid="setup-disks"]').count()) === 0 && !storageStep.includes("/dev/vda"),
    storageStep.slice(0, 160),
  );
  await page.click("#storage-finish");
  await page.waitForURL(`${origin}/`);
  const passkeys = (await authenticator.credentials()).length;
  check(
    "setup wizard: admin created with a passkey (virtual authenticator), signed in",
    passkeys === 1 && codes === 10 && (await text(page, "h1")).includes("Ada Lovelace"),
    `${passkeys} passkey, ${codes} recovery codes`,
  );
}

/** The dashboard's cards as the box renders them from its own hardware; the screenshot goes to /tmp/image-dashboard.png. */
async function hardwareCards(page: Page, work: string) {
  // SMART is read a few seconds after the server starts (then hourly): wait for the disk row.
  const disksCard = '[data-testid="disks-card"]';
  const vdaRow = `${disksCard} tr:has(a:text-is("/dev/vda"))`;
  const listed = await reloadUntil(page, `${origin}/dashboard`, async () => (await page.locator(vdaRow).count()) > 0, 180_000);
  await page.screenshot({ path: join(work, "dashboard.png"), fullPage: true });
  copyFileSync(join(work, "dashboard.png"), "/tmp/image-dashboard.png");

  const cpu = await text(page, '[data-testid="cpu-card"] .big');
  check("dashboard: CPU usage", /^\d+ %$/.test(cpu), `${cpu}; ${await text(page, '[data-testid="cpu-card"] .muted')}`);
  const memory = await text(page, '[data-testid="memory-card"] .big');
  const memoryDetail = await text(page, '[data-testid="memory-card"] .muted');
  check("dashboard: memory usage", /^\d+ %$/.test(memory) && /^[\d.]+ [kMG]B used of [\d.]+ [MG]B/.test(memoryDetail), `${memory}; ${memoryDetail}`);
  const temperature = await text(page, '[data-testid="temperature-card"] .big');
  const temperatureDetail = await text(page, '[data-testid="temperature-card"] .muted');
  check(
    "dashboard: CPU temperature or why there is none",
    /^\d+ °C$/.test(temperature) || (temperature === "—" && /no temperature sensor/.test(temperatureDetail)),
    `${temperature}; ${temperatureDetail}`,
  );
  // os-release's IMAGE_VERSION, written at build time from package.json and the commit.
  const system = await text(page, '[data-testid="system-card"]');
  check("dashboard: the image version from os-release", /image \d+\.\d+\.\d+\+[0-9a-f]{7,}/.test(system), system.match(/image \S+/)?.[0] ?? system);
  const nic = await text(page, '[data-testid="network-card"] li');
  check("dashboard: network interface with its address", /^\w+ \d+\.\d+\.\d+\.\d+/.test(nic), nic);
  const storage = await text(page, '[data-testid="storage-card"] .muted');
  const totalGB = Number(storage.match(/free of ([\d.]+) GB$/)?.[1] ?? NaN);
  // The data filesystem grown to the rest of the 4 GiB disk, not the 64 MiB the image ships.
  check("dashboard: data storage bar with its size", totalGB > 1 && (await page.locator('[data-testid="storage-card"] svg.usage-bar').count()) > 0, storage);
  const smart = listed ? await text(page, `${vdaRow} td:nth-child(2)`) : "";
  const scanNotice = await text(page, `${disksCard} .notice`);
  check(
    "dashboard: disk /dev/vda listed with SMART or the reason why not (not a permission problem)",
    listed && smart !== "" && !/could not be opened|permission|denied|not permitted/i.test(`${smart} ${scanNotice}`),
    listed ? `${smart}${scanNotice ? ` | ${scanNotice}` : ""}` : `not listed after 180 s: ${await text(page, disksCard)}`,
  );
}

/** The alerts page, and "Back up now" until the worker's new backup is listed. */
async function alertsAndBackup(page: Page) {
  const alerts = await page.goto(`${origin}/dashboard/alerts`);
  const alertsText = await text(page, "main");
  check(
    "dashboard: alerts page loads",
    alerts?.status() === 200 && (await text(page, "h1")) === "Alerts" && /No active alerts|Severity/.test(alertsText),
    alertsText.match(/Active (.*?) Resolved/)?.[1] ?? `${alerts?.status()}`,
  );

  const backups = `${origin}/dashboard/backups`;
  const backupNames = () => page.locator('[data-testid="backups"] tbody tr td:first-child').allInnerTexts();
  const runNow = page.locator('#backup-status button:has-text("Back up now")');
  // The worker queues a backup of its own at start: let it finish, so the file checked below is the one asked for.
  await reloadUntil(page, backups, async () => (await runNow.count()) > 0 && (await runNow.isEnabled()), 180_000);
  const before = new Set(await backupNames());
  await Promise.all([page.waitForResponse((r) => r.url().endsWith("/dashboard/backups/run")), runNow.click()]);
  const newBackup = async () => (await backupNames()).find((name) => !before.has(name));
  const backedUp = await reloadUntil(
    page,
    backups,
    async () => (await newBackup()) !== undefined && (await text(page, "#backup-status strong + span")).startsWith("done"),
    180_000,
  );
  const name = await newBackup();
  const row = name ? await text(page, `[data-testid="backups"] tr:has(td:text-is("${name}"))`) : `none new besides ${[...before].join(", ") || "nothing"}`;
  check(
    "dashboard: Back up now → the worker writes a new backup, listed on the backups page",
    backedUp && /^db-\d{8}-\d{6}\.sqlite \S/.test(row),
    `${row}; last run: ${await text(page, "#backup-status strong + span")}`,
  );
}

/** What an open dashboard costs the box, then SSH turned on for the later concerns, as an admin does it. */
async function selfUsageAndSsh(page: Page, sshPublicKey: string) {
  // The web process's own CPU share over a whole minute in which only this tab (polling every 5 s) was open.
  // 125 s covers at least one full minute between two of its samples.
  await page.goto(`${origin}/dashboard`);
  await page.waitForTimeout(125_000);
  const selfUsage = await text(page, '[data-testid="self-usage"]');
  const cpuShare = selfUsage.match(/([\d.]+) % of one core over the last minute/)?.[1];
  check("dashboard: the web process's own CPU share with this tab open is measured", cpuShare !== undefined, selfUsage);
  if (cpuShare !== undefined) console.log(`dashboard refresh on the box (qemu TCG, one open tab): web process ${cpuShare} % of one core`);

  // Settings → System, a public key, Allow SSH.
  await page.goto(`${origin}/settings/system`);
  await page.fill("#ssh-keys-input", sshPublicKey);
  await page.check('#ssh input[name="enabled"]');
  await Promise.all([page.waitForURL(/\/settings\/system/), page.click('#ssh button[type="submit"]')]);
  const sshCard = await text(page, "#ssh");
  check("Settings → System: SSH turned on with the admin's key", /SSH is on with 1 key/.test(sshCard), sshCard.slice(0, 120));
}

export const dashboard: Concern = {
  name: "dashboard",
  needs: ["boot", "https"],
  async run(run) {
    const first = run.running("dashboard");
    if (!run.ca) throw new Error("dashboard: the https concern did not fetch the CA");
    try {
      const browser = await launchTrustingBrowser(run.work, run.ca.file, first.https);
      try {
        const page = await browser.newPage();
        page.setDefaultTimeout(180_000); // a TCG guest renders slowly, and on first boot its workers start at the same time
        const authenticator = await addVirtualAuthenticator(page);
        const errors = watchPageErrors(page);
        await setupWizard(page, authenticator);
        await hardwareCards(page, run.work);
        await alertsAndBackup(page);
        await selfUsageAndSsh(page, readFileSync(`${run.sshKey}.pub`, "utf8").trim());
        check("the dashboard pages ran without console errors or CSP violations", errors.length === 0, errors.join(" | ").slice(0, 300));
      } finally {
        await browser.close();
      }
    } catch (error) {
      check("setup wizard and dashboard in Chromium", false, String(error).split("\n")[0]);
    }
    check("boot 1: SSH answers with the key set in the dashboard (root helper applied the setting)", await waitForSsh(first, run.sshKey));
  },
};
