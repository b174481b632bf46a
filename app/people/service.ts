// People's web side: what the owner sees and changes (over people.ts), the face crops, who is in a photo for the
// info panel, the admin's switch and a person's "forget my faces". Every object is asked of the access policy first:
// a person or a face is its owner's alone (`person.own`, `file.people`); links and shares never reach any of it.
import { existsSync } from "node:fs";
import type { AccessPolicy } from "../access/policy";
import { userOf, type Viewer } from "../access/viewer";
import type { Db } from "../platform/db/client";
import type { User } from "../platform/db/schema";
import { notFound } from "../platform/errors";
import { peopleEnabled } from "./indexing";
import { ENABLED_SETTING, INDEXER_STATE_SETTING, MIN_MEMORY_WORDS, MODEL_VERSION, OPTED_OUT_SETTING, type IndexerState } from "./model";
import { faceCrop, removeFaceCrops } from "./paths";
import { createPeople } from "./people";
import { createPeopleRepo } from "./repo";
import { totalmem } from "node:os";

export type PeopleStatus = {
  on: boolean;
  /** Why it is off when nobody chose (too little memory), for the admin. */
  why: string | null;
  optedOut: boolean;
  progress: { total: number; indexed: number; failed: number };
};

/** The dashboard's line: photos indexed by the current models of all that can be, and why indexing waits. */
export type PeopleOverview = { total: number; indexed: number; failed: number; paused: string | null };

export function createPeopleService(deps: {
  db: Db;
  dataDir: string;
  access: AccessPolicy;
  /** The shared settings table: the admin's switch and who asked to be forgotten. */
  settings: { get: <T>(key: string) => T | undefined; set: (key: string, value: unknown) => unknown };
  now: () => Date;
  memory?: number;
}) {
  const repo = createPeopleRepo(deps.db);
  const { settings } = deps;
  const people = createPeople({ repo, now: deps.now });
  const memory = deps.memory ?? totalmem();
  const own = (user: User, personId: string) => deps.access.require(user, "person.own", [personId])[0]!;
  const optedOut = () => settings.get<string[]>(OPTED_OUT_SETTING) ?? [];

  return {
    status(user: User): PeopleStatus {
      const on = peopleEnabled(settings, memory);
      const chosen = settings.get<boolean>(ENABLED_SETTING) !== undefined;
      const gb = (memory / 1024 ** 3).toFixed(1);
      return {
        on,
        why:
          on || chosen
            ? null
            : `Off because this box has ${gb} GB of memory: recognising faces and things needs a box with ${MIN_MEMORY_WORDS} or more, to leave room for everything else.`,
        optedOut: optedOut().includes(user.id),
        progress: repo.progress(MODEL_VERSION, optedOut()),
      };
    },
    /** For the dashboard's jobs card (the whole box: counts only, no names); null when People is off. */
    overview(): PeopleOverview | null {
      if (!peopleEnabled(settings, memory)) return null;
      const state = settings.get<IndexerState>(INDEXER_STATE_SETTING);
      return { ...repo.progress(MODEL_VERSION, optedOut()), paused: state?.paused ?? null };
    },
    /** The administrator turns People on or off for the box (the indexer stops at its next photo). */
    setEnabled: (on: boolean) => settings.set(ENABLED_SETTING, on),
    list: (user: User, hidden: boolean) => repo.people(user.id, { hidden }),
    person(user: User, personId: string) {
      own(user, personId);
      const p = repo.person(user.id, personId)!;
      return { ...p, faces: repo.facesOfPerson(user.id, personId, 200), others: repo.people(user.id, { hidden: false }).filter((o) => o.id !== personId) };
    },
    /** Whether the user still has this person (removing their last face removes them). */
    exists: (user: User, personId: string) => !!repo.person(user.id, personId),
    rename: (user: User, personId: string, name: string) => (own(user, personId), people.rename(user.id, personId, name)),
    merge: (user: User, from: string, into: string) => (deps.access.require(user, "person.own", [from, into]), people.merge(user.id, from, into)),
    removeFace: (user: User, personId: string, faceId: number) => (own(user, personId), people.removeFace(user.id, personId, faceId)),
    setHidden: (user: User, personId: string, hidden: boolean) => (own(user, personId), people.setHidden(user.id, personId, hidden)),
    setCover: (user: User, personId: string, faceId: number) => (own(user, personId), people.setCover(user.id, personId, faceId)),
    /** The round crop of one of the user's faces (another user's face id is a 404). */
    crop(user: User, faceId: number): string {
      const face = repo.face(user.id, faceId);
      const path = face && faceCrop(deps.dataDir, user.id, face.sha256, face.idx);
      if (!path || !existsSync(path)) throw notFound("This face");
      return path;
    },
    /** Who is in a photo (by Drive file id), for its owner only: anyone else — a share, an album, a link — gets nobody. */
    inPhoto(viewer: Viewer, fileId: string, sha256: string | null) {
      const user = userOf(viewer);
      if (!user || !sha256 || !deps.access.allowed(viewer, "file.people", [fileId]).has(fileId)) return [];
      return repo.peopleIn(user.id, sha256).filter((p) => !p.hidden);
    },
    /** Forget everything People knows about this user's photos and index none of them again until they ask. */
    forgetMe(user: User) {
      settings.set(OPTED_OUT_SETTING, [...new Set([...optedOut(), user.id])]);
      const contents = repo.indexedContents(user.id);
      repo.transaction(() => repo.wipe(user.id));
      for (const sha256 of contents) removeFaceCrops(deps.dataDir, user.id, sha256);
    },
    /** This user's photos are indexed again. */
    includeMe: (user: User) =>
      settings.set(
        OPTED_OUT_SETTING,
        optedOut().filter((id) => id !== user.id),
      ),
  };
}

export type PeopleService = ReturnType<typeof createPeopleService>;
