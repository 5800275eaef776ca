/**
 * Every answer, console and API alike: content only from the hub itself (no
 * inline script, nothing framed, no plug-ins), no type sniffing, and no
 * address leaking to other sites. Photos and QR codes are data: and blob:
 * images the console makes itself.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
export const SECURITY_HEADERS: Array<[string, string]> = [
  ['content-security-policy', CONTENT_SECURITY_POLICY],
  ['x-content-type-options', 'nosniff'],
  ['x-frame-options', 'DENY'],
  ['referrer-policy', 'no-referrer'],
];

/**
 * The headers every answer carries, as a plain object: a response made with
 * one is written by @hono/node-server as it is, where a web Headers object
 * costs a validation per header on every request.
 */
export function baseHeaders(requestId: string | undefined): Record<string, string> {
  const h: Record<string, string> = Object.fromEntries(SECURITY_HEADERS);
  if (requestId) h['x-request-id'] = requestId;
  return h;
}
