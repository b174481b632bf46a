// PROPFIND answers: the live properties RFC 4918/4331 define, the ones Nextcloud's clients read (oc:, nc:), and the
// dead properties stored by PROPPATCH. Written as strings: a 10,000-entry folder is one pass over its rows.
import type { DriveFile } from "../platform/db/schema";
import { SUPPORTED_LOCK } from "./locks";
import type { DavService, Rights, Space } from "./service";
import type { Node } from "./tree";
import { AppError } from "../platform/errors";
import { DAV_NS, NC_NS, OC_NS, SABRE_NS, child, elements, esc, readXmlBody, type XmlElement } from "./xml";

export type PropName = { ns: string; name: string };
export type PropRequest = { kind: "all"; include: PropName[] } | { kind: "names" } | { kind: "props"; props: PropName[] };

/** A PROPFIND request's body, read and parsed: a body that is no DAV:propfind is the client's 400. */
export async function readPropfind(request: Request): Promise<PropRequest> {
  try {
    return parsePropfind(await readXmlBody(request));
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError(400, "The PROPFIND body must be a DAV:propfind element.");
  }
}

/** What a PROPFIND body asks for: no body means every property (allprop). */
export function parsePropfind(body: XmlElement | null): PropRequest {
  if (!body) return { kind: "all", include: [] };
  if (body.ns !== DAV_NS || body.name !== "propfind") throw Object.assign(new Error("not propfind"), { status: 400 });
  if (child(body, DAV_NS, "propname")) return { kind: "names" };
  const prop = child(body, DAV_NS, "prop");
  if (prop) {
    const seen = new Set<string>();
    const props = elements(prop)
      .map((e) => ({ ns: e.ns, name: e.name }))
      .filter((p) => !seen.has(`${p.ns}\n${p.name}`) && !!seen.add(`${p.ns}\n${p.name}`));
    return { kind: "props", props };
  }
  const include = child(body, DAV_NS, "include");
  return { kind: "all", include: include ? elements(include).map((e) => ({ ns: e.ns, name: e.name })) : [] };
}

const PREFIX: Record<string, string> = { [DAV_NS]: "d", [OC_NS]: "oc", [NC_NS]: "nc", [SABRE_NS]: "s" };
type Tag = { open: string; close: string; empty: string };
/** `<d:getetag>`…`</d:getetag>`, or for another namespace an element that declares it. */
function tagOf(p: PropName): Tag {
  const prefix = PREFIX[p.ns];
  const open = prefix ? `${prefix}:${p.name}` : p.ns ? `x:${p.name} xmlns:x="${esc(p.ns)}"` : `${p.name} xmlns=""`;
  const close = prefix ? `${prefix}:${p.name}` : p.ns ? `x:${p.name}` : p.name;
  return { open: `<${open}>`, close: `</${close}>`, empty: `<${open}/>` };
}
export function propXml(p: PropName, inner: string | null): string {
  const tag = tagOf(p);
  return inner === null || inner === "" ? tag.empty : tag.open + inner + tag.close;
}

export const MULTISTATUS_OPEN = `<?xml version="1.0" encoding="utf-8"?>\n<d:multistatus xmlns:d="DAV:" xmlns:oc="${OC_NS}" xmlns:nc="${NC_NS}" xmlns:s="${SABRE_NS}">`;
export const MULTISTATUS_CLOSE = "</d:multistatus>";

/** A Nextcloud file id: clients read `oc:fileid` as a number and `oc:id` as "<8 digits><instance>". */
export const ocFileId = (f: DriveFile) => String(f.seq);
export const ocId = (f: DriveFile) => `${String(f.seq).padStart(8, "0")}ocnasd`;

/**
 * Nextcloud's permission letters from the policy's answers: G read, S shared with you, D delete, N rename, V move
 * (`file.manage`), W write a file, C create files and K folders in a folder (`file.write`). No R (reshare): sharing
 * through Nextcloud's API is off (the capabilities say so); people share on the web.
 */
export function permissions(node: Node, rights: Rights): string {
  // In the trash: read it and delete it forever, as Nextcloud answers there (restoring is a MOVE the trash allows).
  if (node.item.trashedAt) return "GD";
  let p = "G";
  if (node.sharedRoot) p += "S";
  if (rights.manage && !node.isRoot) p += "DNV";
  if (rights.write) p += node.item.kind === "folder" ? "CK" : "W";
  return p;
}

type Context = {
  space: Space;
  dav: DavService;
  versions: Map<string, number>;
  dead: Map<string, { ns: string; name: string; value: string }[]>;
  rights: (node: Node) => Rights;
  quota: () => { used: number; available: number };
};

