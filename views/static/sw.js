// The service worker (app/offline/README.md), served as /sw.js so it sees the whole origin. What it keeps:
//  - "shell": the app's own static files (/static/: CSS, JS, icons, the basemap), refreshed from the box whenever it
//    answers, so the installed app and the offline page open without the box;
//  - "kept": the timeline's months last viewed (their JSON) and their thumbnails, private to the person signed in,
//    deleted at sign-out (by the page, and by the box's Clear-Site-Data header).
// It never keeps a page (HTML: another person's, a share link's), nor anything but a GET of this origin, nor any
// other path. When the box cannot be reached, a page request gets the offline page, which shows what was kept.
const SHELL = "shell-v1";
/** Read by the offline page too (offline.js): rename both together. */
const KEPT = "kept-v1";
const OFFLINE_PAGE = "/static/offline.html";
/** What the offline page needs before anything else was visited. */
const PRECACHE = [OFFLINE_PAGE, "/static/offline.js", "/static/app.css", "/static/icons/icon.svg", "/static/vendor/icon-192.png"];
/** The months kept: the last ones viewed, each with its thumbnails. */
const MONTHS_KEPT = 6;
/** Thumbnails kept at most: the months' and the last ones seen elsewhere (albums, search). */
const THUMBS_KEPT = 1500;

/**
 * A box on another network (the phone away from home) often never refuses, it just does not answer: how long to
 * wait for it before the copy kept (a file) or the offline page (a page). A refused connection falls back at once.
 */
const PATIENCE_MS = 4000;
const PAGE_PATIENCE_MS = 10_000;

const MONTH = /^\/photos\/api\/month\/\d{4}-\d{2}$/;
const THUMB = /^\/drive\/thumb\/[A-Za-z0-9_-]+$/;
let thumbsSinceTrim = 0;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(SHELL)
      .then((c) => c.addAll(PRECACHE))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n !== SHELL && n !== KEPT).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    // Pages are always the box's: only when it does not answer, the offline page (never a kept page).
    const offline = () => caches.match(OFFLINE_PAGE);
    event.respondWith(Promise.race([fetch(request), after(PAGE_PATIENCE_MS).then(offline)]).catch(offline));
    return;
  }
  if (url.pathname.startsWith("/static/")) event.respondWith(fresh(request, SHELL));
  else if (THUMB.test(url.pathname)) event.respondWith(fresh(request, KEPT).then(bounded(THUMB, THUMBS_KEPT)));
  // The timeline's months (not an album's, a search's or a shared view's, whose JSON is asked with another src).
  else if (MONTH.test(url.pathname) && (url.searchParams.get("src") ?? "timeline") === "timeline" && !url.searchParams.get("p")) {
    event.respondWith(fresh(request, KEPT, url.pathname).then(bounded(MONTH, MONTHS_KEPT)));
  }
});

/**
 * From the box when it answers (a copy kept in `cacheName`, under `key`), else the copy kept. Only complete,
 * successful same-origin answers are kept: never an error page, a redirect to the sign-in page or a partial range.
 * @param {Request} request @param {string} cacheName @param {string} [key]
 */
async function fresh(request, cacheName, key) {
  const kept = () => caches.match(key ?? request, { ignoreSearch: key !== undefined });
  const network = fetch(request).then(async (response) => {
    if (response.status === 200 && response.type === "basic" && !response.redirected) {
      const cache = await caches.open(cacheName);
      await cache.put(key ?? request, response.clone());
    }
    return response;
  });
  try {
    // A slow box still answers: the copy kept only stands in after a while, and only if there is one.
    return await Promise.race([network, after(PATIENCE_MS).then(async () => (await kept()) ?? network)]);
  } catch (e) {
    const copy = await kept();
    if (copy) return copy;
    throw e;
  }
}

/** Resolves after `ms`. @param {number} ms */
const after = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Keeps the newest `limit` entries of `pattern` in the private cache (a cache lists its keys oldest first). A month
 * that leaves takes its thumbnails with it.
 * @param {RegExp} pattern @param {number} limit
 */
const bounded = (pattern, limit) => async (/** @type {Response} */ response) => {
  // Listing a cache of 1,500 entries for every thumbnail would cost more than the thumbnail: every 50th one.
  if (pattern === THUMB && ++thumbsSinceTrim % 50 !== 0) return response;
  const cache = await caches.open(KEPT);
  const keys = (await cache.keys()).filter((r) => pattern.test(new URL(r.url).pathname));
  for (const old of keys.slice(0, Math.max(0, keys.length - limit))) {
    if (pattern === MONTH) {
      const month = await cache.match(old);
      const items = month ? /** @type {{ items: { id: string }[] }} */ (await month.json()).items : [];
      await Promise.all(items.map((i) => cache.delete(`/drive/thumb/${i.id}`)));
    }
    await cache.delete(old);
  }
  return response;
};
