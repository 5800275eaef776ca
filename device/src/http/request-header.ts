import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

/**
 * A request header (its name in lower case), read from the headers Node has
 * already parsed when the hub serves over Node. Asking Hono's request
 * instead makes @hono/node-server build a web Headers object of the whole
 * request, with a validation per header: at thousands of requests a second
 * that was more than the lookup of a balance. In-process requests (tests'
 * `app.request`) have no Node request and go through Hono.
 */
export function requestHeader(c: Context, name: string): string | undefined {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming) return c.req.header(name);
  const v = incoming.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}
