import { sqliteTable, text, integer, real, index, primaryKey, foreignKey } from "drizzle-orm/sqlite-core";
import { blobs } from "./drive";

/**
 * Which rule of the capture-time precedence gave a row its time (app/media/metadata.ts `captureTime`, in order).
 * `container` is a video's own creation time.
 */
export const TAKEN_SOURCES = [
  "exif-offset",
  "xmp-offset",
  "gps-offset",
  "maker-note",
  "exif-local",
  "other-date",
  "gps-date",
  "file-name",
  "file-time",
  "container",
] as const;
export type TakenSource = (typeof TAKEN_SOURCES)[number];

/**
 * What the media pipeline knows about one stored content of a user (a blob): every Drive file with that content
 * shows the same thumbnails and metadata. Deleted with the blob (a purge), so a row never outlives its content.
 */
export const media = sqliteTable(
  "media",
  {
    userId: text("user_id").notNull(),
    sha256: text("sha256").notNull(),
    kind: text("kind", { enum: ["image", "raw", "video"] }).notNull(),
    /** queued → processing → done | failed (with `error`) | no-preview (a RAW without an embedded JPEG). */
    status: text("status", { enum: ["queued", "processing", "done", "failed", "no-preview"] }).notNull(),
    /** A sentence for people: why this file has no thumbnail. */
    error: text("error"),
    /** The pipeline version that produced this row; a higher one in the code means "reprocess". */
    version: integer("version").notNull().default(0),
    width: integer("width"),
    height: integer("height"),
    orientation: integer("orientation"),
    /**
     * Capture time as UTC milliseconds; `takenAt + takenOffset` minutes is the local time it shows. When the file
     * recorded no zone (`takenZoneKnown` false), the offset is the box's at that time: a camera's wall clock stays
     * the wall clock, and views say the zone is unknown.
     */
    takenAt: integer("taken_at", { mode: "timestamp_ms" }),
    takenOffset: integer("taken_offset"),
    takenZoneKnown: integer("taken_zone_known", { mode: "boolean" }).notNull().default(false),
    /** Which rule of the capture-time precedence gave `takenAt` (TAKEN_SOURCES). */
    takenSource: text("taken_source", { enum: TAKEN_SOURCES }),
    make: text("make"),
    model: text("model"),
    lens: text("lens"),
    fNumber: real("f_number"),
    exposureTime: real("exposure_time"),
    iso: integer("iso"),
    focalLength: real("focal_length"),
    latitude: real("latitude"),
    longitude: real("longitude"),
    altitude: real("altitude"),
    /** Where (app/media/geocode.ts): the nearest populated place, the city it belongs to, region and country names. */
    locality: text("locality"),
    city: text("city"),
    region: text("region"),
    country: text("country"),
    /** Every name of those four places, folded (lower case, no accents) between "|": what place search matches. */
    placeNames: text("place_names"),
    /** The file decoded only in part (a truncated or damaged JPEG): the thumbnail shows what could be read. */
    damaged: integer("damaged", { mode: "boolean" }).notNull().default(false),
    durationMs: integer("duration_ms"),
    videoCodec: text("video_codec"),
    /** How a browser plays it: the original as is, or our MP4 (remuxed or transcoded). */
    playback: text("playback", { enum: ["original", "remux", "transcode"] }),
    /** Which encoder made the MP4 (libx264, h264_vaapi, h264_v4l2m2m). */
    encoder: text("encoder"),
    /** ThumbHash (base64): the grid paints this before the thumbnail arrives. */
    thumbhash: text("thumbhash"),
    /** Apple's content identifier: a Live Photo's still and its MOV share it. */
    contentId: text("content_id"),
    /** The other half of a Live Photo (the still ↔ its MOV), once both are processed: Photos shows them as one item. */
    livePairSha256: text("live_pair_sha256"),
    /**
     * Perceptual hash (64-bit DCT hash as 16 hex digits, app/photos/duplicates.ts) of the decoded picture: near
     * duplicates and bursts are photos whose hashes differ in few bits. Null until the pipeline or the backfill made it.
     */
    phash: text("phash"),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.sha256] }),
    foreignKey({ columns: [t.userId, t.sha256], foreignColumns: [blobs.userId, blobs.sha256] }).onDelete("cascade"),
    index("media_user_status").on(t.userId, t.status),
    index("media_content_id").on(t.userId, t.contentId),
    index("media_place").on(t.userId, t.city),
    // Photos: the timeline, its scrubber buckets and month pages walk this (newest first, capture time indexed).
    index("media_timeline").on(t.userId, t.takenAt, t.takenOffset, t.status, t.kind, t.livePairSha256),
    // Photos: search by country, and the newest change of a user's rows (its cached scrubber is keyed by it).
    index("media_country").on(t.userId, t.country),
    index("media_region").on(t.userId, t.region),
    index("media_locality").on(t.userId, t.locality),
    index("media_user_updated").on(t.userId, t.updatedAt),
  ],
);

export type Media = typeof media.$inferSelect;

/**
 * Photos' scrubber: how many shown rows of `media` fall on each local day, per user, kept by triggers on `media`
 * (migration 0012), so the buckets after a library change read a few thousand day rows instead of walking every row.
 * "Shown" is the timeline's rule before trash and archive: processed, with a time, not the video half of a Live Photo.
 */
export const mediaDayCounts = sqliteTable(
  "media_day_counts",
  {
    userId: text("user_id").notNull(),
    day: integer("day").notNull(),
    n: integer("n").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.day] })],
);
