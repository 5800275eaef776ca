import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeApp, makeCore, type TestCore } from '../test-support.js';
import type { App } from './context.js';

let core: TestCore;
let app: App;
let stewardToken: string;
let steward: string;

async function call(method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await app.request(path, {
    method,
    headers,
    body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body),
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, type: res.headers.get('content-type') ?? '', json, res };
}

async function resident(name: string, password?: string) {
  const r = await call('POST', '/api/v1/members', {
    token: stewardToken,
    body: { name, email: `${name.toLowerCase()}@example.org`, ...(password ? { password } : {}) },
  });
  expect(r.status).toBe(201);
  const { token } = await core.members.createToken(r.json.id, 'test');
  return { id: r.json.id as string, token };
}

function expectProblem(r: { status: number; type: string; json: any }, status: number, slug: string) {
  expect(r.status).toBe(status);
  expect(r.type).toContain('application/problem+json');
  expect(r.json.type).toBe(`urn:hyphae:problem:${slug}`);
  expect(typeof r.json.title).toBe('string');
  // A stable code beside the English, so that clients can say it in their own language.
  expect(r.json.reason).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
}

beforeEach(async () => {
  core = makeCore();
  app = makeApp(core);
  const s = await core.members.create({ name: 'Steward', email: 'steward@example.org', role: 'steward' }, null);
  steward = s.id;
  stewardToken = (await core.members.createToken(s.id, 'test')).token;
});
afterEach(() => core.cleanup());

describe('hub', () => {
  it('answers health without signing in', async () => {
    const r = await call('GET', '/api/v1/health');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ status: 'ok', version: '0.1.0' });
  });

  it('publishes an OpenAPI 3.1 document that lists the ledger paths', async () => {
    const r = await call('GET', '/api/v1/openapi.json');
    expect(r.json.openapi).toBe('3.1.0');
    for (const p of [
      '/api/v1/members',
      '/api/v1/accounts/{memberId}',
      '/api/v1/transfers',
      '/api/v1/requests',
      '/api/v1/sessions',
      '/api/v1/accounts/{memberId}/history',
    ])
      expect(Object.keys(r.json.paths)).toContain(p);
    expect(r.json.components.schemas.Problem).toBeTruthy();
    // Every moment says its unit, and every count says it is whole: one definition each (Millis, Int in schemas.ts).
    const { Transfer, Reservation, Invite } = r.json.components.schemas;
    for (const moment of [Transfer.properties.at, Reservation.properties.from, Invite.properties.expiresAt]) {
      expect(moment).toMatchObject({ type: 'integer', description: 'Milliseconds since 1970-01-01 UTC' });
    }
    expect(Transfer.properties.amount).toMatchObject({ type: 'integer' });
  });

  it('answers unknown paths with a problem', async () => {
    expectProblem(await call('GET', '/api/v1/nothing-here'), 404, 'not-found');
  });
});

