import { afterEach, describe, expect, test } from "bun:test";
import { x509 } from "./x509";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { caFingerprint, caMobileConfig, certificateNames, ensureCertificates, serverNames } from "./tls";

const dirs: string[] = [];
function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), "nas-tls-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const read = (dir: string, file: string) => readFileSync(join(dir, file), "utf8");
const serverCert = (dir: string) => new x509.X509Certificate(read(dir, "server.crt").split(/(?<=-----END CERTIFICATE-----)/)[0]!);

describe("serverNames", () => {
  test("always covers nas.local, <host>.local and <host>, de-duplicated", () => {
    expect(serverNames("nas", ["192.168.1.20"])).toEqual({ dns: ["nas.local", "nas"], ips: ["192.168.1.20"] });
    expect(serverNames("Attic", ["fd00::2", "10.0.0.5"]).dns).toEqual(["nas.local", "attic.local", "attic"]);
  });
});

describe("ensureCertificates", () => {
  test("first run mints a CA and a server certificate whose SANs hold the names and LAN IPs", async () => {
    const dir = tempDir();
    const result = await ensureCertificates({ dir, hostname: "attic", addresses: ["192.168.1.20", "fd00::20"] });
    expect(result).toMatchObject({ changed: true, reason: "new-ca" });
    const names = certificateNames(serverCert(dir));
    expect(names.dns.sort()).toEqual(["attic", "attic.local", "nas.local"]);
    expect(names.ips.sort()).toEqual(["192.168.1.20", "fd00::20"]);
    expect(statSync(join(dir, "ca.key")).mode & 0o777).toBe(0o600);
    const ca = new x509.X509Certificate(read(dir, "ca.crt"));
    expect(ca.getExtension(x509.BasicConstraintsExtension)?.ca).toBe(true);
    expect(await serverCert(dir).verify({ publicKey: ca.publicKey, signatureOnly: true })).toBe(true);
  });

  test("reuses the CA and keeps the server certificate across restarts when nothing changed", async () => {
    const dir = tempDir();
    await ensureCertificates({ dir, hostname: "nas", addresses: ["10.0.0.2"] });
    const before = { ca: read(dir, "ca.crt"), caKey: read(dir, "ca.key"), server: read(dir, "server.crt") };
    const again = await ensureCertificates({ dir, hostname: "nas", addresses: ["10.0.0.2"] });
    expect(again).toMatchObject({ changed: false, reason: "current" });
    expect({ ca: read(dir, "ca.crt"), caKey: read(dir, "ca.key"), server: read(dir, "server.crt") }).toEqual(before);
  });

  test("re-issues the server certificate (same CA) when a LAN address or the hostname changes", async () => {
    const dir = tempDir();
    await ensureCertificates({ dir, hostname: "nas", addresses: ["10.0.0.2"] });
    const ca = read(dir, "ca.crt");
    const moved = await ensureCertificates({ dir, hostname: "nas", addresses: ["10.0.0.3"] });
    expect(moved).toMatchObject({ changed: true, reason: "names-changed" });
    expect(certificateNames(serverCert(dir)).ips).toEqual(["10.0.0.3"]);
    const renamed = await ensureCertificates({ dir, hostname: "attic", addresses: ["10.0.0.3"] });
    expect(renamed.reason).toBe("names-changed");
    expect(certificateNames(serverCert(dir)).dns).toContain("attic.local");
    expect(read(dir, "ca.crt")).toBe(ca);
  });

  test("renews a server certificate that expires within 30 days", async () => {
    const dir = tempDir();
    const issued = new Date("2026-01-01T00:00:00Z");
    await ensureCertificates({ dir, hostname: "nas", addresses: [], now: issued });
    const later = new Date(issued.getTime() + 380 * 24 * 3600 * 1000);
    expect((await ensureCertificates({ dir, hostname: "nas", addresses: [], now: later })).reason).toBe("expiring");
  });

  test("a browser-like client that trusts only the CA accepts the server for its IP", async () => {
    const dir = tempDir();
    await ensureCertificates({ dir, hostname: "nas", addresses: ["127.0.0.1"] });
    using server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      tls: { cert: read(dir, "server.crt"), key: read(dir, "server.key") },
      fetch: () => new Response("ok"),
    });
    const trusted = await fetch(`https://127.0.0.1:${server.port}/`, { tls: { ca: read(dir, "ca.crt") } });
    expect(await trusted.text()).toBe("ok");
    const otherCa = tempDir();
    await ensureCertificates({ dir: otherCa, hostname: "nas", addresses: [] });
    await expect(fetch(`https://127.0.0.1:${server.port}/`, { tls: { ca: read(otherCa, "ca.crt") } })).rejects.toThrow();
  });
});

describe("caMobileConfig", () => {
  test("wraps the CA in a com.apple.security.root payload", async () => {
    const dir = tempDir();
    await ensureCertificates({ dir, hostname: "nas", addresses: [] });
    const pem = read(dir, "ca.crt");
    const profile = caMobileConfig(pem, { hostname: "nas" });
    expect(profile).toContain("<string>com.apple.security.root</string>");
    const der = profile.match(/<data>([^<]+)<\/data>/)![1]!;
    expect(new x509.X509Certificate(Buffer.from(der, "base64")).toString("pem")).toBe(pem.trim());
    expect(caFingerprint(pem)).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });
});
