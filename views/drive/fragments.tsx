import type { DriveFile } from "../../app/platform/db/schema";
import { formatBytes, formatDate } from "../format";

/** Autocomplete under the search box (top 10). */
export function Suggestions({ items, q }: { items: DriveFile[]; q: string }) {
  if (!q.trim()) return <></>;
  return (
    <ul class="card">
      {items.map((f) => (
        <li>
          <a href={f.kind === "folder" ? `/drive/f/${f.id}` : `/drive/f/${f.parentId}?select=${f.id}`} safe>
            {f.name}
          </a>
        </li>
      ))}
      <li>
        <a href={`/drive/search?q=${encodeURIComponent(q)}`}>
          All results for “<span safe>{q}</span>”
        </a>
      </li>
    </ul>
  );
}

export type PreviewKind = "image" | "video" | "audio" | "pdf" | "text" | "none";
/** Originals a browser shows itself: zooming in past the preview's size loads these for full detail. */
const BROWSER_IMAGES = new Set(["image/jpeg", "image/png", "image/webp", "image/gif", "image/avif"]);

/**
 * The viewer: a full-window overlay over the listing (js/drive/viewer.js: Escape closes, ←/→ and swipes go to the previous or
 * next file, PDF pages and zoom, image zoom by buttons, keys, wheel, pinch and double-click, with dragging to pan). Media play from the download URL; text is shown escaped; PDFs render with pdf.js.
 */
export function Preview({ file, kind, text, timeZone }: { file: DriveFile; kind: PreviewKind; text?: string; timeZone: string }) {
  const src = `/api/v1/files/${file.id}/content?inline=1`;
  return (
    <div class="viewer" role="dialog" aria-modal="true" aria-label={file.name} data-file-id={file.id}>
      <header class="viewer-bar">
        <button type="button" class="viewer-close" data-viewer="close" aria-label="Close (Esc)" title="Close (Esc)">
          ✕
        </button>
        <div class="viewer-title">
          <strong safe>{file.name}</strong>
          <span class="muted small" safe>{`${formatBytes(file.size)} · ${file.mime ?? "unknown type"} · ${formatDate(file.updatedAt, timeZone)}`}</span>
        </div>
        <div class="viewer-actions">
          <a href={src} target="_blank" rel="noopener" class="button" id="viewer-open">
            Open in new tab
          </a>
          <a href={`/api/v1/files/${file.id}/content`} download="" class="button" id="viewer-download">
            Download
          </a>
        </div>
      </header>
      <div class="viewer-stage">
        <button type="button" class="viewer-nav viewer-prev" data-viewer="prev" aria-label="Previous file (←)" title="Previous file (←)">
          ‹
        </button>
        <div class="viewer-content">
          {kind === "image" ? (
            <div class="viewer-image">
              <img
                src={`/drive/thumb/${file.id}`}
                alt={file.name}
                class="viewer-media"
                data-full={BROWSER_IMAGES.has(file.mime ?? "") ? src : undefined}
                draggable="false"
              />
              {/* What stands in if the browser cannot show the image (drive/viewer.js): the one tile, rendered here. */}
              <template class="viewer-fallback">
                <FileTile name={file.name} />
              </template>
              <div class="row viewer-zoom-bar">
                <button type="button" data-zoom="out" aria-label="Zoom out (−)" title="Zoom out (−)">
                  −
                </button>
                <button type="button" data-zoom="fit" class="viewer-zoom-level" aria-label="Fit to window (0)" title="Fit to window (0)">
                  Fit
                </button>
                <button type="button" data-zoom="in" aria-label="Zoom in (+)" title="Zoom in (+)">
                  +
                </button>
              </div>
            </div>
          ) : (
            ""
          )}
          {kind === "video" ? <video src={src} controls class="viewer-media"></video> : ""}
          {kind === "audio" ? <audio src={src} controls="" preload="metadata"></audio> : ""}
          {kind === "pdf" ? (
            <div class="viewer-pdf">
              <div class="row viewer-pdf-bar">
                <button type="button" data-pdf="prev" aria-label="Previous page">
                  Page ‹
                </button>
                <span class="viewer-pdf-page" aria-live="polite">
                  Page 1
                </span>
                <button type="button" data-pdf="next" aria-label="Next page">
                  Page ›
                </button>
                <button type="button" data-pdf="zoom-out" aria-label="Zoom out">
                  −
                </button>
                <button type="button" data-pdf="zoom-in" aria-label="Zoom in">
                  +
                </button>
              </div>
              <canvas class="drive-pdf" data-pdf-url={src}></canvas>
            </div>
          ) : (
            ""
          )}
          {kind === "text" ? (
            <pre class="drive-text" safe>
              {text ?? ""}
            </pre>
          ) : (
            ""
          )}
          {kind === "none" ? <FileTile name={file.name} /> : ""}
        </div>
        <button type="button" class="viewer-nav viewer-next" data-viewer="next" aria-label="Next file (→)" title="Next file (→)">
          ›
        </button>
      </div>
    </div>
  );
}

/** What stands in for a file that cannot be shown (HEIC until the media pipeline, damaged images, archives…). */
export function FileTile({ name }: { name: string }) {
  const dot = name.lastIndexOf(".");
  const ext =
    dot > 0
      ? name
          .slice(dot + 1)
          .toUpperCase()
          .slice(0, 6)
      : "FILE";
  return (
    <div class="file-tile">
      <span class="file-tile-ext" safe>
        {ext}
      </span>
      <p>No preview for this file</p>
    </div>
  );
}

/** "Move to…": browse folders inside the dialog, then move the selection into the one shown. */
export function MoveDialog({ ids, folder, crumbs, subfolders }: { ids: string[]; folder: DriveFile; crumbs: DriveFile[]; subfolders: DriveFile[] }) {
  const idList = ids.join(",");
  return (
    <div class="stack">
      <h2>Move to…</h2>
      <p class="muted small">
        {crumbs.map((c, i) => (
          <>
            {i > 0 ? " / " : ""}
            <a href="#" hx-get={`/drive/move-dialog?ids=${encodeURIComponent(idList)}&at=${c.id}`} hx-target="#move-dialog" safe>
              {c.parentId === null ? "My Drive" : c.name}
            </a>
          </>
        ))}
      </p>
      <ul class="drive-move-list">
        {subfolders.map((f) => (
          <li>
            <a href="#" hx-get={`/drive/move-dialog?ids=${encodeURIComponent(idList)}&at=${f.id}`} hx-target="#move-dialog" safe>
              {f.name}
            </a>
          </li>
        ))}
      </ul>
      <div class="row">
        <button
          type="button"
          class="primary"
          hx-post="/drive/actions/move"
          hx-vals={JSON.stringify({ ids: idList, targetId: folder.id })}
          hx-swap="none"
          data-close-dialog="move-dialog"
        >
          Move here
        </button>
        <button type="button" data-close-dialog="move-dialog">
          Cancel
        </button>
      </div>
    </div>
  );
}
