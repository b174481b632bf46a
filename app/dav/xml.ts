// XML in: request bodies of PROPFIND, PROPPATCH and LOCK, parsed by saxes (a well-kept streaming parser: namespaces,
// well-formedness) into a small element tree. A DOCTYPE is refused outright, so no DTD, entity expansion or external
// entity ever reaches us; saxes itself knows only the five predefined entities. XML out: responses have a fixed
// shape and are written as strings (fast for 10,000-entry listings), every value through `esc`.
import { SaxesParser } from "saxes";
import { AppError } from "../platform/errors";
import { BODY_LIMIT, readBounded } from "../platform/http/body";

export const DAV_NS = "DAV:";
export const OC_NS = "http://owncloud.org/ns";
export const NC_NS = "http://nextcloud.org/ns";
export const SABRE_NS = "http://sabredav.org/ns";

export type XmlElement = { ns: string; name: string; attrs: { ns: string; name: string; value: string }[]; children: XmlNode[] };
export type XmlNode = XmlElement | string;

/** Parses a request body; a DOCTYPE, malformed XML or an empty body is a 400 that says which. */
export function parseXml(text: string): XmlElement {
  const parser = new SaxesParser({ xmlns: true, position: false });
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  let failure: Error | null = null;
  parser.on("doctype", () => {
    throw new AppError(400, "XML with a DOCTYPE (DTDs, entities) is refused.");
  });
  parser.on("error", (e) => {
    failure ??= e;
  });
  parser.on("opentag", (tag) => {
    const el: XmlElement = {
      ns: tag.uri ?? "",
      name: tag.local ?? tag.name,
      attrs: Object.values(tag.attributes)
        .filter((a) => a.prefix !== "xmlns" && a.name !== "xmlns")
        .map((a) => ({ ns: a.uri ?? "", name: a.local ?? a.name, value: a.value })),
      children: [],
    };
    if (stack.length) stack.at(-1)!.children.push(el);
    else root = el;
    stack.push(el);
  });
  parser.on("closetag", () => void stack.pop());
  const addText = (t: string) => {
    if (stack.length) stack.at(-1)!.children.push(t);
  };
  parser.on("text", addText);
  parser.on("cdata", addText);
  try {
    parser.write(text).close();
  } catch (e) {
    if (e instanceof AppError) throw e;
    failure ??= e as Error;
  }
  if (failure || !root) throw new AppError(400, `The XML body could not be read${failure ? `: ${(failure as Error).message.split("\n")[0]}` : "."}`);
  return root;
}

export const elements = (el: XmlElement) => el.children.filter((c): c is XmlElement => typeof c !== "string");
export const child = (el: XmlElement, ns: string, name: string) => elements(el).find((c) => c.ns === ns && c.name === name);
export const textOf = (el: XmlElement): string => el.children.map((c) => (typeof c === "string" ? c : textOf(c))).join("");

/** Escapes text and attribute values; drops what XML 1.0 cannot carry at all. */
const SPECIAL = /[&<>"\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;
export function esc(s: string): string {
  if (!SPECIAL.test(s)) return s;
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/** An element (a dead property's content, a lock's owner) back to XML, each element declaring its own namespace. */
export function serialize(node: XmlNode): string {
  if (typeof node === "string") return esc(node);
  let prefixes = 0;
  const attrs = node.attrs
    .map((a) => {
      if (!a.ns) return ` ${a.name}="${esc(a.value)}"`;
      const p = `a${prefixes++}`;
      return ` xmlns:${p}="${esc(a.ns)}" ${p}:${a.name}="${esc(a.value)}"`;
    })
    .join("");
  const open = `${node.name} xmlns="${esc(node.ns)}"${attrs}`;
  return node.children.length ? `<${open}>${node.children.map(serialize).join("")}</${node.name}>` : `<${open}/>`;
}

/**
 * Reads a request's XML body as every small body is read (app/platform/http/body.ts: at most BODY_LIMIT, 413 before
 * and while reading; no client sends more than a few KB); null for an empty body.
 */
export async function readXmlBody(request: Request): Promise<XmlElement | null> {
  const text = new TextDecoder("utf-8", { fatal: false }).decode(await readBounded(request, BODY_LIMIT)).trim();
  return text ? parseXml(text) : null;
}
