import type { DriveFile } from "../../app/db/schema";
import type { ListOptions } from "../../app/drive/model";
import { formatBytes, formatDate } from "../format";

export type DriveMode = "folder" | "recent" | "starred" | "trash" | "search" | "shared";

export type ListingProps = {
  mode: DriveMode;
  /** The URL this listing reloads from (after an action, htmx refetches it). */
  selfUrl: string;
  folderId: string | null;
  items: DriveFile[];
  hasMore: boolean;
  opts?: ListOptions;
};

const FOLDER = "M3 7a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z";
const FILE = "M6 3h8l4 4v14H6zM14 3v4h4";

function sortLink(selfUrl: string, opts: ListOptions, sort: ListOptions["sort"], label: string) {
  const desc = opts.sort === sort ? !opts.desc : sort !== "name";
  const url = `${selfUrl.split("?")[0]}?sort=${sort}${desc ? "&desc=1" : ""}`;
  return (
    <a href={url} class={opts.sort === sort ? "sorted" : undefined} aria-sort={opts.sort === sort ? (opts.desc ? "descending" : "ascending") : undefined}>
      <span safe>{label}</span>
    </a>
  );
}

function ItemRow({ item, mode }: { item: DriveFile; mode: DriveMode }) {
  const isFolder = item.kind === "folder";
  return (
    <li class="drive-item" data-id={item.id} data-kind={item.kind} data-name={item.name} draggable={mode === "trash" ? undefined : "true"}>
      <input type="checkbox" class="drive-select" name="ids" value={item.id} aria-label={`Select ${item.name}`} />
      <svg class="icon drive-kind" viewBox="0 0 24 24" aria-hidden="true"><path d={isFolder ? FOLDER : FILE} /></svg>
      {isFolder && mode !== "trash" ? (
        <a class="drive-name" href={`/drive/f/${item.id}`} safe>{item.name}</a>
      ) : mode === "trash" ? (
        <span class="drive-name" safe>{item.name}</span>
      ) : (
        <a class="drive-name" href={`/api/v1/files/${item.id}/content`} hx-get={`/drive/preview/${item.id}`} hx-target="#preview" hx-swap="innerHTML" safe>{item.name}</a>
      )}
      {item.starred ? <span class="drive-star" title="Starred">★</span> : <span class="drive-star"></span>}
      <span class="drive-size muted" safe>{isFolder ? "—" : formatBytes(item.size)}</span>
      <span class="drive-date muted" safe>{formatDate(mode === "trash" && item.trashedAt ? item.trashedAt : item.updatedAt)}</span>
      <details class="drive-menu">
        <summary aria-label={`Actions for ${item.name}`}>⋯</summary>
        <div class="drive-menu-body card">
          {mode === "trash" ? (
            <>
              <button type="button" hx-post="/drive/actions/restore" hx-vals={JSON.stringify({ ids: item.id })} hx-swap="none">Restore</button>
              <button type="button" class="danger" hx-post="/drive/actions/purge" hx-vals={JSON.stringify({ ids: item.id })} hx-swap="none" hx-confirm="Delete forever? This cannot be undone.">Delete forever</button>
            </>
          ) : (
            <>
              <form hx-post="/drive/actions/rename" hx-swap="none" class="row">
                <input type="hidden" name="ids" value={item.id} />
                <input type="text" name="name" value={item.name} aria-label="New name" required />
                <button type="submit">Rename</button>
              </form>
              <a class="button" href={isFolder ? `/api/v1/zip?ids=${item.id}` : `/api/v1/files/${item.id}/content`} download="">Download</a>
              <a class="button" href={`/shared/new?fileId=${item.id}`}>Share…</a>
              <button type="button" hx-post="/drive/actions/star" hx-vals={JSON.stringify({ ids: item.id, starred: item.starred ? "0" : "1" })} hx-swap="none">{item.starred ? "Unstar" : "Star"}</button>
              <button type="button" class="drive-move-one" data-id={item.id}>Move to…</button>
              <button type="button" hx-post="/drive/actions/copy" hx-vals={JSON.stringify({ ids: item.id, targetId: item.parentId ?? "" })} hx-swap="none">Make a copy</button>
              <button type="button" class="danger" hx-post="/drive/actions/trash" hx-vals={JSON.stringify({ ids: item.id })} hx-swap="none">Move to trash</button>
            </>
          )}
        </div>
      </details>
    </li>
  );
}

/** The one swap target of the Drive pages: reloads itself when an action fires `drive-changed`. */
export function Listing(p: ListingProps) {
  const more = p.hasMore;
  return (
    <section id="listing" class="drive-listing" hx-get={p.selfUrl} hx-trigger="drive-changed from:body" hx-swap="outerHTML" data-folder-id={p.folderId ?? ""} data-mode={p.mode}>
      {p.opts ? (
        <div class="drive-head muted small">
          <span></span><span></span>
          {sortLink(p.selfUrl, p.opts, "name", "Name")}
          <span></span>
          {sortLink(p.selfUrl, p.opts, "size", "Size")}
          {sortLink(p.selfUrl, p.opts, "updated", "Modified")}
        </div>
      ) : ""}
      {p.items.length === 0 ? (
        <p class="drive-empty muted">{p.mode === "trash" ? "The trash is empty." : p.mode === "search" ? "Nothing matches." : p.mode === "shared" ? "Nothing is shared with you yet." : p.mode === "starred" ? "Nothing starred yet." : p.mode === "recent" ? "No files yet." : "Nothing here yet. Drop files or folders here to upload."}</p>
      ) : (
        <ul class="drive-items">
          {p.items.map((item) => <ItemRow item={item} mode={p.mode} />)}
        </ul>
      )}
      {more && p.opts ? (
        <p class="muted small" safe>{`Showing ${p.opts.offset + 1}–${p.opts.offset + p.items.length}.`}</p>
      ) : ""}
      {more && p.opts ? (
        <a class="button" href={`${p.selfUrl.split("?")[0]}?sort=${p.opts.sort}${p.opts.desc ? "&desc=1" : ""}&offset=${p.opts.offset + p.opts.limit}`}>Next page</a>
      ) : ""}
    </section>
  );
}
