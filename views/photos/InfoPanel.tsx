import type { DriveFile, Media } from "../../app/platform/db/schema";
import { formatBytes } from "../format";

export type InfoProps = {
  file: DriveFile;
  facts: Media;
  favourite: boolean;
  archived: boolean;
  path: string;
  albums: { id: string; name: string }[];
  /** Who is in it (People): only ever given to the photo's owner. */
  people?: { id: string; name: string | null }[];
  /** An owner's detailed basemap is on the box (app/maps): the small map draws it too. */
  detailMap?: boolean;
  /** It has a rendered edit (app/photos/edit): downloads offer the edited photo beside the original. */
  edited?: boolean;
  /** A partner's photo (app/photos/partners.ts): whose it is; its Drive path and original are not the viewer's. */
  owner?: string;
};

const pad = (n: number) => String(n).padStart(2, "0");

const clock = (ms: number) => {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
};
/** Sources that know a moment in UTC but not the local zone (a video's creation time, a GPS clock, the file's time). */
const INSTANT_SOURCES = new Set(["container", "gps-date", "file-time"]);

/**
 * "2021-07-14 18:03:22 UTC+01:00": the camera's local time with its offset. Without a recorded zone, never the box's
 * zone in disguise: the camera's clock marked "time zone unknown", or for a moment known only in UTC, that.
 */
export function takenLabel(m: Pick<Media, "takenAt" | "takenOffset" | "takenSource" | "takenZoneKnown">): string {
  if (!m.takenAt) return "Unknown";
  if (!m.takenZoneKnown && INSTANT_SOURCES.has(m.takenSource ?? "")) return `${clock(m.takenAt.getTime())} UTC (local time zone unknown)`;
  const offset = m.takenOffset ?? 0;
  const date = clock(m.takenAt.getTime() + offset * 60_000);
  if (!m.takenZoneKnown) return `${date} (time zone unknown)`;
  const sign = offset < 0 ? "-" : "+";
  return `${date} UTC${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
}

export function exposureLabel(m: Pick<Media, "fNumber" | "exposureTime" | "iso" | "focalLength">): string {
  const parts: string[] = [];
  if (m.fNumber) parts.push(`ƒ/${m.fNumber}`);
  if (m.exposureTime) parts.push(m.exposureTime >= 1 ? `${m.exposureTime} s` : `1/${Math.round(1 / m.exposureTime)} s`);
  if (m.focalLength) parts.push(`${m.focalLength} mm`);
  if (m.iso) parts.push(`ISO ${m.iso}`);
  return parts.join(" · ");
}

/** A partner's photo: whose it is. */
function SharedBy(p: { owner?: string }) {
  if (!p.owner) return "";
  return (
    <>
      <dt>Shared by</dt>
      <dd class="info-owner" safe>
        {p.owner}
      </dd>
    </>
  );
}

function Downloads(p: { file: DriveFile; edited?: boolean }) {
  return (
    <p class="photos-info-actions">
      {p.edited ? (
        <a class="button" href={`/photos/download/${encodeURIComponent(p.file.id)}`} download="">
          Download edited
        </a>
      ) : (
        ""
      )}
      <a class="button" href={`/api/v1/files/${encodeURIComponent(p.file.id)}/content`} download={p.file.name}>
        Download original
      </a>
    </p>
  );
}

/** Where it was taken: the coordinates (a link into the Map) and a small map of the spot. */
function Location(p: { latitude: number; longitude: number; detailMap?: boolean }) {
  const [lat, lng] = [p.latitude.toFixed(5), p.longitude.toFixed(5)];
  return (
    <>
      <dt>Location</dt>
      <dd>
        <a href={`/photos/map?lat=${lat}&lng=${lng}`} safe>{`${lat}, ${lng}`}</a>
        {/* Drawn by viewer.js from the box's own basemap (views/static/js/lib/basemap.js): no request leaves the box. */}
        <div
          class="photos-info-map"
          role="img"
          aria-label="Where it was taken, on the map"
          data-lat={lat}
          data-lng={lng}
          data-detail={p.detailMap ? "1" : "0"}
        ></div>
      </dd>
    </>
  );
}

/** The lightbox's info panel (one htmx/fetch swap target). Every value from EXIF is text, escaped. */
export function InfoPanel(p: InfoProps) {
  const m = p.facts;
  const camera = [m.make, m.model].filter(Boolean).join(" ");
  // Locality, city, region, country, each once: "Alvalade, Lisbon, Portugal", "Chinatown, New York City, New York, United States".
  const place = [...new Set([m.locality, m.city, m.region, m.country].filter(Boolean))].join(", ");
  return (
    <div class="photos-info" data-id={p.file.id} data-favourite={p.favourite ? "1" : "0"}>
      <h2 safe>{p.file.name}</h2>
      <dl>
        <SharedBy owner={p.owner} />
        {p.people?.length ? (
          <>
            <dt>People</dt>
            <dd class="info-people">
              {p.people.map((person, i) => (
                <>
                  {i ? ", " : ""}
                  <a href={`/photos/people/${encodeURIComponent(person.id)}`} safe>
                    {person.name ?? "Unnamed"}
                  </a>
                </>
              ))}
            </dd>
          </>
        ) : (
          ""
        )}
        <dt>Taken</dt>
        <dd class="info-taken" safe>
          {takenLabel(m)}
        </dd>
        {camera ? (
          <>
            <dt>Camera</dt>
            <dd class="info-camera" safe>
              {camera}
            </dd>
          </>
        ) : (
          ""
        )}
        {m.lens ? (
          <>
            <dt>Lens</dt>
            <dd safe>{m.lens}</dd>
          </>
        ) : (
          ""
        )}
        {exposureLabel(m) ? (
          <>
            <dt>Exposure</dt>
            <dd safe>{exposureLabel(m)}</dd>
          </>
        ) : (
          ""
        )}
        {m.width && m.height ? (
          <>
            <dt>Dimensions</dt>
            <dd safe>{`${m.width} × ${m.height}`}</dd>
          </>
        ) : (
          ""
        )}
        {m.durationMs ? (
          <>
            <dt>Duration</dt>
            <dd safe>{`${(m.durationMs / 1000).toFixed(1)} s`}</dd>
          </>
        ) : (
          ""
        )}
        <dt>Size</dt>
        <dd safe>{formatBytes(p.file.size)}</dd>
        {m.damaged ? (
          <>
            <dt>Condition</dt>
            <dd class="info-damaged">Partly damaged: only part of the file could be read</dd>
          </>
        ) : (
          ""
        )}
        {place ? (
          <>
            <dt>Place</dt>
            <dd class="info-place" safe>
              {place}
            </dd>
          </>
        ) : (
          ""
        )}
        {m.latitude !== null && m.longitude !== null ? <Location latitude={m.latitude} longitude={m.longitude} detailMap={p.detailMap} /> : ""}
        {p.owner ? (
          ""
        ) : (
          <>
            <dt>In Drive</dt>
            <dd class="info-path" safe>
              {p.path}
            </dd>
          </>
        )}
        {p.albums.length ? (
          <>
            <dt>Albums</dt>
            <dd>
              {p.albums.map((a) => (
                <a href={`/photos/albums/${encodeURIComponent(a.id)}`} safe>
                  {a.name}
                </a>
              ))}
            </dd>
          </>
        ) : (
          ""
        )}
        {p.archived ? (
          <>
            <dt>Archived</dt>
            <dd>Hidden from the timeline</dd>
          </>
        ) : (
          ""
        )}
      </dl>
      {p.owner ? "" : <Downloads file={p.file} edited={p.edited} />}
    </div>
  );
}
