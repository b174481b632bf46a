import type { AlbumGrantJson, GrantJson, LinkJson } from "../../app/share/service";
import { formatWhen } from "../format";
import { Layout, type SignedInPage } from "../layout";

type Base = { page: SignedInPage };
/** What a share form is about: a Drive file or folder, or a Photos album. */
export type ShareTarget = { id: string; name: string; kind: "file" | "folder" | "album" };

function LinkTable({
  links,
  csrfToken,
  timeZone,
  showOwner,
  testid,
}: {
  links: LinkJson[];
  csrfToken: string;
  /** The box's time zone, as every time on the page. */
  timeZone: string;
  showOwner: boolean;
  testid: string;
}) {
  if (!links.length) return <p class="muted">No links yet. Share a file or folder from its ⋯ menu in Drive, or an album from its page in Photos.</p>;
  return (
    <div class="card table-wrap">
      <table data-testid={testid}>
        <thead>
          <tr>
            <th>Shared</th>
            {showOwner ? <th>Owner</th> : ""}
            <th>State</th>
            <th>Views</th>
            <th>Expires</th>
            <th>Options</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {links.map((l) => (
            <tr data-link={l.id} data-state={l.state}>
              <td safe>{l.name === null ? "(deleted)" : l.kind === "folder" ? `${l.name}/` : l.kind === "album" ? `Album: ${l.name}` : l.name}</td>
              {showOwner ? <td safe>{l.owner}</td> : ""}
              <td>{l.state}</td>
              <td>{l.views}</td>
              <td safe>{formatWhen(l.expiresAt ? new Date(l.expiresAt) : null, timeZone)}</td>
              <td safe>
                {[
                  l.hasPassword ? "password" : "",
                  l.allowDownload ? "" : "view only",
                  l.allowMetadata ? "with metadata" : "",
                  l.allowUpload ? "upload only (drop box)" : "",
                ]
                  .filter(Boolean)
                  .join(", ") || "—"}
              </td>
              <td>
                {l.state === "revoked" ? (
                  ""
                ) : (
                  <form method="post" action={`/shared/${l.id}/revoke`}>
                    <input type="hidden" name="_csrf" value={csrfToken} />
                    <button type="submit" class="danger">
                      Revoke
                    </button>
                  </form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function PeopleTable({ shares, csrfToken }: { shares: GrantJson[]; csrfToken: string }) {
  if (!shares.length) return <p class="muted">No folder is shared with people on this box.</p>;
  return (
    <div class="card table-wrap">
      <table data-testid="people-shares">
        <thead>
          <tr>
            <th>Folder</th>
            <th>Owner</th>
            <th>Shared with</th>
            <th>Access</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {shares.map((g) => (
            <tr data-share={g.id}>
              <td safe>{g.name ?? "(deleted)"}</td>
              <td safe>{g.owner}</td>
              <td safe>{g.grantee}</td>
              <td>{g.access === "write" ? "read and write" : "read"}</td>
              <td>
                <form method="post" action={`/shared/users/${g.id}/remove`}>
                  <input type="hidden" name="_csrf" value={csrfToken} />
                  <button type="submit" class="danger">
                    Remove access
                  </button>
                </form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function AlbumPeopleTable({ shares, csrfToken }: { shares: AlbumGrantJson[]; csrfToken: string }) {
  if (!shares.length) return <p class="muted">No album is shared with people on this box.</p>;
  return (
    <div class="card table-wrap">
      <table data-testid="album-shares">
        <thead>
          <tr>
            <th>Album</th>
            <th>Owner</th>
            <th>Shared with</th>
            <th>Access</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {shares.map((g) => (
            <tr data-share={g.id}>
              <td safe>{g.name}</td>
              <td safe>{g.owner}</td>
              <td safe>{g.grantee}</td>
              <td>{g.access === "contribute" ? "view and add photos" : "view"}</td>
              <td>
                <form method="post" action={`/shared/albums/${g.id}/remove`}>
                  <input type="hidden" name="_csrf" value={csrfToken} />
                  <button type="submit" class="danger">
                    Remove access
                  </button>
                </form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Every link of this user (and, for the admin, every link on the box) with its state, views and a revoke button. */
export function SharedPage(p: Base & { own: LinkJson[]; all: LinkJson[] | null; people: GrantJson[]; albums: AlbumGrantJson[] }) {
  return (
    <Layout title="Shared links" page={p.page} active="sharing">
      <link rel="stylesheet" href="/shared/assets/share.css" />
      <section class="stack">
        <div class="spread">
          <h1>Shared links</h1>
          <span class="row">
            <a href="/photos/shared" class="button">
              Shared with me
            </a>
            <a href="/drive" class="button">
              Drive
            </a>
          </span>
        </div>
        <LinkTable links={p.own} csrfToken={p.page.csrfToken} timeZone={p.page.timeZone} showOwner={false} testid="my-links" />
        <h2>Folders shared with people</h2>
        <PeopleTable shares={p.people} csrfToken={p.page.csrfToken} />
        <h2>Albums shared with people</h2>
        <AlbumPeopleTable shares={p.albums} csrfToken={p.page.csrfToken} />
        {p.all ? (
          <>
            <h2>Every link on this box</h2>
            <LinkTable links={p.all} csrfToken={p.page.csrfToken} timeZone={p.page.timeZone} showOwner={true} testid="all-links" />
          </>
        ) : (
          ""
        )}
      </section>
    </Layout>
  );
}

/** "User name" of "Share with a person", keeping what was typed and saying there why it was refused. */
function PersonField({ person }: { person?: { username: string; error: string } }) {
  return (
    <>
      <label>
        User name
        <input
          type="text"
          name="username"
          required
          autocomplete="off"
          value={person?.username ?? ""}
          aria-invalid={person ? "true" : undefined}
          aria-describedby={person ? "share-person-error" : undefined}
        />
      </label>
      {person ? (
        <p class="error" role="alert" id="share-person-error" safe>
          {person.error}
        </p>
      ) : (
        ""
      )}
    </>
  );
}

/** The share form for one file or folder. */
/**
 * `error` is the link form's; `person` is what was typed into "Share with a person" and why it failed, shown in that
 * form with the name kept.
 */
export function NewLinkPage(p: Base & { item: ShareTarget; error?: string; person?: { username: string; error: string } }) {
  return (
    <Layout title="Share" page={p.page} active="sharing">
      <link rel="stylesheet" href="/shared/assets/share.css" />
      <section class="card stack">
        <h1 safe>{`Share “${p.item.name}”`}</h1>
        <form method="post" action="/shared" class="stack" id="share-form">
          <input type="hidden" name="_csrf" value={p.page.csrfToken} />
          <input type="hidden" name={p.item.kind === "album" ? "albumId" : "fileId"} value={p.item.id} />
          <label>
            Password (optional)
            <input type="password" name="password" autocomplete="new-password" minlength="4" />
          </label>
          <label>
            Expires after (days, optional)
            <input type="number" name="expiresInDays" min="1" max="3650" />
          </label>
          <label>
            <input type="checkbox" name="viewOnly" value="1" /> View only (no downloads)
          </label>
          <label>
            <input type="checkbox" name="allowMetadata" value="1" /> Include photo metadata (camera, date, location) of what you added yourself; otherwise
            places are removed, and a file that cannot be cleaned is not sent
          </label>
          {p.item.kind === "folder" ? (
            <label>
              <input type="checkbox" name="allowUpload" value="1" id="share-allow-upload" /> Drop box: visitors can only upload (they see nothing in the folder;
              uploads count against your quota)
            </label>
          ) : (
            ""
          )}
          <p class="muted small">
            Without it, JPEG photos and phone videos (MP4, MOV) are sent without the place they were taken and other photos that record a place are shown as
            previews only.
          </p>
          {p.error ? (
            <p class="error" role="alert" safe>
              {p.error}
            </p>
          ) : (
            ""
          )}
          <button type="submit" class="primary">
            Create link
          </button>
        </form>
        {p.item.kind === "folder" ? (
          <form method="post" action="/shared/users" class="stack" id="share-user-form">
            <h2>Share with a person on this box</h2>
            <input type="hidden" name="_csrf" value={p.page.csrfToken} />
            <input type="hidden" name="folderId" value={p.item.id} />
            <PersonField person={p.person} />
            <label>
              Access
              <select name="access">
                <option value="read">Read</option>
                <option value="write">Read and write (their uploads count against your quota)</option>
              </select>
            </label>
            <button type="submit">Share</button>
          </form>
        ) : (
          ""
        )}
        {p.item.kind === "album" ? (
          <form method="post" action="/shared/albums" class="stack" id="share-album-user-form">
            <h2>Share with a person on this box</h2>
            <input type="hidden" name="_csrf" value={p.page.csrfToken} />
            <input type="hidden" name="albumId" value={p.item.id} />
            <PersonField person={p.person} />
            <label>
              Access
              <select name="access">
                <option value="view">View</option>
                <option value="contribute">View and add their own photos</option>
              </select>
            </label>
            <button type="submit">Share</button>
          </form>
        ) : (
          ""
        )}
        <a href="/shared" class="button">
          All shared links
        </a>
      </section>
    </Layout>
  );
}

/** Shown once, right after creation: the token is not stored and cannot be shown again. */
export function LinkCreatedPage(p: Base & { item: ShareTarget; url: string; qrDataUrl: string }) {
  return (
    <Layout title="Link created" page={p.page} active="sharing">
      <link rel="stylesheet" href="/shared/assets/share.css" />
      <section class="card stack">
        <h1 safe>{`Link to “${p.item.name}”`}</h1>
        <p>Copy it now: for your safety it is stored only in a form that cannot be turned back into the link.</p>
        <input type="text" readonly value={p.url} id="share-url" aria-label="Share link" />
        <img src={p.qrDataUrl} alt="QR code of the link" width="220" height="220" class="share-qr" />
        <a href="/shared" class="button">
          All shared links
        </a>
      </section>
    </Layout>
  );
}
