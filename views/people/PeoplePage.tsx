import type { PersonRow } from "../../app/people/repo";
import type { PeopleStatus } from "../../app/people/service";
import { Grid, PhotosShell } from "../photos/PhotosPage";

type Shell = Omit<Parameters<typeof PhotosShell>[0], "tab" | "title" | "children">;

const Csrf = (p: { token: string }) => <input type="hidden" name="_csrf" value={p.token} />;
const label = (p: { name: string | null }) => p.name ?? "Unnamed";
const count = (n: number) => `${n} ${n === 1 ? "photo" : "photos"}`;

/** Indexing progress, the admin's switch and the user's own "forget my faces". */
function Status(p: { status: PeopleStatus; admin: boolean; csrf: string }) {
  const { on, why, optedOut, progress } = p.status;
  const left = progress.total - progress.indexed;
  return (
    <section class="people-status" aria-label="People status">
      <p class="small muted" role="status" safe>
        {!on
          ? (why ?? "People is turned off by the administrator: no photo is looked at for faces or things.")
          : optedOut
            ? "You asked People to forget your photos: none of them is looked at."
            : left > 0
              ? `Looking for faces and things: ${progress.indexed} of ${progress.total} photos done, on this box only.`
              : `All ${progress.total} photos looked at, on this box only.`}
      </p>
      {p.admin ? (
        <form method="post" action="/photos/people/settings" class="inline">
          <Csrf token={p.csrf} />
          <input type="hidden" name="on" value={on ? "0" : "1"} />
          <button type="submit" class="link">
            {on ? "Turn People off for this box" : "Turn People on for this box"}
          </button>
        </form>
      ) : (
        ""
      )}
      <form method="post" action={optedOut ? "/photos/people/include-me" : "/photos/people/forget-me"} class="inline">
        <Csrf token={p.csrf} />
        <button type="submit" class={optedOut ? "link" : "link danger"}>
          {optedOut ? "Look at my photos again" : "Forget my faces and things"}
        </button>
      </form>
    </section>
  );
}

export function PeoplePage(p: Shell & { people: PersonRow[]; hidden: boolean; status: PeopleStatus }) {
  return (
    <PhotosShell {...p} title="People" tab="people">
      <>
        <h1 class="photos-heading">{p.hidden ? "Hidden people" : "People"}</h1>
        <Status status={p.status} admin={p.page.admin} csrf={p.page.csrfToken} />
        <p>
          <a href={p.hidden ? "/photos/people" : "/photos/people?hidden=1"}>{p.hidden ? "Back to people" : "Hidden people"}</a>
        </p>
        {p.people.length === 0 ? (
          <p class="muted">{p.hidden ? "Nobody is hidden." : "Nobody yet. People appear here once a face is seen in at least two photos."}</p>
        ) : (
          ""
        )}
        <ul class="people-grid" id="people-list">
          {p.people.map((person) => (
            <li>
              <a href={`/photos/people/${encodeURIComponent(person.id)}`} data-person={person.id}>
                <img class="face" src={`/photos/people/faces/${person.coverFaceId}`} alt="" loading="lazy" width="96" height="96" />
                <strong class={person.name ? undefined : "muted"} safe>
                  {label(person)}
                </strong>
                <span class="small muted" safe>
                  {count(person.photos)}
                </span>
              </a>
            </li>
          ))}
        </ul>
      </>
    </PhotosShell>
  );
}

type PersonView = {
  id: string;
  name: string | null;
  hidden: boolean;
  coverFaceId: number | null;
  faces: { id: number; sha256: string }[];
  others: PersonRow[];
};

/** One person: name, merge, hide, their faces (remove a wrong one, choose the cover), and their photos as a timeline. */
export function PersonPage(p: Shell & { person: PersonView }) {
  const person = p.person;
  const base = `/photos/people/${encodeURIComponent(person.id)}`;
  return (
    <PhotosShell {...p} title={label(person)} tab="people">
      <>
        <p>
          <a href="/photos/people">← People</a>
        </p>
        <h1 class="photos-heading" safe>
          {label(person)}
        </h1>
        <form method="post" action={`${base}/name`} class="people-name">
          <Csrf token={p.page.csrfToken} />
          <label>
            Name <input name="name" id="person-name" value={person.name ?? ""} maxlength="80" placeholder="Who is this?" />
          </label>
          <button type="submit">Save name</button>
        </form>
        {person.others.length ? (
          <form method="post" action={`${base}/merge`} class="people-merge">
            <Csrf token={p.page.csrfToken} />
            <label>
              Same person as{" "}
              <select name="into" id="person-merge">
                {person.others.map((o) => (
                  <option value={o.id} safe>{`${label(o)} (${count(o.photos)})`}</option>
                ))}
              </select>
            </label>
            <button type="submit">Merge</button>
          </form>
        ) : (
          ""
        )}
        <form method="post" action={`${base}/hide`} class="inline">
          <Csrf token={p.page.csrfToken} />
          <input type="hidden" name="hidden" value={person.hidden ? "0" : "1"} />
          <button type="submit" class="link">
            {person.hidden ? "Show in People again" : "Hide this person"}
          </button>
        </form>
        <details class="people-faces">
          <summary safe>{`Faces (${person.faces.length})`}</summary>
          <ul class="people-grid">
            {person.faces.map((f) => (
              <li data-face={String(f.id)}>
                <img class="face" src={`/photos/people/faces/${f.id}`} alt="" loading="lazy" width="72" height="72" />
                <form method="post" action={`${base}/faces/${f.id}/remove`}>
                  <Csrf token={p.page.csrfToken} />
                  <button type="submit" class="link danger" safe>
                    {`Not ${label(person)}`}
                  </button>
                </form>
                {person.coverFaceId === f.id ? (
                  <span class="small muted">Cover</span>
                ) : (
                  <form method="post" action={`${base}/faces/${f.id}/cover`}>
                    <Csrf token={p.page.csrfToken} />
                    <button type="submit" class="link">
                      Use as cover
                    </button>
                  </form>
                )}
              </li>
            ))}
          </ul>
        </details>
        <Grid source="person" param={person.id} empty="No photos." />
      </>
    </PhotosShell>
  );
}
