import type { DriveFile } from "../../app/db/schema";
import { formatBytes, formatDate } from "../format";

/** Autocomplete under the search box (top 10). */
export function Suggestions({ items, q }: { items: DriveFile[]; q: string }) {
  if (!q.trim()) return <></>;
  return (
    <ul class="card">
      {items.map((f) => (
        <li role="option">
          <a href={f.kind === "folder" ? `/drive/f/${f.id}` : `/drive/f/${f.parentId}`} safe>{f.name}</a>
        </li>
      ))}
      <li><a href={`/drive/search?q=${encodeURIComponent(q)}`}>All results for “<span safe>{q}</span>”</a></li>
    </ul>
  );
}

export type PreviewKind = "image" | "video" | "audio" | "pdf" | "text" | "none";

/** The preview pane: media play from the download URL; text is shown escaped; PDFs render with pdf.js. */
export function Preview({ file, kind, text }: { file: DriveFile; kind: PreviewKind; text?: string }) {
  const src = `/api/v1/files/${file.id}/content?inline=1`;
  return (
    <div class="drive-preview-body">
      <div class="spread">
        <strong safe>{file.name}</strong>
        <a href={`/api/v1/files/${file.id}/content`} download="" class="button">Download</a>
      </div>
      <p class="muted small" safe>{`${formatBytes(file.size)} · ${file.mime ?? "unknown type"} · ${formatDate(file.updatedAt)}`}</p>
      {kind === "image" ? <img src={`/drive/thumb/${file.id}`} alt={file.name} class="drive-preview-media" /> : ""}
      {kind === "video" ? <video src={src} controls class="drive-preview-media"></video> : ""}
      {kind === "audio" ? <audio src={src} controls="" preload="metadata"></audio> : ""}
      {kind === "pdf" ? <canvas class="drive-pdf drive-preview-media" data-pdf-url={src}></canvas> : ""}
      {kind === "text" ? <pre class="drive-text" safe>{text ?? ""}</pre> : ""}
      {kind === "none" ? <p class="muted">No preview for this kind of file.</p> : ""}
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
            <a href="#" hx-get={`/drive/move-dialog?ids=${encodeURIComponent(idList)}&at=${c.id}`} hx-target="#move-dialog" safe>{c.parentId === null ? "My Drive" : c.name}</a>
          </>
        ))}
      </p>
      <ul class="drive-move-list">
        {subfolders.map((f) => (
          <li><a href="#" hx-get={`/drive/move-dialog?ids=${encodeURIComponent(idList)}&at=${f.id}`} hx-target="#move-dialog" safe>{f.name}</a></li>
        ))}
      </ul>
      <div class="row">
        <button type="button" class="primary" hx-post="/drive/actions/move" hx-vals={JSON.stringify({ ids: idList, targetId: folder.id })} hx-swap="none" data-close-dialog="move-dialog">
          Move here
        </button>
        <button type="button" data-close-dialog="move-dialog">Cancel</button>
      </div>
    </div>
  );
}
