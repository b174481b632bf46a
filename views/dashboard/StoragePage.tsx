import type { Job } from "../../app/platform/db/schema";
import type { DiskCopyRow } from "../../app/platform/db/schema";
import type { DiskChoice, DisksView, SpaceBreakdown } from "../../app/storage/service";
import type { MountedFilesystem } from "../../hw/system";
import type { Partition, StorageState } from "../../hw/datadisk";
import { DashboardShell, type Base } from "./Shell";
import { formatBytes, formatWhen } from "../format";
import type { PageChrome } from "../layout";

/** `blocked`: why no move may start now (one under way, or done), or null. */
export type LocationView = { state: StorageState | null; job: Job | null; dataDir: string; mountpoint: string; blocked: string | null };
export type DiskCopyView = { settings: DiskCopyRow | null; job: Job | null };

const pending = (job: Job | null) => job !== null && (job.status === "queued" || job.status === "running");
const poll = (url: string) => ({ "hx-get": url, "hx-trigger": "load delay:2s", "hx-swap": "outerHTML" });

export function StoragePage(
  p: Base & {
    location: LocationView;
    disks: DisksView;
    space: SpaceBreakdown;
    copy: DiskCopyView;
    targets: MountedFilesystem[];
    error?: string;
  },
) {
  return (
    <DashboardShell page={p.page} title="Storage" tab="storage">
      <h1>Storage</h1>
      {p.error ? (
        <div class="notice bad" role="alert" safe>
          {p.error}
        </div>
      ) : (
        ""
      )}
      <SpaceCard space={p.space} timeZone={p.page.timeZone} />
      <h2>Data disk</h2>
      <MoveStatus location={p.location} />
      <DisksCard disks={p.disks} location={p.location} page={p.page} />
      <h2>Copy to a second disk</h2>
      <DiskCopyCard copy={p.copy} targets={p.targets} page={p.page} />
    </DashboardShell>
  );
}

