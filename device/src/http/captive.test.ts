import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeCore, type TestCore } from '../test-support.js';
import { coreDeps, createApp } from './app.js';
import { CaptivePortal } from './captive.js';
import type { App } from './context.js';
import { silentLogger } from '../log.js';

let core: TestCore;
let app: App;
let portal: CaptivePortal;
beforeEach(async () => {
  core = makeCore();
  portal = new CaptivePortal(core.clock);
  app = createApp({ ...coreDeps(core, silentLogger), version: 't', captive: portal });
  await core.members.create({ name: 'Ana', email: 'ana@example.org', password: 'longenough' }, null);
});
afterEach(() => core.cleanup());

// Each operating system's probe, asked of whatever host it believes it is talking to.
const PROBES = [
  { host: 'connectivitycheck.gstatic.com', path: '/generate_204', ok: (r: Response, body: string) => r.status === 204 && body === '' },
  { host: 'clients3.google.com', path: '/generate_204', ok: (r: Response) => r.status === 204 },
  { host: 'captive.apple.com', path: '/hotspot-detect.html', ok: (_r: Response, body: string) => body.includes('<TITLE>Success</TITLE>') },
  { host: 'www.apple.com', path: '/library/test/success.html', ok: (_r: Response, body: string) => body.includes('Success') },
  { host: 'www.msftconnecttest.com', path: '/connecttest.txt', ok: (_r: Response, body: string) => body === 'Microsoft Connect Test' },
  { host: 'www.msftncsi.com', path: '/ncsi.txt', ok: (_r: Response, body: string) => body === 'Microsoft NCSI' },
  { host: 'detectportal.firefox.com', path: '/canonical.html', ok: (_r: Response, body: string) => body.includes('captive-portal') },
  { host: 'detectportal.firefox.com', path: '/success.txt', ok: (_r: Response, body: string) => body === 'success\n' },
];

async function probeAll() {
  return Promise.all(
    PROBES.map(async (p) => {
      const r = await app.request(`http://${p.host}${p.path}`, { headers: { host: p.host } });
      return { p, r, body: await r.text() };
    }),
  );
}

describe('captive portal', () => {
  it('sends every probe to the console until the phone signs in, then answers as each OS expects', async () => {
    for (const { p, r } of await probeAll()) {
      expect(r.status, p.path).toBe(302);
      expect(r.headers.get('location')).toBe('http://10.42.0.1/');
    }
    const api = await app.request('http://apple.com/captive-portal/api', { headers: { host: 'apple.com' } });
    expect(api.headers.get('content-type')).toBe('application/captive+json');
    expect(await api.json()).toMatchObject({ captive: true, 'user-portal-url': 'http://10.42.0.1/' });

    const signIn = await app.request('http://10.42.0.1/api/v1/sessions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ana@example.org', password: 'longenough' }),
    });
    expect(signIn.status).toBe(200);
    for (const { p, r, body } of await probeAll()) expect(p.ok(r, body), `${p.host}${p.path}`).toBe(true);
    expect(await (await app.request('http://x/captive-portal/api')).json()).toMatchObject({ captive: false });
  });

  it('releases a phone whose owner presses continue without signing in', async () => {
    expect((await app.request('http://connectivitycheck.gstatic.com/generate_204')).status).toBe(302);
    expect((await app.request('http://10.42.0.1/captive-portal/continue', { method: 'POST' })).status).toBe(204);
    expect((await app.request('http://connectivitycheck.gstatic.com/generate_204')).status).toBe(204);
    core.clock.advance(25 * 3_600_000);
    expect((await app.request('http://connectivitycheck.gstatic.com/generate_204')).status).toBe(302);
  });

  it('a failed sign-in releases nothing', async () => {
    await app.request('http://10.42.0.1/api/v1/sessions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ana@example.org', password: 'wrong-password' }),
    });
    expect(portal.isReleased('in-process')).toBe(false);
  });
});
