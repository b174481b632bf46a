// The server's JSON API from the browser: same-origin, the page's CSRF token on every change, the server's own
// sentence as the error.

/** The CSRF token the layout puts in every page (app/platform/http/context.ts). */
export const csrf = () => document.querySelector('meta[name="csrf-token"]')?.getAttribute("content") ?? "";

/**
 * GET `url` (no `body`) or POST `body` as JSON; resolves to the answer's JSON, rejects with the server's message.
 * @param {string} url
 * @param {unknown} [body]
 * @returns {Promise<any>}
 */
export async function api(url, body) {
  const res = await fetch(
    url,
    body === undefined
      ? { credentials: "same-origin", headers: { accept: "application/json" } }
      : {
          method: "POST",
          credentials: "same-origin",
          headers: { "content-type": "application/json", accept: "application/json", "x-csrf-token": csrf() },
          body: JSON.stringify(body),
        },
  );
  const data = await res.json().catch(() => ({ error: `The server answered ${res.status}.` }));
  if (!res.ok) throw new Error(data.error ?? `The server answered ${res.status}.`);
  return data;
}

/**
 * POST `body` (or nothing) as JSON.
 * @param {string} url
 * @param {unknown} [body]
 */
export const postJSON = (url, body) => api(url, body ?? {});
