import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gzipSync } from 'node:zlib';
import { OpenAPIHono } from '@hono/zod-openapi';
import { afterAll, describe, expect, it } from 'vitest';
import type { AppEnv } from './context.js';
import { registerConsole } from './console.js';

/** The console's files over a slow mesh: precompressed when the phone accepts it, the index for any other path. */
const dir = mkdtempSync(join(tmpdir(), 'hyphae-console-'));
const js = 'export const hello = "hyphae";\n'.repeat(200);
mkdirSync(join(dir, 'assets'));
writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Hyphae</title><script type="module" src="/assets/index.js"></script>');
writeFileSync(join(dir, 'assets', 'index.js'), js);
writeFileSync(join(dir, 'assets', 'index.js.gz'), gzipSync(js));
writeFileSync(join(dir, 'assets', 'index.js.br'), brotliCompressSync(js));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const app = new OpenAPIHono<AppEnv>();
registerConsole(app as never, dir, ['10.42.0.1', 'hub.example']);

describe('serving the console', () => {
  it('sends the brotli or gzip file when the browser accepts it, and the plain one otherwise', async () => {
    const br = await app.request('/assets/index.js', { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(br.headers.get('content-type')).toMatch(/javascript/);
    expect(br.headers.get('cache-control')).toContain('immutable');
    const body = Buffer.from(await br.arrayBuffer());
    expect(body.length).toBeLessThan(js.length / 10);
    expect(brotliDecompressSync(body).toString()).toBe(js);
    const gz = await app.request('/assets/index.js', { headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    const plain = await app.request('/assets/index.js');
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toBe(js);
  });

  it('answers any other path with the index, so a hijacked DNS name still opens the console', async () => {
    const r = await app.request('/some/where', { headers: { host: 'connectivitycheck.gstatic.com' } });
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('/assets/index.js');
  });

  it("lets phones keep the shell for a day under the hub's own names only, never under a hijacked one", async () => {
    for (const host of ['10.42.0.1', 'hub.example:8080', 'localhost:8080']) {
      const r = await app.request(`http://${host}/`);
      expect(r.headers.get('cache-control'), host).toBe('private, max-age=86400');
    }
    for (const host of ['example.com', 'captive.apple.com', '10.42.0.2']) {
      const r = await app.request(`http://${host}/`);
      expect(r.headers.get('cache-control'), host).toBe('no-cache');
    }
  });
});

describe('compressing API answers', () => {
  it('gzips a large JSON answer for a client that accepts it, and leaves small ones alone', async () => {
    const { makeApp, makeCore } = await import('../test-support.js');
    const core = makeCore();
    try {
      const api = makeApp(core);
      const big = await api.request('/api/v1/openapi.json', { headers: { 'accept-encoding': 'gzip' } });
      expect(big.headers.get('content-encoding')).toBe('gzip');
      expect(JSON.parse(await new Response(big.body!.pipeThrough(new DecompressionStream('gzip'))).text())).toHaveProperty('openapi');
      const small = await api.request('/api/v1/health', { headers: { 'accept-encoding': 'gzip' } });
      expect(small.headers.get('content-encoding')).toBeNull();
      expect(small.headers.get('x-request-id')).toMatch(/^[\w-]{6,}$/);
      // A CSV export, read back after its handler; and the same history as JSON, decided as it is made.
      const a = (await core.members.create({ name: 'A', email: 'a@example.org', role: 'steward' }, null)).id;
      const b = (await core.members.create({ name: 'B', email: 'b@example.org' }, null)).id;
      for (let i = 0; i < 60; i++) await core.ledger.pay({ payer: a, payee: b, amount: 100 + i, memo: `load ${i} of compost`, actor: a });
      const token = (await core.members.createToken(a, 't')).token;
      for (const format of ['csv', 'json']) {
        const r = await api.request(`/api/v1/accounts/${b}/history/export?format=${format}`, {
          headers: { authorization: `Bearer ${token}`, 'accept-encoding': 'gzip' },
        });
        expect(r.headers.get('content-encoding'), format).toBe('gzip');
        expect(r.headers.get('content-disposition')).toContain(`history.${format}`);
        expect(r.headers.get('vary')).toMatch(/accept-encoding/i);
        const text = await new Response(r.body!.pipeThrough(new DecompressionStream('gzip'))).text();
        expect(text).toContain('load 59 of compost');
        const plain = await api.request(`/api/v1/accounts/${b}/history/export?format=${format}`, { headers: { authorization: `Bearer ${token}` } });
        expect(plain.headers.get('content-encoding')).toBeNull();
        expect(await plain.text()).toBe(text);
      }
    } finally {
      await core.cleanup();
    }
  });
});