describe('members, accounts and transfers over HTTP', () => {
  it('creates a member, pays them and shows both accounts', async () => {
    const ana = await resident('Ana');
    const bo = await resident('Bo');
    const acct = await call('GET', `/api/v1/accounts/${ana.id}`, { token: ana.token });
    expect(acct.status).toBe(200);
    expect(acct.json).toMatchObject({ memberId: ana.id, balance: 0, floor: -50_000, ceiling: 500_000 });
    expect(acct.json.hours).toMatchObject({ unit: 'hour', balance: 0 });

    const t = await call('POST', '/api/v1/transfers', { token: ana.token, body: { payee: bo.id, amount: 2500, memo: 'apples' } });
    expect(t.status).toBe(201);
    expect(t.json).toMatchObject({ payer: ana.id, payee: bo.id, amount: 2500, memo: 'apples' });
    expect((await call('GET', `/api/v1/accounts/${bo.id}`, { token: bo.token })).json.balance).toBe(2500);
    expect((await call('GET', `/api/v1/accounts/${ana.id}`, { token: ana.token })).json.balance).toBe(-2500);
    expect((await call('GET', `/api/v1/transfers/${t.json.id}`, { token: bo.token })).json.id).toBe(t.json.id);
  });

  it('lets a steward pay on behalf of a member, and nobody else', async () => {
    const ana = await resident('Ana');
    const bo = await resident('Bo');
    const s = await call('POST', '/api/v1/transfers', { token: stewardToken, body: { payer: ana.id, payee: bo.id, amount: 100 } });
    expect(s.status).toBe(201);
    expectProblem(await call('POST', '/api/v1/transfers', { token: bo.token, body: { payer: ana.id, payee: bo.id, amount: 100 } }), 403, 'forbidden');
  });

  it('honours Idempotency-Key: the same key gives the same transfer, another body gives 409', async () => {
    const ana = await resident('Ana');
    const bo = await resident('Bo');
    const body = { payee: bo.id, amount: 700 };
    const h = { 'idempotency-key': 'pay-1' };
    const a = await call('POST', '/api/v1/transfers', { token: ana.token, body, headers: h });
    const b = await call('POST', '/api/v1/transfers', { token: ana.token, body, headers: h });
    expect(b.json.id).toBe(a.json.id);
    expect((await call('GET', `/api/v1/accounts/${bo.id}`, { token: bo.token })).json.balance).toBe(700);
    expectProblem(await call('POST', '/api/v1/transfers', { token: ana.token, body: { ...body, amount: 1 }, headers: h }), 409, 'idempotency-conflict');
  });

  it('returns problem+json for every kind of error, and changes nothing', async () => {
    const ana = await resident('Ana');
    const bo = await resident('Bo');
    expectProblem(await call('POST', '/api/v1/transfers', { token: ana.token, body: { payee: bo.id, amount: 1.5 } }), 400, 'validation');
    expectProblem(await call('POST', '/api/v1/transfers', { token: ana.token, body: { payee: bo.id, amount: '12' } }), 400, 'validation');
    // Each issue names its field and carries zod's code and bound, for the console to say in the member's language.
    const long = await call('POST', '/api/v1/transfers', { token: ana.token, body: { payee: bo.id, amount: 100, memo: 'x'.repeat(1000) } });
    expectProblem(long, 400, 'validation');
    expect(long.json.issues).toEqual([expect.objectContaining({ path: 'memo', code: 'too_big', origin: 'string', maximum: expect.any(Number) })]);
    const missing = await call('POST', '/api/v1/transfers', { token: ana.token, body: { payee: bo.id } });
    expect(missing.json.issues).toEqual([expect.objectContaining({ path: 'amount', code: 'invalid_type', expected: 'number' })]);
    expectProblem(await call('POST', '/api/v1/transfers', { token: ana.token, body: '{"payee":' }), 400, 'bad-request');
    expectProblem(await call('POST', '/api/v1/transfers', { body: { payee: bo.id, amount: 5 } }), 401, 'unauthenticated');
    expectProblem(await call('GET', '/api/v1/accounts/' + ana.id, { token: 'hyp_forged' }), 401, 'unauthenticated');
    expectProblem(await call('GET', `/api/v1/accounts/${bo.id}`, { token: ana.token }), 403, 'forbidden');
    expectProblem(await call('POST', '/api/v1/members', { token: ana.token, body: { name: 'X', email: 'x@example.org' } }), 403, 'forbidden');
    expectProblem(await call('GET', '/api/v1/accounts/m_nobody', { token: stewardToken }), 404, 'not-found');
    const over = await call('POST', '/api/v1/transfers', { token: ana.token, body: { payee: bo.id, amount: 50_001 } });
    expectProblem(over, 422, 'over-credit-limit');
    expect(over.json).toMatchObject({ available: 50_000, reason: 'over-credit-limit' });
    const twice = await call('POST', '/api/v1/members', { token: stewardToken, body: { name: 'Ana again', email: 'ana@example.org' } });
    expectProblem(twice, 409, 'conflict');
    expect(twice.json.reason).toBe('email-in-use');
    expect((await call('GET', `/api/v1/accounts/${ana.id}`, { token: ana.token })).json.balance).toBe(0);
    expect((await call('GET', '/api/v1/ledger/verify', { token: stewardToken })).json).toMatchObject({ ok: true, transfers: 0 });
  });

  it('lets stewards set limits, and residents not', async () => {
    const ana = await resident('Ana');
    const r = await call('PUT', `/api/v1/accounts/${ana.id}/limits`, { token: stewardToken, body: { floor: -1000 } });
    expect(r.status).toBe(200);
    expect(r.json.floor).toBe(-1000);
    expectProblem(await call('PUT', `/api/v1/accounts/${ana.id}/limits`, { token: ana.token, body: { floor: -99_999 } }), 403, 'forbidden');
    expectProblem(await call('PUT', `/api/v1/accounts/${ana.id}/limits`, { token: stewardToken, body: { floor: 10 } }), 400, 'validation');
  });

  it('runs payment requests: ask, list, accept', async () => {
    const ana = await resident('Ana');
    const bo = await resident('Bo');
    const req = await call('POST', '/api/v1/requests', { token: bo.token, body: { payer: ana.id, amount: 1200, memo: 'soup' } });
    expect(req.status).toBe(201);
    const incoming = await call('GET', '/api/v1/requests?direction=incoming&status=open', { token: ana.token });
    expect(incoming.json.map((r: any) => r.id)).toEqual([req.json.id]);
    expectProblem(await call('POST', `/api/v1/requests/${req.json.id}/accept`, { token: bo.token }), 403, 'forbidden');
    const acc = await call('POST', `/api/v1/requests/${req.json.id}/accept`, { token: ana.token });
    expect(acc.status).toBe(200);
    expect(acc.json.transfer.amount).toBe(1200);
    expect((await call('GET', `/api/v1/accounts/${ana.id}/reliability`, { token: bo.token })).json.requestsHonoured).toBe(1);
  });

  it('pages history and exports it as CSV and JSON', async () => {
    const ana = await resident('Ana');
    const bo = await resident('Bo');
    for (let i = 1; i <= 5; i++)
      await call('POST', '/api/v1/transfers', { token: ana.token, body: { payee: bo.id, amount: i * 100, memo: i === 3 ? '=SUM(A1)' : `m${i}` } });
    const p1 = await call('GET', `/api/v1/accounts/${bo.id}/history?limit=2`, { token: bo.token });
    expect(p1.json.items.map((r: any) => r.delta)).toEqual([500, 400]);
    const p2 = await call('GET', `/api/v1/accounts/${bo.id}/history?limit=2&cursor=${p1.json.nextCursor}`, { token: bo.token });
    expect(p2.json.items.map((r: any) => r.delta)).toEqual([300, 200]);
    const csv = await call('GET', `/api/v1/accounts/${bo.id}/history/export?format=csv`, { token: bo.token });
    expect(csv.type).toContain('text/csv');
    const lines = (csv.json as string).trim().split('\r\n');
    expect(lines[0]).toBe('seq,at,kind,unit,delta,balance,counterparty,memo,category,transferId,time');
    expect(lines).toHaveLength(6);
    expect(csv.json).toContain(`"'=SUM(A1)"`); // no formula injection into spreadsheets
    const js = await call('GET', `/api/v1/accounts/${bo.id}/history/export?format=json`, { token: bo.token });
    expect(js.json).toHaveLength(5);
  });

  it('exports all community data for stewards', async () => {
    await resident('Ana');
    const r = await call('GET', '/api/v1/export', { token: stewardToken });
    expect(r.json.format).toBe('hyphae-export');
    expect(r.json.members).toHaveLength(2);
    expect(JSON.stringify(r.json)).not.toContain('passwordHash');
  });
});

