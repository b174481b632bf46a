import { AsnConvert } from "@peculiar/asn1-schema";
import { GeneralName, GeneralSubtree, GeneralSubtrees, id_ce_nameConstraints, NameConstraints } from "@peculiar/asn1-x509";
import { x509 } from "./x509";
import { chownSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileDurably } from "../hw/files";
import { fromPem, TLS_FILES } from "./ca-files";

export { caCertificateDer, caFingerprint, caMobileConfig, readCaCertificate, TLS_FILES } from "./ca-files";

/**
 * The box's own certificate authority and its https server certificate.
 *
 * Browsers only offer passkeys in a secure context and never for a bare IP, so the box serves
 * https://nas.local with a certificate from a CA minted on first boot. People trust that CA once
 * (GET /ca.crt, /setup/trust); the server certificate is re-issued whenever the names or LAN
 * addresses change, and the CA stays the same for the life of the data partition.
 */

const KEY_ALGORITHM = { name: "ECDSA", namedCurve: "P-256" } as const;
const SIGNING_ALGORITHM = { name: "ECDSA", hash: "SHA-256" } as const;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Apple platforms reject server certificates valid for more than 398 days. */
const SERVER_VALIDITY_DAYS = 397;
const RENEW_BEFORE_DAYS = 30;
const CA_VALIDITY_DAYS = 20 * 365;

export type ServerNames = { dns: string[]; ips: string[] };

export type EnsureResult = {
  /** True when the server certificate was (re)issued in this call. */
  changed: boolean;
  reason: "new-ca" | "missing" | "names-changed" | "expiring" | "other-ca" | "current";
  names: ServerNames;
};

/** DNS names and addresses the server certificate must cover: nas.local, <host>.local, <host>, LAN IPs. */
export function serverNames(hostname: string, addresses: string[]): ServerNames {
  const host = hostname.toLowerCase();
  const dns = [...new Set(["nas.local", `${host}.local`, host])];
  const ips = [...new Set(addresses.map(normalizeIp))].sort();
  return { dns, ips };
}

function normalizeIp(address: string): string {
  return address.includes(":") ? new URL(`http://[${address}]`).hostname.slice(1, -1) : address;
}

function sameNames(a: ServerNames, b: ServerNames): boolean {
  const key = (n: ServerNames) => JSON.stringify([[...n.dns].sort(), [...n.ips].sort()]);
  return key(a) === key(b);
}

/** The names a certificate was issued for, read back from its subjectAltName extension. */
export function certificateNames(cert: x509.X509Certificate): ServerNames {
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const entries = san?.names.toJSON() ?? [];
  return {
    dns: entries.filter((e) => e.type === "dns").map((e) => e.value),
    ips: entries.filter((e) => e.type === "ip").map((e) => normalizeIp(e.value)),
  };
}

function toPem(der: ArrayBuffer, label: string): string {
  const base64 = Buffer.from(der).toString("base64").replace(/.{64}/g, "$&\n");
  return `-----BEGIN ${label}-----\n${base64.replace(/\n$/, "")}\n-----END ${label}-----\n`;
}

async function exportKeyPem(key: CryptoKey): Promise<string> {
  return toPem(await crypto.subtle.exportKey("pkcs8", key), "PRIVATE KEY");
}

function randomSerial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0]! &= 0x7f; // a positive INTEGER
  return Buffer.from(bytes).toString("hex");
}

/**
 * What the CA may sign for (X.509 Name Constraints, critical): names under .local, the box's own
 * single-label host name, loopback and private address ranges. Whoever trusted the CA stays safe
 * from certificates for other sites even if the CA key is stolen from the box.
 */
const PERMITTED_IP_RANGES = [
  "127.0.0.0/8",
  "::1/128",
  "10.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "169.254.0.0/16",
  "100.64.0.0/10",
  "fc00::/7",
  "fe80::/10",
];

function nameConstraintsFor(hostname: string): x509.Extension {
  const dns = [...new Set(["local", hostname.toLowerCase()])];
  const subtrees = [
    ...dns.map((dNSName) => new GeneralSubtree({ base: new GeneralName({ dNSName }) })),
    ...PERMITTED_IP_RANGES.map((iPAddress) => new GeneralSubtree({ base: new GeneralName({ iPAddress }) })),
  ];
  const value = AsnConvert.serialize(new NameConstraints({ permittedSubtrees: new GeneralSubtrees(subtrees) }));
  return new x509.Extension(id_ce_nameConstraints, true, value);
}

/** An address or range as the raw bytes X.509 stores (address, then mask for a range). */
function ipBytes(address: string): Uint8Array {
  return new Uint8Array(AsnConvert.serialize(new GeneralName({ iPAddress: address }))).slice(2);
}

/** Drops names the CA may not sign for (a public IPv6 address, a host name chosen after the CA was made). */
export function namesWithinConstraints(names: ServerNames, ca: x509.X509Certificate): ServerNames {
  const ext = ca.getExtension(id_ce_nameConstraints);
  if (!ext) return names; // a CA made before constraints existed
  const subtrees = AsnConvert.parse(ext.value, NameConstraints).permittedSubtrees ?? [];
  const dns = subtrees.flatMap((s) => (s.base.dNSName ? [s.base.dNSName.toLowerCase()] : []));
  const ranges = subtrees.flatMap((s) => (s.base.iPAddress ? [ipBytes(s.base.iPAddress)] : []));
  const dnsOk = (name: string) => dns.some((base) => name === base || name.endsWith(`.${base}`));
  const ipOk = (address: string) => {
    const bytes = ipBytes(address);
    return ranges.some((r) => r.length === 2 * bytes.length && bytes.every((b, i) => (b & r[bytes.length + i]!) === r[i]));
  };
  return { dns: names.dns.filter(dnsOk), ips: names.ips.filter(ipOk) };
}

