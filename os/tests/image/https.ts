/**
 * HTTPS, checked from outside as a device on the LAN: the box's CA over plain http, the TLS chain and the name nas.local
 * verified against it (curl), the CA's name constraints, a new box sending / to the wizard, plain http redirecting to
 * https except the trust instructions.
 */
import { spawnSync } from "bun";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { curlVerified, fetchCa, toPem } from "./clients";
import { type Concern, check } from "./harness";

export const https: Concern = {
  name: "https",
  needs: ["boot"],
  async run(run) {
    const first = run.running("https");
    const ca = await fetchCa(first);
    check(
      "GET http /ca.crt serves the CA (DER)",
      ca.status === 200 && ca.type === "application/x-x509-ca-cert" && ca.der[0] === 0x30,
      `${ca.status} ${ca.type}`,
    );
    const caFile = join(run.work, "ca.pem");
    writeFileSync(caFile, toPem(ca.der));
    run.ca = { der: ca.der, sha256: ca.sha256, file: caFile };

    const health = curlVerified(first, caFile, "/healthz");
    check(
      "TLS chain and name nas.local verify against the box's CA (curl)",
      health.ok && health.status === 200 && health.verify === "0",
      health.error || `verify=${health.verify}`,
    );
    const caText = spawnSync(["openssl", "x509", "-noout", "-ext", "nameConstraints", "-in", caFile]).stdout.toString();
    check(
      "the box's CA is name-constrained (.local, its name, private ranges)",
      /Permitted:[\s\S]*DNS:local[\s\S]*IP:192\.168\.0\.0\/255\.255\.0\.0/.test(caText),
      caText.replace(/\s+/g, " ").slice(0, 120),
    );
    const home = curlVerified(first, caFile, "/");
    check(
      "GET / sends a new box to the wizard",
      home.status >= 300 && home.status < 400 && home.location.endsWith("/setup"),
      `${home.status} → ${home.location}`,
    );
    const wizard = curlVerified(first, caFile, "/setup");
    check("the setup wizard is served over https", wizard.status === 200 && wizard.body.includes("Set up your NAS"), `${wizard.status}`);
    const redirect = await fetch(`http://127.0.0.1:${first.http}/setup`, { redirect: "manual" });
    check(
      "plain http redirects to https",
      redirect.status >= 300 && redirect.status < 400 && (redirect.headers.get("location") ?? "").startsWith("https://"),
      `${redirect.status}`,
    );
    const trust = await fetch(`http://127.0.0.1:${first.http}/setup/trust`);
    check("the trust instructions stay on plain http", trust.status === 200 && (await trust.text()).includes("ChromeOS"));
  },
};