describe('joining over HTTP', () => {
  it('joins with an invite, or asks and waits for a steward', async () => {
    const inv = await call('POST', '/api/v1/invites', { token: stewardToken, body: {} });
    expect(inv.status).toBe(201);
    expect(inv.json.joinUrl).toContain(inv.json.code);
    expect(inv.json.qrSvg).toMatch(/^<svg /);
    const j = await call('POST', '/api/v1/join', { body: { code: inv.json.code, name: 'Cy', email: 'cy@example.org', password: 'longenough' } });
    expect(j.status).toBe(201);
    expect(j.json.admitted).toBe(true);
    const q = await call('POST', '/api/v1/join', { body: { name: 'Di', email: 'di@example.org', password: 'longenough' } });
    expect(q.json.admitted).toBe(false);
    const pending = await call('GET', '/api/v1/members?status=pending', { token: stewardToken });
    expect(pending.json.members.map((m: any) => m.email)).toEqual(['di@example.org']);
    // Until admitted, signing in says so, in a code the console words (not a generic "forbidden").
    const early = await call('POST', '/api/v1/sessions', { body: { email: 'di@example.org', password: 'longenough' } });
    expectProblem(early, 403, 'forbidden');
    expect(early.json.reason).toBe('membership-pending');
    const adm = await call('POST', `/api/v1/members/${q.json.member.id}/admit`, { token: stewardToken });
    expect(adm.json.status).toBe('active');
    expectProblem(
      await call('POST', '/api/v1/join', { body: { code: 'NOPE2345', name: 'E', email: 'e@example.org', password: 'longenough' } }),
      422,
      'rule-broken',
    );
  });

  it('suspends: the member cannot sign in, and their balance stays', async () => {
    const ana = await resident('Ana', 'longenough');
    const bo = await resident('Bo');
    await call('POST', '/api/v1/transfers', { token: bo.token, body: { payee: ana.id, amount: 300 } });
    const s = await call('POST', `/api/v1/members/${ana.id}/suspend`, { token: stewardToken, body: { reason: 'left' } });
    expect(s.json.status).toBe('suspended');
    expectProblem(await call('GET', `/api/v1/accounts/${ana.id}`, { token: ana.token }), 403, 'forbidden');
    expect((await call('GET', `/api/v1/accounts/${ana.id}`, { token: stewardToken })).json).toMatchObject({ balance: 300, status: 'frozen' });
    const signIn = await call('POST', '/api/v1/sessions', { body: { email: 'ana@example.org', password: 'longenough' } });
    expectProblem(signIn, 403, 'forbidden');
    expect(signIn.json.reason).toBe('membership-suspended');
  });

  it('an optional body is checked when it is sent: a bad one is refused and changes nothing, none at all is fine', async () => {
    const ana = await resident('Ana');
    // The route's schema checks it (zod-openapi validates a JSON body even when it is optional); the handler reads it from there.
    const bad = await call('POST', `/api/v1/members/${ana.id}/suspend`, { token: stewardToken, body: { reason: 42 } });
    expectProblem(bad, 400, 'validation');
    expect(bad.json.detail).toContain('reason');
    expect((await call('GET', `/api/v1/members/${ana.id}`, { token: stewardToken })).json.status).toBe('active');
    expectProblem(await call('POST', '/api/v1/invites', { token: stewardToken, body: { note: 'x'.repeat(201) } }), 400, 'validation');
    expect((await call('GET', '/api/v1/invites', { token: stewardToken })).json).toHaveLength(0);
    const none = await call('POST', `/api/v1/members/${ana.id}/suspend`, { token: stewardToken });
    expect(none.json.status).toBe('suspended');
    const invite = await call('POST', '/api/v1/invites', { token: stewardToken });
    expect(invite.status).toBe(201);
    expect(invite.json.note).toBeNull();
  });
});

