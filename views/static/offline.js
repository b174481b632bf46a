// The offline page (offline.html, app/offline/README.md): the timeline's months this phone kept (sw.js), newest
// first, their thumbnails from the same cache. Reads only the cache; text goes in with textContent.
/** The private cache, as views/static/sw.js names it (both change together). */
const KEPT = "kept-v1";
const MONTH = /\/photos\/api\/month\/(\d{4})-(\d{2})$/;

const el = (/** @type {string} */ tag, /** @type {string} */ cls, /** @type {string | undefined} */ text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

async function show() {
  const summary = document.getElementById("offline-summary");
  const host = document.getElementById("offline-months");
  if (!summary || !host) return;
  const cache = await caches.open(KEPT);
  const months = (await cache.keys())
    .map((r) => ({ request: r, m: MONTH.exec(new URL(r.url).pathname) }))
    .filter((x) => x.m)
    .sort((a, b) => (a.request.url < b.request.url ? 1 : -1));
  let shown = 0;
  for (const { request, m } of months) {
    const res = await cache.match(request);
    const items = res ? /** @type {{ items: { id: string; w: number; h: number }[] }} */ (await res.json()).items : [];
    const kept = [];
    for (const i of items) if (await cache.match(`/drive/thumb/${encodeURIComponent(i.id)}`)) kept.push(i);
    if (!kept.length) continue;
    const section = el("section", "offline-month");
    const [, year, month] = /** @type {RegExpExecArray} */ (m);
    section.appendChild(
      el("h2", "", new Date(Date.UTC(Number(year), Number(month) - 1, 1)).toLocaleDateString(undefined, { month: "long", year: "numeric", timeZone: "UTC" })),
    );
    const row = el("div", "offline-row");
    for (const i of kept) {
      const img = /** @type {HTMLImageElement} */ (el("img", "offline-thumb"));
      img.src = `/drive/thumb/${encodeURIComponent(i.id)}`;
      img.alt = "";
      img.width = Math.round((150 * i.w) / Math.max(1, i.h)) || 150;
      img.height = 150;
      row.appendChild(img);
      shown++;
    }
    section.appendChild(row);
    host.appendChild(section);
  }
  summary.textContent = shown
    ? `${shown} ${shown === 1 ? "photo" : "photos"} from the months last viewed. The rest are on the box.`
    : "Nothing was kept on this phone yet: open Photos while the box is reachable.";
}

document.getElementById("offline-retry")?.addEventListener("click", () => window.location.reload());
show().catch((e) => {
  const summary = document.getElementById("offline-summary");
  if (summary) summary.textContent = `What this phone kept could not be read (${e instanceof Error ? e.message : e}).`;
});
