// Every query on People's tables (people_index, people, faces, photo_objects). Callers pass the owner's id; nothing
// here decides authorization (app/access does).
import { writeTransaction, type Db } from "../platform/db/client";
import { bytesOf, dequantize, quantize, vectorOf } from "./cluster";
import type { Box, DetectedFace, DetectedObject } from "./model";

type Row = Record<string, unknown>;

export type StoredFace = { id: number; personId: string | null; assigned: "auto" | "manual" | null; rejectedPersonId: string | null; box: Box };
export type PersonRow = { id: string; name: string | null; hidden: boolean; n: number; photos: number; coverFaceId: number | null; coverSha256: string | null };

type Raw = Db["$client"];

/**
 * A value kept until the database changes: this connection's writes (`total_changes()`) or another process's
 * (`PRAGMA data_version`: the worker indexing). For the counts a page shows, which take a pass over every face.
 */
function untilChange(raw: Raw) {
  const dataVersion = raw.query("PRAGMA data_version");
  const changes = raw.query("SELECT total_changes() AS n");
  const kept = new Map<string, { version: string; value: unknown }>();
  return <T>(key: string, compute: () => T): T => {
    const version = `${(dataVersion.get() as { data_version: number }).data_version}:${(changes.get() as { n: number }).n}`;
    const hit = kept.get(key);
    if (hit?.version === version) return hit.value as T;
    const value = compute();
    kept.set(key, { version, value });
    return value;
  };
}
function helpers(raw: Raw) {
  return {
    all: (sql: string, ...params: unknown[]) => raw.query(sql).all(...(params as never[])) as Row[],
    get: (sql: string, ...params: unknown[]) => raw.query(sql).get(...(params as never[])) as Row | null,
    run: (sql: string, ...params: unknown[]) => raw.query(sql).run(...(params as never[])),
  };
}

export function createPeopleRepo(db: Db) {
  const raw = db.$client;
  return {
    transaction: <T>(fn: () => T): T => writeTransaction(raw, fn),
    ...indexingQueries(raw),
    ...clusteringQueries(raw),
    ...ownerQueries(raw),
  };
}

