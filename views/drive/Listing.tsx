import type { DriveFile } from "../../app/platform/db/schema";
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
  /** Search: the folder path each result lives in (id → "My Drive / Photos"), with the folder's id to open it. */
  locations?: Map<string, { id: string; path: string }>;
  /** A file to select and preview when the page opens (a search suggestion). */
  highlight?: string;
  /** The box's time zone, for the dates. */
  timeZone: string;
};

/** "holiday-photo.jpeg" → ["holiday-photo", ".jpeg"]: the extension stays visible when a long name is cut. */
export function splitName(name: string): [string, string] {
  const dot = name.lastIndexOf(".");
  return dot > 0 && name.length - dot <= 8 ? [name.slice(0, dot), name.slice(dot)] : [name, ""];
}

/** At most `max` characters, cut in the middle so the end of the name and its extension stay: "lake at dawn, seen fro…athouse.jpg". */
export function shortName(name: string, max = 26): string {
  const chars = [...name];
  if (chars.length <= max) return name;
  const tail = Math.min(chars.length - 1, splitName(name)[1].length + 6);
  return `${chars.slice(0, max - tail - 1).join("")}…${chars.slice(-tail).join("")}`;
}

/** List view: one line, the base cut with an ellipsis and the extension kept. Grid view: two lines of a middle-cut name. */
function Name({ name }: { name: string }) {
  const [base, ext] = splitName(name);
  return (
    <>
      <span class="drive-name-list">
        <span class="drive-name-base" safe>
          {base}
        </span>
        {ext ? (
          <span class="drive-name-ext" safe>
            {ext}
          </span>
        ) : (
          ""
        )}
      </span>
      <span class="drive-name-grid" safe>
        {shortName(name)}
      </span>
    </>
  );
}

const isImage = (item: DriveFile) => item.kind === "file" && (item.mime ?? "").startsWith("image/") && !(item.mime ?? "").includes("svg");

const FOLDER = "M3 7a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z";
const FILE = "M6 3h8l4 4v14H6zM14 3v4h4";

function sortLink(selfUrl: string, opts: ListOptions, sort: ListOptions["sort"], label: string) {
  const desc = opts.sort === sort ? !opts.desc : sort !== "name";
  const url = `${selfUrl.split("?")[0]}?sort=${sort}${desc ? "&desc=1" : ""}`;
  return (
    <a href={url} class={opts.sort === sort ? "sorted" : undefined}>
      <span safe>{label}</span>
      {opts.sort === sort ? <span class="visually-hidden">{opts.desc ? ", sorted descending" : ", sorted ascending"}</span> : ""}
    </a>
  );
}