export type CertificateAuthority = { cert: x509.X509Certificate; key: CryptoKey; certPem: string };

export async function createCertificateAuthority(label: string, now: Date): Promise<{ ca: CertificateAuthority; keyPem: string }> {
  const keys = (await crypto.subtle.generateKey(KEY_ALGORITHM, true, ["sign", "verify"])) as CryptoKeyPair;
  const id = randomSerial().slice(0, 8);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=${label} local CA ${id}, O=NAS`,
    notBefore: new Date(now.getTime() - DAY_MS),
    notAfter: new Date(now.getTime() + CA_VALIDITY_DAYS * DAY_MS),
    keys,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      nameConstraintsFor(label),
    ],
  });
  const certPem = cert.toString("pem") + "\n";
  return { ca: { cert, key: keys.privateKey, certPem }, keyPem: await exportKeyPem(keys.privateKey) };
}

export async function issueServerCertificate(ca: CertificateAuthority, names: ServerNames, now: Date) {
  const keys = (await crypto.subtle.generateKey(KEY_ALGORITHM, true, ["sign", "verify"])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: `CN=${names.dns[0]}`,
    issuer: ca.cert.subject,
    notBefore: new Date(now.getTime() - DAY_MS),
    notAfter: new Date(now.getTime() + SERVER_VALIDITY_DAYS * DAY_MS),
    publicKey: keys.publicKey,
    signingKey: ca.key,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...names.dns.map((value) => ({ type: "dns" as const, value })),
        ...names.ips.map((value) => ({ type: "ip" as const, value })),
      ]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert.publicKey),
    ],
  });
  // The chain (server, then CA) so clients that were given only the CA can build the path.
  return { certPem: cert.toString("pem") + "\n" + ca.certPem, keyPem: await exportKeyPem(keys.privateKey) };
}

/**
 * The CA on disk, or null when there is none or it cannot be used (an empty or half-written key from a
 * power cut on a box that predates durable writes): a new CA is better than a web server that never starts.
 */
async function loadCertificateAuthority(dir: string): Promise<CertificateAuthority | null> {
  const certPath = join(dir, TLS_FILES.caCert);
  const keyPath = join(dir, TLS_FILES.caKey);
  if (!existsSync(certPath) || !existsSync(keyPath)) return null;
  try {
    const certPem = readFileSync(certPath, "utf8");
    const key = await crypto.subtle.importKey("pkcs8", new Uint8Array(fromPem(readFileSync(keyPath, "utf8"))), KEY_ALGORITHM, false, ["sign"]);
    return { cert: new x509.X509Certificate(certPem), key, certPem };
  } catch (error) {
    console.error(`nas-tls: the CA in ${dir} is unreadable (${(error as Error).message}); making a new one`);
    return null;
  }
}

/** First certificate of a PEM bundle. */
function firstCertificate(pem: string): x509.X509Certificate {
  const match = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/);
  if (!match) throw new Error("no certificate in PEM");
  return new x509.X509Certificate(match[0]);
}

async function serverCertificateState(dir: string, ca: CertificateAuthority, names: ServerNames, now: Date) {
  const certPath = join(dir, TLS_FILES.serverCert);
  if (!existsSync(certPath) || !existsSync(join(dir, TLS_FILES.serverKey))) return "missing" as const;
  let cert: x509.X509Certificate;
  try {
    cert = firstCertificate(readFileSync(certPath, "utf8"));
  } catch {
    return "missing" as const;
  }
  if (cert.issuer !== ca.cert.subject || !(await cert.verify({ publicKey: ca.cert.publicKey, signatureOnly: true }))) {
    return "other-ca" as const;
  }
  if (!sameNames(certificateNames(cert), names)) return "names-changed" as const;
  if (cert.notAfter.getTime() - now.getTime() < RENEW_BEFORE_DAYS * DAY_MS) return "expiring" as const;
  return "current" as const;
}

export type EnsureOptions = {
  dir: string;
  hostname: string;
  addresses: string[];
  now?: Date;
  /** uid/gid that may read server.key (the web server's user); the CA key stays root-only. */
  keyOwner?: { uid: number; gid: number };
};

/** Makes sure dir holds the CA (created once, then reused) and a current server certificate. */
export async function ensureCertificates(opts: EnsureOptions): Promise<EnsureResult> {
  const now = opts.now ?? new Date();
  mkdirSync(opts.dir, { recursive: true, mode: 0o755 });

  let ca = await loadCertificateAuthority(opts.dir);
  let newCa = false;
  if (!ca) {
    const created = await createCertificateAuthority(opts.hostname, now);
    // Key first: a certificate on disk without its key would be taken for a CA that cannot sign.
    writeFileDurably(join(opts.dir, TLS_FILES.caKey), created.keyPem, 0o600);
    writeFileDurably(join(opts.dir, TLS_FILES.caCert), created.ca.certPem, 0o644);
    ca = created.ca;
    newCa = true;
  }

  const names = namesWithinConstraints(serverNames(opts.hostname, opts.addresses), ca.cert);
  const state = newCa ? "new-ca" : await serverCertificateState(opts.dir, ca, names, now);
  if (state === "current") return { changed: false, reason: state, names };

  const server = await issueServerCertificate(ca, names, now);
  const keyPath = join(opts.dir, TLS_FILES.serverKey);
  writeFileDurably(keyPath, server.keyPem, opts.keyOwner ? 0o640 : 0o600);
  if (opts.keyOwner) chownSync(keyPath, 0, opts.keyOwner.gid);
  writeFileDurably(join(opts.dir, TLS_FILES.serverCert), server.certPem, 0o644);
  return { changed: true, reason: state, names };
}
