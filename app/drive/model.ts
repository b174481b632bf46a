import { t, type Static } from "elysia";
import type { DriveFile } from "../platform/db/schema";
import { checkName } from "../platform/names";

const NAME_MAX_BYTES = 255;

/** A file or folder name: the one name rule (app/platform/names.ts), kept exactly as typed, at most 255 UTF-8 bytes. */
export const validateName = (raw: string): string => checkName(raw, { segment: true, maxBytes: NAME_MAX_BYTES });

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
