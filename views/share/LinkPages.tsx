import type { DriveFile } from "../../app/platform/db/schema";
import { Layout, type PageChrome } from "../layout";
import { formatBytes, formatDate } from "../format";
import { Gallery, mediaKind, type GalleryItem } from "./Gallery";

// The pages a share link opens (/s/<token>…). No script, no account: a list of files with previews and downloads.
// Every address here is built from the token and item ids the server already checked for this link.

export type LinkView = { token: string; page: PageChrome; allowDownload: boolean };
const SCRIPTS = ["js/share.js"];
const base = (v: LinkView) => `/s/${v.token}`;

export function PasswordPage({ view, error, name }: { view: LinkView; error?: string; name: string }) {
  return (
    <Layout title="Protected link" page={view.page} anonymous>
      <link rel="stylesheet" href="/shared/assets/share.css" />
      <section class="card stack share-unlock">
        <h1 safe>{name}</h1>
        <p class="muted">This link is protected by a password.</p>
        <form method="post" action={`${base(view)}/unlock`} class="stack">
          <input type="hidden" name="_csrf" value={view.page.csrfToken} />
          <label>
            Password
            <input type="password" name="password" id="share-password" required autofocus autocomplete="off" />
          </label>
          {error ? (
            <p class="error" role="alert" safe>
              {error}
            </p>
          ) : (
            ""
          )}
          <button type="submit" class="primary" id="share-unlock">
            Open
          </button>
        </form>
      </section>
    </Layout>
  );
}

export function FolderPage({
  view,
  folder,
  path,
  items,
  hasMore,
  page = 0,
}: {
  view: LinkView;
  folder: DriveFile;
  path: DriveFile[];
  items: DriveFile[];
  hasMore: boolean;
  /** Which page of the folder this is (500 items each). */
  page?: number;
}) {
  const here = path.length <= 1 ? base(view) : `${base(view)}/f/${folder.id}`;
  const photos = items.filter((i) => i.kind === "file" && mediaKind(i.mime) === "image");
  const others = items.filter((i) => !photos.includes(i));
  return (
    <Layout title={folder.name} page={view.page} anonymous>
      <link rel="stylesheet" href="/shared/assets/share.css" />
      <section class="stack share-page">
        <nav class="muted small" aria-label="Folder path">
          {path.map((p, i) => (
            <>
              {i > 0 ? " / " : ""}
              <a href={i === 0 ? base(view) : `${base(view)}/f/${p.id}`} safe>
                {p.name}
              </a>
            </>
          ))}
        </nav>
        <div class="spread">
          <h1 safe>{folder.name}</h1>
          {view.allowDownload && path.length === 1 ? (
            <a class="button primary" id="share-download-all" href={`${base(view)}/zip`} download="">
              Download all
            </a>
          ) : (
            ""
          )}
        </div>
        {photos.length ? (
          <ul class="share-gallery" data-testid="share-gallery">
            {photos.map((p) => (
              <li>
                <a href={`${base(view)}/v/${p.id}`}>
                  <img src={`${base(view)}/thumb/${p.id}`} alt={p.name} loading="lazy" />
                </a>
              </li>
            ))}
          </ul>
        ) : (
          ""
        )}
        {others.length === 0 && photos.length > 0 ? (
          ""
        ) : (
          <ul class="share-list card" data-testid="share-list">
            {others.map((i) => (
              <li class="spread">
                <a href={i.kind === "folder" ? `${base(view)}/f/${i.id}` : `${base(view)}/v/${i.id}`} safe>
                  {i.kind === "folder" ? `${i.name}/` : i.name}
                </a>
                <span class="muted small" safe>
                  {i.kind === "folder" ? "folder" : formatBytes(i.size)}
                </span>
              </li>
            ))}
            {items.length === 0 ? <li class="muted">This folder is empty.</li> : ""}
          </ul>
        )}
        <nav class="spread" aria-label="Pages">
          {page > 0 ? (
            <a class="button" rel="prev" href={`${here}?page=${page - 1}`}>
              ← Previous items
            </a>
          ) : (
            <span></span>
          )}
          {hasMore ? (
            <a class="button" rel="next" id="share-more" href={`${here}?page=${page + 1}`}>
              More items →
            </a>
          ) : (
            <span></span>
          )}
        </nav>
      </section>
    </Layout>
  );
}

