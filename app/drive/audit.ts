// What a Drive request is about, in words, for its audit row: "'IMG_0042.jpg' to Photos/2024". Read before the
// handler runs, so a purge or a trash still sees the names it is about to remove. Only what the person may read is
// named; anything that cannot be resolved is left out (the route answers its own error).
import type { User } from "../platform/db/schema";
import { asIds } from "./model";
import type { DriveService } from "./service";

type Req = { route: string; params?: Record<string, string>; body?: unknown; query?: Record<string, string | undefined>; request: Request };

const quote = (name: string) => `'${name}'`;

export function describeDriveRequest(drive: DriveService, user: User, r: Req): string | null {
  const body = (r.body ?? {}) as Record<string, unknown>;
  const folder = (id: string | undefined | null) => {
    const crumbs = id ? drive.breadcrumbs(user, id) : [];
    const names = crumbs.filter((f) => f.parentId !== null).map((f) => f.name);
    return names.length ? names.join("/") : "My Drive";
  };
  const items = (raw: unknown) => {
    const ids = asIds((raw ?? "") as string | string[]).slice(0, 50);
    const found = ids.flatMap((id) => {
      try {
        return [drive.itemFor(user, id, "file.read", { trashed: true })];
      } catch {
        return [];
      }
    });
    if (!found.length) return null;
    const more = ids.length - 1;
    return { first: found[0]!, text: `${quote(found[0]!.name)}${more > 0 ? ` and ${more} more` : ""}` };
  };
  try {
    switch (r.route) {
      case "/drive/actions/mkdir":
      case "/api/v1/folders":
        return `${quote(String(body.name ?? ""))} in ${folder(body.parentId as string | undefined)}`;
      case "/drive/actions/rename":
      case "/api/v1/files/:id": {
        const it = items(r.params?.id ?? body.ids);
        return it ? `${it.text} to ${quote(String(body.name ?? ""))} in ${folder(it.first.parentId)}` : null;
      }
      case "/drive/actions/move":
      case "/drive/actions/copy":
      case "/api/v1/move":
      case "/api/v1/copy": {
        const it = items(body.ids);
        return it ? `${it.text} to ${folder(String(body.targetId ?? ""))}` : null;
      }
      case "/drive/actions/trash":
      case "/api/v1/trash": {
        const it = items(body.ids);
        return it ? `${it.text} from ${folder(it.first.parentId)}` : null;
      }
      case "/drive/actions/restore":
      case "/api/v1/restore":
      case "/drive/actions/purge":
      case "/api/v1/purge":
      case "/drive/actions/star":
        return items(body.ids)?.text ?? null;
      case "/api/v1/files/:id/star":
        return items(r.params?.id)?.text ?? null;
      case "/api/v1/upload":
        return `${quote(r.query?.name ?? "")} to ${uploadFolder(r.query?.parentId, r.query?.path)}`;
      case "/api/v1/uploads": {
        const meta = tusMetadata(r.request.headers.get("upload-metadata"));
        const name = meta.filename ?? meta.name;
        return name ? `${quote(name)} to ${uploadFolder(meta.parentId, meta.relativePath)}` : null;
      }
      case "/api/v1/uploads/:id": {
        const up = drive.resumableFor(user, r.params?.id ?? "");
        return `${quote(up.name)} to ${folder(up.parentId)}`;
      }
      default:
        return null;
    }
  } catch {
    return null;
  }

  /** The folder an upload lands in: its parent, then the folders of a relative path (a folder upload). */
  function uploadFolder(parentId: string | undefined, path: string | undefined) {
    const parts = (path ?? "").split("/").filter(Boolean);
    const base = folder(parentId || undefined);
    return parts.length ? `${base === "My Drive" ? "" : `${base}/`}${parts.join("/")}` : base;
  }
}

/** tus's Upload-Metadata: comma-separated "key base64value" pairs. */
function tusMetadata(header: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (header ?? "").split(",")) {
    const [key, value] = pair.trim().split(" ");
    if (!key) continue;
    try {
      out[key] = value ? Buffer.from(value, "base64").toString("utf8") : "";
    } catch {
      // A value that is not base64 is tus's to refuse.
    }
  }
  return out;
}
