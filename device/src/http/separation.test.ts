import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../log.js';
import { secureDataDir } from '../store/permissions.js';
import { caller, makeApp, makeCore, withMembers, type TestCore } from '../test-support.js';
import type { App } from './context.js';
import { DAY_MS } from '../clock.js';

/**
 * Separation of powers: no single person moves the community's money, sets
 * their own limits, or removes those who would stop them. Each case here was
 * reproduced on the demo as the issue describes.
 */
let core: TestCore;
let app: App;
let call: ReturnType<typeof caller>;
let id: Record<string, string>;

beforeAll(async () => {
  core = makeCore();
  app = makeApp(core);
  const m = await withMembers(core, { root: 'admin', ana: 'steward', sam: 'steward', bo: 'resident', cy: 'resident' });
  id = m.id;
  call = caller(app, m.tok);
  await core.ledger.pay({ payer: id.cy!, payee: id.bo!, amount: 5_000, actor: id.cy! });
});
afterAll(() => core.cleanup());

describe('money that belongs to everyone', () => {
  it('refuses a system account as payer or payee of a plain payment, for a steward too', async () => {
    for (const system of ['fund', 'pool:library', 'escrow:library', 'clearing:hsomewhere']) {
      const from = await call('ana', 'POST', '/api/v1/transfers', { payer: system, payee: id.ana, amount: 1_000_000 });
      expect(from.status, system).toBe(403);
      expect(from.type).toMatch(/problem\+json/);
      expect((await call('ana', 'POST', '/api/v1/transfers', { payee: system, amount: 10 })).status, system).toBe(403);
      expect((await call('root', 'POST', '/api/v1/requests', { payer: system, payee: id.root, amount: 10 })).status, system).toBe(403);
    }
    expect(core.ledger.account(id.ana!).balance).toBe(0);
  });

  it('gives every system account a finite, stated floor: a pool or an escrow is not bottomless', async () => {
    expect(core.ledger.account('pool:library')).toMatchObject({ floor: 0 });
    expect(core.ledger.account('escrow:library')).toMatchObject({ floor: 0 });
    expect(core.ledger.account('fund').floor).toBe(core.config.ledger.fundFloor);
    // Not even the library's own operations can take a pool below zero.
    await expect(core.store.write(() => core.ledger.payInTxn({ payer: 'pool:library', payee: id.ana!, amount: 1, actor: null }, null))).rejects.toMatchObject({
      slug: 'over-credit-limit',
    });
  });

  it('takes gifts to the fund through their own route', async () => {
    const before = core.ledger.account('fund').balance;
    const gift = await call('bo', 'POST', '/api/v1/fund/donations', { amount: 250, memo: 'for the seed bank' });
    expect(gift.status).toBe(201);
    expect(gift.json).toMatchObject({ payer: id.bo, payee: 'fund', amount: 250 });
    expect(core.ledger.account('fund').balance).toBe(before + 250);
  });

  it('lets nobody set their own credit limits or capacity', async () => {
    expect((await call('ana', 'PUT', `/api/v1/accounts/${id.ana}/limits`, { unit: 'credit', floor: -10_000_000 })).status).toBe(403);
    expect((await call('ana', 'PUT', `/api/v1/members/${id.ana}/capacity`, { capacity: 10_000_000 })).status).toBe(403);
    // Another steward may.
    expect((await call('sam', 'PUT', `/api/v1/accounts/${id.ana}/limits`, { unit: 'credit', floor: -60_000 })).status).toBe(200);
    expect((await call('sam', 'PUT', `/api/v1/members/${id.ana}/capacity`, { capacity: 10_000 })).status).toBe(200);
  });
});

