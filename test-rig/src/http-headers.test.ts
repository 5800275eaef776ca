import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubProcess, type HubProcess } from './hub-process.js';

/**
 * Every answer of a real hub (served by @hono/node-server, as on the card)
 * carries the security headers and its request id, whichever way it was made:
 * JSON with plain headers, gzipped JSON, a problem, a console file, a sign-in
 * that sets cookies.
 */
let hub: HubProcess;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hyphae-headers-'));
  hub = await startHubProcess({ dataDir: dir, env: { HYPHAE_ADMIN_EMAIL: 'steward@example.org', HYPHAE_ADMIN_PASSWORD: 'a long steward password' } });
});
afterAll(async () => {
  await hub.stop();
  rmSync(dir, { recursive: true, force: true });
});

function expectBase(res: Response, what: string, requestId?: string) {
  expect(res.headers.get('content-security-policy'), what).toContain("default-src 'self'");
  expect(res.headers.get('x-content-type-options'), what).toBe('nosniff');
  expect(res.headers.get('x-frame-options'), what).toBe('DENY');
  expect(res.headers.get('referrer-policy'), what).toBe('no-referrer');
  if (requestId) expect(res.headers.get('x-request-id'), what).toBe(requestId);
  else expect(res.headers.get('x-request-id'), what).toMatch(/^\S+$/);
}

describe('headers on every answer', () => {
  it('JSON, gzipped JSON, problems and console files', async () => {
    const health = await fetch(`${hub.url}/api/v1/health`, { headers: { 'x-request-id': 'probe-1' } });
    expect(health.status).toBe(200);
    expect(health.headers.get('content-type')).toBe('application/json');
    expectBase(health, 'health', 'probe-1');
    expect(((await health.json()) as { status: string }).status).toBe('ok');

    const doc = await fetch(`${hub.url}/api/v1/openapi.json`, { headers: { 'accept-encoding': 'gzip' } });
    expect(doc.headers.get('content-encoding')).toBe('gzip');
    expect(doc.headers.get('vary')).toBe('Accept-Encoding');
    expectBase(doc, 'openapi');
    expect(((await doc.json()) as { openapi: string }).openapi).toBe('3.1.0');

    const missing = await fetch(`${hub.url}/api/v1/no-such-thing`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    expectBase(missing, 'problem');

    const page = await fetch(`${hub.url}/`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expectBase(page, 'console page');
  });

  it('a sign-in sets its cookies beside the security headers', async () => {
    const res = await fetch(`${hub.url}/api/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'steward@example.org', password: 'a long steward password' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie().some((c) => c.startsWith('hyphae_session='))).toBe(true);
    expectBase(res, 'sign-in');
  });
});
