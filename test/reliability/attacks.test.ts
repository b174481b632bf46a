// Suite part 4: the attack suite, generated from the route table (every route, every method). What a hostile visitor,
// another user on the box, a share recipient or a link holder can try: traversal in every path parameter (plain,
// encoded, double-encoded, backslash, NUL, overlong UTF-8, C1, bidi), another person's ids in every parameter (IDOR),
// CSRF variants on every unsafe route, malformed %-escapes and JSON, oversized bodies (body.test.ts) and concurrent
// brute force on every secret (share.test.ts, auth/routes.test.ts, app/dav/dav.test.ts for app passwords). Native
// clients' routes (WebDAV, Nextcloud: app/dav) are attacked as native clients are: with each person's app password. Nothing may answer 500, leak the owner's private
// file, or change the owner's data; the tally is printed for the README's Reliability table.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { hmac } from "../../app/platform/crypto";
import { routeAccess } from "../../app/platform/http/access";
import { TEST_ORIGIN } from "../support/app";
import { startBox } from "../support/processes";
import { shareFixture, type ShareFixture } from "../support/share";
import { folderTarget } from "../support/backup";
import { ATTACK_TABLE, type ParamKind } from "./attack-table";

let f: ShareFixture;
const tally = { tried: 0, refused: 0 };
/** Each person's device (an app password: HTTP Basic), for the routes of native clients. */
const devices = new Map<string, string>();
beforeAll(async () => {
  f = await shareFixture();
  // alice (the admin) has an offsite backup target being set up and hosts a friend's box: admin-only objects to aim at.
  f.t.services.backup.create(folderTarget());
  f.t.db.$client.run("INSERT INTO backup_guests (id, name, token_hash, quota_bytes, created_at) VALUES ('g0friend', 'Grandma', 'x', 1000, 0)");
  // alice's person "Grandma", with one face on her private photo (rows as the indexer writes them; no detector run here).
  const photo = f.items.privatePhoto!;
  f.t.db.$client.run("INSERT INTO people (id, user_id, name, hidden, created_at, updated_at) VALUES ('p0grandma', ?, 'Grandma', 0, 0, 0)", [f.alice.id]);
  f.t.db.$client.run(
    "INSERT INTO faces (id, user_id, sha256, idx, x, y, w, h, score, landmarks, embedding, scale, person_id, assigned) VALUES (4242, ?, ?, 0, 0.1, 0.1, 0.3, 0.3, 0.9, 0.9, zeroblob(4096), 1, 'p0grandma', 'manual')",
    [f.alice.id, photo.sha256!],
  );
  for (const who of ["anonymous", "other user", "share recipient", "link holder", "owner"] as const) headersOf(who);
  for (const user of [f.alice, f.carol, f.t.services.auth.users.byName("eve")!]) {
    const { password } = f.t.services.devices.create(user.id, "Phone");
    devices.set(user.id, `Basic ${Buffer.from(`${user.username}:${password}`).toString("base64")}`);
  }
  // Something of the owner's that only WebDAV writes: a dead property on her private file.
  const res = await f.t.request("/dav/Private/secret.txt", {
    method: "PROPPATCH",
    headers: { authorization: devices.get(f.alice.id)!, "content-type": "application/xml" },
    body: '<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:" xmlns:x="urn:x"><d:set><d:prop><x:tag>mine</x:tag></d:prop></d:set></d:propertyupdate>',
  });
  expect(res.status).toBe(207);
});
afterAll(() => {
  f?.t.cleanup();
  console.log(`attack suite: ${tally.tried} attacks tried, ${tally.refused} refused, ${tally.tried - tally.refused} got through`);
});

const SECRET = "the owner's other files"; // the content of alice's private secret.txt
const methodsOf = (method: string) => (method === "ALL" ? ["GET", "POST", "PATCH", "DELETE", "HEAD"] : [method]);
const unsafe = (method: string) => !["GET", "HEAD", "OPTIONS"].includes(method);
const routes = () => f.t.app.routes.map((r) => ({ method: r.method, path: r.path, access: routeAccess(r), key: `${r.method} ${r.path}` }));
const paramsOf = (path: string) => [...path.matchAll(/:([A-Za-z]+)|(\*)/g)].map((m) => m[1] ?? "*");
const fill = (path: string, values: Record<string, string>) => path.replace(/:([A-Za-z]+)\??|\*/g, (m, name: string | undefined) => values[name ?? "*"] ?? "x");

