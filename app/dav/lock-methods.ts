// LOCK (take or refresh) and UNLOCK (RFC 4918 §9.10–9.11) over the lock rows of locks.ts. Only someone who may write
// an item locks it; a refresh or an unlock needs a lock of one's own (the policy's `lock.use`).
import { AppError } from "../platform/errors";
import { type DavCall, davCondition, exists, xmlResponse } from "./http";
import { activeLockXml, parseTimeout } from "./locks";
import type { DavMethodsContext } from "./methods";
import { isMacBookkeeping } from "./tree";
import { store } from "./write";
import { DAV_NS, child, readXmlBody, serialize } from "./xml";

function lockBody(ctx: DavMethodsContext, lock: Parameters<typeof activeLockXml>[0]) {
  return `<?xml version="1.0" encoding="utf-8"?>\n<d:prop xmlns:d="DAV:"><d:lockdiscovery>${activeLockXml(lock, ctx.dav.now())}</d:lockdiscovery></d:prop>`;
}

/** A LOCK without a body: the If header names the lock to refresh. */
function refresh(ctx: DavMethodsContext, call: DavCall, node: ReturnType<typeof exists>, timeout: number) {
  const { dav } = ctx;
  const token = [...(call.request.headers.get("if") ?? "").matchAll(/<([^>]+)>/g)].map((m) => m[1]!).find((t) => dav.locks.byToken(t));
  const lock = token ? dav.locks.byToken(token) : undefined;
  if (!lock || !dav.locksOn(node).some((l) => l.token === lock.token) || !dav.ownsLock(call.space, lock.token))
    throw davCondition(412, "No lock of yours with that token covers this item.", "<d:lock-token-matches-request-uri/>");
  return xmlResponse(200, lockBody(ctx, dav.locks.refresh(lock, timeout)));
}

export async function LOCK(ctx: DavMethodsContext, call: DavCall) {
  const { dav, drive } = ctx;
  dav.writable(call.space);
  const body = await readXmlBody(call.request);
  const depth = (call.request.headers.get("depth") ?? "infinity").toLowerCase() === "0" ? "0" : "infinity";
  const timeout = parseTimeout(call.request.headers.get("timeout"));
  let { node, parent, name } = dav.resolve(call.space, call.names);
  if (!body) return refresh(ctx, call, exists(node), timeout);
  if (body.ns !== DAV_NS || body.name !== "lockinfo") throw new AppError(400, "The LOCK body must be a DAV:lockinfo element.");
  const scopeEl = child(body, DAV_NS, "lockscope");
  const scope = scopeEl && child(scopeEl, DAV_NS, "shared") ? "shared" : "exclusive";
  const ownerEl = child(body, DAV_NS, "owner");
  const owner = ownerEl ? ownerEl.children.map(serialize).join("") : null;
  if (!node && !parent) throw new AppError(409, "The folder to lock this item in does not exist.");
  // A lock keeps others from writing: only someone who may write the item takes one.
  if (node) dav.requireWrite(call.space, node);
  // Locks in the way: a shared lock coexists with shared ones only; an exclusive lock with none.
  const held = [...(node ? dav.locksOn(node) : []), ...(parent ? dav.locksOn(parent).filter((l) => l.depth === "infinity") : [])];
  const below =
    node && depth === "infinity" && node.item.kind === "folder" ? dav.locks.below((id) => id !== node!.item.id && drive.isBelow(id, node!.item.id)) : [];
  const conflict = [...held, ...below].find((l) => scope === "exclusive" || l.scope === "exclusive");
  if (conflict) throw Object.assign(davCondition(423, "This item is locked by another client.", "<d:no-conflicting-lock/>"), { lockRoot: conflict.root });
  dav.checkConditions(call.space, call.request, node, []);
  let created = false;
  if (!node) {
    // Locking an unmapped URL creates an empty file (RFC 4918 §7.3).
    if (isMacBookkeeping(name)) throw new AppError(403, "macOS bookkeeping files are not stored.");
    await store(ctx, call, parent!, name, null, (async function* () {})(), { length: 0 });
    node = dav.resolve(call.space, call.names).node!;
    created = true;
  }
  const lock = dav.locks.create({
    fileId: node.item.id,
    userId: call.space.user.id,
    scope,
    depth,
    owner,
    root: node.href,
    timeoutSeconds: timeout,
  });
  return xmlResponse(created ? 201 : 200, lockBody(ctx, lock), { "lock-token": `<${lock.token}>` });
}

export function UNLOCK({ dav }: DavMethodsContext, call: DavCall) {
  const token = /^<([^>]+)>$/.exec((call.request.headers.get("lock-token") ?? "").trim())?.[1];
  if (!token) throw new AppError(400, "UNLOCK needs a Lock-Token header.");
  const node = exists(dav.resolve(call.space, call.names).node);
  const lock = dav.locksOn(node).find((l) => l.token === token);
  if (!lock) throw davCondition(409, "No lock with that token covers this item.", "<d:lock-token-matches-request-uri/>");
  dav.requireOwnLock(call.space, token);
  dav.locks.release(token);
  return new Response(null, { status: 204 });
}
