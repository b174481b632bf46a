import type { SlotsFile } from "../../app/update/root-jobs";
import type { ResetMode, UpdatePageState } from "../../app/update/service";
import { formatBytes } from "../format";
import type { PageChrome } from "../layout";
import { DashboardShell, type Base } from "./Shell";

const busy = (s: UpdatePageState) =>
  (s.staged !== null && s.staged.info === null) ||
  s.install?.status === "queued" ||
  s.install?.status === "running" ||
  s.rebootRequested ||
  s.support.pending ||
  s.reset.pending !== null;

function Slots(p: { slots: SlotsFile | null; appliance: boolean }) {
  if (!p.slots) return <p class="muted">{p.appliance ? "Reading the slots…" : "Only the appliance image has A/B slots."}</p>;
  if ("unavailable" in p.slots)
    return (
      <p class="muted" safe>
        {`Slots unknown: ${p.slots.unavailable}`}
      </p>
    );
  const st = p.slots.status;
  return (
    <div>
      {st.rolledBack ? (
        <div class="notice bad" role="alert" data-testid="rolled-back">
          <strong safe>{`The update to ${st.rolledBack.version} did not start properly, so the box went back to slot ${st.booted}.`}</strong>
          <p>Nothing was lost: the box runs the version it ran before. Try the update again later, or send a support bundle to whoever made it.</p>
        </div>
      ) : (
        ""
      )}
      <table class="data" data-testid="slots">
        <thead>
          <tr>
            <th>Slot</th>
            <th>Version</th>
            <th>State</th>
            <th>Installed</th>
          </tr>
        </thead>
        <tbody>
          {st.slots.map((slot) => (
            <tr>
              <td safe>{`${slot.name}${slot.booted ? " (running)" : ""}`}</td>
              <td safe>{slot.version}</td>
              <td>{slot.good ? "good" : "not marked good"}</td>
              <td safe>{slot.installed ?? "as flashed"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The part that changes while a bundle is checked and installed; polls itself until nothing is in progress. */
export function UpdateStatus(p: { state: UpdatePageState; page: PageChrome }) {
  const s = p.state;
  const i = s.install;
  const staged = s.staged;
  return (
    <div id="update-status" {...(busy(s) ? { "hx-get": "/dashboard/system/fragments/update", "hx-trigger": "load delay:1s", "hx-swap": "outerHTML" } : {})}>
      <Slots slots={s.slots} appliance={s.box.compatible !== null} />
      {staged ? (
        <div class="card stack" data-testid="staged">
          <h3 safe>{`${staged.name} (${formatBytes(staged.size)}, ${staged.source === "channel" ? "from the update channel" : "uploaded"})`}</h3>
          {!staged.info ? (
            <p>Checking the signature and the board…</p>
          ) : staged.info.ok ? (
            <p class="notice ok" data-testid="bundle-ok" safe>
              {`Version ${staged.info.version} for ${staged.info.compatible}: signature valid (${staged.info.signer}).`}
            </p>
          ) : (
            <p class="notice bad" role="alert" data-testid="bundle-refused" safe>
              {staged.info.reason}
            </p>
          )}
          {i && i.bundleId === staged.id && i.status !== "failed" ? (
            i.status === "done" ? (
              <div class="stack">
                <p class="notice ok" data-testid="installed" safe>
                  {`Version ${i.version ?? staged.info?.version ?? ""} is installed in the other slot. Reboot into it; if it does not start properly, the box returns to this version by itself.`}
                </p>
                {s.rebootRequested ? (
                  <p data-testid="rebooting">Rebooting… this page comes back in a minute or two.</p>
                ) : (
                  <form method="post" action="/dashboard/system/update/reboot">
                    <input type="hidden" name="_csrf" value={p.page.csrfToken} />
                    <button type="submit" class="primary" data-testid="reboot-into">
                      Reboot into it
                    </button>
                  </form>
                )}
              </div>
            ) : (
              <div data-testid="installing">
                <p safe>{`Installing… ${i.progress}%`}</p>
                <progress max="100" value={String(i.progress)}></progress>
              </div>
            )
          ) : (
            <div class="row">
              {i && i.bundleId === staged.id && i.status === "failed" ? (
                <p class="notice bad" role="alert" data-testid="install-failed" safe>
                  {i.error ?? "The install failed."}
                </p>
              ) : (
                ""
              )}
              <form method="post" action="/dashboard/system/update/install">
                <input type="hidden" name="_csrf" value={p.page.csrfToken} />
                <input type="hidden" name="bundleId" value={staged.id} />
                <button type="submit" class="primary" disabled={!staged.info?.ok} data-testid="install">
                  Install
                </button>
              </form>
              <form method="post" action="/dashboard/system/update/discard">
                <input type="hidden" name="_csrf" value={p.page.csrfToken} />
                <button type="submit">Discard</button>
              </form>
            </div>
          )}
        </div>
      ) : (
        ""
      )}
    </div>
  );
}

export function SupportStatus(p: { state: UpdatePageState; page: PageChrome }) {
  const s = p.state.support;
  return (
    <div id="support-status" {...(s.pending ? { "hx-get": "/dashboard/system/fragments/support", "hx-trigger": "load delay:1s", "hx-swap": "outerHTML" } : {})}>
      {s.error ? (
        <p class="notice bad" role="alert" safe>
          {s.error}
        </p>
      ) : (
        ""
      )}
      {s.pending ? <p>Collecting logs…</p> : ""}
      <ul data-testid="support-files">
        {s.files.map((f) => (
          <li>
            <a href={`/dashboard/system/support/${encodeURIComponent(f.name)}`} download="" safe>
              {f.name}
            </a>{" "}
            <span class="muted" safe>
              {formatBytes(f.size)}
            </span>
          </li>
        ))}
      </ul>
      <form method="post" action="/dashboard/system/support" hx-post="/dashboard/system/support" hx-target="#support-status" hx-swap="outerHTML">
        <input type="hidden" name="_csrf" value={p.page.csrfToken} />
        <button type="submit" disabled={s.pending} data-testid="support-make">
          Make a support bundle
        </button>
      </form>
    </div>
  );
}

export type SystemPageProps = Base & {
  state: UpdatePageState;
  error?: string;
  message?: string;
  channelError?: { message: string; value: string };
  /** The reset asked for and the words to type to confirm it (the update service checks them). */
  confirmReset?: { mode: ResetMode; phrase: string };
  resetError?: string;
};

export function SystemPage(p: SystemPageProps) {
  const s = p.state;
  const ch = s.channel;
  return (
    <DashboardShell page={p.page} title="System" tab="system" scripts={["vendor/tus.min.js", "js/system.js"]}>
      <h1>System</h1>
      {p.error ? (
        <div class="notice bad" role="alert" data-testid="system-error" safe>
          {p.error}
        </div>
      ) : (
        ""
      )}
      {p.message ? (
        <div class="notice ok" safe>
          {p.message}
        </div>
      ) : (
        ""
      )}
      <section class="card stack" aria-labelledby="update-h">
        <h2 id="update-h">Update</h2>
        <p class="muted" safe>
          {`This box: ${s.box.version}${s.box.compatible ? ` (${s.box.compatible})` : " (not the appliance image: updates are installed on the box only)"}`}
        </p>
        <UpdateStatus state={s} page={p.page} />
        <div x-data="bundleUpload" class="stack">
          <label for="bundle-file">Upload an update bundle (.raucb)</label>
          <input id="bundle-file" type="file" accept=".raucb" x-ref="file" x-on:change="upload" data-testid="bundle-file" />
          <p x-show="status" x-text="status" role="status"></p>
        </div>
      </section>

      <section class="card stack" aria-labelledby="channel-h">
        <h2 id="channel-h">Update channel</h2>
        <p class="muted">
          The address of a signed index (index.json and index.json.sig) on a server of your choosing. The box checks the index's signature with its update key;
          a downloaded bundle is checked again before it can be installed. Nothing is installed without you.
        </p>
        <form method="post" action="/dashboard/system/update/channel" class="stack">
          <input type="hidden" name="_csrf" value={p.page.csrfToken} />
          <label for="channel-url">Index address</label>
          <input
            id="channel-url"
            name="url"
            type="url"
            placeholder="https://updates.example.com/nas/index.json"
            value={p.channelError?.value ?? ch.url ?? ""}
            aria-invalid={p.channelError ? "true" : undefined}
          />
          {p.channelError ? (
            <p class="field-error" role="alert" safe>
              {p.channelError.message}
            </p>
          ) : (
            ""
          )}
          <label>
            <input type="checkbox" name="auto" value="1" checked={ch.autoDownload} /> Download newer bundles automatically (every 6 hours; you still install
            them)
          </label>
          <button type="submit">Save</button>
        </form>
        {ch.url ? (
          <form method="post" action="/dashboard/system/update/channel/check" class="row">
            <input type="hidden" name="_csrf" value={p.page.csrfToken} />
            <button type="submit" data-testid="channel-check">
              Check now
            </button>
            <button type="submit" name="download" value="1">
              Check and download
            </button>
          </form>
        ) : (
          ""
        )}
        {ch.lastCheck ? (
          <p data-testid="channel-result" class={`notice ${ch.lastCheck.state === "error" ? "bad" : ch.lastCheck.state === "newer" ? "warn" : "ok"}`} safe>
            {ch.lastCheck.state === "error"
              ? ch.lastCheck.message
              : ch.lastCheck.state === "newer"
                ? `Version ${ch.lastCheck.entry.version} is available (this box runs ${ch.lastCheck.current}).`
                : `Up to date: the channel's newest is ${ch.lastCheck.latest ?? "none for this board"}; this box runs ${ch.lastCheck.current}.`}
          </p>
        ) : (
          ""
        )}
      </section>

      <section class="card stack" aria-labelledby="support-h">
        <h2 id="support-h">Support bundle</h2>
        <p class="muted">
          Recent logs of the box's services, versions, update slots, disk health and failed jobs in one .tar.gz for whoever helps you. It holds no passwords,
          passkeys, tokens, cookies, keys or share links, and none of your files.
        </p>
        <SupportStatus state={s} page={p.page} />
      </section>

      <section class="card stack" aria-labelledby="reset-h">
        <h2 id="reset-h">Factory reset</h2>
        {s.reset.pending ? (
          <p class="notice warn" data-testid="reset-pending">
            Resetting: the box restarts into the setup wizard.
          </p>
        ) : p.confirmReset ? (
          <form method="post" action="/dashboard/system/reset" class="stack" data-testid="reset-confirm">
            <input type="hidden" name="_csrf" value={p.page.csrfToken} />
            <input type="hidden" name="mode" value={p.confirmReset.mode} />
            <p>
              {p.confirmReset.mode === "keep-files"
                ? "Accounts, passkeys, sessions, app tokens, share links, settings, the certificate authority, SSH keys and the host name are reset; the box restarts into the setup wizard. Your files, photos and backups stay on the data disk (restore a backup in the wizard to get the accounts back)."
                : "EVERYTHING is erased: accounts, settings, and every file, photo and backup in the data directory. The box restarts into the setup wizard as if new."}
            </p>
            <label for="reset-confirm" safe>{`Type "${p.confirmReset.phrase}" to confirm`}</label>
            <input id="reset-confirm" name="confirm" autocomplete="off" aria-invalid={p.resetError ? "true" : undefined} />
            {p.resetError ? (
              <p class="field-error" role="alert" safe>
                {p.resetError}
              </p>
            ) : (
              ""
            )}
            <div class="row">
              <button type="submit" class="danger">
                Reset and restart
              </button>
              <a class="button" href="/dashboard/system">
                Cancel
              </a>
            </div>
          </form>
        ) : (
          <div class="row">
            <a class="button" href="/dashboard/system?reset=keep-files">
              Reset, keep my files…
            </a>
            <a class="button danger" href="/dashboard/system?reset=erase-all">
              Erase everything…
            </a>
          </div>
        )}
      </section>
    </DashboardShell>
  );
}
