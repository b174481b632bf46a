// Nextcloud's OCS envelope, as its apps read it: XML unless the request asks for JSON (`format=json` or an Accept of
// application/json), `<ocs><meta>…</meta><data>…</data></ocs>`, list items as `<element>`. v1 answers every refusal
// but 401 and 429 with HTTP 200 and the code in `meta.statuscode` (100 for OK); v2 with the HTTP status itself (200).
import { esc } from "./xml";

export type OcsVersion = "v1.php" | "v2.php";
type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

/** The version an OCS address names (`/ocs/v1.php/…`); v2 when it names none. */
export const ocsVersionOf = (request: Request): OcsVersion => (new URL(request.url).pathname.startsWith("/ocs/v1.php/") ? "v1.php" : "v2.php");

function wantsJson(request: Request): boolean {
  const format = new URL(request.url).searchParams.get("format");
  if (format) return format.toLowerCase() === "json";
  return (request.headers.get("accept") ?? "").includes("application/json");
}

/** PHP's XMLWriter as Nextcloud drives it: null is an empty element, true is "1", false is empty, lists are `<element>`s. */
function toXml(key: string, value: Value, indent: string): string {
  if (value === null || value === false || value === "") return `${indent}<${key}/>\n`;
  if (Array.isArray(value)) return `${indent}<${key}>\n${value.map((v) => toXml("element", v, `${indent} `)).join("")}${indent}</${key}>\n`;
  if (typeof value === "object")
    return `${indent}<${key}>\n${Object.entries(value)
      .map(([k, v]) => toXml(k, v, `${indent} `))
      .join("")}${indent}</${key}>\n`;
  return `${indent}<${key}>${esc(value === true ? "1" : String(value))}</${key}>\n`;
}

/** An OCS answer: `status` 200 for OK, else the refusal's HTTP status (404, 403, 400…) with its sentence. */
export function ocsResponse(request: Request, status: number, message: string, data: Value, headers: Record<string, string> = {}): Response {
  const v1 = ocsVersionOf(request) === "v1.php";
  const ok = status >= 200 && status < 300;
  const meta = { status: ok ? "ok" : "failure", statuscode: ok ? (v1 ? 100 : 200) : status, message, totalitems: "", itemsperpage: "" };
  const http = ok ? 200 : v1 && status !== 401 && status !== 429 ? 200 : status;
  if (wantsJson(request)) return Response.json({ ocs: { meta, data } }, { status: http, headers });
  const body = `<?xml version="1.0"?>\n<ocs>\n${toXml("meta", meta, " ")}${toXml("data", data, " ")}</ocs>\n`;
  return new Response(body, { status: http, headers: { ...headers, "content-type": "text/xml; charset=UTF-8" } });
}