describe('roles', () => {
  it('lets only an admin suspend, reinstate or change the role of a steward or an admin', async () => {
    expect((await call('ana', 'POST', `/api/v1/members/${id.sam}/suspend`, { reason: 'rival' })).status).toBe(403);
    expect((await call('ana', 'POST', `/api/v1/members/${id.root}/suspend`, {})).status).toBe(403);
    expect(core.members.get(id.sam!).status).toBe('active');
    // A steward still looks after residents.
    expect((await call('ana', 'POST', `/api/v1/members/${id.cy}/suspend`, { reason: 'asked to pause' })).status).toBe(200);
    expect((await call('ana', 'POST', `/api/v1/members/${id.cy}/reinstate`)).status).toBe(200);
    // The admin may act on the steward, and reinstate them.
    expect((await call('root', 'POST', `/api/v1/members/${id.sam}/suspend`, { reason: 'on leave' })).status).toBe(200);
    expect((await call('ana', 'POST', `/api/v1/members/${id.sam}/reinstate`)).status).toBe(403);
    expect((await call('root', 'POST', `/api/v1/members/${id.sam}/reinstate`)).status).toBe(200);
  });

  it('keeps the last admin: they can neither demote nor suspend themself', async () => {
    const demote = await call('root', 'PUT', `/api/v1/members/${id.root}/role`, { role: 'steward' });
    expect(demote.status).toBe(422);
    expect(demote.json.title).toBe('The last admin');
    expect(core.members.get(id.root!).role).toBe('admin');
    // With a second admin, the first may step down.
    expect((await call('root', 'PUT', `/api/v1/members/${id.sam}/role`, { role: 'admin' })).status).toBe(200);
    expect((await call('root', 'PUT', `/api/v1/members/${id.root}/role`, { role: 'steward' })).status).toBe(200);
    expect((await call('sam', 'PUT', `/api/v1/members/${id.root}/role`, { role: 'admin' })).status).toBe(200);
  });

  it('revokes API tokens when a member changes their password', async () => {
    const m = await core.members.create({ name: 'Di', email: 'di@example.org', password: 'first-password-1' }, null);
    const { token } = await core.members.createToken(m.id, 'script');
    const asDi = caller(app, { di: token });
    expect((await asDi('di', 'GET', `/api/v1/accounts/${m.id}`)).status).toBe(200);
    const changed = await asDi('di', 'POST', '/api/v1/sessions/current/password', { currentPassword: 'first-password-1', newPassword: 'second-password-2' });
    expect(changed.status).toBe(200);
    expect((await asDi('di', 'GET', `/api/v1/accounts/${m.id}`)).status).toBe(401);
  });
});

describe('what members see of each other', () => {
  it('shows a resident only the clearing obligations they are part of', async () => {
    // bo owes cy, cy owes ana, ana owes bo: a cycle the clearing run sets off.
    await core.ledger.request({ payer: id.bo!, payee: id.cy!, amount: 300, actor: id.cy! });
    await core.ledger.request({ payer: id.cy!, payee: id.ana!, amount: 300, actor: id.ana! });
    await core.ledger.request({ payer: id.ana!, payee: id.bo!, amount: 300, actor: id.bo! });
    expect((await call('sam', 'POST', '/api/v1/clearing/runs')).status).toBe(201);
    const all = (await call('sam', 'GET', '/api/v1/clearing/runs')).json as Array<{ setOffs: unknown[] }>;
    expect(all[0]!.setOffs.length).toBe(3);
    const mine = (await call('bo', 'GET', '/api/v1/clearing/runs')).json as Array<{ setOffs: Array<{ payer: string; payee: string }>; affected: string[] }>;
    expect(mine[0]!.setOffs.length).toBe(2);
    for (const s of mine[0]!.setOffs) expect([s.payer, s.payee]).toContain(id.bo);
    expect(mine[0]!.affected).toEqual([id.bo]);
  });
});

describe('the HTTP edge', () => {
  it('sends a content security policy and the other security headers with every answer', async () => {
    for (const [path, who] of [
      ['/api/v1/health', 'bo'],
      [`/api/v1/accounts/${id.bo}`, 'bo'],
      ['/api/v1/nowhere', 'bo'],
    ] as const) {
      const res = await app.request(path, { headers: { authorization: `Bearer ${(await core.members.createToken(id[who]!, 't')).token}` } });
      expect(res.headers.get('content-security-policy'), path).toMatch(/default-src 'self'.*frame-ancestors 'none'/);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
    }
  });
});

describe('secrets at rest', () => {
  it('makes the data folder 0700 and its files 0600 at start, and says so', () => {
    const fixed = secureDataDir(core.dataDir, silentLogger);
    expect(statSync(core.dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(core.dataDir, 'hub.lmdb')).mode & 0o777).toBe(0o600);
    expect(fixed.some((f) => f.includes('hub.lmdb'))).toBe(true);
    expect(secureDataDir(core.dataDir, silentLogger)).toEqual([]);
  });
});