/** The owner's state an attack must not change: her items, albums, links and shares, read straight from SQLite. */
function ownerState() {
  const q = (sql: string) => JSON.stringify(f.t.db.$client.query(sql).all(f.alice.id));
  return [
    q("SELECT id, parent_id, name, sha256, trashed_at, starred FROM files WHERE user_id = ? ORDER BY id"),
    q("SELECT id, name, cover_sha256 FROM albums WHERE user_id = ? ORDER BY id"),
    q("SELECT id, name, hidden, cover_face_id FROM people WHERE user_id = ? ORDER BY id"),
    q("SELECT id, person_id, assigned, rejected_person_id FROM faces WHERE user_id = ? ORDER BY id"),
    q("SELECT id, revoked_at, expires_at, password_hash FROM share_links WHERE user_id = ? ORDER BY id"),
    q("SELECT id, access FROM folder_shares WHERE owner_id = ? ORDER BY id"),
    q("SELECT id, partner_id, from_local, photos_only, in_timeline FROM partner_shares WHERE owner_id = ?1 OR partner_id = ?1 ORDER BY id"),
    q("SELECT id_hash FROM sessions WHERE user_id = ? ORDER BY id_hash"),
    q("SELECT id, revoked_at FROM app_tokens WHERE user_id = ? ORDER BY id"),
    q("SELECT p.file_id, p.name, p.value FROM dav_properties p JOIN files f ON f.id = p.file_id WHERE f.user_id = ? ORDER BY p.file_id, p.name"),
    q("SELECT l.token FROM dav_locks l JOIN files f ON f.id = l.file_id WHERE f.user_id = ? ORDER BY l.token"),
    JSON.stringify(f.t.db.$client.query("SELECT id, state, name, password_set_at FROM backup_targets ORDER BY id").all()),
    JSON.stringify(f.t.db.$client.query("SELECT id, token_hash, quota_bytes, prune_until FROM backup_guests ORDER BY id").all()),
  ].join("\n");
}

/** Another person's objects of each kind: alice's private ones, which nobody else may reach. */
function victims(): Record<ParamKind, string[]> {
  const { items, albums, links } = f;
  const ids = (sql: string) => f.t.db.$client.query<{ id: string }, [string]>(sql).all(f.alice.id).map((r) => String(r.id));
  return {
    file: [items.secret!.id, items.privateFolder!.id, items.privatePhoto!.id, items.trashed!.id],
    album: [albums.other.id],
    link: [links.sibling.link.id, links.locked.link.id],
    "link-token": [links.locked.token, links.revoked.token],
    "folder-share": ids("SELECT id FROM folder_shares WHERE owner_id = ?"),
    "album-share": ids("SELECT s.id FROM album_shares s JOIN albums a ON a.id = s.album_id WHERE a.user_id = ?"),
    passkey: ["cred-of-alice"],
    session: ids("SELECT id_hash AS id FROM sessions WHERE user_id = ?"),
    "app-token": ids("SELECT id FROM app_tokens WHERE user_id = ?"),
    user: [f.alice.id],
    "ssh-key": ["0"],
    upload: ["0123456789abcdef0123456789abcdef"],
    alert: ["1"],
    name: ["x"],
    "enroll-token": ["x"],
    username: [f.alice.username],
    // Her private file, a file in the folder she shares read-only with carol, and that folder itself.
    "dav-path": ["Private/secret.txt", "Holiday/notes.txt", "Holiday/Day%202"],
    // Her private files' versions.
    // Her trashed file as her trash bin names it, a path below it (inside a trashed folder), and the restore folder.
    "trash-path": (() => {
      const entry = `trash/${items.trashed!.name}.d${Math.floor(f.t.services.drive.trash(f.alice)[0]!.trashedAt!.getTime() / 1000)}`;
      return [entry, `${entry}/x`, "restore/x"];
    })(),
    "versions-path": [`versions/${items.secret!.seq}`, `versions/${items.privatePhoto!.seq}`],
    "ocs-version": ["v2.php"],
    // Her links by number, through Nextcloud's sharing API (v1 and v2 alike: the version is attacked as a parameter too).
    "ocs-share": f.t.db.$client.query<{ seq: number }, [string]>("SELECT seq FROM share_links WHERE user_id = ?").all(f.alice.id).map((r) => String(r.seq)),
    "backup-target": f.t.db.$client.query<{ id: string }, []>("SELECT id FROM backup_targets").all().map((r) => r.id),
    snapshot: ["0".repeat(64)],
    "backup-guest": ["g0friend"],
    person: ["p0grandma"],
    face: ["4242"],
  };
}

