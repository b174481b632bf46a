import { Elysia } from "elysia";
import { publicGet } from "../platform/http/access";
import { hostname as osHostname } from "node:os";
import { caCertificateDer, caFingerprint, caMobileConfig, readCaCertificate } from "../../provision/ca-files";

/**
 * The box's certificate authority and how to trust it. Reachable over plain http too (the
 * redirector lets /ca* and /setup/trust through) because a new device does not trust https yet.
 */
export function tlsRoutes(opts: { tlsDir: string; hostname?: () => string }) {
  const hostname = () => (opts.hostname ?? osHostname)().split(".")[0]!;
  const caPem = () => readCaCertificate(opts.tlsDir);
  const notProvisioned = () => new Response("This box has no certificate authority yet (it is created at first boot).", { status: 404 });

  return new Elysia({ name: "tls-routes" })
    .get(
      "/ca.crt",
      () => {
        const pem = caPem();
        if (!pem) return notProvisioned();
        return new Response(new Uint8Array(caCertificateDer(pem)), {
          headers: {
            "content-type": "application/x-x509-ca-cert",
            "content-disposition": `attachment; filename="${hostname()}-local-ca.crt"`,
            "cache-control": "no-cache",
          },
        });
      },
      publicGet,
    )
    .get(
      "/ca.pem",
      () => {
        const pem = caPem();
        if (!pem) return notProvisioned();
        return new Response(pem, { headers: { "content-type": "application/x-pem-file", "cache-control": "no-cache" } });
      },
      publicGet,
    )
    .get(
      "/ca.mobileconfig",
      () => {
        const pem = caPem();
        if (!pem) return notProvisioned();
        return new Response(caMobileConfig(pem, { hostname: hostname() }), {
          headers: {
            "content-type": "application/x-apple-aspen-config",
            "content-disposition": `attachment; filename="${hostname()}-local-ca.mobileconfig"`,
            "cache-control": "no-cache",
          },
        });
      },
      publicGet,
    )
    .get(
      "/setup/trust",
      () => {
        const pem = caPem();
        const page = <TrustPage host={`${hostname()}.local`} fingerprint={pem ? caFingerprint(pem) : null} />;
        return new Response("<!doctype html>" + page, { headers: { "content-type": "text/html; charset=utf-8" } });
      },
      publicGet,
    );
}

function TrustPage(props: { host: string; fingerprint: string | null }) {
  const url = `https://${props.host}`;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title safe>{`Trust ${props.host}`}</title>
        <link rel="stylesheet" href="/static/app.css" />
      </head>
      <body>
        <main class="trust">
          <h1 safe>{`Trust ${props.host} on this device`}</h1>
          <p>
            Your NAS made its own certificate authority (CA) when it first started. Install it once on each device and browsers will open{" "}
            <strong safe>{url}</strong> without warnings; passkeys need this secure connection.
          </p>
          {props.fingerprint ? (
            <p>
              Before you trust it, check that the SHA-256 fingerprint your device shows matches:
              <br />
              <code safe>{props.fingerprint}</code>
            </p>
          ) : (
            <p>The certificate authority does not exist yet; it is created at first boot.</p>
          )}
          <p>
            <a href="/ca.crt" download="">
              Download the certificate (.crt)
            </a>{" "}
            ·{" "}
            <a href="/ca.mobileconfig" download="">
              Apple profile (.mobileconfig)
            </a>{" "}
            · <a href="/ca.pem">PEM</a>
          </p>

          <h2>Windows</h2>
          <ol>
            <li>
              Download the .crt file and open it, then choose <em>Install Certificate…</em>.
            </li>
            <li>
              Pick <em>Local Machine</em> (or Current User), then <em>Place all certificates in the following store</em>.
            </li>
            <li>
              Choose <em>Trusted Root Certification Authorities</em>, finish, and restart the browser.
            </li>
          </ol>

          <h2>macOS</h2>
          <ol>
            <li>
              Download the .mobileconfig file, open <em>System Settings → Privacy &amp; Security → Profiles</em> and install it.
            </li>
            <li>
              Or open the .crt in <em>Keychain Access</em> (System keychain), double-click it and set <em>When using this certificate</em> to{" "}
              <em>Always Trust</em>.
            </li>
          </ol>

          <h2>iPhone and iPad</h2>
          <ol>
            <li>Open this page in Safari and tap the .mobileconfig link; allow the download.</li>
            <li>
              Go to <em>Settings → Profile Downloaded</em> and tap <em>Install</em>.
            </li>
            <li>
              Then <em>Settings → General → About → Certificate Trust Settings</em> and switch on full trust for the NAS CA.
            </li>
          </ol>

          <h2>Android</h2>
          <ol>
            <li>Download the .crt file.</li>
            <li>
              Open <em>Settings → Security → More security settings → Encryption &amp; credentials → Install a certificate → CA certificate</em> (the path
              differs a little by maker) and pick the file.
            </li>
          </ol>

          <h2>Linux</h2>
          <ol>
            <li>
              Debian/Ubuntu: copy the .crt to <code>/usr/local/share/ca-certificates/</code> and run <code>sudo update-ca-certificates</code>. Fedora: copy it
              to <code>/etc/pki/ca-trust/source/anchors/</code> and run <code>sudo update-ca-trust</code>.
            </li>
            <li>
              Firefox and Chrome keep their own list: <em>Settings → Privacy &amp; Security → Certificates → View Certificates → Authorities → Import</em>,
              trust it for websites.
            </li>
          </ol>

          <h2>ChromeOS</h2>
          <ol>
            <li>
              Download the .crt file, open <code>chrome://certificate-manager</code> (or{" "}
              <em>Settings → Privacy and security → Security → Manage certificates</em>).
            </li>
            <li>
              Under <em>Authorities</em> choose <em>Import</em>, pick the file and tick <em>Trust this certificate for identifying websites</em>.
            </li>
          </ol>

          <p>
            <a href={url} safe>{`Continue to ${url}`}</a>
          </p>
        </main>
      </body>
    </html>
  );
}