export function SpaceCard(p: { space: SpaceBreakdown; timeZone: string }) {
  const s = p.space;
  const rows: [string, number][] = [
    ["Originals (files and photos)", s.originals],
    ["Trash", s.trash],
    ["Thumbnails", s.thumbs],
    ["Transcoded videos", s.transcodes],
    ["Database", s.database],
    ["Database backups", s.backups],
  ];
  return (
    <section class="card table-wrap" data-testid="space">
      <h3>What takes space</h3>
      <table>
        <tbody>
          {rows.map(([label, bytes]) => (
            <tr>
              <th safe>{label}</th>
              <td safe>{formatBytes(bytes)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table data-testid="space-per-user">
        <thead>
          <tr>
            <th>User</th>
            <th>Originals</th>
            <th>Trash</th>
            <th>Thumbnails</th>
            <th>Transcodes</th>
          </tr>
        </thead>
        <tbody>
          {s.perUser.map((u) => (
            <tr>
              <td safe>{u.username}</td>
              <td safe>{formatBytes(u.originals)}</td>
              <td safe>{formatBytes(u.trash)}</td>
              <td safe>{formatBytes(u.thumbs)}</td>
              <td safe>{formatBytes(u.transcodes)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p
        class="muted small"
        safe
      >{`Files and trash from the database; thumbnails and transcodes measured ${formatWhen(s.walkedAt, p.timeZone)} (at most every 10 minutes).`}</p>
    </section>
  );
}

/** Swap target #storage-move: where the data lives and the move's progress; polls while the move job is pending. */
export function MoveStatus(p: { location: LocationView }) {
  const { state, job } = p.location;
  const busy = pending(job);
  return (
    <section id="storage-move" class="card" data-testid="storage-move" {...(busy ? poll("/dashboard/storage/fragments/move") : {})}>
      <h3>Where the data is</h3>
      {state === null ? (
        <p safe>{`On the system disk, in ${p.location.dataDir}.`}</p>
      ) : (
        <p
          safe
        >{`${state.state === "active" ? "On the data disk" : state.state === "copied" ? "Copied to the data disk, switching at the next restart" : "Being copied to the data disk"}: ${state.device.model ?? state.device.path} (${formatBytes(state.device.sizeBytes)}, label ${state.label}). ${state.message}`}</p>
      )}
      {state?.state === "copied" && !busy ? (
        <p>
          <a href="/dashboard/power?confirm=reboot">Restart the box to switch to the data disk</a>
        </p>
      ) : (
        ""
      )}
      {busy ? (
        <p>
          <span safe>{`Moving the data: ${job!.status}`}</span>
          <progress max="100" value={String(job!.progress)}></progress>
          <span safe>{`${job!.progress} %`}</span>
        </p>
      ) : job?.status === "failed" ? (
        <p class="notice bad" safe>{`The last move failed: ${job.error ?? "unknown error"}. The data stays where it was.`}</p>
      ) : (
        ""
      )}
    </section>
  );
}

function DisksCard(p: { disks: DisksView; location: LocationView; page: PageChrome }) {
  if (!p.disks.available)
    return (
      <section class="card">
        <p class="muted" safe>{`Disks are not available: ${p.disks.reason}`}</p>
      </section>
    );
  return (
    <section class="card table-wrap">
      <h3>Attached disks</h3>
      {p.disks.disks.length === 0 ? (
        <p class="muted">No disk is attached besides the system's.</p>
      ) : (
        <table data-testid="disks-table">
          <thead>
            <tr>
              <th>Disk</th>
              <th>Size</th>
              <th>Partitions</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {p.disks.disks.map((d) => (
              <tr>
                <td>
                  <strong safe>{d.model ?? d.name}</strong>{" "}
                  <span class="mono small" safe>
                    {d.path}
                  </span>
                </td>
                <td safe>{formatBytes(d.sizeBytes)}</td>
                <td>
                  {d.partitions.length === 0 ? (
                    <span class="muted">none</span>
                  ) : (
                    <ul class="plain small">
                      {d.partitions.map((part) => (
                        <li safe>{partitionSummary(part)}</li>
                      ))}
                    </ul>
                  )}
                </td>
                <td>
                  {d.systemReason ? (
                    <span class="muted small" safe>{`System disk: ${d.systemReason}`}</span>
                  ) : d.refusal ? (
                    <span class="muted small" safe>
                      {d.refusal}
                    </span>
                  ) : p.location.blocked ? (
                    ""
                  ) : (
                    <FormatDiskForm disk={d} action="/dashboard/storage/use" page={p.page} />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** One partition in a line: name, size, filesystem, label, mounts. */
export function partitionSummary(part: Partition): string {
  return `${part.name}: ${formatBytes(part.sizeBytes)}${part.fsType ? `, ${part.fsType}` : ""}${part.label ? `, “${part.label}”` : ""}${part.mountpoints.length ? `, mounted at ${part.mountpoints.join(", ")}` : ""}`;
}

/** The typed confirmation that formats a disk and queues the move (dashboard and setup wizard; `action` is where each posts). */
export function FormatDiskForm(p: { disk: DiskChoice; action: string; page: PageChrome }) {
  const d = p.disk;
  return (
    <form method="post" action={p.action} class="stack">
      <input type="hidden" name="_csrf" value={p.page.csrfToken} />
      <input type="hidden" name="device" value={d.path} />
      <label for={`confirm-${d.name}`}>
        Erase everything on it and use it for data: type <code safe>{d.confirmation}</code>
      </label>
      <input id={`confirm-${d.name}`} name="confirm" type="text" autocomplete="off" required />
      <button type="submit" class="danger">
        Format and move the data
      </button>
    </form>
  );
}

/** Swap target #disk-copy: target, nightly switch, run now, last result; polls while a copy is pending. */
export function DiskCopyCard(p: { copy: DiskCopyView; targets: MountedFilesystem[]; page: PageChrome }) {
  const { settings, job } = p.copy;
  const busy = pending(job);
  // Nothing to choose and nothing set up: say so and how to get a second disk, instead of an empty drop-down (issue 13 #16).
  if (p.targets.length === 0 && !settings) {
    return (
      <section id="disk-copy" class="card stack" data-testid="disk-copy">
        <p data-testid="no-second-disk">
          <strong>There is no second disk.</strong> A copy on another disk keeps your files when the data disk fails.
        </p>
        <ol class="small">
          <li>Plug a USB disk (or a second internal disk) into the box. Its files stay, but it needs a filesystem Linux reads (ext4 is best).</li>
          <li>Once the system has mounted it, it appears here and you choose it, then “Copy every night”.</li>
        </ol>
        <p class="muted small">
          Only changed files are copied; files deleted here are moved to <code>.trash</code> on the second disk, not deleted.
        </p>
      </section>
    );
  }
  return (
    <section id="disk-copy" class="card stack" data-testid="disk-copy" {...(busy ? poll("/dashboard/storage/fragments/copy") : {})}>
      <form method="post" action="/dashboard/storage/copy/target" class="stack">
        <input type="hidden" name="_csrf" value={p.page.csrfToken} />
        <label for="copy-target">Second disk (a mounted disk other than the data disk)</label>
        <select id="copy-target" name="target" required>
          {settings && !p.targets.some((t) => t.mount === settings.targetPath) ? (
            <option value={settings.targetPath} selected safe>{`${settings.targetPath} (not mounted now)`}</option>
          ) : (
            ""
          )}
          {p.targets.map((t) => (
            <option value={t.mount} selected={settings?.targetPath === t.mount} safe>{`${t.mount} — ${t.device}, ${formatBytes(t.freeBytes)} free`}</option>
          ))}
        </select>
        <label class="choice">
          <input type="checkbox" name="nightly" value="on" checked={settings?.nightly ?? false} /> <span>Copy every night</span>
        </label>
        <button type="submit">Save</button>
      </form>
      <div class="spread">
        <div>
          <strong>Last copy: </strong>
          {settings?.lastRunAt ? (
            <span safe>{`${settings.lastOk ? "ok" : "failed"} ${formatWhen(settings.lastRunAt, p.page.timeZone)} — ${settings.lastSummary ?? ""}`}</span>
          ) : (
            <span>never</span>
          )}
          {busy ? (
            <span>
              <progress max="100" value={String(job!.progress)}></progress> <span safe>{`${job!.status} ${job!.progress} %`}</span>
            </span>
          ) : (
            ""
          )}
        </div>
        <form method="post" action="/dashboard/storage/copy/run" hx-post="/dashboard/storage/copy/run" hx-target="#disk-copy" hx-swap="outerHTML">
          <input type="hidden" name="_csrf" value={p.page.csrfToken} />
          <button type="submit" class="primary" disabled={busy || !settings}>
            {busy ? "Copy running…" : "Copy now"}
          </button>
        </form>
      </div>
      <p class="muted small">
        Only changed files are copied (size and modification time); files deleted here are moved to <code>.trash</code> on the second disk, not deleted.
      </p>
    </section>
  );
}