describe('agreements between members', () => {
  it('moves more time-bank hours than were agreed only when the taker confirms', async () => {
    const offer = (await call('bo', 'POST', '/api/v1/timebank', { kind: 'offer', title: 'Fix a bike', category: 'repair', hours: 200 })).json as { id: string };
    expect((await call('ana', 'POST', `/api/v1/timebank/${offer.id}/take`)).status).toBe(200);
    const inflated = await call('bo', 'POST', `/api/v1/timebank/${offer.id}/complete`, { hours: 200_000 });
    expect(inflated.status).toBe(200);
    expect(inflated.json).toMatchObject({ status: 'taken', proposedHours: 200_000 });
    expect(core.ledger.account(id.ana!, 'hour').balance).toBe(0);
    // Only the taker can agree, and then the hours move.
    expect((await call('bo', 'POST', `/api/v1/timebank/${offer.id}/confirm-hours`)).status).toBe(403);
    const noted = (await call('ana', 'GET', '/api/v1/notifications')).json as Array<{ kind: string }>;
    expect(noted.map((n) => n.kind)).toContain('timebank-hours-proposed');
    // Here the taker would refuse; the owner can still book what was agreed.
    expect((await call('bo', 'POST', `/api/v1/timebank/${offer.id}/complete`, {})).json).toMatchObject({ status: 'completed', hours: 200 });
    expect(core.ledger.account(id.ana!, 'hour').balance).toBe(-200);

    const second = (await call('bo', 'POST', '/api/v1/timebank', { kind: 'offer', title: 'Prune trees', category: 'garden', hours: 100 })).json as {
      id: string;
    };
    await call('cy', 'POST', `/api/v1/timebank/${second.id}/take`);
    await call('bo', 'POST', `/api/v1/timebank/${second.id}/complete`, { hours: 150 });
    expect((await call('cy', 'POST', `/api/v1/timebank/${second.id}/confirm-hours`)).json).toMatchObject({ status: 'completed', hours: 150 });
    expect(core.ledger.account(id.cy!, 'hour').balance).toBe(-150);
  });
});

describe('ledger verify', () => {
  it('checks every system account against its floor', async () => {
    const { openCore } = await import('../core.js');
    const { verifyLedger } = await import('../ledger/verify.js');
    const { testConfig } = await import('../test-support.js');
    const first = makeCore({ ledger: { fundFloor: -10_000 } });
    const m = await first.members.create({ name: 'Ed', email: 'ed@example.org' }, null);
    // Decided spending takes the fund below zero, within its floor.
    await first.store.write(() => first.ledger.payInTxn({ payer: 'fund', payee: m.id, amount: 500, actor: null }, null));
    expect(verifyLedger(first.ledger).ok).toBe(true);
    await first.close();
    // The community raises the floor to zero: the fund is now below it, and verify says so.
    const again = openCore(first.dataDir, testConfig({ ledger: { fundFloor: 0 } }), silentLogger);
    try {
      const report = verifyLedger(again.ledger);
      expect(report.ok).toBe(false);
      expect(report.problems).toEqual(['floor: fund (credit) is at -500, below its floor of 0']);
    } finally {
      await again.close();
    }
  });
});

