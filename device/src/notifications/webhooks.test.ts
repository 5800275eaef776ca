import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { caller, makeApp, makeCore, withMembers, type TestCore, closeAfterEach } from '../test-support.js';
import { DEFAULT_WEBHOOK_OPTIONS } from './webhooks.js';

/** A real HTTP endpoint on loopback that answers as told and keeps what it was sent. */
async function receiver(answers: number[] = []) {
  const got: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.writeHead(answers.shift() ?? 200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, got, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** What an endpoint does with the headers: recompute the HMAC over "<timestamp>.<body>" and compare in constant time. */
function verify(secret: string, h: IncomingHttpHeaders, body: string): boolean {
  const want = Buffer.from(
    `sha256=${createHmac('sha256', secret)
      .update(`${String(h['x-hyphae-timestamp'])}.${body}`)
      .digest('hex')}`,
  );
  const have = Buffer.from(String(h['x-hyphae-signature']));
  return want.length === have.length && timingSafeEqual(want, have);
}

let core: TestCore | undefined;
const closeLater = closeAfterEach();

async function setup(answers: number[] = []) {
  core = makeCore();
  closeLater(core.cleanup);
  core.webhooks.hubId = 'hub-test';
  // No waiting between attempts here; the policy itself is checked below.
  core.webhooks.options = { ...DEFAULT_WEBHOOK_OPTIONS, backoffMs: () => 0, maxAttempts: 4, disableAfter: 6, membersMayUseLoopback: true };
  const r = await receiver(answers);
  closeLater(r.close);
  const { id, tok } = await withMembers(core, { stew: 'steward', ana: 'resident', bo: 'resident' });
  return { r, id, call: caller(makeApp(core), tok) };
}

describe('webhooks', () => {
  it("a stewards' hook receives community events signed with HMAC-SHA256, and never a member's own", async () => {
    const { r, id, call } = await setup();
    const refused = await call('stew', 'POST', '/api/v1/webhooks', { url: r.url, kinds: ['emergency-declared', 'paid'] });
    expect(refused.status).toBe(400);
    expect(refused.type).toContain('application/problem+json');
    expect(refused.json.detail).toContain('paid');
    const made = await call('stew', 'POST', '/api/v1/webhooks', { url: r.url, kinds: ['emergency-declared', 'proposal-opened'] });
    expect(made.status).toBe(201);
    const secret = made.json.secret as string;
    expect((await call('stew', 'GET', '/api/v1/webhooks')).json[0].secret).toBeUndefined(); // shown once
    await core!.ledger.pay({ payer: id.ana!, payee: id.bo!, amount: 100, actor: id.ana! });
    await core!.board.declareCrisis(id.stew!, { note: 'flood', places: ['Mill Lane'] });
    await core!.webhooks.kick();
    expect(r.got).toHaveLength(1);
    const [d] = r.got;
    expect(d!.headers['x-hyphae-event']).toBe('emergency-declared');
    expect(verify(secret, d!.headers, d!.body)).toBe(true);
    expect(verify('another-secret-entirely', d!.headers, d!.body)).toBe(false);
    expect(JSON.parse(d!.body)).toMatchObject({
      hub: 'hub-test',
      kind: 'emergency-declared',
      params: { note: 'flood', places: ['Mill Lane'] },
      text: 'Emergency declared for Mill Lane: flood',
    });
    expect(core!.webhooks.pending()).toBe(0);
  });

  it("a resident's hook cannot point at the hub itself; a steward's may", async () => {
    const { call } = await setup();
    core!.webhooks.options = { ...core!.webhooks.options, membersMayUseLoopback: false };
    for (const url of ['http://127.0.0.1:8080/api/v1/transfers', 'http://localhost/x', 'http://[::1]:80/', 'http://169.254.169.254/latest']) {
      const refused = await call('bo', 'POST', '/api/v1/webhooks', { url, kinds: ['paid'] });
      expect(refused.status).toBe(400);
      expect(refused.json.field).toBe('url');
    }
    expect((await call('bo', 'POST', '/api/v1/webhooks', { url: 'http://192.168.4.20:1880/hyphae', kinds: ['paid'] })).status).toBe(201); // Node-RED on the mesh
    expect((await call('stew', 'POST', '/api/v1/webhooks', { url: 'http://127.0.0.1:1880/hyphae', kinds: ['emergency-declared'] })).status).toBe(201);
  });

  it("a member's own hook receives their own payments only", async () => {
    const { r, id, call } = await setup();
    const made = await call('bo', 'POST', '/api/v1/webhooks', { url: r.url, kinds: ['paid'] });
    expect(made.status).toBe(201);
    expect(made.json.owner).toBe(id.bo);
    expect((await call('bo', 'POST', '/api/v1/webhooks', { url: r.url, kinds: ['storage-low'] })).status).toBe(400); // stewards' news
    await core!.ledger.pay({ payer: id.ana!, payee: id.bo!, amount: 250, memo: 'eggs', actor: id.ana! });
    await core!.ledger.pay({ payer: id.bo!, payee: id.ana!, amount: 50, actor: id.bo! }); // Ana's, not Bo's
    await core!.webhooks.kick();
    expect(r.got.map((g) => JSON.parse(g.body).params)).toEqual([{ from: id.ana, amount: 250, unit: 'credit', memo: 'eggs' }]);
    // Ana cannot see or remove Bo's hook.
    expect((await call('ana', 'GET', '/api/v1/webhooks')).json).toEqual([]);
    expect((await call('ana', 'DELETE', `/api/v1/webhooks/${made.json.id}`)).status).toBe(404);
  });

  it('retries a failing endpoint, logs every attempt, and delivers once it answers', async () => {
    const { r, id, call } = await setup([500, 503]);
    const made = await call('stew', 'POST', '/api/v1/webhooks', { url: r.url, kinds: ['proposal-opened'] });
    await core!.governance.propose(id.ana!, { kind: 'text', title: 'Benches by the pond', rationale: 'rest' });
    for (let i = 0; i < 3; i++) await core!.webhooks.kick();
    expect(r.got).toHaveLength(3);
    expect(new Set(r.got.map((g) => g.headers['x-hyphae-delivery'])).size).toBe(1); // the same delivery each time
    const attempts = (await call('stew', 'GET', `/api/v1/webhooks/${made.json.id}/attempts`)).json;
    expect(attempts.map((a: { attempt: number; ok: boolean; status: number }) => [a.attempt, a.ok, a.status])).toEqual([
      [3, true, 200],
      [2, false, 503],
      [1, false, 500],
    ]);
    expect(core!.webhooks.pending()).toBe(0);
  });

  it('gives a delivery up after its attempts, and turns a hook off after failures in a row, telling the stewards', async () => {
    const { r, id, call } = await setup(Array(20).fill(500));
    const made = await call('stew', 'POST', '/api/v1/webhooks', { url: r.url, kinds: ['proposal-opened'] });
    await core!.governance.propose(id.ana!, { kind: 'text', title: 'One', rationale: 'x' });
    await core!.governance.propose(id.ana!, { kind: 'text', title: 'Two', rationale: 'x' });
    for (let i = 0; i < 10; i++) await core!.webhooks.kick();
    expect(core!.webhooks.counts.givenUp).toBe(1); // four attempts for the first
    const hook = core!.webhooks.get(made.json.id);
    expect(hook).toMatchObject({ enabled: false, failuresInRow: 6 });
    expect(hook.disabledReason).toContain('answered 500');
    expect(r.got).toHaveLength(6); // nothing more once it is off
    expect(core!.notifications.list(id.stew!).find((n) => n.kind === 'webhook-disabled')).toMatchObject({ params: { hookId: made.json.id, url: r.url } });
    // Turned on again, the waiting delivery goes out.
    expect((await call('stew', 'POST', `/api/v1/webhooks/${made.json.id}/enable`)).json.enabled).toBe(true);
    r.got.length = 0;
    await core!.webhooks.kick();
    expect(r.got).toHaveLength(1);
  });

  it('waits longer after each failure, up to an hour', () => {
    const b = DEFAULT_WEBHOOK_OPTIONS.backoffMs;
    expect([1, 2, 3, 4].map(b)).toEqual([10_000, 30_000, 90_000, 270_000]);
    expect(b(20)).toBe(3_600_000);
  });
});
