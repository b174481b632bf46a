import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureCertificates } from "../../provision/tls";
import { x509 } from "../../provision/x509";
import { tlsRoutes } from "./routes";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
async function provisioned() {
  const dir = mkdtempSync(join(tmpdir(), "nas-tls-routes-"));
  dirs.push(dir);
  await ensureCertificates({ dir, hostname: "attic", addresses: ["192.168.1.20"] });
  return tlsRoutes({ tlsDir: dir, hostname: () => "attic" });
}
const get = (app: { handle(r: Request): Promise<Response> }, path: string) => app.handle(new Request(`http://attic.local${path}`));

test("GET /ca.crt serves the CA as DER for the OS certificate installers", async () => {
  const app = await provisioned();
  const res = await get(app, "/ca.crt");
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("application/x-x509-ca-cert");
  const cert = new x509.X509Certificate(new Uint8Array(await res.arrayBuffer()));
  expect(cert.getExtension(x509.BasicConstraintsExtension)?.ca).toBe(true);
});

test("GET /ca.mobileconfig is an Apple profile with a root payload", async () => {
  const res = await get(await provisioned(), "/ca.mobileconfig");
  expect(res.headers.get("content-type")).toBe("application/x-apple-aspen-config");
  expect(await res.text()).toContain("com.apple.security.root");
});

test("GET /setup/trust explains every platform and shows the fingerprint", async () => {
  const res = await get(await provisioned(), "/setup/trust");
  const html = await res.text();
  expect(res.headers.get("content-type")).toContain("text/html");
  for (const os of ["Windows", "macOS", "iPhone", "Android", "Linux", "ChromeOS"]) expect(html).toContain(`<h2>${os}`);
  expect(html).toMatch(/([0-9A-F]{2}:){31}[0-9A-F]{2}/);
  expect(html).toContain("https://attic.local");
});

test("before first boot provisioning the CA routes say so instead of failing", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nas-tls-empty-"));
  dirs.push(dir);
  const app = tlsRoutes({ tlsDir: dir });
  expect((await get(app, "/ca.crt")).status).toBe(404);
  expect((await get(app, "/setup/trust")).status).toBe(200);
});
