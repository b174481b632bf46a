// Photos → Duplicates (app/photos/duplicates.ts): each group side by side with what tells the copies apart, and
// "Keep this one" (views/static/js/photos/duplicates.js: the rest to the trash, with Undo).
import type { DuplicateGroup, PhotoFile } from "../../app/photos/duplicates";
import { formatBytes } from "../format";
import { PhotosShell, type PhotosShellProps } from "./PhotosPage";

type Shown = PhotoFile & { folder: string };
type ShownGroup = { kind: DuplicateGroup["kind"]; files: Shown[] };

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/** The camera's local time (UTC fields), as the grid labels it. */
const when = (local: number) => {
  const d = new Date(local);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}, ${String(d.getUTCHours()).padStart(2, "0")}:${String(d.getUTCMinutes()).padStart(2, "0")}`;
};

function Group(p: { group: ShownGroup; n: number }) {
  const { group } = p;
  const title = group.kind === "exact" ? `The same file ${group.files.length} times` : `${group.files.length} similar photos`;
  return (
    <section class="dups-group" aria-labelledby={`dups-h-${p.n}`} data-ids={group.files.map((f) => f.id).join(",")}>
      <h2 id={`dups-h-${p.n}`} safe>
        {title}
      </h2>
      <ul class="dups-files">
        {group.files.map((f, i) => (
          <li class="dups-file">
            <a href={`/media/preview/${f.id}`} class="dups-thumb" aria-label={`Open ${f.name}`}>
              <img src={`/drive/thumb/${f.id}`} alt="" loading="lazy" />
            </a>
            <dl class="small">
              <dt>Name</dt>
              <dd safe>{f.name}</dd>
              <dt>Size</dt>
              <dd safe>{`${f.width ?? "?"} × ${f.height ?? "?"}, ${formatBytes(f.size)}`}</dd>
              <dt>Folder</dt>
              <dd safe>{f.folder || "My files"}</dd>
              <dt>Taken</dt>
              <dd safe>{when(f.local)}</dd>
            </dl>
            <button type="button" class={i === 0 ? "primary dups-keep" : "dups-keep"} data-keep={f.id}>
              Keep this one
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function DuplicatesPage(p: Omit<PhotosShellProps, "tab" | "title" | "children"> & { total: number; groups: ShownGroup[] }) {
  return (
    <PhotosShell {...p} title="Duplicates" tab="duplicates">
      <div class="dups" id="photos-duplicates">
        <h1 class="photos-heading">Duplicates</h1>
        <p class="muted">
          The same photo in several files, and copies that were re-saved, resized or shot in a burst. “Keep this one” moves the others of its group to the trash
          (Undo brings them back, and so does Drive’s trash later).
        </p>
        {p.groups.length === 0 ? <p class="dups-empty">No duplicates found.</p> : ""}
        {p.total > p.groups.length ? <p class="small muted" safe>{`The ${p.groups.length} newest of ${p.total} groups.`}</p> : ""}
        {p.groups.map((g, n) => (
          <Group group={g} n={n} />
        ))}
      </div>
    </PhotosShell>
  );
}
