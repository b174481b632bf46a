// Whether a write may go ahead: the If header (RFC 4918 §10.4) and the locks in its way. Every lock is the access
// policy's to attribute (`lock.use`): another person's token opens nothing.
import { AppError } from "../platform/errors";
import { activeLockXml, type IfList, type Locks, parseIf, submittedTokens } from "./locks";
import { destinationSegments } from "./paths";
import type { DavContext, Space } from "./service";
import { etagOf, type Node, resolve } from "./tree";

/** What a write touches: an item (and with `below`, everything in it) and the folder whose members change. */
export type WriteScope = { node: Node | null; parent: Node | null; below?: boolean };

/** Locks a write must hold the tokens of: on the items written (and below), and on the folders whose members change. */
function locksFor(ctx: DavContext, scopes: WriteScope[]) {
  const { locks, drive } = ctx;
  const found = new Map<string, ReturnType<Locks["covering"]>[number]>();
  for (const s of scopes) {
    if (s.node) for (const l of locks.covering(s.node.chain)) found.set(l.token, l);
    if (s.parent) for (const l of locks.covering(s.parent.chain)) found.set(l.token, l);
    if (s.node && s.below && s.node.item.kind === "folder") {
      const top = s.node.item.id;
      for (const l of locks.below((fileId) => fileId !== top && drive.isBelow(fileId, top))) found.set(l.token, l);
    }
  }
  return [...found.values()];
}

const lockedError = (root: string) => Object.assign(new AppError(423, "This item is locked by another client."), { lockRoot: root });

/**
 * Evaluates the If header (412 when no list holds), then requires, for every lock in the way, its token and the
 * policy's word that the lock is this person's (423): another person's token opens nothing.
 */
export function checkConditions(ctx: DavContext, space: Space, request: Request, target: Node | null, scopes: WriteScope[]) {
  const lists = parseIf(request.headers.get("if"));
  if (lists.length && !lists.some((l) => listHolds(ctx, space, l, target))) throw new AppError(412, "The If header's conditions do not hold.");
  const tokens = submittedTokens(lists);
  const inTheWay = locksFor(ctx, scopes);
  const theirs = inTheWay.length
    ? ctx.access.allowed(
        space.user,
        "lock.use",
        inTheWay.map((l) => l.token),
      )
    : new Set<string>();
  for (const lock of inTheWay) if (!tokens.has(lock.token) || !theirs.has(lock.token)) throw lockedError(lock.root);
}

function listHolds(ctx: DavContext, space: Space, list: IfList, target: Node | null): boolean {
  let node = target;
  if (list.resource !== null) {
    try {
      node = resolve(ctx, space, destinationSegments(list.resource, space.requestUrl, space.user.username)).node;
    } catch {
      return false;
    }
  }
  return list.conditions.every((c) => {
    let holds = false;
    if (node && c.token) holds = ctx.locks.covering(node.chain).some((l) => l.token === c.token);
    if (node && c.etag) holds = c.etag.replace(/^W\//, "") === etagOf(ctx, node.item);
    return c.not ? !holds : holds;
  });
}

/** The locks on an item: its own and those of the folders above it with depth infinity. */
export const locksOn = (ctx: DavContext, node: Node) => ctx.locks.covering(node.chain);

/** DAV:lockdiscovery's value for an item. */
export const lockDiscovery = (ctx: DavContext, node: Node) =>
  ctx.locks
    .covering(node.chain)
    .map((l) => activeLockXml(l, ctx.now()))
    .join("");

/** Whether this lock is the person's own to refresh or release: 403 for another person's (the policy's answer). */
export const requireOwnLock = (ctx: DavContext, space: Space, token: string) => ctx.access.require(space.user, "lock.use", [token])[0]!;
export const ownsLock = (ctx: DavContext, space: Space, token: string) => ctx.access.allowed(space.user, "lock.use", [token]).has(token);