describe('joining', () => {
  it('answers the same for an email already in use, tells its member instead, and limits attempts per address', async () => {
    const fresh = await call('cy', 'POST', '/api/v1/join', { name: 'Newcomer', email: 'new@example.org', password: 'long-enough-1' });
    const taken = await call('cy', 'POST', '/api/v1/join', { name: 'Someone', email: 'bo@example.org', password: 'long-enough-1' });
    expect(taken.status).toBe(fresh.status);
    expect(Object.keys(taken.json).sort()).toEqual(Object.keys(fresh.json).sort());
    expect(Object.keys(taken.json.member).sort()).toEqual(Object.keys(fresh.json.member).sort());
    expect(taken.json).toMatchObject({ admitted: false, member: { status: 'pending', email: 'bo@example.org' } });
    expect(taken.json.member.id).not.toBe(id.bo);
    // Bo is told; no second member with his email was made.
    expect(core.members.get(id.bo!).name).toBe('bo');
    expect(core.notifications.list(id.bo!).map((n) => n.kind)).toContain('join-attempt');
    // With an invite too: the answer says joined, the invite is spent, and nothing is stored.
    const inv = (await call('ana', 'POST', '/api/v1/invites', {})).json as { code: string };
    const viaInvite = await call('cy', 'POST', '/api/v1/join', { code: inv.code, name: 'Again', email: 'bo@example.org', password: 'long-enough-1' });
    expect(viaInvite.json).toMatchObject({ admitted: true, member: { status: 'active' } });
    expect(
      (await call('cy', 'POST', '/api/v1/join', { code: inv.code, name: 'Third', email: 'third@example.org', password: 'long-enough-1' })).json.title,
    ).toBe('Invite used');
    expect(core.members.byEmail('bo@example.org')!.id).toBe(id.bo);
    // Ten attempts an hour from one address; the eleventh waits.
    for (let i = 0; i < 6; i++) await call('cy', 'POST', '/api/v1/join', { name: `P${i}`, email: `p${i}@example.org`, password: 'long-enough-1' });
    const limited = await call('cy', 'POST', '/api/v1/join', { name: 'Q', email: 'q@example.org', password: 'long-enough-1' });
    expect(limited.status).toBe(429);
    expect(limited.json.reason).toBe('too-many-attempts-to-join');
  });
});

describe('the audit log', () => {
  it('records every privileged action with who, when, what and why, readable by stewards, exportable, and hash-chained', async () => {
    await call('ana', 'POST', `/api/v1/members/${id.cy}/password-reset`);
    await call('ana', 'POST', '/api/v1/parameters/emergency', { name: 'demurrageRatePercent', value: 1, reason: 'flood' });
    const item = (await call('ana', 'POST', '/api/v1/library/items', { name: 'Old saw', category: 'tools' })).json as { code: string; id: string };
    await core.library.maintenance.retire(item.id, id.ana!, 'rusted through');
    const log = await call('sam', 'GET', '/api/v1/audit?limit=500');
    expect(log.status).toBe(200);
    expect(log.json.chain.ok).toBe(true);
    const entries = log.json.entries as Array<{ actor: string | null; action: string; subject: string; reason: string | null }>;
    const seen = new Set(entries.map((e) => e.action));
    for (const action of ['limits', 'capacity', 'role', 'suspend', 'reinstate', 'one-time-password', 'emergency-change', 'write-off'])
      expect(seen, action).toContain(action);
    expect(entries).toContainEqual(expect.objectContaining({ actor: id.ana, action: 'emergency-change', subject: 'demurrageRatePercent', reason: 'flood' }));
    expect(entries).toContainEqual(expect.objectContaining({ actor: id.root, action: 'suspend', subject: id.sam, reason: 'on leave' }));
    expect(entries).toContainEqual(expect.objectContaining({ actor: id.ana, action: 'write-off', subject: item.code, reason: 'rusted through' }));
    // Residents do not read it; stewards download it.
    expect((await call('bo', 'GET', '/api/v1/audit')).status).toBe(403);
    const csv = await call('sam', 'GET', '/api/v1/audit/export');
    expect(csv.type).toMatch(/text\/csv/);
    expect(String(csv.json).split('\r\n')[0]).toBe('seq,at,actor,action,subject,reason,detail,prev,hash');
    // Taking an entry out, or changing one, shows.
    const db = core.store.db<Record<string, unknown>, number>('audit');
    const first = db.get(0)!;
    await core.store.write(() => db.put(0, { ...first, reason: 'nothing to see' }));
    expect(core.audit.verify()).toMatchObject({ ok: false, problems: ['audit: entry 0 has been altered (hash mismatch)'] });
    await core.store.write(() => db.put(0, first));
    expect(core.audit.verify().ok).toBe(true);
  });
});

