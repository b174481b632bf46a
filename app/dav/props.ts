// PROPFIND answers: the live properties RFC 4918/4331 define, the ones Nextcloud's clients read (oc:, nc:), and the
// dead properties stored by PROPPATCH. Written as strings: a 10,000-entry folder is one pass over its rows.
import type { DriveFile } from "../platform/db/schema";
import { SUPPORTED_LOCK } from "./locks";
import type { DavService, Node, Rights, Space } from "./service";
import { DAV_NS, NC_NS, OC_NS, SABRE_NS, child, elements, esc, type XmlElement } from "./xml";

export type PropName = { ns: string; name: string };
export type PropRequest = { kind: "all"; include: PropName[] } | { kind: "names" } | { kind: "props"; props: PropName[] };

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
/** `<d:getetag>…</d:getetag>`, or for another namespace an element that declares it. Tags are made once per name. */
const tags = new Map<string, { open: string; close: string; empty: string }>();
export function propXml(p: PropName, inner: string | null): string {
  const key = `${p.ns}\n${p.name}`;
  let tag = tags.get(key);
  if (!tag) {
    const prefix = PREFIX[p.ns];
    const open = prefix ? `${prefix}:${p.name}` : p.ns ? `x:${p.name} xmlns:x="${esc(p.ns)}"` : `${p.name} xmlns=""`;
    const close = prefix ? `${prefix}:${p.name}` : p.ns ? `x:${p.name}` : p.name;
    tag = { open: `<${open}>`, close: `</${close}>`, empty: `<${open}/>` };
    if (tags.size < 10_000) tags.set(key, tag);
  }
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
  rights: Map<string, Rights>;
  quota: () => { used: number; available: number };
};

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
const LIVE: PropName[] = [
  ...DAV_ALLPROP.map((name) => ({ ns: DAV_NS, name })),
  { ns: DAV_NS, name: "quota-available-bytes" },
  { ns: DAV_NS, name: "quota-used-bytes" },
  ...["fileid", "id", "permissions", "size", "checksums", "owner-id", "owner-display-name", "share-types", "favorite"].map((name) => ({ ns: OC_NS, name })),
  ...["has-preview", "creation_time", "upload_time", "is-encrypted"].map((name) => ({ ns: NC_NS, name })),
];
/** Properties a client cannot set: they describe the item. */
export const isLive = (p: PropName) => LIVE.some((l) => l.ns === p.ns && l.name === p.name);

/** A live property's value (inner XML), or null when this item has none (404 in its propstat). */
function live(c: Context, node: Node, p: PropName): string | null {
  const f = node.item;
  const file = f.kind === "file";
  if (p.ns === DAV_NS) {
    switch (p.name) {
      case "resourcetype":
        return file ? "" : "<d:collection/>";
      case "getcontentlength":
        return file ? String(f.size) : null;
      case "getcontenttype":
        return file ? esc(f.mime ?? "application/octet-stream") : null;
      case "getetag":
        return esc(c.dav.etagOf(node, c.versions));
      case "getlastmodified":
        return f.updatedAt.toUTCString();
      case "creationdate":
        return f.createdAt.toISOString();
      case "displayname":
        return esc(node.names.at(-1) ?? "");
      case "supportedlock":
        return SUPPORTED_LOCK;
      case "lockdiscovery":
        return c.dav.lockDiscovery(node);
      case "quota-available-bytes":
        return file ? null : String(c.quota().available);
      case "quota-used-bytes":
        return file ? null : String(c.quota().used);
    }
  } else if (p.ns === OC_NS) {
    switch (p.name) {
      case "fileid":
        return ocFileId(f);
      case "id":
        return ocId(f);
      case "permissions":
        return permissions(node, c.rights.get(node.item.id) ?? { write: false, manage: false });
      case "size":
        return file ? String(f.size) : null;
      case "checksums":
        return file ? `<oc:checksum>SHA256:${f.sha256}</oc:checksum>` : null;
      case "owner-id":
      case "owner-display-name":
        return esc(c.dav.ownerName(f));
      case "share-types":
        return "";
      case "favorite":
        return f.starred ? "1" : "0";
    }
  } else if (p.ns === NC_NS) {
    switch (p.name) {
      case "has-preview":
        return file && /^(image|video)\//.test(f.mime ?? "") ? "true" : "false";
      case "creation_time":
      case "upload_time":
        return String(Math.floor(f.createdAt.getTime() / 1000));
      case "is-encrypted":
        return "0";
    }
  }
  return null;
}

/** One `<d:response>` for a node: found properties under 200, missing ones under 404. */
export function responseXml(c: Context, node: Node, want: PropRequest): string {
  const dead = c.dead.get(node.item.id) ?? [];
  const found: string[] = [];
  const missing: string[] = [];
  if (want.kind === "names") {
    for (const p of LIVE) if (live(c, node, p) !== null) found.push(propXml(p, null));
    for (const d of dead) found.push(propXml(d, null));
  } else {
    const asked =
      want.kind === "all"
        ? [...DAV_ALLPROP.map((name) => ({ ns: DAV_NS, name })), ...dead.map((d) => ({ ns: d.ns, name: d.name })), ...want.include]
        : want.props;
    const seen = want.kind === "all" ? new Set<string>() : null;
    for (const p of asked) {
      if (seen) {
        const key = `${p.ns}\n${p.name}`;
        if (seen.has(key)) continue;
        seen.add(key);
      }
      const d = dead.length ? dead.find((x) => x.ns === p.ns && x.name === p.name) : undefined;
      const value = d ? d.value : live(c, node, p);
      // allprop lists what the item has; only properties asked for by name are reported missing.
      if (value === null) {
        if (want.kind === "props") missing.push(propXml(p, null));
      } else found.push(propXml(p, value));
    }
  }
  let out = `<d:response><d:href>${esc(c.dav.hrefFor(c.space, node))}</d:href>`;
  if (found.length) out += `<d:propstat><d:prop>${found.join("")}</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>`;
  if (missing.length) out += `<d:propstat><d:prop>${missing.join("")}</d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>`;
  return `${out}</d:response>`;
}

/** Everything a multistatus over `nodes` needs, read in batches (folder versions, dead properties). */
export function contextFor(space: Space, dav: DavService, nodes: Node[], want: PropRequest): Context {
  const versions = dav.folderVersions(nodes.filter((n) => n.item.kind === "folder").map((n) => n.item.id));
  const dead = new Map<string, { ns: string; name: string; value: string }[]>();
  // A folder's listing: its own properties and its children's in one query (shared folders in the root apart).
  const listed = nodes.length > 1 ? nodes[0]! : null;
  const rows = listed
    ? [...dav.propertiesUnder(listed.item.id), ...dav.properties(nodes.filter((n) => n.sharedRoot).map((n) => n.item.id))]
    : dav.properties(nodes.map((n) => n.item.id));
  for (const r of rows) {
    const list = dead.get(r.fileId) ?? [];
    list.push({ ns: r.namespace, name: r.name, value: r.value });
    dead.set(r.fileId, list);
  }
  let quota: { used: number; available: number } | null = null;
  // Asked of the policy once for the whole listing, and only when the client asks for oc:permissions.
  const asksRights = want.kind === "names" || (want.kind === "all" ? want.include : want.props).some((p) => p.ns === OC_NS && p.name === "permissions");
  const rights = asksRights
    ? dav.rights(
        space,
        nodes.map((n) => n.item),
      )
    : new Map<string, Rights>();
  return { space, dav, versions, dead, rights, quota: () => (quota ??= dav.quota(space)) };
}
