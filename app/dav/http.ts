// What every WebDAV method reads from its request and how it answers: the call (person, path, request), the body as
// a stream, the Nextcloud headers (X-OC-Mtime, OC-Checksum), and RFC 4918's XML answers.
import { AppError } from "../platform/errors";
import type { Space } from "./service";
import type { Node } from "./tree";

export type DavCall = { space: Space; names: string[]; request: Request };

/** An error that names its RFC 4918 precondition (`<d:propfind-finite-depth/>`…) in the response body. */
export const davCondition = (status: number, message: string, condition: string) => Object.assign(new AppError(status, message), { davCondition: condition });

export const xmlResponse = (status: number, body: string | ReadableStream<Uint8Array>, headers: Record<string, string> = {}) =>
  new Response(body, { status, headers: { "content-type": "application/xml; charset=utf-8", ...headers } });

/** A 207 whose body is written as the client reads it, one page of `<d:response>`s at a time. */
export function multistatusResponse(pages: Iterator<string>) {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = pages.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
  });
  return xmlResponse(207, body);
}

export const exists = (node: Node | null, what = "This item"): Node => {
  if (!node) throw new AppError(404, `${what} does not exist.`);
  return node;
};

/** The request's bytes; a connection that ends early is the client's doing (400), never a server bug. */
export async function* bodyOf(request: Request): AsyncIterable<Uint8Array> {
  if (!request.body) return;
  try {
    yield* request.body as unknown as AsyncIterable<Uint8Array>;
  } catch {
    throw new AppError(400, "The connection ended before the file was complete: nothing was stored.");
  }
}
export async function drain(request: Request) {
  for await (const _ of bodyOf(request));
}
export const declaredLength = (request: Request) => {
  const v = request.headers.get("content-length");
  return v !== null && /^\d+$/.test(v) ? Number(v) : undefined;
};
/** X-OC-Mtime (Nextcloud clients): seconds since 1970, possibly with a fraction. */
export function clientMtime(request: Request): Date | undefined {
  const v = request.headers.get("x-oc-mtime");
  if (!v || !/^\d{1,12}(\.\d+)?$/.test(v)) return undefined;
  return new Date(Math.floor(Number(v)) * 1000);
}

/**
 * OC-Checksum ("SHA256:…", "SHA1:…", "MD5:…"): verified as the bytes arrive. SHA-256 is the hash Drive computes
 * anyway (passed on as the declared SHA-256); the others are computed beside it. A mismatch stores nothing.
 */
export function checksumOf(request: Request): { sha256?: string; verify?: (source: AsyncIterable<Uint8Array>) => AsyncIterable<Uint8Array> } {
  const header = request.headers.get("oc-checksum");
  const m = header ? /^(SHA256|SHA1|MD5):([0-9a-fA-F]+)$/i.exec(header.trim()) : null;
  if (!m) return {};
  const [, type, hex] = m;
  if (type!.toUpperCase() === "SHA256") return { sha256: hex!.toLowerCase() };
  const algorithm = type!.toUpperCase() === "SHA1" ? "sha1" : "md5";
  return {
    verify: async function* (source) {
      const hasher = new Bun.CryptoHasher(algorithm);
      for await (const chunk of source) {
        hasher.update(chunk);
        yield chunk;
      }
      if (hasher.digest("hex") !== hex!.toLowerCase()) throw new AppError(400, `The content does not match its ${type} checksum; nothing was stored.`);
    },
  };
}
