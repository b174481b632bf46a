import { Layout, type SignedInPage } from "../layout";

export type Failure = { fileId: string; name: string; error: string | null };

/** What the media pipeline could not process: each file (opened in Drive), the pipeline's message and a retry. */
export function FailedPage(p: { page: SignedInPage; failures: Failure[] }) {
  return (
    <Layout title="Could not be processed" page={p.page} active="photos">
      <section class="stack">
        <h1>Could not be processed</h1>
        <p class="muted">
          These files stay in Drive as they are; only their thumbnails, previews and places are missing. Try again after replacing a damaged file or when the
          box has more room: a file tried again leaves this list while it is processed.
        </p>
        {p.failures.length === 0 ? <p class="muted">Nothing failed.</p> : ""}
        <ul class="card media-failures" data-testid="media-failures">
          {p.failures.map((f) => (
            <li class="spread">
              <span>
                <a href={`/drive/preview/${encodeURIComponent(f.fileId)}`} safe>
                  {f.name}
                </a>
                <br />
                <span class="small muted" safe>
                  {f.error ?? "No reason was recorded."}
                </span>
              </span>
              <form method="post" action={`/media/failed/${encodeURIComponent(f.fileId)}/retry`}>
                <input type="hidden" name="_csrf" value={p.page.csrfToken} />
                <button type="submit">Try again</button>
              </form>
            </li>
          ))}
        </ul>
      </section>
    </Layout>
  );
}
