// Search over the names of a person's own live items (FTS5).
import type { User } from "../platform/db/schema";
import type { DriveContext } from "./context";

/**
 * Builds an FTS5 query from what the user typed, for any input: every word must match as a prefix. Each word is one
 * FTS5 string (quotes doubled); control characters, which FTS5 cannot hold in a string, and lone surrogates go.
 */
export function ftsQuery(q: string): string | null {
  const words = q
    .toWellFormed()
    .normalize("NFC")
    .replace(/[\p{Cc}]/gu, " ")
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 8);
  return words.length ? words.map((w) => `"${w.replace(/"/g, '""')}"*`).join(" ") : null;
}

export function search(ctx: DriveContext, user: User, q: string, limit = 10) {
  const match = ftsQuery(q);
  return match ? ctx.repo.search(user.id, match, limit) : [];
}
