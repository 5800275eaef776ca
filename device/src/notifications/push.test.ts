import { execFileSync } from 'node:child_process';
import { createECDH, createPublicKey, randomBytes, verify, type ECDH } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, createServer, type Server } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ece from 'http_ece';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caller, makeApp, makeCore, withMembers, type TestCore, closeAfterEach } from '../test-support.js';
import type { PushPayload } from './push.js';

/**
 * A push service as the browser makers run one (RFC 8030), on loopback with
 * its own certificate: it takes the hub's POST, checks its VAPID token
 * (RFC 8292) and decrypts the message with the keys the "phone" made
 * (RFC 8291), as the phone itself would.
 */
let certDir = '';
let agent: Agent;
let key: Buffer;
let cert: Buffer;
beforeAll(() => {
  certDir = mkdtempSync(join(tmpdir(), 'hyphae-push-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      join(certDir, 'key.pem'),
      '-out',
      join(certDir, 'cert.pem'),
      '-days',
      '2',
      '-subj',
      '/CN=push.test',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  key = readFileSync(join(certDir, 'key.pem'));
  cert = readFileSync(join(certDir, 'cert.pem'));
  // The hub trusts this service the way it trusts Google's or Mozilla's: through its TLS agent.
  agent = new Agent({ ca: cert });
});
afterAll(() => rmSync(certDir, { recursive: true, force: true }));

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

async function pushService(answers: number[] = []) {
  const got: Received[] = [];
  const server: Server = createServer({ key, cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      got.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(answers.shift() ?? 201).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, got, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** What a browser makes when it subscribes: a P-256 key pair and a 16-byte auth secret. */
function phone(origin: string, name: string) {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = randomBytes(16);
  return {
    ecdh,
    auth,
    sub: { endpoint: `${origin}/push/${name}`, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') } },
  };
}

function decrypt(r: Received, p: { ecdh: ECDH; auth: Buffer }): PushPayload {
  expect(r.headers['content-encoding']).toBe('aes128gcm');
  return JSON.parse(
    ece.decrypt(r.body, { version: 'aes128gcm', privateKey: p.ecdh, authSecret: p.auth.toString('base64url') }).toString('utf8'),
  ) as PushPayload;
}

/** The VAPID check a push service makes: "vapid t=<ES256 JWT>, k=<the hub's public key>". */
function vapidClaims(h: IncomingHttpHeaders): { claims: Record<string, unknown>; k: string } {
  const m = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+), k=([\w-]+)$/.exec(String(h.authorization));
  expect(m, String(h.authorization)).not.toBeNull();
  const [head, payload, sig] = m![1]!.split('.') as [string, string, string];
  const raw = Buffer.from(m![2]!, 'base64url');
  const pub = createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33, 65).toString('base64url') },
    format: 'jwk',
  });
  expect(JSON.parse(Buffer.from(head, 'base64url').toString())).toMatchObject({ alg: 'ES256' });
  expect(verify('sha256', Buffer.from(`${head}.${payload}`), { key: pub, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig, 'base64url'))).toBe(true);
  return { claims: JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>, k: m![2]! };
}

let core: TestCore | undefined;
const closeLater = closeAfterEach();

async function setup(opts: { publicUrl?: string; answers?: number[] } = {}) {
  core = makeCore({ hub: { publicUrl: opts.publicUrl ?? 'https://hub.example.org' } });
  closeLater(core.cleanup);
  core.push.options = { ...core.push.options, agent, allowLoopback: true, backoffMs: () => 0 };
  const svc = await pushService(opts.answers);
  closeLater(svc.close);
  const { id, tok } = await withMembers(core, { stew: 'steward', ana: 'resident', bo: 'resident' });
  return { svc, id, call: caller(makeApp(core), tok) };
}

describe('Web Push', () => {
  it('without an https:// public address the hub says push is not available and refuses a subscription', async () => {
    const { svc, call } = await setup({ publicUrl: 'http://10.42.0.1' });
    expect((await call('bo', 'GET', '/api/v1/notifications/push')).json).toMatchObject({ available: false, publicKey: null, subscriptions: [] });
    expect((await call('bo', 'GET', '/api/v1/notifications/preferences')).json.pushAvailable).toBe(false);
    const refused = await call('bo', 'POST', '/api/v1/notifications/push/subscriptions', { ...phone(svc.origin, 'bo').sub, lang: 'en' });
    expect(refused.status).toBe(422);
    expect(refused.type).toContain('application/problem+json');
    expect(refused.json.title).toBe('Push is not available');
  });

  it("a payment to a member reaches their phone: VAPID-signed, encrypted for that phone, with the facts to word it in the phone's language", async () => {
    const { svc, id, call } = await setup();
    const status = await call('bo', 'GET', '/api/v1/notifications/push');
    expect(status.json.available).toBe(true);
    const publicKey = status.json.publicKey as string;
    expect(Buffer.from(publicKey, 'base64url')).toHaveLength(65);
    const p = phone(svc.origin, 'bo-phone');
    const made = await call('bo', 'POST', '/api/v1/notifications/push/subscriptions', { ...p.sub, lang: 'sv' });
    expect(made.status).toBe(201);
    expect(made.json).toMatchObject({ memberId: id.bo, lang: 'sv', endpointHost: new URL(svc.origin).host });
    expect(made.json.keys).toBeUndefined();
    // Once a phone takes alerts, kinds the member has not chosen for go to it.
    const prefs = (await call('bo', 'GET', '/api/v1/notifications/preferences')).json as {
      pushAvailable: boolean;
      kinds: Array<{ kind: string; channel: string }>;
    };
    expect(prefs.pushAvailable).toBe(true);
    expect(prefs.kinds.find((k) => k.kind === 'paid')?.channel).toBe('push');

    expect((await call('ana', 'POST', '/api/v1/transfers', { payee: id.bo, amount: 1250, memo: 'bread' })).status).toBe(201);
    expect(core!.push.pending()).toBe(1);
    await core!.push.kick();
    expect(svc.got).toHaveLength(1);
    const r = svc.got[0]!;
    expect(r.path).toBe('/push/bo-phone');
    expect(r.headers.ttl).toBe('86400');
    expect(r.headers.urgency).toBe('normal');
    const { claims, k } = vapidClaims(r.headers);
    expect(k).toBe(publicKey.replace(/=+$/, ''));
    expect(claims.aud).toBe(svc.origin);
    expect(claims.sub).toBe('https://hub.example.org');
    expect(claims.exp as number).toBeGreaterThan(Date.now() / 1000);
    expect(claims.exp as number).toBeLessThanOrEqual(Date.now() / 1000 + 24 * 3600);
    const msg = decrypt(r, p);
    expect(msg).toMatchObject({
      v: 1,
      kind: 'paid',
      lang: 'sv',
      ref: 'history/credit',
      params: { from: id.ana, amount: 1250, memo: 'bread' },
      currency: { symbol: 'HC', minorUnits: 2 },
    });
    expect(msg.names[id.ana!]).toBe('ana');
    expect(msg.text).toContain('12.50 HC');
    expect(core!.push.pending()).toBe(0);
    expect((await call('bo', 'GET', '/api/v1/notifications/push')).json.subscriptions[0].lastOkAt).toBe(core!.clock.now());
    // The same key next time: a new one would break every phone's subscription.
    expect((await call('bo', 'GET', '/api/v1/notifications/push')).json.publicKey).toBe(publicKey);
  });

  it('a member who chose the inbox for a kind gets no alert for it, but an emergency alerts every phone, urgently and for longer', async () => {
    const { svc, id, call } = await setup();
    const p = phone(svc.origin, 'bo');
    await call('bo', 'POST', '/api/v1/notifications/push/subscriptions', { ...p.sub, lang: 'en' });
    expect((await call('bo', 'PUT', '/api/v1/notifications/preferences', { channels: { paid: 'inbox' } })).status).toBe(200);
    await call('ana', 'POST', '/api/v1/transfers', { payee: id.bo, amount: 100 });
    expect(core!.push.pending()).toBe(0);
    expect((await call('stew', 'POST', '/api/v1/crisis', { note: 'Flood on the low road' })).status).toBe(201);
    await core!.push.kick();
    expect(svc.got).toHaveLength(1);
    expect(svc.got[0]!.headers.urgency).toBe('high');
    expect(svc.got[0]!.headers.ttl).toBe(String(3 * 86_400));
    expect(decrypt(svc.got[0]!, p)).toMatchObject({ kind: 'emergency-declared', params: { note: 'Flood on the low road' } });
  });

  it('a push service that fails is tried again; one that says the subscription is gone (410) ends it', async () => {
    const { svc, id, call } = await setup({ answers: [500, 201, 410] });
    const p = phone(svc.origin, 'bo');
    await call('bo', 'POST', '/api/v1/notifications/push/subscriptions', { ...p.sub, lang: 'en' });
    await call('ana', 'POST', '/api/v1/transfers', { payee: id.bo, amount: 100 });
    await core!.push.kick();
    expect(svc.got).toHaveLength(1);
    expect(core!.push.pending()).toBe(1); // 500: kept for another try
    await core!.push.kick();
    expect(svc.got).toHaveLength(2);
    expect(core!.push.pending()).toBe(0);
    expect(decrypt(svc.got[1]!, p).kind).toBe('paid');
    await call('ana', 'POST', '/api/v1/transfers', { payee: id.bo, amount: 100 });
    await core!.push.kick(); // 410 Gone
    expect(svc.got).toHaveLength(3);
    expect(core!.push.counts.gone).toBe(1);
    expect((await call('bo', 'GET', '/api/v1/notifications/push')).json.subscriptions).toEqual([]);
    // No phone takes alerts now: the inbox is the default again, and nothing waits.
    await call('ana', 'POST', '/api/v1/transfers', { payee: id.bo, amount: 100 });
    expect(core!.push.pending()).toBe(0);
    expect((await call('bo', 'GET', '/api/v1/notifications/unread-count')).json.unread).toBe(3);
  });

  it('nothing is sent until the clock is trusted: the VAPID token carries an expiry time', async () => {
    const { svc, id, call } = await setup();
    await call('bo', 'POST', '/api/v1/notifications/push/subscriptions', { ...phone(svc.origin, 'bo').sub, lang: 'en' });
    core!.clock.setTrusted(false);
    await call('ana', 'POST', '/api/v1/transfers', { payee: id.bo, amount: 100 });
    await core!.push.kick();
    expect(svc.got).toHaveLength(0);
    expect(core!.push.pending()).toBe(1);
    core!.clock.setTrusted(true);
    await core!.push.kick();
    expect(svc.got).toHaveLength(1);
  });

  it('refuses a subscription that is not a push service, names the field, and moves a phone to whoever signs in on it', async () => {
    const { svc, id, call } = await setup();
    const p = phone(svc.origin, 'shared');
    const bad = await call('bo', 'POST', '/api/v1/notifications/push/subscriptions', { ...p.sub, endpoint: 'http://push.example.org/x', lang: 'en' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toContain('endpoint');
    const badKey = await call('bo', 'POST', '/api/v1/notifications/push/subscriptions', {
      ...p.sub,
      keys: { p256dh: 'short', auth: p.sub.keys.auth },
      lang: 'en',
    });
    expect(badKey.status).toBe(400);
    expect(JSON.stringify(badKey.json)).toContain('p256dh');
    core!.push.options = { ...core!.push.options, allowLoopback: false };
    expect((await call('bo', 'POST', '/api/v1/notifications/push/subscriptions', { ...p.sub, lang: 'en' })).json.detail).toContain('not on the hub itself');
    core!.push.options = { ...core!.push.options, allowLoopback: true };

    await call('bo', 'POST', '/api/v1/notifications/push/subscriptions', { ...p.sub, lang: 'en' });
    await call('ana', 'POST', '/api/v1/notifications/push/subscriptions', { ...p.sub, lang: 'es' });
    expect((await call('bo', 'GET', '/api/v1/notifications/push')).json.subscriptions).toEqual([]);
    const anas = (await call('ana', 'GET', '/api/v1/notifications/push')).json.subscriptions as Array<{ id: string; lang: string }>;
    expect(anas).toHaveLength(1);
    expect(anas[0]!.lang).toBe('es');
    await call('bo', 'POST', '/api/v1/transfers', { payee: id.ana, amount: 100 });
    expect(core!.push.pending()).toBe(1);
    // Turning alerts off drops what waited for that phone.
    expect((await call('bo', 'DELETE', `/api/v1/notifications/push/subscriptions/${anas[0]!.id}`)).status).toBe(404);
    expect((await call('ana', 'DELETE', `/api/v1/notifications/push/subscriptions/${anas[0]!.id}`)).status).toBe(204);
    expect(core!.push.pending()).toBe(0);
  });
});
