// The page's side of the service worker (views/static/sw.js, app/offline/README.md): registered by a signed-in page;
// everything it kept is deleted when the person signs out (here, before the form leaves, and by the box's
// Clear-Site-Data header on the answer) and on the sign-in page (a session that ended without signing out).

/** Deletes every cache this origin has (the app shell comes back on the next visit). */
export async function forgetKept() {
  if (!("caches" in window)) return;
  await Promise.all((await caches.keys()).map((name) => caches.delete(name)));
}

if ("serviceWorker" in navigator && window.isSecureContext) {
  if (document.body.classList.contains("signed-in")) {
    navigator.serviceWorker.register("/sw.js").catch((e) => console.warn(`The offline copy is not available: ${e instanceof Error ? e.message : e}`));
  }
  if (window.location.pathname === "/login") forgetKept().catch(() => {});
  for (const form of document.querySelectorAll('form[action="/logout"], form[action="/logout-all"]')) {
    form.addEventListener("submit", (e) => {
      if (!(form instanceof HTMLFormElement) || form.dataset.forgotten) return;
      e.preventDefault();
      form.dataset.forgotten = "1";
      forgetKept()
        .catch(() => {})
        .finally(() => form.submit());
    });
  }
}
