import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Context } from 'hono';

/** Node's parsed headers, when the hub serves over Node; in-process requests (tests' `app.request`) have none. */
function nodeHeaders(c: Context): IncomingHttpHeaders | undefined {
  return (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.headers;
}

/** A header as one string, as a web Headers object gives it. */
function joined(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(', ') : v;
}

/**
 * A request header (its name in lower case), read from the headers Node has
 * already parsed when the hub serves over Node. Asking Hono's request
 * instead makes @hono/node-server build a web Headers object of the whole
 * request, with a validation per header: at thousands of requests a second
 * that was more than the lookup of a balance. In-process requests (tests'
 * `app.request`) have no Node request and go through Hono.
 */
export function requestHeader(c: Context, name: string): string | undefined {
  const parsed = nodeHeaders(c);
  return parsed ? joined(parsed[name]) : c.req.header(name);
}

/**
 * Makes Hono's own header reads (c.req.header) read Node's parsed headers too. Hono's validators
 * ask for Content-Type on every validated route, and the header validator for all headers; on
 * @hono/node-server either builds the web Headers object described above. Node keeps the first of
 * a repeated header where a web Headers object would join them (Node's rule for Authorization,
 * Content-Type and the like); requestHeader has always read them so.
 */
export function headersFromNode(c: Context): void {
  const found = nodeHeaders(c);
  if (!found) return;
  const parsed: IncomingHttpHeaders = found;
  function header(name: string): string | undefined;
  function header(): Record<string, string>;
  function header(name?: string): string | undefined | Record<string, string> {
    if (name !== undefined) return joined(parsed[name.toLowerCase()]);
    const all: Record<string, string> = Object.create(null);
    for (const [k, v] of Object.entries(parsed)) {
      const value = joined(v);
      if (value !== undefined) all[k] = value;
    }
    return all;
  }
  Object.defineProperty(c.req, 'header', { value: header, configurable: true, writable: true });
}
