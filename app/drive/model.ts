import { t, type Static } from "elysia";
import type { DriveFile } from "../platform/db/schema";
import { AppError } from "../platform/errors";

const NAME_MAX_BYTES = 255;

/**
 * Names are kept exactly as typed (NFC). Refused: empty, `.`/`..`, `/`, NUL and other control
 * characters (C0 and C1), bidi overrides, over 255 UTF-8 bytes. Returns the normalised name or throws a AppError saying why.
 */
export function validateName(raw: string): string {
  const name = raw.normalize("NFC");
  if (name.length === 0 || name.trim().length === 0) throw new AppError(400, "Give it a name.");
  if (name === "." || name === "..") throw new AppError(400, `“${name}” is reserved and cannot be used as a name.`);
  if (name.includes("/")) throw new AppError(400, "Names cannot contain “/”.");
  if (name.includes("\0")) throw new AppError(400, "Names cannot contain the NUL character.");
  if (/[\u0001-\u001f\u007f-\u009f]/.test(name)) throw new AppError(400, "Names cannot contain control characters.");
  // Bidi overrides and isolates reorder what is shown: "exe.txt" could read as "txt.exe".
  if (/[\u202a-\u202e\u2066-\u2069]/.test(name)) throw new AppError(400, "Names cannot contain text-direction override characters.");
  if (Buffer.byteLength(name, "utf8") > NAME_MAX_BYTES) throw new AppError(400, `Names can be at most ${NAME_MAX_BYTES} bytes long (UTF-8).`);
  return name;
}

/** "report.pdf" → "report (1).pdf", "archive" → "archive (1)". */
export function numberedName(name: string, n: number): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? `${name.slice(0, dot)} (${n})${name.slice(dot)}` : `${name} (${n})`;
}

export const SORTS = ["name", "updated", "size"] as const;
export type Sort = (typeof SORTS)[number];
export type ListOptions = { sort: Sort; desc: boolean; offset: number; limit: number };
export type Conflict = "rename" | "replace" | "fail";

export const ListQuery = t.Object({
  sort: t.Optional(t.Union(SORTS.map((s) => t.Literal(s)))),
  desc: t.Optional(t.String()),
  offset: t.Optional(t.Numeric({ minimum: 0 })),
  limit: t.Optional(t.Numeric({ minimum: 1, maximum: 1000 })),
  view: t.Optional(t.Union([t.Literal("list"), t.Literal("grid")])),
  /** A file in this folder to select and preview (a search suggestion links here). */
  select: t.Optional(t.String({ maxLength: 64 })),
});
export const NameBody = t.Object({ name: t.String({ maxLength: 1024 }), _csrf: t.Optional(t.String()) });
export const MkdirBody = t.Object({ parentId: t.Optional(t.String()), name: t.String({ maxLength: 1024 }), _csrf: t.Optional(t.String()) });
const Ids = t.Union([t.Array(t.String(), { minItems: 1, maxItems: 10_000 }), t.String()]);
export const IdsBody = t.Object({ ids: Ids, _csrf: t.Optional(t.String()) });
export const MoveBody = t.Object({ ids: Ids, targetId: t.String(), _csrf: t.Optional(t.String()) });
export const StarBody = t.Object({ starred: t.Union([t.Boolean(), t.String()]), _csrf: t.Optional(t.String()) });
export const SearchQuery = t.Object({ q: t.Optional(t.String({ maxLength: 200 })), limit: t.Optional(t.Numeric({ minimum: 1, maximum: 100 })) });
export type IdsInput = Static<typeof Ids>;
export const asIds = (ids: IdsInput): string[] => (Array.isArray(ids) ? ids : ids.split(",").filter(Boolean));

/** What the API returns for an item: no internal paths, no user ids of others. */
export type ItemJson = {
  id: string;
  parentId: string | null;
  kind: "folder" | "file";
  name: string;
  size: number;
  mime: string | null;
  sha256: string | null;
  starred: boolean;
  createdAt: string;
  updatedAt: string;
  trashedAt: string | null;
};
export function itemJson(f: DriveFile): ItemJson {
  return {
    id: f.id,
    parentId: f.parentId,
    kind: f.kind,
    name: f.name,
    size: f.size,
    mime: f.mime,
    sha256: f.sha256,
    starred: f.starred,
    createdAt: f.createdAt.toISOString(),
    updatedAt: f.updatedAt.toISOString(),
    trashedAt: f.trashedAt?.toISOString() ?? null,
  };
}

/** Content types a browser may show inline from our origin; everything else (HTML, SVG, XML…) downloads. */
const INLINE_SAFE = /^(image\/(png|jpeg|gif|webp|avif|bmp)|video\/(mp4|webm|ogg|quicktime)|audio\/[a-z0-9.+-]+|application\/pdf|text\/plain)$/;
export const inlineSafe = (mime: string) => INLINE_SAFE.test(mime);
export const isTextLike = (mime: string | null, name: string) =>
  (!!mime && (mime.startsWith("text/") || /json|javascript|typescript|x-sh|yaml|toml|xml/.test(mime))) ||
  /\.(md|txt|log|csv|ts|tsx|js|json|py|rs|go|c|h|sh|ya?ml|toml|ini|conf)$/i.test(name);
