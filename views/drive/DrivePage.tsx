import type { DriveFile } from "../../app/platform/db/schema";
import { Layout, type SignedInPage } from "../layout";
import { formatBytes } from "../format";
import { Listing, type ListingProps } from "./Listing";
import { MediaProgress } from "../media/MediaProgress";
import type { MediaProgress as Progress } from "../../app/media/service";

export type DrivePageProps = Omit<ListingProps, "timeZone"> & {
  page: SignedInPage;
  title: string;
  breadcrumbs: DriveFile[];
  usage: { used: number; quota: number | null };
  query?: string;
  mediaProgress: Progress;
};

const filters = [
  { mode: "folder", href: "/drive", label: "My Drive" },
  { mode: "recent", href: "/drive/recent", label: "Recent" },
  { mode: "starred", href: "/drive/starred", label: "Starred" },
  { mode: "shared", href: "/drive/shared", label: "Shared with me" },
  { mode: "trash", href: "/drive/trash", label: "Trash" },
] as const;

function Breadcrumbs({ crumbs }: { crumbs: DriveFile[] }) {
  return (
    <nav class="drive-crumbs" aria-label="Folder path">
      <ol>
        {crumbs.map((c, i) => (
          <li>
            {i === crumbs.length - 1 ? (
              <span aria-current="page" safe>
                {c.parentId === null ? "My Drive" : c.name}
              </span>
            ) : (
              <a href={c.parentId === null ? "/drive" : `/drive/f/${c.id}`} data-drop-folder={c.id} safe>
                {c.parentId === null ? "My Drive" : c.name}
              </a>
            )}
          </li>
        ))}
      </ol>
    </nav>
  );
}

/** "8.8 MB of 10 GB used": reloads itself after every change in Drive (uploads, trash, restore). */
export function UsageLine({ usage }: { usage: { used: number; quota: number | null } }) {
  return (
    <p class="muted small drive-usage" id="drive-usage" hx-get="/drive/usage" hx-trigger="drive-changed from:body" hx-swap="outerHTML" safe>
      {usage.quota === null ? `${formatBytes(usage.used)} used` : `${formatBytes(usage.used)} of ${formatBytes(usage.quota)} used`}
    </p>
  );
}

/** The Drive shell: filters, search, toolbar, upload panel, the listing and the preview pane. */
export function DrivePage(p: DrivePageProps) {
  const writable = p.mode === "folder";
  return (
    <Layout title={p.title} page={p.page} active="drive" scripts={["vendor/tus.min.js", "js/drive.js"]}>
      <div class="drive" x-data="drive" data-folder-id={p.folderId ?? ""} data-mode={p.mode} x-bind="shell">
        <aside class="drive-side">
          <nav aria-label="Drive">
            <ul class="drive-filters tabbar">
              {filters.map((f) => (
                <li>
                  <a href={f.href} class={p.mode === f.mode ? "active" : undefined} aria-current={p.mode === f.mode ? "page" : undefined}>
                    {f.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <UsageLine usage={p.usage} />
          <MediaProgress progress={p.mediaProgress} />
        </aside>
        <div class="drive-main">
          <form class="drive-search" action="/drive/search" method="get" role="search">
            <input
              type="search"
              name="q"
              value={p.query ?? ""}
              placeholder="Search your Drive"
              aria-label="Search"
              autocomplete="off"
              hx-get="/drive/search/suggest"
              hx-trigger="input changed delay:250ms, search"
              hx-target="#suggestions"
              hx-swap="innerHTML"
            />
            <div id="suggestions" class="drive-suggestions" aria-live="polite"></div>
          </form>
          <div class="spread">
            {p.mode === "folder" ? <Breadcrumbs crumbs={p.breadcrumbs} /> : <h1 safe>{p.title}</h1>}
            <div class="row drive-toolbar">
              {writable ? (
                <>
                  <form hx-post="/drive/actions/mkdir" hx-swap="none" class="row drive-mkdir">
                    <input type="hidden" name="parentId" value={p.folderId ?? ""} />
                    <input type="text" name="name" placeholder="New folder" aria-label="New folder name" required />
                    <button type="submit">Create</button>
                  </form>
                  <label class="button primary drive-upload-button">
                    Upload files
                    <input type="file" multiple class="visually-hidden" x-bind="filePicker" />
                  </label>
                  <label class="button drive-upload-button">
                    Upload folder
                    <input type="file" {...{ webkitdirectory: "" }} multiple class="visually-hidden" x-bind="filePicker" />
                  </label>
                  <select x-model="conflict" aria-label="When a name exists">
                    <option value="rename">Keep both</option>
                    <option value="replace">Replace</option>
                  </select>
                </>
              ) : (
                ""
              )}
              {p.mode === "trash" ? (
                <button type="button" class="danger" hx-post="/drive/actions/empty-trash" hx-swap="none" hx-confirm="Delete everything in the trash forever?">
                  Empty trash
                </button>
              ) : (
                ""
              )}
              <button type="button" x-bind="viewToggle" title="List or grid (Shift+V)">
                List / grid
              </button>
            </div>
          </div>
          <div class="drive-bulk row" x-show="hasSelection" x-cloak>
            <span x-text="selectedLabel"></span>
            {p.mode === "trash" ? (
              <>
                <button type="button" hx-post="/drive/actions/restore" hx-include="#listing .drive-select:checked" hx-swap="none">
                  Restore
                </button>
                <button type="button" class="danger" hx-post="/drive/actions/purge" hx-include="#listing .drive-select:checked" hx-swap="none">
                  Delete forever
                </button>
              </>
            ) : (
              <>
                <button type="button" x-bind="moveSelected">
                  Move to…
                </button>
                <button type="button" x-bind="zipSelected">
                  Download zip
                </button>
                <button type="button" hx-post="/drive/actions/trash" hx-include="#listing .drive-select:checked" hx-swap="none">
                  Move to trash
                </button>
              </>
            )}
          </div>
          <div class="drive-body" x-bind="dropzone">
            <div class="drive-content" x-bind="layout">
              <Listing {...p} timeZone={p.page.timeZone} />
            </div>
            {p.highlight ? (
              <aside
                id="preview"
                class="drive-preview"
                aria-live="polite"
                hx-get={`/drive/preview/${encodeURIComponent(p.highlight)}`}
                hx-trigger="load"
                hx-swap="innerHTML"
              ></aside>
            ) : (
              <aside id="preview" class="drive-preview" aria-live="polite"></aside>
            )}
          </div>
          <section class="drive-uploads card" x-show="hasUploads" x-cloak aria-label="Uploads">
            <div class="spread">
              <strong x-text="uploadSummary"></strong>
              <button type="button" class="link" x-bind="clearUploads">
                Clear finished
              </button>
            </div>
            <progress max="100" x-bind="totalProgress"></progress>
            <ul>
              <template x-for="u in uploads" x-bind:key="u.key">
                <li class="drive-upload">
                  <span class="drive-upload-name" x-text="u.label"></span>
                  <progress max="100" x-bind:value="u.pct"></progress>
                  <span class="muted small" x-text="u.status"></span>
                  <button type="button" class="link" x-show="u.active" x-on:click="cancel(u)">
                    Cancel
                  </button>
                </li>
              </template>
            </ul>
          </section>
          <dialog id="move-dialog" class="drive-dialog card" aria-label="Move to"></dialog>
        </div>
      </div>
    </Layout>
  );
}
