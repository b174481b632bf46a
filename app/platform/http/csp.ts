/**
 * The pages' Content-Security-Policy (app/platform/http/security.ts sends it on every response). A module of its own,
 * importing nothing: services read it too (app/maps), and the admin CLI loads services, never a view (it runs from
 * any folder, where Bun would not know how to compile the views' JSX).
 */
export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");
