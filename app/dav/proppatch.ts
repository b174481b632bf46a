// PROPPATCH: dead properties stored as clients send them; of the live ones, a modification time (getlastmodified,
// Win32LastModifiedTime) and a favourite (oc:favorite, Drive's star) may be set; the others are protected. All or
// nothing: one refused property fails the rest with 424 (RFC 4918 §9.2).
import { AppError } from "../platform/errors";
import { favouriteValue } from "./favourites";
import { type DavCall, exists, xmlResponse } from "./http";
import type { DavMethodsContext } from "./methods";
import { MULTISTATUS_CLOSE, MULTISTATUS_OPEN, isLive, propXml } from "./props";
import { DAV_NS, OC_NS, child, elements, esc, readXmlBody, serialize, textOf } from "./xml";

const WIN32_NS = "urn:schemas-microsoft-com:";

export async function PROPPATCH({ dav, drive }: DavMethodsContext, call: DavCall) {
  dav.writable(call.space);
  const body = await readXmlBody(call.request);
  if (!body || body.ns !== DAV_NS || body.name !== "propertyupdate") throw new AppError(400, "The PROPPATCH body must be a DAV:propertyupdate element.");
  const node = exists(dav.resolve(call.space, call.names).node);
  dav.requireWrite(call.space, node);
  dav.checkConditions(call.space, call.request, node, [{ node, parent: null }]);
  const changes: { ns: string; name: string; value: string | null; el: string }[] = [];
  for (const op of elements(body)) {
    if (op.ns !== DAV_NS || (op.name !== "set" && op.name !== "remove")) continue;
    const prop = child(op, DAV_NS, "prop");
    for (const p of prop ? elements(prop) : [])
      changes.push({ ns: p.ns, name: p.name, value: op.name === "set" ? p.children.map(serialize).join("") : null, el: propXml(p, null) });
  }
  // A modification time and a favourite (a Drive star) are live properties clients may set; the others are protected.
  let mtime: Date | undefined;
  let favourite: boolean | undefined;
  const refused = changes.filter((c) => {
    if (c.ns === OC_NS && c.name === "favorite") return (favourite = favouriteValue(c.value) ?? undefined) === undefined;
    const isMtime = (c.ns === DAV_NS && c.name === "getlastmodified") || (c.ns === WIN32_NS && c.name === "Win32LastModifiedTime");
    if (isMtime && c.value !== null) {
      const t = Date.parse(textOf({ ns: "", name: "", attrs: [], children: [c.value.replace(/<[^>]*>/g, "")] }));
      if (Number.isNaN(t)) return true;
      mtime = new Date(t);
      return false;
    }
    return isLive(c);
  });
  const status = (c: (typeof changes)[number]) => (refused.length ? (refused.includes(c) ? "403 Forbidden" : "424 Failed Dependency") : "200 OK");
  if (!refused.length) {
    if (favourite !== undefined) drive.star(call.space.user, node.item.id, favourite); // first: stars are the owner's, a refusal changes nothing
    dav.setProperties(
      node.item,
      changes.filter((c) => !isLive(c) && !(c.ns === DAV_NS && c.name === "getlastmodified")),
    );
    if (mtime) drive.setModified(call.space.user, node.item.id, mtime);
  }
  const groups = new Map<string, string[]>();
  for (const c of changes) groups.set(status(c), [...(groups.get(status(c)) ?? []), c.el]);
  let out = `${MULTISTATUS_OPEN}<d:response><d:href>${esc(node.href)}</d:href>`;
  for (const [s, els] of groups) out += `<d:propstat><d:prop>${els.join("")}</d:prop><d:status>HTTP/1.1 ${s}</d:status></d:propstat>`;
  return xmlResponse(207, `${out}</d:response>${MULTISTATUS_CLOSE}`);
}
