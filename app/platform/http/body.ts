// Reading a request's body, bounded: only after the route's access was checked (app/platform/http/access.ts), at most
// BODY_LIMIT bytes for forms, JSON and text (checked from Content-Length, then while it streams), and a form's files
// streamed to disk, never held in memory. Routes that take a file as their body (uploads, tus, WebDAV PUT) declare
// `parse: "none"` and stream it themselves.
import busboy from "busboy";
import { createWriteStream, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { parseQuery } from "elysia/parse-query";
import { AppError } from "../errors";

/** Forms, JSON and text: enough for a list of 10,000 ids, far from what exhausts memory. */
export const BODY_LIMIT = 1024 * 1024;

export const bodyTooLarge = () =>
  new AppError(413, `The request is too large: this address takes at most ${BODY_LIMIT / 1024} KiB (files go through the upload addresses).`);

/** The body's bytes, refused with 413 past `limit` (declared or counted): never more than `limit` is read. */
export async function readBounded(request: Request, limit: number): Promise<Buffer> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw bodyTooLarge();
  if (!request.body) return Buffer.alloc(0);
  const parts: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      void reader.cancel().catch(() => {});
      throw bodyTooLarge();
    }
    parts.push(value);
  }
  return Buffer.concat(parts, size);
}

/** Files a request's form brought, on disk until its response is sent. */
const spooled = new WeakMap<Request, string[]>();
export function forgetSpooled(request: Request) {
  for (const path of spooled.get(request) ?? []) rmSync(path, { force: true });
}

/**
 * A multipart form: its fields (at most BODY_LIMIT together) and its files, each streamed to a file in `spoolDir`
 * (only when `files` allows: a signed-in person) and handed on as a `File` backed by that file.
 */
function readMultipart(request: Request, spoolDir: string, files: boolean): Promise<Record<string, unknown>> {
  const declared = request.headers.get("content-length");
  if (!files && declared !== null && Number(declared) > BODY_LIMIT) throw bodyTooLarge();
  const body = request.body;
  if (!body) return Promise.resolve({});
  const form: Record<string, unknown> = {};
  const add = (name: string, value: unknown) => {
    const before = form[name];
    form[name] = before === undefined ? value : Array.isArray(before) ? [...before, value] : [before, value];
  };
  return new Promise((resolve, reject) => {
    let fieldBytes = 0;
    let failed = false;
    const writes: Promise<void>[] = [];
    const source = Readable.fromWeb(body as unknown as import("node:stream/web").ReadableStream);
    const fail = (e: unknown) => {
      if (failed) return;
      failed = true;
      source.destroy();
      reject(e instanceof AppError ? e : new AppError(400, "The form could not be read."));
    };
    let parser: ReturnType<typeof busboy>;
    try {
      parser = busboy({ headers: Object.fromEntries(request.headers), limits: { fieldSize: BODY_LIMIT, fields: 1000, files: files ? 20 : 0 } });
    } catch {
      return fail(new AppError(400, "The form could not be read (no multipart boundary)."));
    }
    parser.on("field", (name, value) => {
      fieldBytes += name.length + value.length;
      if (fieldBytes > BODY_LIMIT) return fail(bodyTooLarge());
      add(name, value);
    });
    parser.on("file", (name, stream, info) => {
      if (!files) return fail(bodyTooLarge());
      mkdirSync(spoolDir, { recursive: true, mode: 0o700 });
      const path = join(spoolDir, randomBytes(12).toString("hex"));
      spooled.set(request, [...(spooled.get(request) ?? []), path]);
      const out = createWriteStream(path, { mode: 0o600 });
      writes.push(
        new Promise((done, error) => {
          out.on("finish", done);
          out.on("error", error);
        }),
      );
      stream.pipe(out);
      add(name, new File([Bun.file(path)], info.filename || "file", { type: info.mimeType }));
    });
    parser.on("filesLimit", () => fail(bodyTooLarge()));
    parser.on("error", fail);
    parser.on("close", () => {
      if (!failed) Promise.all(writes).then(() => resolve(form), fail);
    });
    source.on("error", fail);
    source.pipe(parser);
  });
}

/**
 * The parsed body of a request whose access was already checked: JSON, a URL-encoded form, text, bytes, or a multipart
 * form. Malformed JSON is a 400; anything past the limit a 413 before more is read. An empty body is null.
 */
export async function readBody(request: Request, contentType: string, opts: { spoolDir: string; files: boolean }): Promise<unknown> {
  if (contentType === "multipart/form-data") return readMultipart(request, opts.spoolDir, opts.files);
  const bytes = await readBounded(request, BODY_LIMIT);
  if (contentType === "application/x-www-form-urlencoded") return parseQuery(bytes.toString("utf8"));
  if (bytes.byteLength === 0) return null;
  if (contentType === "application/json") {
    try {
      return JSON.parse(bytes.toString("utf8"));
    } catch {
      throw new AppError(400, "The request body is not valid JSON.");
    }
  }
  if (contentType.startsWith("text/")) return bytes.toString("utf8");
  return new Uint8Array(bytes);
}
