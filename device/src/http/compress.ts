import { gzipSync } from 'node:zlib';
import type { Context, MiddlewareHandler } from 'hono';

/**
 * Gzips JSON and CSV answers of at least `threshold` bytes for clients that
 * accept it. Small answers go as they are: on a Raspberry Pi, compressing a
 * 200-byte balance costs more than it saves on the mesh. (Hono's own
 * middleware cannot tell a small answer from a large one when the length is
 * not set, so it compresses everything.)
 *
 * JSON, most of the API, is decided from the text as c.json makes it, before
 * any Response exists: reading a Response back (its headers or its body)
 * makes @hono/node-server build a full web Response and stream, which cost
 * more than the rest of a balance read. Other answers (CSV exports) are read
 * back after the handler.
 */
export function compressLarge(threshold = 2048): MiddlewareHandler {
  return async (c, next) => {
    const gzipOk = /\bgzip\b/.test(c.req.header('accept-encoding') ?? '');
    let viaJson = false;
    const body = c.body;
    c.json = ((object: unknown, arg?: number | ResponseInit, headers?: Record<string, string | string[]>) => {
      viaJson = true;
      const text = JSON.stringify(object);
      const h: Record<string, string | string[]> = { 'content-type': 'application/json', ...headers };
      if (text.length < threshold) return body(text, arg as never, h);
      // A large answer depends on Accept-Encoding, so caches must know it.
      h.vary = 'Accept-Encoding';
      if (!gzipOk) return body(text, arg as never, h);
      h['content-encoding'] = 'gzip';
      return body(gzipSync(text, { level: 6 }), arg as never, h);
    }) as unknown as Context['json'];
    await next();
    if (viaJson || !gzipOk) return;
    const type = c.res.headers.get('content-type') ?? '';
    if (!/json|csv/.test(type) || c.res.headers.has('content-encoding')) return;
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
