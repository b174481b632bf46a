// Partner sharing, as Google Photos and Immich have it: a person shares their whole library with another person on the
// box (everything, or from a day; optionally photos only). The partner finds it under Photos → Partner sharing and
// chooses whether those photos join their own timeline (marked with the owner's name) or stay on the partner page.
// The access policy decides every read (`partner.library`, `partner.photo`, app/access): the partner sees photos and
// their thumbnails, previews and videos, never the owner's Drive, People, archived or trashed photos, and can change
// nothing; deleting the share ends it at the next request.
import { randomBytes } from "node:crypto";
import type { PartnerShare, User } from "../platform/db/schema";
import { AppError, notFound } from "../platform/errors";
import { touched, type PhotosContext } from "./context";
import type { GridItem, Source } from "./repo";

export type PartnerSource = Extract<Source, { kind: "partner" }>;

const newId = () => randomBytes(12).toString("base64url");
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** "2021-07-14" (a date input) → that local day's start, as the timeline's clock (UTC fields = the camera's time). */
export function parseDay(day: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  const at = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || Number.isNaN(at) || new Date(at).getUTCDate() !== Number(m[3])) throw new AppError(400, "A date looks like 2021-07-14.");
  return at;
}

/** What a share covers, in words: "Everything", "Photos taken from 14 July 2021 on, not videos". */
export function coverage(share: Pick<PartnerShare, "fromLocal" | "photosOnly">): string {
  const d = share.fromLocal === null ? null : new Date(share.fromLocal);
  const from = d ? `taken from ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} on` : "";
  if (share.photosOnly) return ["Photos", from, "(not videos)"].filter(Boolean).join(" ");
  return d ? `Photos and videos ${from}` : "Everything";
}

/** Partner sharing's page: the people `user` shares with, and the libraries shared with them (the policy's). */
export function partnerOverview(ctx: PhotosContext, user: User) {
  const received = ctx.partners.received(user.id);
  const open = ctx.access.allowed(
    user,
    "partner.library",
    received.map((r) => r.share.ownerId),
  );
  return {
    given: ctx.partners.given(user.id).map((r) => ({ partnerId: r.share.partnerId, name: r.name, coverage: coverage(r.share) })),
    received: received
      .filter((r) => open.has(r.share.ownerId))
      .map((r) => ({ ownerId: r.share.ownerId, name: r.name, coverage: coverage(r.share), inTimeline: r.share.inTimeline })),
  };
}

/** Shares `user`'s library with the person called `username` (again: changes what it covers). */
export function sharePartner(ctx: PhotosContext, user: User, input: { username: string; from?: string; photosOnly?: boolean }) {
  const partner = ctx.userByName(input.username.trim().toLowerCase());
  if (!partner || partner.id === user.id) throw new AppError(404, `There is no other person called “${input.username.trim()}” on this box.`);
  const fromLocal = input.from ? parseDay(input.from) : null;
  const share = ctx.partners.put({
    id: newId(),
    ownerId: user.id,
    partnerId: partner.id,
    fromLocal,
    photosOnly: !!input.photosOnly,
    inTimeline: false,
    createdAt: ctx.now(),
  });
  return { share, partner };
}

/** Stops sharing `user`'s library with `partnerId`: their next request finds nothing. Only one's own shares end here. */
export function stopPartner(ctx: PhotosContext, user: User, partnerId: string) {
  const ended = ctx.partners.remove(user.id, partnerId);
  if (!ended) throw notFound("This share");
  return ended;
}

/** The share behind a library shared with `user` (anyone else's id, or a share that ended: 404). */
export const partnerLibrary = (ctx: PhotosContext, user: User, ownerId: string) => ctx.access.require(user, "partner.library", [ownerId])[0]!;

export const partnerSource = (share: PartnerShare): PartnerSource => ({
  kind: "partner",
  ownerId: share.ownerId,
  from: share.fromLocal,
  photosOnly: share.photosOnly,
});

/** The partner's choice: `ownerId`'s photos in `user`'s own timeline too, or only on the partner page. */
export function setPartnerTimeline(ctx: PhotosContext, user: User, ownerId: string, on: boolean) {
  ctx.partners.setInTimeline(partnerLibrary(ctx, user, ownerId).id, on);
  touched(ctx, user);
}

/** The libraries `user` chose to see in their own timeline, as the policy still allows them. */
export function timelinePartners(ctx: PhotosContext, user: User): PartnerSource[] {
  const chosen = ctx.partners.received(user.id).filter((r) => r.share.inTimeline);
  if (!chosen.length) return [];
  const open = ctx.access.allowed(
    user,
    "partner.library",
    chosen.map((r) => r.share.ownerId),
  );
  return chosen.filter((r) => open.has(r.share.ownerId)).map((r) => partnerSource(r.share));
}

/**
 * A partner's grid items as `user` may see them: each one the policy allows (`partner.photo`, one statement for the
 * lot), marked with its owner's name; the owner's favourite mark and Live Photo motion stay the owner's.
 */
export function partnerItems(ctx: PhotosContext, user: User, from: PartnerSource, items: GridItem[]): GridItem[] {
  if (!items.length) return items;
  const ok = ctx.access.allowed(
    user,
    "partner.photo",
    items.map((i) => i.id),
  );
  const owner = ctx.userById(from.ownerId)?.username ?? "";
  return items.filter((i) => ok.has(i.id)).map((i) => ({ ...i, owner, favourite: false, liveId: null, livePlayback: null }));
}

/** One photo of a library shared with `user` and the pipeline's row of it (the policy's `partner.photo`). */
export function partnerPhoto(ctx: PhotosContext, user: User, id: string) {
  const file = ctx.access.require(user, "partner.photo", [id])[0]!;
  const facts = file.sha256 ? ctx.repo.mediaRow(file.userId, file.sha256) : undefined;
  if (!facts) throw notFound("This photo");
  return { file, facts };
}

/**
 * The info panel of a partner's photo: when, the camera, its size, whose it is. Never its Drive folders, albums, who
 * is in it, or its place (a place is its owner's to give, as in shared albums).
 */
export function partnerInfo(ctx: PhotosContext, user: User, id: string) {
  const { file, facts } = partnerPhoto(ctx, user, id);
  const placeless = { ...facts, latitude: null, longitude: null, locality: null, city: null, region: null, country: null };
  return { file, facts: placeless, favourite: false, archived: false, path: "", albums: [], owner: ctx.userById(file.userId)?.username ?? "" };
}

/**
 * A partner's video as stored, without its places (Sharing's cleaners, as a shared album's): for a video the pipeline
 * made no MP4 of. What cannot be proven clean is refused (403).
 */
export function partnerVideoOriginal(ctx: PhotosContext, user: User, id: string) {
  const { file } = partnerPhoto(ctx, user, id);
  return ctx.withoutPlace(file, ctx.drive.localPathOf(file));
}
