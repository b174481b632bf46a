// WebDAV locks (RFC 4918 §6–7, §10.4): exclusive and shared write locks with timeouts, held by item id, and the
// `If` header that submits their tokens. A lock on an item covers it, and with depth infinity everything below; a lock
// on a folder also protects its membership (adding or removing a child needs the token). Finder mounts read-only
// without LOCK; Windows and LibreOffice lock before they write.
import { randomUUID } from "node:crypto";
import type { Clock } from "../platform/clock";
import type { DavLock } from "../platform/db/schema";
import { AppError } from "../platform/errors";
import { esc } from "./xml";
import type { DavRepo } from "./repo";

export const DEFAULT_LOCK_SECONDS = 3600;
export const MAX_LOCK_SECONDS = 7 * 24 * 3600;

/** One list of the If header: conditions on the tagged resource (or the request's). */
export type IfCondition = { not: boolean; token?: string; etag?: string };
export type IfList = { resource: string | null; conditions: IfCondition[] };

/** Parses `If:` (RFC 4918 §10.4): tagged and untagged lists of state tokens and entity tags. Malformed → 400. */
export function parseIf(header: string | null): IfList[] {
  if (!header) return [];
  const lists: IfList[] = [];
  let resource: string | null = null;
  let i = 0;
  const bad = () => new AppError(400, "The If header is malformed.");
  while (i < header.length) {
    const c = header[i]!;
    if (c === " " || c === "\t") i++;
    else if (c === "<") {
      const end = header.indexOf(">", i);
      if (end < 0) throw bad();
      resource = header.slice(i + 1, end);
      i = end + 1;
    } else if (c === "(") {
      const conditions: IfCondition[] = [];
      i++;
      for (;;) {
        while (header[i] === " " || header[i] === "\t") i++;
        if (header[i] === ")") {
          i++;
          break;
        }
        let not = false;
        if (header.slice(i, i + 3).toLowerCase() === "not") {
          not = true;
          i += 3;
          while (header[i] === " ") i++;
        }
        if (header[i] === "<") {
          const end = header.indexOf(">", i);
          if (end < 0) throw bad();
          conditions.push({ not, token: header.slice(i + 1, end) });
          i = end + 1;
        } else if (header[i] === "[") {
          const end = header.indexOf("]", i);
          if (end < 0) throw bad();
          conditions.push({ not, etag: header.slice(i + 1, end) });
          i = end + 1;
        } else throw bad();
      }
      if (!conditions.length) throw bad();
      lists.push({ resource, conditions });
    } else throw bad();
  }
  return lists;
}

/** Every lock token named in the header (not negated): the tokens the client submits. */
export const submittedTokens = (lists: IfList[]) => new Set(lists.flatMap((l) => l.conditions.filter((c) => c.token && !c.not).map((c) => c.token!)));

export function parseTimeout(header: string | null): number {
  for (const part of (header ?? "").split(",").map((s) => s.trim())) {
    const m = /^Second-(\d+)$/i.exec(part);
    if (m) return Math.max(1, Math.min(MAX_LOCK_SECONDS, Number(m[1])));
    if (/^Infinite$/i.test(part)) return MAX_LOCK_SECONDS;
  }
  return DEFAULT_LOCK_SECONDS;
}

export function activeLockXml(lock: DavLock, now: Date): string {
  const left = Math.max(0, Math.round((lock.expiresAt.getTime() - now.getTime()) / 1000));
  return (
    `<d:activelock><d:locktype><d:write/></d:locktype><d:lockscope><d:${lock.scope}/></d:lockscope><d:depth>${lock.depth === "0" ? "0" : "infinity"}</d:depth>` +
    (lock.owner ? `<d:owner>${lock.owner}</d:owner>` : "") +
    `<d:timeout>Second-${left}</d:timeout><d:locktoken><d:href>${esc(lock.token)}</d:href></d:locktoken>` +
    `<d:lockroot><d:href>${esc(lock.root)}</d:href></d:lockroot></d:activelock>`
  );
}

export const SUPPORTED_LOCK =
  "<d:lockentry><d:lockscope><d:exclusive/></d:lockscope><d:locktype><d:write/></d:locktype></d:lockentry>" +
  "<d:lockentry><d:lockscope><d:shared/></d:lockscope><d:locktype><d:write/></d:locktype></d:lockentry>";

/** Expired locks are ignored by every query; the `dav.sweep` job deletes their rows. */
export function createLocks(deps: { repo: DavRepo; now: Clock }) {
  const { repo, now } = deps;
  return {
    /**
     * The live locks that apply to an item, given its ancestors (root first, the item last): locks on the item
     * itself, and depth-infinity locks on any folder above it.
     */
    covering(chain: { id: string }[]): DavLock[] {
      if (!chain.length) return [];
      const own = chain.at(-1)!.id;
      return repo
        .locksOn(
          chain.map((c) => c.id),
          now(),
        )
        .filter((l) => l.fileId === own || l.depth === "infinity");
    },
    /** Live locks on items strictly below `rootId`, found through `isBelow` (locks are few: read them all). */
    below(isBelow: (fileId: string) => boolean): DavLock[] {
      return repo.allLocks(now()).filter((l) => isBelow(l.fileId));
    },
    byToken: (token: string) => repo.lock(token, now()),
    create(input: {
      fileId: string;
      userId: string;
      scope: "exclusive" | "shared";
      depth: "0" | "infinity";
      owner: string | null;
      root: string;
      timeoutSeconds: number;
    }) {
      const lock: DavLock = { ...input, token: `urn:uuid:${randomUUID()}`, expiresAt: new Date(now().getTime() + input.timeoutSeconds * 1000) };
      repo.insertLock(lock);
      return lock;
    },
    refresh(lock: DavLock, timeoutSeconds: number): DavLock {
      const expiresAt = new Date(now().getTime() + timeoutSeconds * 1000);
      repo.refreshLock(lock.token, timeoutSeconds, expiresAt);
      return { ...lock, timeoutSeconds, expiresAt };
    },
    release: (token: string) => repo.deleteLock(token),
    releaseAllOn: (fileId: string) => repo.deleteLocksOn(fileId),
  };
}

export type Locks = ReturnType<typeof createLocks>;
