// Reading and presenting the box's CA certificate. Kept apart from tls.ts (which mints certificates with
// @peculiar/x509) so the web process can serve /ca.crt without loading an X.509 stack.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const TLS_FILES = {
  caCert: "ca.crt",
  caKey: "ca.key",
  serverCert: "server.crt",
  serverKey: "server.key",
} as const;

export function fromPem(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, ""), "base64");
}

/** The CA certificate as PEM, or null before first boot provisioning ran. */
export function readCaCertificate(dir: string): string | null {
  const path = join(dir, TLS_FILES.caCert);
  return existsSync(path) ? readFileSync(path, "utf8") : null;
}

export function caCertificateDer(pem: string): Buffer {
  return fromPem(pem);
}

export function caFingerprint(pem: string): string {
  const digest = new Bun.CryptoHasher("sha256").update(fromPem(pem)).digest("hex").toUpperCase();
  return digest.match(/../g)!.join(":");
}

function xmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** An Apple configuration profile (iOS, iPadOS, macOS) that installs the CA as a trusted root. */
export function caMobileConfig(pem: string, opts: { hostname: string }): string {
  const der = fromPem(pem).toString("base64");
  const fingerprint = caFingerprint(pem).replace(/:/g, "");
  const uuid = (seed: string) => `${seed.slice(0, 8)}-${seed.slice(8, 12)}-4${seed.slice(13, 16)}-8${seed.slice(17, 20)}-${seed.slice(20, 32)}`;
  const name = xmlEscape(`${opts.hostname}.local certificate authority`);
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>PayloadContent</key>
  <array>
    <dict>
      <key>PayloadCertificateFileName</key>
      <string>nas-ca.crt</string>
      <key>PayloadContent</key>
      <data>${der}</data>
      <key>PayloadDisplayName</key>
      <string>${name}</string>
      <key>PayloadIdentifier</key>
      <string>local.nas.ca.${fingerprint.slice(0, 16)}</string>
      <key>PayloadType</key>
      <string>com.apple.security.root</string>
      <key>PayloadUUID</key>
      <string>${uuid(fingerprint.slice(0, 32))}</string>
      <key>PayloadVersion</key>
      <integer>1</integer>
    </dict>
  </array>
  <key>PayloadDisplayName</key>
  <string>${name}</string>
  <key>PayloadIdentifier</key>
  <string>local.nas.profile.${fingerprint.slice(0, 16)}</string>
  <key>PayloadType</key>
  <string>Configuration</string>
  <key>PayloadUUID</key>
  <string>${uuid(fingerprint.slice(32, 64))}</string>
  <key>PayloadVersion</key>
  <integer>1</integer>
</dict>
</plist>
`;
}
