// Failures as native clients read them: WebDAV paths get RFC 4918 XML (Sabre's `<s:message>`, which Nextcloud's
// clients show) and a Basic challenge on 401; the Nextcloud JSON endpoints get JSON. Wired into the one error
// handler (app/http/errors.ts), so refusals before the handler (a wrong app password, throttling) look the same.
import { esc } from "./xml";
import { ocsResponse } from "./ocs";

const DAV_PATH = /^\/(dav(\/|$)|remote\.php\/)/;
/** Nextcloud's sharing API: its apps read a refusal from the OCS envelope (app/dav/ocs.ts). */
const OCS_SHARES_PATH = /^\/ocs\/v[12]\.php\/apps\/files_sharing\//;
const CLIENT_JSON_PATH = /^\/(ocs\/|status\.php$|index\.php\/(login\/v2(\/poll)?$|core\/|204$))/;

export function clientErrorResponse(request: Request, error: unknown, status: number, message: string, realm: string): Response | null {
  const path = new URL(request.url).pathname;
  const headers: Record<string, string> = {};
  const retryAfter = (error as { retryAfterSeconds?: number }).retryAfterSeconds;
  if (retryAfter) headers["retry-after"] = String(retryAfter);
  if (status === 401) headers["www-authenticate"] = `Basic realm="${realm.replace(/["\\]/g, "")}", charset="UTF-8"`;
  if (DAV_PATH.test(path)) {
    // RFC 4331: over quota is 507 Insufficient Storage for WebDAV clients (Drive says 413 to the web).
    const code = status === 413 && /quota/i.test(message) ? 507 : status;
    const condition = (error as { davCondition?: string }).davCondition ?? "";
    const lockRoot = (error as { lockRoot?: string }).lockRoot;
    const locked = lockRoot ? `<d:lock-token-submitted><d:href>${esc(lockRoot)}</d:href></d:lock-token-submitted>` : "";
    const body =
      request.method === "HEAD"
        ? null
        : `<?xml version="1.0" encoding="utf-8"?>\n<d:error xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns">${condition}${locked}<s:message>${esc(message)}</s:message></d:error>`;
    return new Response(body, { status: code, headers: { ...headers, "content-type": "application/xml; charset=utf-8" } });
  }
  if (OCS_SHARES_PATH.test(path)) return ocsResponse(request, status, message, [], headers);
  if (CLIENT_JSON_PATH.test(path)) return Response.json({ error: message }, { status, headers });
  return null;
}
