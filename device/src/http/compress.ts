import { gzipSync } from 'node:zlib';
import type { Context, MiddlewareHandler } from 'hono';
import { requestHeader } from './request-header.js';
import { baseHeaders } from './security-headers.js';

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
    const gzipOk = /\bgzip\b/.test(requestHeader(c, 'accept-encoding') ?? '');
    let viaJson = false;
    const body = c.body;
    // A handler that sets headers of its own (a cookie) has them in Hono's prepared headers,
    // which only Hono's own c.body merges in.
    let ownHeaders = false;
    const header = c.header;
    c.header = ((...args: Parameters<Context['header']>) => {
      ownHeaders = true;
      return header(...args);
    }) as Context['header'];
    c.json = ((object: unknown, arg?: number | ResponseInit, headers?: Record<string, string | string[]>) => {
      viaJson = true;
      const text = JSON.stringify(object);
      const h: Record<string, string | string[]> = { ...baseHeaders(c.get('requestId') as string | undefined), 'content-type': 'application/json', ...headers };
      c.set('headersComplete' as never, true as never);
      let payload: string | Buffer = text;
      if (text.length >= threshold) {
        // A large answer depends on Accept-Encoding, so caches must know it.
        h.vary = 'Accept-Encoding';
        if (gzipOk) {
          h['content-encoding'] = 'gzip';
          payload = gzipSync(text, { level: 6 });
        }
      }
      // Most answers: a plain object of headers, which @hono/node-server writes as it is.
      if (typeof arg === 'number' && !ownHeaders && !headers) return new Response(payload as string, { status: arg, headers: h as Record<string, string> });
      return body(payload as never, arg as never, h);
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
