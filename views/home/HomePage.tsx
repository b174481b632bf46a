import type { DriveFile } from "../../app/platform/db/schema";
import type { GridItem } from "../../app/photos/repo";
import { formatBytes } from "../format";
import { Layout, type SignedInPage } from "../layout";
import { Time } from "../Time";

type Health = { level: "green" | "amber" | "red"; reason: string };
const HEALTH_TEXT = { green: "Healthy", amber: "Needs attention", red: "Problem" } as const;

// The start page is the most visited page: what never changes in it is rendered once, at start (as in the layout).
// A string of many small pieces costs more to join on every request than to render (measured: a third of the page).
const settingsCard: JSX.Element = (
  <a class="card" href="/settings">
    <h2>Settings</h2>
    <p class="muted">Passkeys, signed-in browsers, app tokens.</p>
  </a>
);
const photosHeading: JSX.Element = (
  <div class="spread">
    <h2>Latest photos</h2>
    <a href="/photos/">Open Photos</a>
  </div>
);
const noPhotos: JSX.Element = (
  <p class="muted">
    No photos yet. <a href="/photos/">Open Photos</a> and drop pictures or videos there; they are sorted by the day they were taken.
  </p>
);
const recentHeading: JSX.Element = (
  <div class="spread">
    <h2>Recent files</h2>
    <a href="/drive/recent">All recent files</a>
  </div>
);
const noFiles: JSX.Element = (
  <p class="muted">
    Nothing yet. <a href="/drive">Open Drive</a> and drop files there to upload them.
  </p>
);

export type HomeContentProps = {
  /** The person's name and the page's time zone: all the content uses of the page's chrome. */
  viewer: { displayName: string; timeZone: string };
  usage: { used: number; quota: number | null };
  recent: DriveFile[];
  health: Health | null;
  photos: GridItem[];
  /** Phones that backed up on at least 5 of 14 days and have been silent for three since (app/dav/devices.ts). */
  silentDevices?: { name: string; days: number }[];
};

/** The start page: what an owner checks first (space, recent files, the box's health), each a way into its page. */
export function HomePage(p: { page: SignedInPage; content: JSX.Element }) {
  const htmlContent = p.content; // HomeContent, rendered already (its own values escaped)
  return (
    <Layout title="Home" page={p.page}>
      {htmlContent}
    </Layout>
  );
}

/** The start page's content, without the layout (app/home keeps it rendered until something in it changes). */
export function HomeContent(p: HomeContentProps) {
  const percent = p.usage.quota ? Math.min(100, Math.round((p.usage.used / p.usage.quota) * 100)) : null;
  return (
    <>
      <h1>
        Hello, <span safe>{p.viewer.displayName}</span>
      </h1>
      {p.silentDevices?.length ? (
        <div class="stack">
          {p.silentDevices.map((d) => (
            <p class="notice warn" role="status" data-testid="silent-device">
              <strong safe>{d.name}</strong> <span safe>{`has not backed up for ${d.days} days.`}</span> Open the app on it (it may need to be allowed to run in
              the background), or see <a href="/photos/backup">Back up your phone</a>.
            </p>
          ))}
        </div>
      ) : (
        ""
      )}
      <div class="cards home-cards">
        <a class="card" href="/drive" data-testid="home-storage">
          <h2>Your storage</h2>
          <p class="big-number" safe>
            {formatBytes(p.usage.used)}
          </p>
          <p class="muted" safe>
            {p.usage.quota === null ? "used · no quota" : `used of ${formatBytes(p.usage.quota)} (${percent} %)`}
          </p>
          {percent !== null ? <progress max="100" value={String(percent)} aria-label="Share of your quota used"></progress> : ""}
        </a>
        {p.health ? (
          <a class={`card home-health home-health-${p.health.level}`} href="/dashboard" data-testid="home-health">
            <h2>Health of the box</h2>
            <p class="big-number">{HEALTH_TEXT[p.health.level]}</p>
            <p class="muted" safe>
              {p.health.reason}
            </p>
          </a>
        ) : (
          ""
        )}
        {settingsCard}
      </div>
      <section class="card stack home-photos" data-testid="home-photos">
        {photosHeading}
        {p.photos.length === 0 ? (
          noPhotos
        ) : (
          <div class="home-photo-row">
            {p.photos.map((i) => (
              <a href={`/media/preview/${i.id}`} aria-label={`${i.kind === "video" ? "Video" : "Photo"} taken ${takenLabel(i.local)}`}>
                <img src={`/drive/thumb/${i.id}`} alt="" loading="lazy" />
                {i.kind === "video" ? (
                  <span class="home-photo-video" aria-hidden="true">
                    ▶
                  </span>
                ) : (
                  ""
                )}
              </a>
            ))}
          </div>
        )}
      </section>
      <section class="card stack home-recent" data-testid="home-recent">
        {recentHeading}
        {p.recent.length === 0 ? (
          noFiles
        ) : (
          <ul class="home-files">
            {p.recent.map((f) => (
              <li>
                <a href={f.parentId ? `/drive/f/${f.parentId}?select=${f.id}` : "/drive"} safe>
                  {f.name}
                </a>
                <span class="muted small">
                  <span safe>{formatBytes(f.size)}</span> · <Time at={f.updatedAt} tz={p.viewer.timeZone} relative />
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

/** A capture time as the camera's clock read it (stored as UTC fields): "12 Jul 2024". */
const takenLabel = (local: number) => new Date(local).toLocaleDateString("en-GB", { timeZone: "UTC", day: "numeric", month: "short", year: "numeric" });