const TRAVERSALS = [
  "..",
  "../../../../etc/passwd",
  "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
  "%252e%252e%252f%252e%252e%252fetc%252fpasswd",
  "..%5c..%5c..%5cwindows",
  "..\\..\\etc\\passwd",
  "x%00.jpg",
  "%c0%ae%c0%ae%c0%af", // overlong UTF-8 for "../"
  "%c2%85x", // C1 NEL
  "%e2%80%aeexe.jpg", // bidi override
  "%E0%A4%A", // a broken escape
];

type Who = "anonymous" | "other user" | "share recipient" | "link holder" | "owner";
type Access = ReturnType<typeof routeAccess>;
/** A value of a kind that the visitor may use, for the parameters not under attack. */
const usable = (kind: ParamKind | undefined) => (kind === "link-token" ? f.links.open.token : kind === "ocs-version" ? "v2.php" : "x");
const nativeClient = (access: Access) => access === "device" || access === "client";
/** A native client's headers: the visitor's own app password (the anonymous and the link holder have none). */
function clientHeadersOf(who: Who): Record<string, string> {
  const user = who === "owner" ? f.alice : who === "share recipient" ? f.carol : who === "other user" ? f.t.services.auth.users.byName("eve")! : null;
  return user ? { authorization: devices.get(user.id)! } : {};
}
/** Each visitor's browser headers, made once (a session each). */
const browsers = new Map<Who, Record<string, string>>();
function headersOf(who: Who): Record<string, string> {
  const known = browsers.get(who);
  if (known) return known;
  const same = { origin: TEST_ORIGIN, "sec-fetch-site": "same-origin", accept: "application/json" };
  let headers: Record<string, string>;
  if (who === "anonymous" || who === "link holder") headers = { ...same, cookie: "nas_pre=visitor", "x-csrf-token": hmac(f.t.secret, "csrf:visitor") };
  else {
    const user = who === "owner" ? f.alice : who === "share recipient" ? f.carol : f.t.services.auth.users.byName("eve")!;
    headers = { ...f.t.signIn(user), accept: "application/json" };
  }
  browsers.set(who, headers);
  return headers;
}

async function attack(method: string, path: string, who: Who, access: Access, extra: RequestInit = {}) {
  tally.tried++;
  const as = nativeClient(access) ? clientHeadersOf(who) : headersOf(who);
  const res = await f.t.request(path, { method, headers: { ...as, ...(extra.headers as Record<string, string>) }, body: extra.body });
  const body = method === "HEAD" ? "" : await res.text();
  return { status: res.status, body };
}

