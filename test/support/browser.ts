// Browser-test helpers: a real server process on a free port and Debian's Chromium through playwright-core.
import { chromium, type Browser, type Page } from "playwright-core";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dir, "../..");

export async function freePort(): Promise<number> {
  const s = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = s.port!;
  s.stop(true);
  return port;
}

export type TestServer = { origin: string; port: number; dataDir: string; stop: () => Promise<void> };

/** Starts `bun app/main.ts` on a temp data dir (or a given one) and waits for /healthz. */
export async function startServer(opts: { dataDir?: string; env?: Record<string, string> } = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), "nas-e2e-"));
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  const proc = Bun.spawn(["bun", "app/main.ts"], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: "127.0.0.1", ORIGIN: origin, ...opts.env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      if ((await fetch(`${origin}/healthz`)).ok) break;
    } catch {}
    if (Date.now() > deadline || proc.exitCode !== null) {
      proc.kill();
      throw new Error(`server did not start: ${await new Response(proc.stderr).text()}`);
    }
    await Bun.sleep(100);
  }
  return {
    origin,
    port,
    dataDir,
    stop: async () => {
      proc.kill("SIGTERM");
      await proc.exited;
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Flags from CONVENTIONS.md: the network is closed, so Chromium must not try to phone home. `args` adds flags
 * (e.g. --host-resolver-rules), `env` replaces variables (e.g. HOME for an NSS database that trusts a CA).
 */
export function launchBrowser(opts: { args?: string[]; env?: Record<string, string> } = {}): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (!existsSync(executablePath)) {
    throw new Error(
      `No Chromium at ${executablePath}: browser tests need it. Install it (Debian: sudo apt-get install chromium, which \`make test\` does as root) or set CHROMIUM_PATH.`,
    );
  }
  return chromium.launch({
    executablePath,
    headless: true,
    env: opts.env ? { ...process.env, ...opts.env } : undefined,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      ...(opts.args ?? []),
    ],
  });
}

/** A platform authenticator with resident keys and user verification, like a phone or laptop. */
export async function addVirtualAuthenticator(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return {
    credentials: async () => (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials,
  };
}

/** Collects console errors and CSP violations so a test can assert the page ran clean. */
export function watchPageErrors(page: Page) {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  return errors;
}

/**
 * Fills the setup wizard's first steps (device name, admin, the browser's time zone, invite only) and stops on the
 * summary, before the passkey: the caller checks the summary, clicks #wizard-next and handles the passkey.
 */
export async function fillWizardToSummary(page: Page, p: { deviceName: string; username: string; displayName: string }) {
  await page.fill("#device-name", p.deviceName);
  await page.click("#wizard-next");
  await page.fill("#admin-username", p.username);
  await page.fill("#admin-display", p.displayName);
  await page.click("#wizard-next");
  await page.click("#wizard-next"); // time zone: the browser's own
  await page.click("#wizard-next"); // invite only
}

/**
 * A browser context already signed in as a new user of the server (made in its database: passkeys are tested
 * elsewhere). Returns the page and an app token for the API, so a test can make its own files.
 */
export async function signedInPage(
  browser: Browser,
  server: TestServer,
  opts: { username?: string; role?: "admin" | "user"; viewport?: { width: number; height: number }; colorScheme?: "light" | "dark"; touch?: boolean } = {},
) {
  const { openDb } = await import("../../app/platform/db/client");
  const { createServices } = await import("../../app/services");
  const { loadConfig } = await import("../../app/platform/config");
  const db = openDb(join(server.dataDir, "db.sqlite"), { log: () => {} });
  const { auth } = createServices({ db, config: loadConfig([], { DATA_DIR: server.dataDir }) });
  const username = opts.username ?? "ada";
  const user =
    auth.users.byName(username) ??
    auth.users.add({ username, displayName: username[0]!.toUpperCase() + username.slice(1), role: opts.role ?? "admin" }, null).user;
  const sid = auth.sessions.create(user.id, {
    ip: "127.0.0.1",
    userAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
  });
  const token = auth.tokens.create(user.id, "e2e").token;
  db.$client.close();
  const context = await browser.newContext({
    baseURL: server.origin,
    viewport: opts.viewport ?? { width: 1280, height: 800 },
    colorScheme: opts.colorScheme ?? "light",
    hasTouch: opts.touch ?? false,
  });
  await context.addCookies([{ name: "nas_session", value: sid, domain: "localhost", path: "/", httpOnly: true, sameSite: "Lax" }]);
  const page = await context.newPage();
  const api = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const res = await fetch(`${server.origin}/api/v1${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...init.headers } });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  return { context, page, user, api };
}

const axeSource = () => Bun.file(join(root, "node_modules/axe-core/axe.min.js")).text();

/**
 * axe-core's WCAG 2 A/AA rules on the page as it is now: the serious and critical violations, each as
 * "rule: target (summary)". Injected through the DevTools protocol, so the page's CSP stays as it is.
 */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  await page.evaluate(await axeSource());
  const results = await page.evaluate(async () => {
    // @ts-expect-error: injected above
    const r = await axe.run(globalThis.document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
    return (r.violations as { id: string; impact: string; nodes: { target: string[]; failureSummary: string }[] }[])
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .flatMap((v) => v.nodes.slice(0, 3).map((n) => `${v.id}: ${n.target.join(" ")} (${n.failureSummary.split("\n").slice(1, 2).join("").trim()})`));
  });
  return results;
}

/** How far the page scrolls sideways (0 when nothing is wider than the viewport). */
export const sidewaysOverflow = (page: Page): Promise<number> => page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth");

/** A PDF of `pages` pages, each saying its number, offsets computed so pdf.js needs no repair. */
export function pdfOf(pages: number): Uint8Array {
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    `<< /Type /Pages /Kids [${Array.from({ length: pages }, (_, i) => `${3 + i * 2} 0 R`).join(" ")}] /Count ${pages} >>`,
  ];
  const font = 3 + pages * 2;
  for (let i = 0; i < pages; i++) {
    const text = `BT /F1 24 Tf 40 100 Td (Page ${i + 1}) Tj ET`;
    objects.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents ${4 + i * 2} 0 R /Resources << /Font << /F1 ${font} 0 R >> >> >>`);
    objects.push(`<< /Length ${text.length} >>\nstream\n${text}\nendstream`);
  }
  objects.push("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
  let out = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("")}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(out);
}
