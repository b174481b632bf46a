import type { MediaProgress as Progress } from "../../app/media/service";
import type { SignedInPage } from "../layout";
import { PhotosShell } from "./PhotosPage";

// Partner sharing (app/photos/partners.ts): whom the person shares their library with, and the libraries shared with
// them, each with the choice of showing it in their own timeline.

export type GivenShare = { partnerId: string; name: string; coverage: string };
export type ReceivedShare = { ownerId: string; name: string; coverage: string; inTimeline: boolean };

export function PartnersPage(p: { page: SignedInPage; progress: Progress; given: GivenShare[]; received: ReceivedShare[]; error?: string }) {
  const csrf = <input type="hidden" name="_csrf" value={p.page.csrfToken} />;
  return (
    <PhotosShell page={p.page} progress={p.progress} title="Partner sharing" tab="partners">
      <div class="photos-partners">
        <h1 class="photos-heading">Partner sharing</h1>
        <section class="card" aria-labelledby="partners-received">
          <h2 id="partners-received">Shared with you</h2>
          {p.received.length === 0 ? <p class="muted">Nobody shares their photos with you yet.</p> : ""}
          <ul class="share-list" data-testid="partners-received">
            {p.received.map((r) => (
              <li class="spread">
                <span>
                  <a href={`/photos/partners/${encodeURIComponent(r.ownerId)}`} safe>{`${r.name}'s photos`}</a>
                  <br />
                  <span class="muted small" safe>
                    {`${r.coverage} · ${r.inTimeline ? "in your timeline too" : "only on this page"}`}
                  </span>
                </span>
                <form method="post" action={`/photos/partners/${encodeURIComponent(r.ownerId)}/timeline`}>
                  {csrf}
                  <input type="hidden" name="on" value={r.inTimeline ? "0" : "1"} />
                  <button type="submit">{r.inTimeline ? "Remove from your timeline" : "Show in your timeline"}</button>
                </form>
              </li>
            ))}
          </ul>
        </section>
        <section class="card" aria-labelledby="partners-given">
          <h2 id="partners-given">Your library</h2>
          <p class="muted small">
            A partner sees your photos (and videos, unless you say photos only) in Photos, read only: never your Drive folders, other files, people, archived or
            deleted photos, nor where the photos were taken. They cannot share, change or delete anything. Stopping is immediate.
          </p>
          <ul class="share-list" data-testid="partners-given">
            {p.given.map((g) => (
              <li class="spread">
                <span>
                  <strong safe>{g.name}</strong>
                  <br />
                  <span class="muted small" safe>
                    {g.coverage}
                  </span>
                </span>
                <form method="post" action={`/photos/partners/${encodeURIComponent(g.partnerId)}/stop`}>
                  {csrf}
                  <button type="submit" class="danger" safe>{`Stop sharing with ${g.name}`}</button>
                </form>
              </li>
            ))}
          </ul>
          <form method="post" action="/photos/partners" class="stack photos-partner-form">
            <h3>Share your library with a partner</h3>
            {csrf}
            <label>
              Their user name <input name="username" required maxlength="100" autocomplete="off" />
            </label>
            <label>
              From (optional: only photos taken on or after this day) <input type="date" name="from" />
            </label>
            <label>
              <input type="checkbox" name="photosOnly" value="1" /> Photos only (not videos)
            </label>
            {p.error ? (
              <p class="error" role="alert" safe>
                {p.error}
              </p>
            ) : (
              ""
            )}
            <button type="submit" class="primary">
              Share
            </button>
          </form>
        </section>
      </div>
    </PhotosShell>
  );
}