type Value = (c: Context, node: Node) => string | null;
const isFile = (node: Node) => node.item.kind === "file";
const ofFile =
  (value: (f: Node["item"]) => string): Value =>
  (_c, node) =>
    isFile(node) ? value(node.item) : null;
const ofFolder =
  (value: (c: Context) => string): Value =>
  (c, node) =>
    isFile(node) ? null : value(c);

/** Every live property and its value (inner XML), or null when this item has none (404 in its propstat). */
const LIVE = new Map<string, { p: PropName; value: Value }>();
const live = (ns: string, values: Record<string, Value>) => {
  for (const [name, value] of Object.entries(values)) LIVE.set(`${ns}\n${name}`, { p: { ns, name }, value });
};
live(DAV_NS, {
  resourcetype: (_c, node) => (isFile(node) ? "" : "<d:collection/>"),
  getcontentlength: ofFile((f) => String(f.size)),
  getcontenttype: ofFile((f) => esc(f.mime ?? "application/octet-stream")),
  // ETags are hex digits or an id of base64url letters with a number: nothing to escape.
  getetag: (c, node) => c.dav.etagOf(node.item, c.versions),
  getlastmodified: (_c, node) => node.item.updatedAt.toUTCString(),
  creationdate: (_c, node) => node.item.createdAt.toISOString(),
  // A trashed item's address names it with its deletion time; it is shown by its own name.
  displayname: (_c, node) => esc(node.item.trashedAt ? node.item.name : node.name),
  supportedlock: () => SUPPORTED_LOCK,
  lockdiscovery: (c, node) => c.dav.lockDiscovery(node),
  "quota-available-bytes": ofFolder((c) => String(c.quota().available)),
  "quota-used-bytes": ofFolder((c) => String(c.quota().used)),
});
live(OC_NS, {
  fileid: (_c, node) => ocFileId(node.item),
  id: (_c, node) => ocId(node.item),
  permissions: (c, node) => permissions(node, c.rights(node)),
  size: ofFile((f) => String(f.size)),
  checksums: ofFile((f) => `<oc:checksum>SHA256:${f.sha256}</oc:checksum>`),
  "owner-id": (c, node) => esc(c.dav.ownerName(node.item)),
  "owner-display-name": (c, node) => esc(c.dav.ownerName(node.item)),
  "share-types": () => "",
  favorite: (_c, node) => (node.item.starred ? "1" : "0"),
});
live(NC_NS, {
  "has-preview": (_c, node) => (isFile(node) && /^(image|video)\//.test(node.item.mime ?? "") ? "true" : "false"),
  creation_time: (_c, node) => String(Math.floor(node.item.createdAt.getTime() / 1000)),
  upload_time: (_c, node) => String(Math.floor(node.item.createdAt.getTime() / 1000)),
  "is-encrypted": () => "0",
  // Nextcloud's trash bin (app/dav/trashbin.ts): only a trashed item has these.
  "trashbin-filename": (_c, node) => (node.item.trashedAt ? esc(node.item.name) : null),
  "trashbin-original-location": (_c, node) => (node.item.trashedAt ? esc(trashLocation(node)) : null),
  "trashbin-deletion-time": (_c, node) => (node.item.trashedAt ? String(Math.floor(node.item.trashedAt.getTime() / 1000)) : null),
});
/** Where a trashed item was: a trash entry remembers its folder; an item inside a trashed folder is below that. */
function trashLocation(node: Node): string {
  const { item, parent } = node;
  if (item.trashedFromPath) return [...item.trashedFromPath, item.name].join("/");
  return parent?.item.trashedAt ? `${trashLocation(parent)}/${item.name}` : item.name;
}
/** What allprop lists (RFC 4918 §14.2: the DAV properties; ours and Nextcloud's only when named in `include`). */
const DAV_ALLPROP = [
  "resourcetype",
  "getcontentlength",
  "getcontenttype",
  "getetag",
  "getlastmodified",
  "creationdate",
  "displayname",
  "supportedlock",
  "lockdiscovery",
];

/** Properties a client cannot set: they describe the item. */
export const isLive = (p: PropName) => LIVE.has(`${p.ns}\n${p.name}`);

/**
 * A PROPFIND's properties worked out once for the whole listing: each one's tags and how its value is found, so
 * writing an entry is a loop over this list (a 10,000-entry folder is 10,000 short loops, no lookups by name).
 */
export type Plan = {
  kind: PropRequest["kind"];
  props: { p: PropName; value: Value | null; tag: Tag }[];
  /** `ns\nname` of each property above: allprop and propname add the item's other dead properties. */
  keys: Set<string>;
};
export function planFor(want: PropRequest): Plan {
  const asked =
    want.kind === "names"
      ? [...LIVE.values()].map((l) => l.p)
      : want.kind === "all"
        ? [...DAV_ALLPROP.map((name) => ({ ns: DAV_NS, name })), ...want.include]
        : want.props;
  const keys = new Set<string>();
  const props: Plan["props"] = [];
  for (const p of asked) {
    const key = `${p.ns}\n${p.name}`;
    if (keys.has(key)) continue;
    keys.add(key);
    props.push({ p, value: LIVE.get(key)?.value ?? null, tag: tagOf(p) });
  }
  return { kind: want.kind, props, keys };
}

/** One `<d:response>` for a node: found properties under 200, missing ones (asked for by name) under 404. */
export function responseXml(c: Context, node: Node, plan: Plan): string {
  const dead = c.dead.get(node.item.id);
  let found = "";
  let missing = "";
  for (const { p, value, tag } of plan.props) {
    const d = dead?.find((x) => x.ns === p.ns && x.name === p.name);
    const v = d ? d.value : value ? value(c, node) : null;
    if (v === null) {
      // allprop lists what the item has; only properties asked for by name are reported missing.
      if (plan.kind === "props") missing += tag.empty;
    } else if (plan.kind === "names" || v === "") found += tag.empty;
    else found += tag.open + v + tag.close;
  }
  // allprop and propname also list the dead properties not named above.
  if (dead && plan.kind !== "props")
    for (const d of dead) if (!plan.keys.has(`${d.ns}\n${d.name}`)) found += propXml(d, plan.kind === "names" ? null : d.value);
  // Names are %-encoded in an href (paths.ts hrefSegment): nothing in it needs escaping.
  let out = `<d:response><d:href>${node.href}</d:href>`;
  if (found) out += `<d:propstat><d:prop>${found}</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>`;
  if (missing) out += `<d:propstat><d:prop>${missing}</d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>`;
  return `${out}</d:response>`;
}

/**
 * A multistatus as pages of `<d:response>`s, each page's folder versions, dead properties and rights read in one
 * batch when it is written. `listed`: the folder whose children the pages hold (besides itself), whose rights are
 * decided once for all of them.
 */
export function multistatusPages(space: Space, dav: DavService, pages: Iterable<Node[]>, plan: Plan, listed: Node | null = null): Iterator<string> {
  let quota: { used: number; available: number } | null = null;
  const ask = {
    versions: plan.keys.has(`${DAV_NS}\ngetetag`),
    // A property a client may set is one that is not live: when all the asked ones are live, none can be stored.
    dead: plan.kind !== "props" || plan.props.some((x) => !x.value),
    rights: plan.keys.has(`${OC_NS}\npermissions`),
  };
  // Asked of the policy once for the folder's children, and only when the client asks for oc:permissions.
  const below = ask.rights && listed ? dav.rightsBelow(space, listed.item) : null;
  function pageXml(nodes: Node[]): string {
    const versions = ask.versions ? dav.folderVersions(nodes.filter((n) => n.item.kind === "folder").map((n) => n.item.id)) : new Map<string, number>();
    const dead = new Map<string, { ns: string; name: string; value: string }[]>();
    for (const r of ask.dead ? dav.properties(nodes.map((n) => n.item.id)) : []) {
      const list = dead.get(r.fileId) ?? [];
      list.push({ ns: r.namespace, name: r.name, value: r.value });
      dead.set(r.fileId, list);
    }
    // The listed folder's children from `below`; anything else (the folder itself, shared folders in a root) asked here.
    const fromBelow = (n: Node) => !!below && n.parent === listed && !n.sharedRoot;
    const others = ask.rights
      ? dav.rights(
          space,
          nodes.filter((n) => !fromBelow(n)).map((n) => n.item),
        )
      : new Map<string, Rights>();
    const rights = (n: Node) => (fromBelow(n) ? below!(n.item) : (others.get(n.item.id) ?? { write: false, manage: false }));
    const c: Context = { space, dav, versions, dead, rights, quota: () => (quota ??= dav.quota(space)) };
    let out = "";
    for (const n of nodes) out += `${responseXml(c, n, plan)}\n`;
    return out;
  }
  return (function* () {
    yield MULTISTATUS_OPEN;
    for (const nodes of pages) yield pageXml(nodes);
    yield MULTISTATUS_CLOSE;
  })();
}
