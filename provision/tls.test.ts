import { afterEach, describe, expect, test } from "bun:test";
import { x509 } from "./x509";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { caFingerprint, caMobileConfig, certificateNames, ensureCertificates, issueServerCertificate, serverNames } from "./tls";

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

  // curl (OpenSSL) checks name constraints with IP ranges as browsers do; Bun's own TLS client (BoringSSL's older
  // verifier) refuses any CA carrying IP constraints ("unsupported name constraint type"), so it is not the client here.
  test("a client that trusts only the CA accepts the server for its IP", async () => {
    const dir = tempDir();
    await ensureCertificates({ dir, hostname: "nas", addresses: ["127.0.0.1"] });
    using server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      tls: { cert: read(dir, "server.crt"), key: read(dir, "server.key") },
      fetch: () => new Response("ok"),
    });
    // Async: the server answers from this same process.
    const curl = async (caDir: string) => {
      const proc = Bun.spawn(["curl", "-sS", "--cacert", join(caDir, "ca.crt"), `https://127.0.0.1:${server.port}/`], { stderr: "pipe" });
      return { code: await proc.exited, out: `${await new Response(proc.stdout).text()}${await new Response(proc.stderr).text()}` };
    };
    expect(await curl(dir)).toEqual({ code: 0, out: "ok" });
    const otherCa = tempDir();
    await ensureCertificates({ dir: otherCa, hostname: "nas", addresses: [] });
    expect((await curl(otherCa)).code).not.toBe(0);
  });
});

describe("power cuts and a stolen CA key", () => {
  test("an empty ca.key (power cut before the write reached the disk) is replaced by a new CA instead of failing forever", async () => {
    const dir = tempDir();
    await ensureCertificates({ dir, hostname: "nas", addresses: ["10.0.0.2"] });
    writeFileSync(join(dir, "ca.key"), "");
    const result = await ensureCertificates({ dir, hostname: "nas", addresses: ["10.0.0.2"] });
    expect(result).toMatchObject({ changed: true, reason: "new-ca" });
    expect(read(dir, "ca.key")).toContain("BEGIN PRIVATE KEY");
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  test("the CA is name-constrained: openssl accepts its server certificate but refuses one it signs for another site", async () => {
    const dir = tempDir();
    await ensureCertificates({ dir, hostname: "attic", addresses: ["192.168.1.20", "2001:db8::20"] });
    const names = certificateNames(serverCert(dir));
    // A public IPv6 address is outside the constraints, so it is left out rather than breaking the whole certificate.
    expect(names.ips).toEqual(["192.168.1.20"]);
    expect(names.dns.sort()).toEqual(["attic", "attic.local", "nas.local"]);
    const ca = new x509.X509Certificate(read(dir, "ca.crt"));
    expect(ca.getExtension("2.5.29.30")?.critical).toBe(true);
    const key = await crypto.subtle.importKey(
      "pkcs8",
      Buffer.from(read(dir, "ca.key").replace(/-----[A-Z ]+-----|\s/g, ""), "base64"),
      { name: "ECDSA", namedCurve: "P-256" },
      false,
      ["sign"],
    );
    const verify = (pem: string) => {
      writeFileSync(join(dir, "leaf.pem"), pem.split(/(?<=-----END CERTIFICATE-----)/)[0]!);
      const out = Bun.spawnSync(["openssl", "verify", "-CAfile", join(dir, "ca.crt"), join(dir, "leaf.pem")]);
      return `${out.exitCode} ${out.stdout.toString()}${out.stderr.toString()}`;
    };
    expect(verify(read(dir, "server.crt"))).toMatch(/^0 .*OK/);
    const stolen = { cert: ca, key, certPem: read(dir, "ca.crt") };
    for (const names of [
      { dns: ["www.example-bank.com"], ips: [] },
      { dns: ["nas.local"], ips: ["8.8.8.8"] },
    ]) {
      const forged = await issueServerCertificate(stolen, names, new Date());
      expect(verify(forged.certPem)).toMatch(/permitted subtree violation/);
    }
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