describe('large limit changes', () => {
  it("need a second steward beyond the community's defaults by more than the configured factor", async () => {
    // The default floor is −50,000; the factor 2 allows down to −100,000 at once.
    const big = await call('ana', 'PUT', `/api/v1/accounts/${id.bo}/limits`, { unit: 'credit', floor: -200_000 });
    expect(big.status).toBe(202);
    expect(big.json.pending).toMatchObject({ account: id.bo, floor: -200_000, proposedBy: id.ana, status: 'pending' });
    expect(core.ledger.account(id.bo!).floor).toBe(-50_000);
    // Not the steward who proposed it, and not a resident.
    expect((await call('ana', 'POST', `/api/v1/limit-changes/${big.json.pending.id}/approve`)).status).toBe(403);
    expect((await call('bo', 'POST', `/api/v1/limit-changes/${big.json.pending.id}/approve`)).status).toBe(403);
    expect(((await call('sam', 'GET', '/api/v1/limit-changes')).json as Array<{ id: string }>).map((c) => c.id)).toEqual([big.json.pending.id]);
    const ok = await call('sam', 'POST', `/api/v1/limit-changes/${big.json.pending.id}/approve`);
    expect(ok.status).toBe(200);
    expect(core.ledger.account(id.bo!).floor).toBe(-200_000);
    expect((await call('sam', 'POST', `/api/v1/limit-changes/${big.json.pending.id}/approve`)).status).toBe(409);
    const entry = [...core.audit.all()].reverse().find((e) => e.action === 'limits' && e.subject === id.bo);
    expect(entry).toMatchObject({ actor: id.sam, detail: expect.objectContaining({ floor: -200_000, proposedBy: id.ana }) });
    // Nobody approves a change of their own limits.
    const mine = await call('sam', 'PUT', `/api/v1/accounts/${id.ana}/limits`, { unit: 'credit', ceiling: 5_000_000 });
    expect(mine.status).toBe(202);
    expect((await call('ana', 'POST', `/api/v1/limit-changes/${mine.json.pending.id}/approve`)).status).toBe(403);
  });

  it('or a decision: a steward puts a large change to the community, and it applies only if the proposal passes', async () => {
    const big = await call('ana', 'PUT', `/api/v1/accounts/${id.cy}/limits`, { unit: 'credit', floor: -300_000 });
    expect(big.status).toBe(202);
    const change = big.json.pending.id as string;
    expect((await call('bo', 'POST', `/api/v1/limit-changes/${change}/propose`)).status).toBe(403);
    // Nobody opens a limits proposal by hand, around the change waiting for approval.
    expect(
      (
        await call('bo', 'POST', '/api/v1/proposals', {
          kind: 'limits',
          title: 'Mine',
          rationale: 'x',
          payload: { change, account: id.bo, unit: 'credit', floor: -1_000_000 },
        })
      ).status,
    ).toBe(400);
    const put = await call('ana', 'POST', `/api/v1/limit-changes/${change}/propose`);
    expect(put.status).toBe(201);
    expect((await call('ana', 'POST', `/api/v1/limit-changes/${change}/propose`)).status).toBe(409);
    const p = core.governance.get(put.json.proposalId);
    expect(p).toMatchObject({ kind: 'limits', payload: { change, account: id.cy, floor: -300_000 } });
    expect(core.ledger.account(id.cy!).floor).toBe(-50_000);
    for (const who of ['root', 'ana', 'sam', 'bo']) await core.governance.vote(p.id, id[who]!, 'yes');
    core.clock.advance(8 * DAY_MS);
    await core.governance.closeDue();
    expect(core.ledger.account(id.cy!).floor).toBe(-300_000);
    expect(core.ledger.limitChange(change)).toMatchObject({ status: 'approved', approvedBy: `proposal:${p.id}` });
    const entry = [...core.audit.all()].reverse().find((e) => e.action === 'limits' && e.subject === id.cy);
    expect(entry).toMatchObject({ actor: null, detail: expect.objectContaining({ floor: -300_000, proposedBy: id.ana, proposal: p.id }) });

    // A change the community turns down is declined, and the limits stay.
    const again = await call('sam', 'PUT', `/api/v1/accounts/${id.bo}/limits`, { unit: 'credit', ceiling: 9_000_000 });
    const no = await call('sam', 'POST', `/api/v1/limit-changes/${again.json.pending.id}/propose`);
    for (const who of ['root', 'ana', 'cy', 'bo']) await core.governance.vote(no.json.proposalId, id[who]!, 'no');
    core.clock.advance(8 * DAY_MS);
    await core.governance.closeDue();
    expect(core.ledger.limitChange(again.json.pending.id).status).toBe('declined');
    expect(core.ledger.account(id.bo!).ceiling).not.toBe(9_000_000);
  });
});