describe('console sessions', () => {
  async function signIn(email: string, password: string) {
    const r = await call('POST', '/api/v1/sessions', { body: { email, password } });
    const cookie = (r.res.headers.get('set-cookie') ?? '').split(';')[0]!;
    return { r, cookie, csrf: r.json.csrfToken as string };
  }

  it('sets an HttpOnly cookie and requires the CSRF token on writes', async () => {
    const ana = await resident('Ana', 'longenough');
    const bo = await resident('Bo');
    const { r, cookie, csrf } = await signIn('ana@example.org', 'longenough');
    expect(r.status).toBe(200);
    expect(r.res.headers.get('set-cookie')).toMatch(/HttpOnly/);
    expect((await call('GET', '/api/v1/sessions/current', { headers: { cookie } })).json.member.id).toBe(ana.id);
    const noCsrf = await call('POST', '/api/v1/transfers', { headers: { cookie }, body: { payee: bo.id, amount: 5 } });
    expectProblem(noCsrf, 403, 'csrf');
    // One character off (a token that already starts with "x" would otherwise be unchanged: 1 run in 64 failed).
    const wrong = await call('POST', '/api/v1/transfers', {
      headers: { cookie, 'x-csrf-token': (csrf[0] === 'x' ? 'y' : 'x') + csrf.slice(1) },
      body: { payee: bo.id, amount: 5 },
    });
    expectProblem(wrong, 403, 'csrf');
    const ok = await call('POST', '/api/v1/transfers', { headers: { cookie, 'x-csrf-token': csrf }, body: { payee: bo.id, amount: 5 } });
    expect(ok.status).toBe(201);
    const out = await call('DELETE', '/api/v1/sessions/current', { headers: { cookie, 'x-csrf-token': csrf } });
    expect(out.status).toBe(204);
    expectProblem(await call('GET', '/api/v1/sessions/current', { headers: { cookie } }), 401, 'unauthenticated');
  });

  it('rate-limits sign-in with 429 and Retry-After', async () => {
    await resident('Ana', 'longenough');
    for (let i = 0; i < 5; i++) {
      const { r } = await signIn(i % 2 ? 'ana@example.org' : 'nobody@example.org', 'nope-nope');
      expectProblem(r, 401, 'unauthenticated');
      // One code for an unknown email and a wrong password: the answer does not tell who is a member.
      expect(r.json).toMatchObject({ reason: 'wrong-email-or-password', title: 'Wrong email or password' });
    }
    const { r } = await signIn('ana@example.org', 'longenough');
    expectProblem(r, 429, 'rate-limited');
    expect(Number(r.res.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it("changes a password in the session that gives the current one, and a steward can reset a resident's", async () => {
    const ana = await resident('Ana', 'longenough');
    const here = await signIn('ana@example.org', 'longenough');
    const there = await signIn('ana@example.org', 'longenough');
    const change = (body: unknown, headers = { cookie: here.cookie, 'x-csrf-token': here.csrf }) =>
      call('POST', '/api/v1/sessions/current/password', { headers, body });
    expectProblem(await change({ currentPassword: 'longenough', newPassword: 'better-one' }, { cookie: here.cookie, 'x-csrf-token': '' }), 403, 'csrf');
    const wrong = await change({ currentPassword: 'not-this', newPassword: 'better-one' });
    expectProblem(wrong, 403, 'forbidden');
    expect(wrong.json.reason).toBe('wrong-password');
    expectProblem(await change({ currentPassword: 'longenough', newPassword: 'short' }), 400, 'validation');
    const ok = await change({ currentPassword: 'longenough', newPassword: 'better-one' });
    expect(ok.status).toBe(200);
    expect(ok.json.id).toBe(ana.id);
    expect((await call('GET', '/api/v1/sessions/current', { headers: { cookie: here.cookie } })).status).toBe(200);
    expectProblem(await call('GET', '/api/v1/sessions/current', { headers: { cookie: there.cookie } }), 401, 'unauthenticated');

    // Her API token went with the old password; her session may still ask, and is refused.
    expectProblem(await call('GET', '/api/v1/sessions/current', { token: ana.token }), 401, 'unauthenticated');
    expectProblem(
      await call('POST', `/api/v1/members/${steward}/password-reset`, { headers: { cookie: here.cookie, 'x-csrf-token': here.csrf } }),
      403,
      'forbidden',
    );
    const reset = await call('POST', `/api/v1/members/${ana.id}/password-reset`, { token: stewardToken });
    expect(reset.status).toBe(201);
    expect(reset.json.member.mustChangePassword).toBe(true);
    expect(JSON.stringify(reset.json.member)).not.toContain('argon2');
    const again = await signIn('ana@example.org', reset.json.oneTimePassword);
    expect(again.r.json.member.mustChangePassword).toBe(true);
    expectProblem(await call('GET', '/api/v1/sessions/current', { headers: { cookie: here.cookie } }), 401, 'unauthenticated');
  });

  it('creates bearer tokens for scripts from a session', async () => {
    await resident('Ana', 'longenough');
    const { cookie, csrf } = await signIn('ana@example.org', 'longenough');
    const t = await call('POST', '/api/v1/tokens', { headers: { cookie, 'x-csrf-token': csrf }, body: { name: 'laptop' } });
    expect(t.status).toBe(201);
    expect((await call('GET', '/api/v1/sessions/current', { token: t.json.token })).json.via).toBe('token');
    await call('DELETE', `/api/v1/tokens/${t.json.info.id}`, { headers: { cookie, 'x-csrf-token': csrf } });
    expectProblem(await call('GET', '/api/v1/sessions/current', { token: t.json.token }), 401, 'unauthenticated');
  });
});