describe("the attack suite (issue 21, suite part 4)", () => {
  test("every route with a path parameter has an entry, and every entry a route", () => {
    const withParams = routes().filter((r) => paramsOf(r.path).length > 0);
    expect(withParams.filter((r) => !ATTACK_TABLE[r.key]).map((r) => r.key)).toEqual([]);
    expect(Object.keys(ATTACK_TABLE).filter((k) => !routes().some((r) => r.key === k))).toEqual([]);
    for (const r of withParams) expect([r.key, Object.keys(ATTACK_TABLE[r.key]!).sort()]).toEqual([r.key, paramsOf(r.path).sort()]);
  });

  test("another person's ids in every parameter, as every kind of visitor: nothing leaks, nothing of the owner's changes", async () => {
    const before = ownerState();
    const wrong: string[] = [];
    const ids = victims();
    for (const r of routes().filter((r) => ATTACK_TABLE[r.key] && Object.keys(ATTACK_TABLE[r.key]!).length)) {
      const kinds = ATTACK_TABLE[r.key]!;
      for (const method of methodsOf(r.method)) {
        for (const who of ["anonymous", "other user", "share recipient", "link holder"] as const) {
          for (const [param, kind] of Object.entries(kinds)) {
            for (const id of ids[kind]) {
              // The other parameters get values the visitor may use (a link holder's own open link).
              const values = Object.fromEntries(Object.keys(kinds).map((p) => [p, p === param ? id : usable(kinds[p])]));
              const path = fill(r.path, values);
              const res = await attack(method, path, who, r.access, unsafe(method) ? { headers: { "content-type": "application/json" }, body: "{}" } : {});
              const leaked = res.body.includes(SECRET) || res.body.includes("secret.txt");
              if (res.status >= 500 || leaked) wrong.push(`${who} ${method} ${path} → ${res.status}${leaked ? " LEAKED" : ""}`);
              else if (res.status >= 400 || !unsafe(method)) tally.refused++;
            }
          }
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(ownerState()).toBe(before);
  }, 300_000);

  test("traversal and hostile encodings in every path parameter, signed in or not: never a 500, never a file outside", async () => {
    const wrong: string[] = [];
    for (const r of routes().filter((r) => paramsOf(r.path).length > 0)) {
      for (const method of methodsOf(r.method)) {
        for (const who of ["anonymous", "other user", "owner"] as const) {
          for (const param of paramsOf(r.path)) {
            for (const payload of TRAVERSALS) {
              const values = Object.fromEntries(paramsOf(r.path).map((p) => [p, p === param ? payload : usable(ATTACK_TABLE[r.key]?.[p])]));
              const res = await attack(method, fill(r.path, values), who, r.access);
              const leaked = res.body.includes("root:x:0:0") || (who !== "owner" && res.body.includes(SECRET));
              if (res.status >= 500 || leaked) wrong.push(`${who} ${method} ${r.path} ${param}=${payload} → ${res.status}${leaked ? " LEAKED" : ""}`);
              else tally.refused++;
            }
          }
        }
      }
    }
    expect(wrong).toEqual([]);
  }, 300_000);

  test("CSRF variants on every unsafe route: another session's token, the token in the address, Origin null, same-site", async () => {
    const before = ownerState();
    const owner = headersOf("owner");
    const { "x-csrf-token": _own, ...noToken } = owner;
    const otherToken = hmac(f.t.secret, "csrf:someone-elses-session");
    const variants: [string, Record<string, string>, string][] = [
      ["another session's token", { ...noToken, "x-csrf-token": otherToken }, ""],
      ["the token in the query string", noToken, `?_csrf=${encodeURIComponent(owner["x-csrf-token"]!)}`],
      ["Origin: null without Sec-Fetch-Site", { ...owner, origin: "null", "sec-fetch-site": "" }, ""],
      ["a same-site (not same-origin) page", { ...owner, "sec-fetch-site": "same-site", origin: "http://evil.localhost:8080" }, ""],
      ["a look-alike origin", { ...owner, "sec-fetch-site": "", origin: `${TEST_ORIGIN}.evil.example` }, ""],
    ];
    const wrong: string[] = [];
    for (const r of routes()) {
      for (const method of methodsOf(r.method).filter(unsafe)) {
        const path = fill(r.path, Object.fromEntries(paramsOf(r.path).map((p) => [p, usable(ATTACK_TABLE[r.key]?.[p])])));
        if (r.access === "device") {
          // A browser can be made to send the Basic credentials it cached for the box: another site's request is refused.
          tally.tried++;
          const res = await f.t.request(path, {
            method,
            headers: { ...clientHeadersOf("owner"), origin: "http://evil.example", "sec-fetch-site": "cross-site", "content-type": "application/xml" },
            body: "",
          });
          await res.arrayBuffer();
          if (res.status !== 403) wrong.push(`cached Basic credentials from another site: ${method} ${r.path} → ${res.status}`);
          else tally.refused++;
        }
        for (const [what, headers, query] of variants) {
          const clean = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== ""));
          tally.tried++;
          const res = await f.t.request(path + query, { method, headers: { ...clean, "content-type": "application/x-www-form-urlencoded" }, body: "" });
          await res.arrayBuffer();
          // Public and link routes without a session to ride need no token; every route that acts for a signed-in person refuses.
          const actsForOwner = r.access === "user" || r.access === "admin";
          if (actsForOwner && res.status !== 403) wrong.push(`${what}: ${method} ${r.path} → ${res.status}`);
          else if (res.status >= 500) wrong.push(`${what}: ${method} ${r.path} → ${res.status}`);
          else tally.refused++;
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(ownerState()).toBe(before);
  }, 300_000);

  test("malformed %-escapes in the address and the query, and malformed JSON bodies: a 4xx with a sentence, never a 500", async () => {
    const wrong: string[] = [];
    for (const r of routes()) {
      const path = fill(r.path, Object.fromEntries(paramsOf(r.path).map((p) => [p, usable(ATTACK_TABLE[r.key]?.[p])])));
      for (const method of methodsOf(r.method)) {
        for (const [what, url, body] of [
          ["broken escape in the query", `${path}?q=%E0%A4%A&name=%zz`, undefined],
          ["JSON that does not parse", path, unsafe(method) ? '{"name": "x",' : undefined],
          ["JSON of the wrong shape", path, unsafe(method) ? '[[[[["deep"]]]]]' : undefined],
        ] as const) {
          if (what !== "broken escape in the query" && body === undefined) continue;
          const res = await attack(method, url, "owner", r.access, body ? { headers: { "content-type": "application/json" }, body } : {});
          if (res.status >= 500) wrong.push(`${what}: ${method} ${url} → ${res.status}`);
          else tally.refused++;
        }
      }
    }
    expect(wrong).toEqual([]);
  }, 300_000);
});

describe("the real web process under oversized input", () => {
  const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) * 1024;
  /** `total` bytes of body made as they are sent, never held by the test either. */
  const bigBody = (total: number) => {
    let sent = 0;
    const chunk = new Uint8Array(1024 * 1024).fill(0x61);
    return new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent >= total) return c.close();
        sent += chunk.byteLength;
        c.enqueue(chunk);
      },
    });
  };

  test("400 MiB to signed-out and public routes is refused unread, a 256 MiB album upload streams to disk: the web process stays small", async () => {
    const box = await startBox({ worker: false });
    try {
      const pid = box.web!.pid;
      const created = await box.api("/photos/albums", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ name: "Trip" }),
      });
      const albumId = ((await created.json()) as { id: string }).id;
      const refuse = async (target: string, bytes: number) => {
        // "PUT /dav/x": another method than POST, as native clients send it.
        const [method, path] = target.includes(" ") ? target.split(" ") as [string, string] : ["POST", target];
        tally.tried++;
        const res = await fetch(`${box.origin}${path}`, {
          method,
          headers: { "content-type": "application/json", "content-length": String(bytes), origin: box.origin, "sec-fetch-site": "same-origin" },
          body: bigBody(bytes),
          duplex: "half",
        } as RequestInit).catch(() => null);
        // Refused before the body was read: 401 for a signed-in route, 413 for the public ones (or the connection cut).
        if (res) expect([path, [401, 413].includes(res.status)]).toEqual([path, true]);
        tally.refused++;
      };
      const formUpload = async (bytes: number) => {
        const boundary = "----nasboundary";
        const head = new TextEncoder().encode(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.mp4"\r\nContent-Type: video/mp4\r\n\r\n`);
        const tail = new TextEncoder().encode(`\r\n--${boundary}--\r\n`);
        let sent = -1;
        const chunk = new Uint8Array(1024 * 1024).fill(0x62);
        const body = new ReadableStream<Uint8Array>({
          pull(c) {
            if (sent < 0) {
              sent = 0;
              return c.enqueue(head);
            }
            if (sent >= bytes) {
              c.enqueue(tail);
              return c.close();
            }
            sent += chunk.byteLength;
            c.enqueue(chunk);
          },
        });
        const res = await box.api(`/photos/shared/albums/${albumId}/upload`, {
          method: "POST",
          headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
          body,
          duplex: "half",
        } as RequestInit);
        expect([200, 201, 303]).toContain(res.status);
      };
      const paths = [
        "/api/v1/folders",
        "/auth/recover",
        `/s/${"A".repeat(43)}/unlock`,
        "/photos/albums",
        // Native clients: a WebDAV PUT and a chunk without an app password, Login Flow v2's public poll.
        "PUT /dav/big.bin",
        "PUT /remote.php/dav/uploads/alice/1/00001",
        "/index.php/login/v2/poll",
      ];
      // Warm-up: the same requests, smaller, so what they load on first use (the form parser, MIME sniffing) and the
      // buffers a streamed upload keeps in flight are there before the measurement.
      for (const path of paths) await refuse(path, 8 * 1024 * 1024);
      await formUpload(64 * 1024 * 1024);
      Bun.gc?.(true);
      const start = rssOf(pid);
      for (const path of paths) await refuse(path, 400 * 1024 * 1024);
      await formUpload(256 * 1024 * 1024);
      // A header of 100 KB: refused by the server, never a 500.
      tally.tried++;
      const header = await fetch(`${box.origin}/healthz`, { headers: { "x-big": "a".repeat(100_000) } }).catch(() => null);
      expect(header === null || header.status < 500).toBe(true);
      tally.refused++;
      const end = rssOf(pid);
      console.log(`oversized input: web RSS ${Math.round(start / 1048576)} MiB before, ${Math.round(end / 1048576)} MiB after ${paths.length} × 400 MiB refused and a 256 MiB form upload`);
      // Less than a fifth of the upload, an eighth of any refused body: nothing was held whole.
      expect(end - start).toBeLessThan(48 * 1024 * 1024);
    } finally {
      await box.stop();
    }
  }, 300_000);
});
