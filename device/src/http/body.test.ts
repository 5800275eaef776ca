import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, makeCore, withMembers, type TestCore } from '../test-support.js';

/**
 * Request bodies through Node's real HTTP server, as phones send them: JSON
 * is read straight from Node's request (see app.ts), within the same limit as
 * everything else; other bodies go through Hono's body limit.
 */
let core: TestCore;
let server: ServerType;
let url: string;
let token: string;
let payee: string;
let other: string;
let builtHeaders: boolean | null = null;

beforeAll(async () => {
  core = makeCore({ http: { bodyLimitBytes: 4096 } });
  const m = await withMembers(core, { ana: 'steward', bo: 'resident', cy: 'resident' });
  token = m.tok.ana!;
  payee = m.id.bo!;
  other = m.id.cy!;
  const app = makeApp(core);
  // Whether @hono/node-server built the web Headers of the last request (it keeps them under a symbol).
  server = serve({
    fetch: async (req, env) => {
      const res = await app.fetch(req, env);
      builtHeaders = Object.getOwnPropertySymbols(req).some((s) => s.description === 'headersKey');
      return res;
    },
    port: 0,
    hostname: '127.0.0.1',
  });
  await new Promise((r) => server.once('listening', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await core.cleanup();
});

const post = (path: string, body: string, type = 'application/json') =>
  fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body });

describe('request bodies over real HTTP', () => {
  it("reads a balance and takes a payment without building the request's web Headers (Node's parsed ones serve)", async () => {
    const read = await fetch(`${url}/api/v1/accounts/${payee}`, { headers: { authorization: `Bearer ${token}` } });
    expect(read.status).toBe(200);
    expect(builtHeaders).toBe(false);
    const paid = await fetch(`${url}/api/v1/transfers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': 'body-test-1' },
      body: JSON.stringify({ payee: other, amount: 1, memo: 'tea' }),
    });
    expect(paid.status).toBe(201);
    expect(builtHeaders).toBe(false);
  });

  it('takes a JSON payment, and refuses malformed and oversized JSON with problem+json', async () => {
    const ok = await post('/api/v1/transfers', JSON.stringify({ payee, amount: 250, memo: 'ladder' }));
    expect(ok.status).toBe(201);
    expect(((await ok.json()) as { amount: number }).amount).toBe(250);
    const bad = await post('/api/v1/transfers', '{"payee": ');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/problem\+json/);
    const big = await post('/api/v1/transfers', JSON.stringify({ payee, amount: 1, memo: 'x'.repeat(10_000) }));
    expect(big.status).toBe(413);
    expect(((await big.json()) as { type: string }).type).toBe('urn:hyphae:problem:payload-too-large');
    // Sent in chunks with no length given, the limit still holds while reading.
    const chunked = await fetch(`${url}/api/v1/transfers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: new ReadableStream({
        start(ctl) {
          for (let i = 0; i < 10; i++) ctl.enqueue(new TextEncoder().encode(' '.repeat(1000)));
          ctl.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(core.ledger.account(payee).balance).toBe(250); // only the good one went through
  });

  it('still limits bodies that are not JSON', async () => {
    const r = await post('/api/v1/transfers', 'y'.repeat(10_000), 'text/plain');
    expect(r.status).toBe(413);
  });
});
