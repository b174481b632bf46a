import type { SnapshotEntry, SnapshotPerson } from "../../app/backup/restore";
import type { TargetView } from "../../app/backup/service";
import type { BackupSnapshot, Job } from "../../app/platform/db/schema";
import { DashboardShell, type Base } from "../dashboard/Shell";
import { formatBytes, formatWhen } from "../format";
import type { PageChrome } from "../layout";

const pending = (job: Job | null | undefined) => !!job && (job.status === "queued" || job.status === "running");

/** A restore job in words: what, from when, and how it went. */
function restoreLine(job: Job, snapshots: BackupSnapshot[], timeZone: string) {
  const p = job.payload as { snapshotId: string; item: { kind: string; id: string } };
  const when = snapshots.find((s) => s.id === p.snapshotId)?.time;
  const what = `A ${p.item.kind} of ${when ? formatWhen(when, timeZone) : "an older snapshot"}`;
  if (job.status === "done") return `${what}: restored into its owner's Drive, in Restored/ (${formatWhen(job.finishedAt, timeZone)}).`;
  if (job.status === "failed") return `${what}: not restored — ${job.error ?? "unknown error"}`;
  return `${what}: restoring…`;
}

/** The snapshots of a target by date, and the restores asked for lately. */
export function SnapshotsPage(p: Base & { target: TargetView; snapshots: BackupSnapshot[]; restores: Job[] }) {
  const byDay = new Map<string, BackupSnapshot[]>();
  for (const s of p.snapshots) {
    const day = formatWhen(s.time, p.page.timeZone).slice(0, 10);
    byDay.set(day, [...(byDay.get(day) ?? []), s]);
  }
  return (
    <DashboardShell page={p.page} title={`Restore from ${p.target.name}`} tab="backups">
      <p>
        <a href="/dashboard/backups">← Backups</a>
      </p>
      <h1 safe>{`Restore from “${p.target.name}”`}</h1>
      <p class="muted">
        Choose a date, then a person's folder, file or album as it was then. It comes back into their Drive, under Restored/&lt;date&gt;/: nothing is ever
        overwritten.
      </p>
      <RestoreList restores={p.restores} snapshots={p.snapshots} page={p.page} />
      {p.snapshots.length === 0 ? (
        <p class="card muted">No snapshot yet.</p>
      ) : (
        <div class="card table-wrap">
          <table data-testid="snapshots">
            <tbody>
              {[...byDay].map(([day, list]) => (
                <tr>
                  <th safe>{day}</th>
                  <td class="row">
                    {list.map((s) => (
                      <a class="button" href={`/dashboard/backups/targets/${p.target.id}/snapshots/${s.id}`} safe>
                        {formatWhen(s.time, p.page.timeZone).slice(11)}
                      </a>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </DashboardShell>
  );
}

/** Swap target #restores: recent restores, polling while one runs. */
export function RestoreList(p: { restores: Job[]; snapshots: BackupSnapshot[]; page: PageChrome }) {
  const busy = p.restores.some((j) => pending(j));
  return (
    <div
      id="restores"
      data-testid="restores"
      {...(busy ? { "hx-get": "/dashboard/fragments/restores", "hx-trigger": "load delay:2s", "hx-swap": "outerHTML" } : {})}
    >
      {p.restores.length ? (
        <ul class="card">
          {p.restores.map((j) => (
            <li class={j.status === "failed" ? "bad-text" : undefined} data-status={j.status} safe>
              {restoreLine(j, p.snapshots, p.page.timeZone)}
            </li>
          ))}
        </ul>
      ) : (
        ""
      )}
    </div>
  );
}

export type BrowseView =
  | { state: "fetching"; job: Job | null }
  | {
      state: "open";
      people: SnapshotPerson[];
      person: SnapshotPerson | null;
      tab: "files" | "albums";
      folder: { id: string; name: string; trail: { id: string; name: string }[]; items: SnapshotEntry[] } | null;
      albums: { id: string; name: string; count: number }[];
    };

/** One snapshot: whose files, then a folder or the albums as they were, each with a Restore button. */
export function SnapshotPage(p: Base & { target: TargetView; snapshot: BackupSnapshot; view: BrowseView; restores: Job[]; snapshots: BackupSnapshot[] }) {
  const base = `/dashboard/backups/targets/${p.target.id}/snapshots/${p.snapshot.id}`;
  const v = p.view;
  return (
    <DashboardShell page={p.page} title={`Snapshot of ${formatWhen(p.snapshot.time, p.page.timeZone)}`} tab="backups">
      <p>
        <a href={`/dashboard/backups/targets/${p.target.id}/snapshots`}>← All snapshots</a>
      </p>
      <h1 safe>{`“${p.target.name}” on ${formatWhen(p.snapshot.time, p.page.timeZone)}`}</h1>
      <RestoreList restores={p.restores} snapshots={p.snapshots} page={p.page} />
      {v.state === "fetching" ? (
        <div
          class="card"
          data-testid="fetching"
          {...(v.job?.status === "failed"
            ? {}
            : { "hx-get": base, "hx-trigger": "load delay:2s", "hx-select": "main", "hx-target": "main", "hx-swap": "outerHTML" })}
        >
          {v.job?.status === "failed" ? (
            <form method="post" action={`${base}/open`} class="stack">
              <input type="hidden" name="_csrf" value={p.page.csrfToken} />
              <p class="notice bad" safe>{`This snapshot could not be opened: ${v.job.error ?? ""}`}</p>
              <button type="submit">Try again</button>
            </form>
          ) : (
            <p>Fetching this snapshot's list of files…</p>
          )}
        </div>
      ) : (
        <>
          <nav class="row" aria-label="People">
            {v.people.map((u) => (
              <a href={`${base}?user=${encodeURIComponent(u.id)}`} class={`button${v.person?.id === u.id ? " primary" : ""}`} safe>
                {u.displayName}
              </a>
            ))}
          </nav>
          {v.person ? (
            <>
              <nav class="row" aria-label="Files or albums">
                <a href={`${base}?user=${encodeURIComponent(v.person.id)}`} aria-current={v.tab === "files" ? "page" : undefined}>
                  Files
                </a>
                <a href={`${base}?user=${encodeURIComponent(v.person.id)}&tab=albums`} aria-current={v.tab === "albums" ? "page" : undefined}>
                  Albums
                </a>
              </nav>
              {v.tab === "files" && v.folder ? (
                <FolderTable base={base} person={v.person} folder={v.folder} page={p.page} />
              ) : v.tab === "albums" ? (
                <AlbumTable base={base} albums={v.albums} page={p.page} />
              ) : (
                <p class="muted">Nothing here.</p>
              )}
            </>
          ) : (
            <p class="muted">Choose whose files to look at.</p>
          )}
        </>
      )}
    </DashboardShell>
  );
}

function RestoreButton(p: { base: string; kind: string; id: string; page: PageChrome; label: string }) {
  return (
    <form method="post" action={`${p.base}/restore`}>
      <input type="hidden" name="_csrf" value={p.page.csrfToken} />
      <input type="hidden" name="kind" value={p.kind} />
      <input type="hidden" name="id" value={p.id} />
      <button type="submit" safe>
        {p.label}
      </button>
    </form>
  );
}

function FolderTable(p: { base: string; person: SnapshotPerson; folder: Extract<BrowseView, { state: "open" }>["folder"] & {}; page: PageChrome }) {
  const f = p.folder;
  const link = (id?: string) => `${p.base}?user=${encodeURIComponent(p.person.id)}${id ? `&folder=${encodeURIComponent(id)}` : ""}`;
  return (
    <section class="card table-wrap" data-testid="snapshot-folder">
      <p class="row">
        <a href={link()} safe>{`${p.person.displayName}'s Drive`}</a>
        {f.trail.map((c) => (
          <>
            <span>/</span>
            <a href={link(c.id)} safe>
              {c.name}
            </a>
          </>
        ))}
        {f.trail.length ? <RestoreButton base={p.base} kind="folder" id={f.id} page={p.page} label="Restore this folder" /> : ""}
      </p>
      <table>
        <tbody>
          {f.items.map((item) => (
            <tr>
              <td>{item.kind === "folder" ? <a href={link(item.id)} safe>{`${item.name}/`}</a> : <span safe>{item.name}</span>}</td>
              {item.kind === "file" ? <td safe>{formatBytes(item.size)}</td> : <td></td>}
              <td>
                <RestoreButton base={p.base} kind={item.kind} id={item.id} page={p.page} label="Restore" />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {f.items.length === 0 ? <p class="muted">This folder was empty.</p> : ""}
    </section>
  );
}

function AlbumTable(p: { base: string; albums: { id: string; name: string; count: number }[]; page: PageChrome }) {
  return (
    <section class="card table-wrap" data-testid="snapshot-albums">
      {p.albums.length === 0 ? (
        <p class="muted">No albums on that date.</p>
      ) : (
        <table>
          <tbody>
            {p.albums.map((a) => (
              <tr>
                <td safe>{a.name}</td>
                <td safe>{`${a.count} photos and videos`}</td>
                <td>
                  <RestoreButton base={p.base} kind="album" id={a.id} page={p.page} label="Restore its photos" />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
