// People of one user: where new faces go (the clustering, run by the indexer) and what the owner changes (name,
// merge, remove a face, hide, cover). The only code that writes `people` and faces' `person_id`.
import { AppError } from "../platform/errors";
import { centroidOf, nearestPerson, newGroup, withFace } from "./cluster";
import type { PeopleRepo } from "./repo";

const NAME_MAX = 80;

/**
 * Places a user's new faces: each joins the nearest person above the threshold (never one the owner ruled out for
 * it), or forms a new unnamed person with waiting faces like it, or waits. Two existing people are never merged
 * here, named or not: only their owner merges. Runs inside the caller's transaction.
 */
export function placeFaces(repo: PeopleRepo, userId: string, faceIds: number[], at: number): void {
  if (!faceIds.length) return;
  const centres = repo.centres(userId);
  const mine = new Set(faceIds);
  // Faces waiting from earlier photos (not the ones being placed: they are tried one by one below).
  const waiting = repo.waiting(userId).filter((w) => !mine.has(w.id));
  for (const id of faceIds) {
    const { vector, rejected } = repo.faceVector(id);
    const near = nearestPerson(vector, centres, rejected);
    if (near) {
      const c = centres.find((p) => p.id === near.id)!;
      c.centroid = withFace(c.centroid, c.n, vector);
      c.n += 1;
      repo.assign([id], c.id, "auto");
      repo.setCentroid(c.id, c.centroid, at);
      continue;
    }
    const group = newGroup(vector, waiting);
    if (group) {
      const personId = crypto.randomUUID();
      const centroid = centroidOf([vector, ...group.map((g) => g.vector)]);
      repo.createPerson(personId, userId, centroid, at);
      repo.assign([id, ...group.map((g) => g.id)], personId, "auto");
      centres.push({ id: personId, centroid, n: group.length + 1 });
      for (const g of group) waiting.splice(waiting.indexOf(g), 1);
    } else waiting.push({ id, vector, rejected });
  }
}

/** A person's centre from its faces again (after a merge or a removed face). */
function recentre(repo: PeopleRepo, userId: string, personId: string, at: number) {
  const vectors = repo.vectorsOf(userId, personId);
  if (vectors.length) repo.setCentroid(personId, centroidOf(vectors), at);
}

const mustExist = <T>(v: T | null): T => {
  if (!v) throw new AppError(404, "This person does not exist or you cannot see them.");
  return v;
};

export function createPeople(deps: { repo: PeopleRepo; now: () => Date }) {
  const { repo } = deps;
  const at = () => deps.now().getTime();
  return {
    /** Names a person ("" removes the name). Names are the owner's alone: nobody else ever sees them. */
    rename(userId: string, personId: string, name: string) {
      mustExist(repo.person(userId, personId));
      const clean = name.replace(/\s+/g, " ").trim();
      if (clean.length > NAME_MAX) throw new AppError(400, `A name has at most ${NAME_MAX} characters.`);
      repo.rename(userId, personId, clean || null, at());
    },
    /**
     * `from` joins `into`: every face, and `into` keeps its name — or takes `from`'s when it has none, so a merge
     * never loses a name.
     */
    merge(userId: string, from: string, into: string) {
      if (from === into) throw new AppError(400, "Choose two different people to merge.");
      repo.transaction(() => {
        const a = mustExist(repo.person(userId, from));
        const b = mustExist(repo.person(userId, into));
        repo.moveAll(userId, a.id, b.id);
        if (!b.name && a.name) repo.rename(userId, b.id, a.name, at());
        recentre(repo, userId, b.id, at());
      });
    },
    /** "Not this person": the face leaves them (and is never put back automatically); an empty person goes. */
    removeFace(userId: string, personId: string, faceId: number) {
      repo.transaction(() => {
        const face = repo.face(userId, faceId);
        if (!face || face.personId !== personId) throw new AppError(404, "This face does not exist or you cannot see it.");
        repo.unassign(userId, faceId, personId);
        repo.dropIfEmpty(userId, personId);
        recentre(repo, userId, personId, at());
      });
    },
    setHidden(userId: string, personId: string, hidden: boolean) {
      mustExist(repo.person(userId, personId));
      repo.setHidden(userId, personId, hidden, at());
    },
    setCover(userId: string, personId: string, faceId: number) {
      mustExist(repo.person(userId, personId));
      const face = repo.face(userId, faceId);
      if (!face || face.personId !== personId) throw new AppError(404, "This face does not exist or you cannot see it.");
      repo.setCover(userId, personId, faceId, at());
    },
  };
}

export type People = ReturnType<typeof createPeople>;
