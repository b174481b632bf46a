import type { Kit } from "../../app/backup/kit";

/** The emergency kit as a page of its own: nothing but the kit, made to be printed (a button prints it). */
export function KitPage(p: { kit: Kit }) {
  const k = p.kit;
  return (
    <>
      {"<!doctype html>"}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="robots" content="noindex" />
          <title safe>{`Emergency kit — ${k.boxName}`}</title>
          <link rel="stylesheet" href="/dashboard/assets/backup-kit.css" />
          <script src="/static/js/backup-kit.js" defer></script>
        </head>
        <body>
          <main class="kit" data-testid="kit">
            <p class="no-print">
              <button type="button" data-print>
                Print
              </button>
            </p>
            <h1 safe>{`Emergency kit: the backup of “${k.boxName}”`}</h1>
            <p
              safe
            >{`Made ${k.madeAt.toISOString().slice(0, 10)}. Keep it somewhere safe and away from the box: anyone with it can read the backup, and without the password nobody can — not even you.`}</p>
            <dl>
              <dt>Backup target</dt>
              <dd safe>{`${k.targetName} (${k.kindName})`}</dd>
              <dt>Location</dt>
              <dd class="mono" safe>
                {k.location}
              </dd>
              <dt>Repository</dt>
              <dd class="mono" data-testid="kit-repository" safe>
                {k.repository}
              </dd>
              <dt>Password</dt>
              <dd class="mono big" data-testid="kit-password" safe>
                {k.password}
              </dd>
              {k.environment.map((e) => (
                <>
                  <dt>Key</dt>
                  <dd class="mono" safe>
                    {e}
                  </dd>
                </>
              ))}
            </dl>
            <h2>On a new box</h2>
            <ol>
              {k.newBox.map((s) => (
                <li safe>{s}</li>
              ))}
            </ol>
            <h2>On any computer, with restic</h2>
            <ol data-testid="kit-computer">
              {k.computer.map((s) => (
                <li>
                  <span safe>{s.text}</span>
                  {s.command ? (
                    <pre class="mono" data-command safe>
                      {s.command}
                    </pre>
                  ) : (
                    ""
                  )}
                </li>
              ))}
            </ol>
            {k.certificate ? (
              <>
                <h2>Certificate (nasd-host.pem)</h2>
                <pre class="mono small" safe>
                  {k.certificate}
                </pre>
              </>
            ) : (
              ""
            )}
          </main>
        </body>
      </html>
    </>
  );
}