/** What the indexing job (worker) reads and writes. */
function indexingQueries(raw: Raw) {
  const { all, get, run } = helpers(raw);
  const cached = untilChange(raw);
  /** How many photos are indexed by `version` and how many wait (the dashboard's and the People page's progress). */
  const progressNow = (version: string, optedOut: string[]) => {
    const r = get(
      `SELECT count(*) AS total, count(p.version) FILTER (WHERE p.version = ?) AS indexed, count(p.version) FILTER (WHERE p.version = ? AND p.status = 'failed') AS failed
       FROM media m LEFT JOIN people_index p ON p.user_id = m.user_id AND p.sha256 = m.sha256
       WHERE m.status = 'done' AND m.kind <> 'video' AND m.user_id NOT IN (SELECT value FROM json_each(?))`,
      version,
      version,
      JSON.stringify(optedOut),
    )!;
    return { total: r.total as number, indexed: r.indexed as number, failed: r.failed as number };
  };
  return {
    /**
     * Photos not indexed by `version` yet (never, or by other models): processed stills and RAWs with a preview. A
     * photo that failed with this version is not tried again. No order: the first ones found (a run with nothing
     * pending reads the index once, without sorting).
     */
    pending: (version: string, limit: number, optedOut: string[]) =>
      all(
        `SELECT m.user_id AS userId, m.sha256 FROM media m LEFT JOIN people_index p ON p.user_id = m.user_id AND p.sha256 = m.sha256
         WHERE m.status = 'done' AND m.kind <> 'video' AND (p.version IS NULL OR p.version <> ?)
           AND m.user_id NOT IN (SELECT value FROM json_each(?)) LIMIT ?`,
        version,
        JSON.stringify(optedOut),
        limit,
      ) as { userId: string; sha256: string }[],
    /** How many photos are indexed by `version` and how many wait (the dashboard's progress). */
    progress: (version: string, optedOut: string[]) => cached(`progress:${version}:${optedOut.join(",")}`, () => progressNow(version, optedOut)),
    facesOf: (userId: string, sha256: string): StoredFace[] =>
      all("SELECT id, person_id, assigned, rejected_person_id, x, y, w, h FROM faces WHERE user_id = ? AND sha256 = ? ORDER BY idx", userId, sha256).map(
        (r) => ({
          id: r.id as number,
          personId: r.person_id as string | null,
          assigned: r.assigned as StoredFace["assigned"],
          rejectedPersonId: r.rejected_person_id as string | null,
          box: [r.x, r.y, r.w, r.h] as unknown as Box,
        }),
      ),
    /** False when the content is gone (purged while it was being indexed): nothing is written then. */
    blobExists: (userId: string, sha256: string) => !!get("SELECT 1 FROM blobs WHERE user_id = ? AND sha256 = ?", userId, sha256),
    /** Replaces a content's faces and objects; each face keeps what `inherit` says it had (a re-index keeps names). */
    replace(
      userId: string,
      sha256: string,
      faces: (DetectedFace & { inherit?: StoredFace })[],
      objects: DetectedObject[],
      version: string,
      at: number,
    ): number[] {
      run("DELETE FROM faces WHERE user_id = ? AND sha256 = ?", userId, sha256);
      run("DELETE FROM photo_objects WHERE user_id = ? AND sha256 = ?", userId, sha256);
      const ids: number[] = [];
      const insert = raw.query(
        `INSERT INTO faces (user_id, sha256, idx, x, y, w, h, score, landmarks, embedding, scale, person_id, assigned, rejected_person_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT id FROM people WHERE id = ? AND user_id = ?), ?, ?) RETURNING id, person_id`,
      );
      faces.forEach((f, i) => {
        const { bytes, scale } = quantize(f.embedding);
        const keep = f.inherit;
        const r = insert.get(
          userId,
          sha256,
          i,
          ...f.box,
          f.score,
          f.landmarks,
          bytes,
          scale,
          keep?.personId ?? null,
          userId,
          keep?.assigned ?? null,
          keep?.rejectedPersonId ?? null,
        ) as Row;
        ids.push(r.id as number);
        // The person went meanwhile: the face waits like a new one.
        if (!r.person_id && keep?.personId) run("UPDATE faces SET assigned = NULL WHERE id = ?", r.id);
      });
      const obj = raw.query("INSERT INTO photo_objects (user_id, sha256, label, score, x, y, w, h) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
      for (const o of objects) obj.run(userId, sha256, o.label, o.score, ...o.box);
      run(
        `INSERT INTO people_index (user_id, sha256, version, status, error, indexed_at) VALUES (?, ?, ?, 'done', NULL, ?)
         ON CONFLICT (user_id, sha256) DO UPDATE SET version = excluded.version, status = 'done', error = NULL, indexed_at = excluded.indexed_at`,
        userId,
        sha256,
        version,
        at,
      );
      return ids;
    },
    /** A photo the models cannot read: recorded so it is not tried again with the same models. */
    markFailed: (userId: string, sha256: string, version: string, error: string, at: number) =>
      run(
        `INSERT INTO people_index (user_id, sha256, version, status, error, indexed_at) SELECT ?, ?, ?, 'failed', ?, ? WHERE EXISTS (SELECT 1 FROM blobs WHERE user_id = ? AND sha256 = ?)
         ON CONFLICT (user_id, sha256) DO UPDATE SET version = excluded.version, status = 'failed', error = excluded.error, indexed_at = excluded.indexed_at`,
        userId,
        sha256,
        version,
        error.slice(0, 500),
        at,
        userId,
        sha256,
      ),
  };
}

/** Clustering's reads and writes (app/people/people.ts). */
function clusteringQueries(raw: Raw) {
  const { all, get, run } = helpers(raw);
  return {
    /** A face's embedding as floats, with the person the owner ruled out for it. */
    faceVector(id: number) {
      const r = get("SELECT embedding, scale, rejected_person_id FROM faces WHERE id = ?", id)!;
      return { vector: dequantize(r.embedding as Uint8Array, r.scale as number), rejected: r.rejected_person_id as string | null };
    },
    /** Every person of a user with a centre and how many faces it has. */
    centres: (userId: string) =>
      all(
        "SELECT p.id, p.centroid, (SELECT count(*) FROM faces f WHERE f.user_id = p.user_id AND f.person_id = p.id) AS n FROM people p WHERE p.user_id = ? AND p.centroid IS NOT NULL",
        userId,
      ).map((r) => ({ id: r.id as string, centroid: vectorOf(r.centroid as Uint8Array), n: r.n as number })),
    /** Faces of a user that belong to nobody yet. */
    waiting: (userId: string) =>
      all("SELECT id, embedding, scale, rejected_person_id FROM faces WHERE user_id = ? AND person_id IS NULL", userId).map((r) => ({
        id: r.id as number,
        vector: dequantize(r.embedding as Uint8Array, r.scale as number),
        rejected: r.rejected_person_id as string | null,
      })),
    assign: (faceIds: number[], personId: string, how: "auto" | "manual") => {
      const q = raw.query("UPDATE faces SET person_id = ?, assigned = ? WHERE id = ?");
      for (const id of faceIds) q.run(personId, how, id);
    },
    setCentroid: (personId: string, centroid: Float32Array, at: number) =>
      run("UPDATE people SET centroid = ?, updated_at = ? WHERE id = ?", bytesOf(centroid), at, personId),
    createPerson: (id: string, userId: string, centroid: Float32Array, at: number) =>
      run(
        "INSERT INTO people (id, user_id, name, hidden, centroid, created_at, updated_at) VALUES (?, ?, NULL, 0, ?, ?, ?)",
        id,
        userId,
        bytesOf(centroid),
        at,
        at,
      ),
    /** The embeddings of a person's faces (its centre is recomputed from them after a merge or a removed face). */
    vectorsOf: (userId: string, personId: string) =>
      all("SELECT embedding, scale FROM faces WHERE user_id = ? AND person_id = ?", userId, personId).map((r) =>
        dequantize(r.embedding as Uint8Array, r.scale as number),
      ),
  };
}

/** The owner's view and changes (web). */
function ownerQueries(raw: Raw) {
  const { all, get, run } = helpers(raw);
  const cached = untilChange(raw);
  // Each person's face and photo counts and newest face: one pass over the faces index (50,000 faces: tens of ms).
  const countsOf = (userId: string) =>
    cached(`counts:${userId}`, () => {
      const counts = new Map<string, { n: number; photos: number; last: number }>();
      for (const r of all(
        `SELECT person_id, count(*) AS n, count(DISTINCT sha256) AS photos, max(id) AS last FROM faces INDEXED BY faces_person
         WHERE user_id = ? AND person_id IS NOT NULL GROUP BY person_id`,
        userId,
      ))
        counts.set(r.person_id as string, { n: r.n as number, photos: r.photos as number, last: r.last as number });
      return counts;
    });
  return {
    /**
     * A user's people with their counts and cover, most photos first; named ones before unnamed at equal counts. The
     * counts are one pass over the faces index in its own order (user, person, photo): no sort of 50,000 faces.
     */
    people(userId: string, opts: { hidden: boolean }): PersonRow[] {
      const counts = countsOf(userId);
      const rows: PersonRow[] = [];
      for (const p of all(
        `SELECT p.id, p.name, p.hidden, (SELECT c.id FROM faces c WHERE c.id = p.cover_face_id AND c.person_id = p.id) AS cover
         FROM people p WHERE p.user_id = ? AND p.hidden = ?`,
        userId,
        opts.hidden ? 1 : 0,
      )) {
        const c = counts.get(p.id as string);
        if (!c) continue;
        const coverFaceId = (p.cover as number | null) ?? c.last;
        rows.push({ id: p.id as string, name: p.name as string | null, hidden: !!p.hidden, n: c.n, photos: c.photos, coverFaceId, coverSha256: null });
      }
      const byName = (a: PersonRow, b: PersonRow) => (a.name === b.name ? 0 : a.name === null ? 1 : b.name === null ? -1 : a.name < b.name ? -1 : 1);
      return rows.sort((a, b) => b.photos - a.photos || byName(a, b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },
    person: (userId: string, id: string) => {
      const r = get("SELECT id, name, hidden, cover_face_id FROM people WHERE user_id = ? AND id = ?", userId, id);
      return r ? { id: r.id as string, name: r.name as string | null, hidden: !!r.hidden, coverFaceId: r.cover_face_id as number | null } : null;
    },
    /** A face of a user: its content and person (a crop is served by the face's id after this check). */
    face: (userId: string, id: number) => {
      const r = get("SELECT id, sha256, idx, person_id FROM faces WHERE user_id = ? AND id = ?", userId, id);
      return r ? { id: r.id as number, sha256: r.sha256 as string, idx: r.idx as number, personId: r.person_id as string | null } : null;
    },
    /** A person's faces, newest photos first (the page that removes wrong ones and picks the cover). */
    facesOfPerson: (userId: string, personId: string, limit: number) =>
      all(
        `SELECT f.id, f.sha256 FROM faces f LEFT JOIN media m ON m.user_id = f.user_id AND m.sha256 = f.sha256
         WHERE f.user_id = ? AND f.person_id = ? ORDER BY m.taken_at DESC, f.id LIMIT ?`,
        userId,
        personId,
        limit,
      ) as { id: number; sha256: string }[],
    rename: (userId: string, id: string, name: string | null, at: number) =>
      run("UPDATE people SET name = ?, updated_at = ? WHERE user_id = ? AND id = ?", name, at, userId, id),
    setHidden: (userId: string, id: string, hidden: boolean, at: number) =>
      run("UPDATE people SET hidden = ?, updated_at = ? WHERE user_id = ? AND id = ?", hidden ? 1 : 0, at, userId, id),
    setCover: (userId: string, id: string, faceId: number, at: number) =>
      run("UPDATE people SET cover_face_id = ?, updated_at = ? WHERE user_id = ? AND id = ?", faceId, at, userId, id),
    /** Every face of `from` goes to `into` (by the owner: manual), and `from` goes. */
    moveAll(userId: string, from: string, into: string) {
      run("UPDATE faces SET person_id = ?, assigned = 'manual' WHERE user_id = ? AND person_id = ?", into, userId, from);
      // A face once ruled out of `from` now means "not `into`" would be wrong: it simply forgets.
      run("UPDATE faces SET rejected_person_id = NULL WHERE user_id = ? AND rejected_person_id = ?", userId, from);
      run("DELETE FROM people WHERE user_id = ? AND id = ?", userId, from);
    },
    /** "Not this person": the face leaves it and never goes back automatically. */
    unassign: (userId: string, faceId: number, personId: string) =>
      run("UPDATE faces SET person_id = NULL, assigned = NULL, rejected_person_id = ? WHERE user_id = ? AND id = ?", personId, userId, faceId),
    /** A person without faces left goes (its name with it: there is nothing it could name). */
    dropIfEmpty: (userId: string, id: string) =>
      run("DELETE FROM people WHERE user_id = ? AND id = ? AND NOT EXISTS (SELECT 1 FROM faces WHERE user_id = ? AND person_id = ?)", userId, id, userId, id),
    /** People of a user whose name is one of `names` (any case): search. */
    namedPeople: (userId: string) => all("SELECT id, name FROM people WHERE user_id = ? AND name IS NOT NULL", userId) as { id: string; name: string }[],
    /** The people in one photo (the info panel), named or not, each once. */
    peopleIn: (userId: string, sha256: string) =>
      all(
        `SELECT DISTINCT p.id, p.name, p.hidden FROM faces f JOIN people p ON p.id = f.person_id WHERE f.user_id = ? AND f.sha256 = ? ORDER BY p.name IS NULL, p.name`,
        userId,
        sha256,
      ).map((r) => ({ id: r.id as string, name: r.name as string | null, hidden: !!r.hidden })),
    /** The content hashes of a user's faces (a wipe removes their crops). */
    indexedContents: (userId: string) => (all("SELECT sha256 FROM people_index WHERE user_id = ?", userId) as { sha256: string }[]).map((r) => r.sha256),
    /** Everything People knows about a user, gone; the photos are indexed again only if People stays on. */
    wipe(userId: string) {
      run("DELETE FROM faces WHERE user_id = ?", userId);
      run("DELETE FROM photo_objects WHERE user_id = ?", userId);
      run("DELETE FROM people WHERE user_id = ?", userId);
      run("DELETE FROM people_index WHERE user_id = ?", userId);
    },
  };
}

export type PeopleRepo = ReturnType<typeof createPeopleRepo>;
