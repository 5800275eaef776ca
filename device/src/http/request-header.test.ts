import { serve, type ServerType } from '@hono/node-server';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headersFromNode } from './request-header.js';

/**
 * Over Node's real HTTP server, Hono's validators read headers without @hono/node-server building a
 * web Headers object of the request (which cost about as much as the rest of a balance read).
 */
let server: ServerType;
let url: string;
/** Whether @hono/node-server built its Headers object for the last request (it keeps it under a symbol). */
let built: boolean | null = null;

beforeAll(async () => {
  const app = new OpenAPIHono();
  app.use('*', async (c, next) => {
    // x-plain asks for Hono's own way, to show what the other costs.
    if (!(c.env as { incoming: IncomingMessage }).incoming.headers['x-plain']) headersFromNode(c);
    await next();
    built = Object.getOwnPropertySymbols(c.req.raw).some((s) => s.description === 'headersKey');
  });
  const route = createRoute({
    method: 'post',
    path: '/things/{id}',
    request: {
      params: z.object({ id: z.string().min(2) }),
      query: z.object({ n: z.coerce.number().int() }),
      headers: z.object({ 'idempotency-key': z.string().min(4) }),
      body: { content: { 'application/json': { schema: z.object({ name: z.string() }) } }, required: true },
    },
    responses: { 200: { description: 'echo' } },
  });
  app.openapi(route, (c) =>
    c.json(
      { ...c.req.valid('param'), ...c.req.valid('query'), key: c.req.valid('header')['idempotency-key'], ...c.req.valid('json'), all: c.req.header() },
      200,
    ),
  );
  const read = createRoute({
    method: 'get',
    path: '/things/{id}',
    request: { params: route.request.params, query: route.request.query, headers: route.request.headers },
    responses: { 200: { description: 'echo' } },
  });
  app.openapi(read, (c) => c.json({ ...c.req.valid('param'), ...c.req.valid('query'), key: c.req.valid('header')['idempotency-key'] }, 200));
  server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const send = (headers: Record<string, string>, body = '{"name":"ladder"}', path = '/things/t1?n=3') =>
  fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

describe("Hono's header reads over Node", () => {
  it('validate params, query, headers and a JSON body from what Node parsed, in any case', async () => {
    const res = await send({ 'Idempotency-Key': 'key-1', 'X-Extra': 'yes' });
    expect(res.status).toBe(200);
    const got = (await res.json()) as Record<string, unknown>;
    expect(got).toMatchObject({ id: 't1', n: 3, key: 'key-1', name: 'ladder' });
    expect(got.all).toMatchObject({ 'idempotency-key': 'key-1', 'x-extra': 'yes', 'content-type': 'application/json' });
  });

  it('validate a GET without building web Headers', async () => {
    const res = await fetch(`${url}/things/t2?n=4`, { headers: { 'idempotency-key': 'key-4' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: 't2', n: 4, key: 'key-4' });
    expect(built).toBe(false);
  });

  it('refuses what the validators refuse, as before', async () => {
    expect((await send({ 'idempotency-key': 'k' })).status).toBe(400);
    expect((await send({ 'idempotency-key': 'key-2', 'content-type': 'text/plain' })).status).toBe(415);
    expect((await send({ 'idempotency-key': 'key-2' }, '{"name":')).status).toBe(400);
    expect((await send({ 'idempotency-key': 'key-2' }, '{"name":"x"}', '/things/t1?n=x')).status).toBe(400);
  });

  it('without it, the same GET builds web Headers (what this saves)', async () => {
    expect((await fetch(`${url}/things/t2?n=4`, { headers: { 'idempotency-key': 'key-5', 'x-plain': '1' } })).status).toBe(200);
    expect(built).toBe(true);
  });
});
