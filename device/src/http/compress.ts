import { gzipSync } from 'node:zlib';
import type { MiddlewareHandler } from 'hono';

/**
 * Gzips JSON and CSV answers of at least `threshold` bytes for clients that
 * accept it. Small answers go as they are: on a Raspberry Pi, compressing a
 * 200-byte balance costs more than it saves on the mesh. (Hono's own
 * middleware cannot tell a small answer from a large one when the length is
 * not set, so it compresses everything.)
 */
export function compressLarge(threshold = 2048): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const type = c.res.headers.get('content-type') ?? '';
    if (!/json|csv/.test(type) || c.res.headers.has('content-encoding') || !/\bgzip\b/.test(c.req.header('accept-encoding') ?? '')) return;
    const raw = Buffer.from(await c.res.arrayBuffer());
    const headers = new Headers(c.res.headers);
    headers.append('vary', 'Accept-Encoding');
    const status = c.res.status;
    // Hono copies the old response's headers onto a new one (a stale length among them): clear it first.
    c.res = undefined as unknown as Response;
    if (raw.length < threshold) {
      c.res = new Response(raw, { status, headers });
      return;
    }
    const gz = gzipSync(raw, { level: 6 });
    headers.set('content-encoding', 'gzip');
    headers.set('content-length', String(gz.length));
    c.res = new Response(gz, { status, headers });
  };
}