export function FilePage({ view, file, parent, prev, next }: { view: LinkView; file: DriveFile; parent: string | null; prev?: DriveFile; next?: DriveFile }) {
  const kind = mediaKind(file.mime);
  const src = `${base(view)}/content/${file.id}`;
  return (
    <Layout title={file.name} page={view.page} anonymous>
      <link rel="stylesheet" href="/shared/assets/share.css" />
      <section class="stack share-page share-file">
        <div class="spread">
          {parent !== null ? (
            <a href={parent} class="button">
              Back
            </a>
          ) : (
            <span></span>
          )}
          {view.allowDownload ? (
            <a class="button primary" id="share-download" href={`${src}?download=1`} download="">
              Download
            </a>
          ) : (
            <span class="muted small">View only</span>
          )}
        </div>
        <h1 safe>{file.name}</h1>
        <p class="muted small" safe>{`${formatBytes(file.size)} · ${formatDate(file.updatedAt, view.page.timeZone)}`}</p>
        {kind === "image" ? <img src={`${base(view)}/thumb/${file.id}`} alt={file.name} class="share-media" id="share-photo" /> : ""}
        {kind === "video" ? <video src={src} controls class="share-media"></video> : ""}
        {kind === "audio" ? <audio src={src} controls="" preload="metadata"></audio> : ""}
        {kind === "pdf" && view.allowDownload ? (
          <a class="button" href={src}>
            Open the PDF
          </a>
        ) : (
          ""
        )}
        {kind === "none" || (kind === "pdf" && !view.allowDownload) ? <p class="muted">No preview for this kind of file.</p> : ""}
        <div class="spread">
          {prev ? (
            <a href={`${base(view)}/v/${prev.id}`} class="button" rel="prev">
              ← Previous
            </a>
          ) : (
            <span></span>
          )}
          {next ? (
            <a href={`${base(view)}/v/${next.id}`} class="button" rel="next">
              Next →
            </a>
          ) : (
            <span></span>
          )}
        </div>
      </section>
    </Layout>
  );
}

/** An album link: a phone-friendly gallery with a swipeable lightbox, videos that play, and "download all". */
export function AlbumPage({ view, name, items }: { view: LinkView; name: string; items: GalleryItem[] }) {
  return (
    <Layout title={name} page={view.page} anonymous scripts={SCRIPTS}>
      <link rel="stylesheet" href="/shared/assets/share.css" />
      <section class="stack share-page">
        <div class="spread">
          <h1 safe>{name}</h1>
          {view.allowDownload && items.length ? (
            <a class="button primary" id="share-download-all" href={`${base(view)}/zip`} download="">
              Download all
            </a>
          ) : (
            ""
          )}
        </div>
        <p class="muted small" safe>{`${items.length} ${items.length === 1 ? "item" : "items"}`}</p>
        <Gallery items={items} urls={{ thumb: (id) => `${base(view)}/thumb/${id}`, content: (id) => `${base(view)}/content/${id}` }} showAddedBy={false} />
      </section>
    </Layout>
  );
}

/** A drop box: visitors send files into the owner's folder and see nothing of what is in it. */
export function DropBoxPage({ view, name }: { view: LinkView; name: string }) {
  return (
    <Layout title={`Send files to ${name}`} page={view.page} anonymous scripts={SCRIPTS}>
      <link rel="stylesheet" href="/shared/assets/share.css" />
      <section class="card stack share-unlock" id="share-dropbox" data-upload={`${base(view)}/upload`}>
        <h1 safe>{`Send files to “${name}”`}</h1>
        <p class="muted">Files you send go to the owner of this link. You cannot see what is in the folder, and nothing you send replaces a file.</p>
        <form class="stack" id="share-dropbox-form">
          <label>
            Files to send
            <input type="file" name="file" id="share-dropbox-files" multiple required />
          </label>
          <button type="submit" class="primary" id="share-dropbox-send">
            Send
          </button>
        </form>
        <ul class="share-list" id="share-dropbox-progress" aria-live="polite"></ul>
      </section>
    </Layout>
  );
}
