import type { AlertRow } from "./repo";

/** What the admin's phone shows: ntfy reads Title/Priority/Tags from headers and the body as the message. */
export type AlertNotice = Pick<AlertRow, "severity" | "message" | "code" | "subject">;

/**
 * POSTs one alert to the admin's webhook (an ntfy topic URL, or any endpoint that takes a plain-text POST).
 * Resolves when the receiver answered 2xx; throws with a short reason otherwise (refused, timeout, HTTP status).
 */
export async function postAlert(url: string, alert: AlertNotice, deviceName: string, fetchImpl: typeof fetch = fetch): Promise<void> {
  let res: Response;
  try {
    res = await fetchImpl(url, {
      method: "POST",
      headers: {
        "content-type": "text/plain; charset=utf-8",
        // Header values must be ASCII (ntfy decodes RFC 2047 for more); the body carries the full text.
        title: `${deviceName}: ${alert.severity === "critical" ? "critical alert" : "warning"}`.replace(/[^\x20-\x7e]/g, "?"),
        priority: alert.severity === "critical" ? "urgent" : "high",
        tags: alert.severity === "critical" ? "rotating_light" : "warning",
        "x-nas-alert": `${alert.code} ${alert.subject}`.replace(/[^\x20-\x7e]/g, "?"),
      },
      body: alert.message,
      redirect: "error",
      signal: AbortSignal.timeout(10_000),
    });
  } catch (e) {
    const reason = (e as Error).name === "TimeoutError" ? "no answer within 10 s" : (e as Error).message;
    throw new Error(`could not reach ${new URL(url).host}: ${reason}`);
  }
  await res.body?.cancel();
  if (!res.ok) throw new Error(`${new URL(url).host} answered HTTP ${res.status}`);
}