function ItemRow({
  item,
  mode,
  location,
  highlight,
  timeZone,
}: {
  item: DriveFile;
  mode: DriveMode;
  location?: { id: string; path: string };
  highlight: boolean;
  timeZone: string;
}) {
  const isFolder = item.kind === "folder";
  const ext = splitName(item.name)[1].slice(1).toUpperCase();
  return (
    <li
      class="drive-item"
      data-id={item.id}
      data-kind={item.kind}
      data-name={item.name}
      draggable={mode === "trash" ? undefined : "true"}
      title={item.name}
      data-highlight={highlight ? "true" : undefined}
    >
      <input type="checkbox" class="drive-select" name="ids" value={item.id} aria-label={`Select ${item.name}`} checked={highlight} />
      <span class="drive-kind">
        <svg class="icon" viewBox="0 0 24 24" aria-hidden="true">
          <path d={isFolder ? FOLDER : FILE} />
        </svg>
        {isImage(item) ? <img class="drive-thumb" src={`/drive/thumb/${item.id}`} alt="" loading="lazy" decoding="async" /> : ""}
        {!isFolder ? (
          <span class="drive-type" aria-hidden="true" safe>
            {ext || "FILE"}
          </span>
        ) : (
          ""
        )}
      </span>
      <span class="drive-namecell">
        {isFolder && mode !== "trash" ? (
          <a class="drive-name" href={`/drive/f/${item.id}`}>
            <Name name={item.name} />
          </a>
        ) : mode === "trash" ? (
          <span class="drive-name">
            <Name name={item.name} />
          </span>
        ) : (
          <a class="drive-name" href={`/api/v1/files/${item.id}/content`} hx-get={`/drive/preview/${item.id}`} hx-target="#preview" hx-swap="innerHTML">
            <Name name={item.name} />
          </a>
        )}
        {location ? <a class="drive-location muted small" href={`/drive/f/${location.id}?select=${item.id}`} safe>{`in ${location.path}`}</a> : ""}
      </span>
      {item.starred ? (
        <span class="drive-star" title="Starred">
          ★
        </span>
      ) : (
        <span class="drive-star"></span>
      )}
      <span class="drive-size muted" safe>
        {isFolder ? "—" : formatBytes(item.size)}
      </span>
      <time class="drive-date muted" datetime={(mode === "trash" && item.trashedAt ? item.trashedAt : item.updatedAt).toISOString()} safe>
        {formatDate(mode === "trash" && item.trashedAt ? item.trashedAt : item.updatedAt, timeZone)}
      </time>
      <details class="drive-menu">
        <summary aria-label={`Actions for ${item.name}`}>⋯</summary>
        <div class="drive-menu-body card">
          {mode === "trash" ? (
            <>
              <button type="button" hx-post="/drive/actions/restore" hx-vals={JSON.stringify({ ids: item.id })} hx-swap="none">
                Restore
              </button>
              <button
                type="button"
                class="danger"
                hx-post="/drive/actions/purge"
                hx-vals={JSON.stringify({ ids: item.id })}
                hx-swap="none"
                hx-confirm="Delete forever? This cannot be undone."
              >
                Delete forever
              </button>
            </>
          ) : (
            <>
              <form hx-post="/drive/actions/rename" hx-swap="none" class="row">
                <input type="hidden" name="ids" value={item.id} />
                <input type="text" name="name" value={item.name} aria-label="New name" required />
                <button type="submit">Rename</button>
              </form>
              <a class="button" href={isFolder ? `/api/v1/zip?ids=${item.id}` : `/api/v1/files/${item.id}/content`} download="">
                Download
              </a>
              <a class="button" href={`/shared/new?fileId=${item.id}`}>
                Share…
              </a>
              <button type="button" hx-post="/drive/actions/star" hx-vals={JSON.stringify({ ids: item.id, starred: item.starred ? "0" : "1" })} hx-swap="none">
                {item.starred ? "Unstar" : "Star"}
              </button>
              <button type="button" class="drive-move-one" data-id={item.id}>
                Move to…
              </button>
              <button type="button" hx-post="/drive/actions/copy" hx-vals={JSON.stringify({ ids: item.id, targetId: item.parentId ?? "" })} hx-swap="none">
                Make a copy
              </button>
              <button type="button" class="danger" hx-post="/drive/actions/trash" hx-vals={JSON.stringify({ ids: item.id })} hx-swap="none">
                Move to trash
              </button>
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
    <section
      id="listing"
      class="drive-listing"
      hx-get={p.selfUrl}
      hx-trigger="drive-changed from:body"
      hx-swap="outerHTML"
      data-folder-id={p.folderId ?? ""}
      data-mode={p.mode}
    >
      {p.items.length ? (
        <div class="drive-head muted small">
          <input type="checkbox" class="drive-select-all" aria-label="Select all" title="Select all (Ctrl+A)" />
          <span></span>
          {p.opts ? sortLink(p.selfUrl, p.opts, "name", "Name") : <span>Name</span>}
          <span></span>
          {p.opts ? sortLink(p.selfUrl, p.opts, "size", "Size") : <span>Size</span>}
          {p.opts ? sortLink(p.selfUrl, p.opts, "updated", "Modified") : <span>{p.mode === "trash" ? "Deleted" : "Modified"}</span>}
        </div>
      ) : (
        ""
      )}
      {p.items.length === 0 ? (
        <p class="drive-empty muted">
          {p.mode === "trash"
            ? "The trash is empty."
            : p.mode === "search"
              ? "Nothing matches."
              : p.mode === "shared"
                ? "Nothing is shared with you yet."
                : p.mode === "starred"
                  ? "Nothing starred yet."
                  : p.mode === "recent"
                    ? "No files yet."
                    : "Nothing here yet. Drop files or folders here to upload."}
        </p>
      ) : (
        <ul class="drive-items">
          {p.items.map((item) => (
            <ItemRow item={item} mode={p.mode} location={p.locations?.get(item.id)} highlight={p.highlight === item.id} timeZone={p.timeZone} />
          ))}
        </ul>
      )}
      {more && p.opts ? <p class="muted small" safe>{`Showing ${p.opts.offset + 1}–${p.opts.offset + p.items.length}.`}</p> : ""}
      {more && p.opts ? (
        <a class="button" href={`${p.selfUrl.split("?")[0]}?sort=${p.opts.sort}${p.opts.desc ? "&desc=1" : ""}&offset=${p.opts.offset + p.opts.limit}`}>
          Next page
        </a>
      ) : (
        ""
      )}
    </section>
  );
}
