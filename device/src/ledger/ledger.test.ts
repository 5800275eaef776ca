import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY_MS } from '../clock.js';
import { HubError } from '../errors.js';
import { makeCore, type TestCore } from '../test-support.js';
import { FUND } from './types.js';
import { verifyLedger } from './verify.js';

let core: TestCore;
let ana: string;
let bo: string;

async function member(name: string) {
  return (await core.members.create({ name, email: `${name.toLowerCase()}@example.org` }, null)).id;
}

function problemOf(e: unknown) {
  expect(e).toBeInstanceOf(HubError);
  return e as HubError;
}

beforeEach(async () => {
  core = makeCore({ ledger: { demurrageRatePercent: 0 } });
  ana = await member('Ana');
  bo = await member('Bo');
});
afterEach(() => core.cleanup());

describe('payments', () => {
  it('moves integer minor units and keeps the ledger zero-sum', async () => {
    const t = await core.ledger.pay({ payer: ana, payee: bo, amount: 1250, memo: 'eggs', actor: ana });
    expect(t.id).toMatch(/^t_/);
    expect(core.ledger.account(ana).balance).toBe(-1250);
    expect(core.ledger.account(bo).balance).toBe(1250);
    const report = verifyLedger(core.ledger);
    expect(report.ok).toBe(true);
    expect(report.totals).toEqual({ credit: 0, hour: 0 });
  });

  it('lets a new member make a first trade: the default floor is below zero', async () => {
    expect(core.ledger.account(ana).floor).toBe(-50_000);
    await expect(core.ledger.pay({ payer: ana, payee: bo, amount: 50_000, actor: ana })).resolves.toBeTruthy();
  });

  it('refuses a payment below the floor with 422 and changes nothing', async () => {
    const before = verifyLedger(core.ledger).entries;
    const e = problemOf(await core.ledger.pay({ payer: ana, payee: bo, amount: 50_001, actor: ana }).catch((x) => x));
    expect(e.status).toBe(422);
    expect(e.slug).toBe('over-credit-limit');
    expect(e.extensions).toMatchObject({ balance: 0, floor: -50_000, available: 50_000 });
    expect(core.ledger.account(ana).balance).toBe(0);
    expect(verifyLedger(core.ledger).entries).toBe(before);
  });

  it('refuses a payment above the payee ceiling', async () => {
    await core.ledger.setLimits(bo, 'credit', { ceiling: 1000 }, null);
    const e = problemOf(await core.ledger.pay({ payer: ana, payee: bo, amount: 1001, actor: ana }).catch((x) => x));
    expect(e.slug).toBe('over-ceiling');
  });

  it('warns before the hard limit', async () => {
    const t = await core.ledger.pay({ payer: ana, payee: bo, amount: 45_000, actor: ana });
    expect(t.warnings).toContain('near-credit-limit');
    const t2 = await core.ledger.pay({ payer: bo, payee: ana, amount: 100, actor: bo });
    expect(t2.warnings).toEqual([]);
  });

  it('lowering a floor never moves money, it only stops new spending', async () => {
    await core.ledger.pay({ payer: ana, payee: bo, amount: 30_000, actor: ana });
    await core.ledger.setLimits(ana, 'credit', { floor: -10_000 }, null);
    expect(core.ledger.account(ana).balance).toBe(-30_000);
    await expect(core.ledger.pay({ payer: ana, payee: bo, amount: 1, actor: ana })).rejects.toMatchObject({ slug: 'over-credit-limit' });
    await core.ledger.pay({ payer: bo, payee: ana, amount: 5_000, actor: bo }); // receiving still works
    expect(core.ledger.account(ana).balance).toBe(-25_000);
    await core.ledger.setLimits(ana, 'credit', { floor: null }, null);
    expect(core.ledger.account(ana).floor).toBe(-50_000);
  });

  it('rejects bad amounts and self-payments', async () => {
    for (const amount of [0, -5, 1.5, Number.NaN, 1e13]) {
      const e = problemOf(await core.ledger.pay({ payer: ana, payee: bo, amount, actor: ana }).catch((x) => x));
      expect(e.status).toBe(400);
    }
    await expect(core.ledger.pay({ payer: ana, payee: ana, amount: 5, actor: ana })).rejects.toMatchObject({ status: 422 });
    await expect(core.ledger.pay({ payer: ana, payee: 'm_nobody', amount: 5, actor: ana })).rejects.toMatchObject({ status: 422 });
  });

  it('keeps time-bank hours apart from credits', async () => {
    await core.ledger.pay({ payer: ana, payee: bo, amount: 150, unit: 'hour', actor: ana });
    expect(core.ledger.account(bo, 'hour').balance).toBe(150);
    expect(core.ledger.account(bo, 'credit').balance).toBe(0);
    expect(core.ledger.account(ana, 'hour').floor).toBe(-2000);
    expect(verifyLedger(core.ledger).totals).toEqual({ credit: 0, hour: 0 });
  });

  it("freezes a suspended member's account but keeps its balance", async () => {
    await core.ledger.pay({ payer: ana, payee: bo, amount: 700, actor: ana });
    await core.members.suspend(bo, ana, 'testing');
    expect(core.ledger.account(bo).balance).toBe(700);
    await expect(core.ledger.pay({ payer: ana, payee: bo, amount: 1, actor: ana })).rejects.toMatchObject({ slug: 'member-not-active' });
    await expect(core.ledger.pay({ payer: bo, payee: ana, amount: 1, actor: bo })).rejects.toMatchObject({ slug: 'member-not-active' });
    await core.members.reinstate(bo, ana);
    await expect(core.ledger.pay({ payer: bo, payee: ana, amount: 1, actor: bo })).resolves.toBeTruthy();
  });
});

describe('idempotency', () => {
  it('returns the same transfer for a repeated key and never creates a second', async () => {
    const a = await core.ledger.pay({ payer: ana, payee: bo, amount: 300, actor: ana, idempotencyKey: 'k1' });
    const b = await core.ledger.pay({ payer: ana, payee: bo, amount: 300, actor: ana, idempotencyKey: 'k1' });
    expect(b.id).toBe(a.id);
    expect(core.ledger.account(bo).balance).toBe(300);
    expect(verifyLedger(core.ledger).transfers).toBe(1);
  });

  it('answers a reused key with a different request with 409', async () => {
    await core.ledger.pay({ payer: ana, payee: bo, amount: 300, actor: ana, idempotencyKey: 'k2' });
    const e = problemOf(await core.ledger.pay({ payer: ana, payee: bo, amount: 301, actor: ana, idempotencyKey: 'k2' }).catch((x) => x));
    expect(e.status).toBe(409);
    expect(e.slug).toBe('idempotency-conflict');
  });

  it('keeps keys per member: two members may use the same key', async () => {
    const a = await core.ledger.pay({ payer: ana, payee: bo, amount: 10, actor: ana, idempotencyKey: 'same' });
    const b = await core.ledger.pay({ payer: bo, payee: ana, amount: 10, actor: bo, idempotencyKey: 'same' });
    expect(a.id).not.toBe(b.id);
  });

  it('lets concurrent retries with one key create exactly one transfer', async () => {
    const all = await Promise.all(Array.from({ length: 10 }, () => core.ledger.pay({ payer: ana, payee: bo, amount: 5, actor: ana, idempotencyKey: 'race' })));
    expect(new Set(all.map((t) => t.id)).size).toBe(1);
    expect(core.ledger.account(bo).balance).toBe(5);
  });
});

describe('payment requests', () => {
  it('are paid when the payer accepts, and count towards reliability', async () => {
    const r = await core.ledger.request({ payee: bo, payer: ana, amount: 900, memo: 'bike fix', actor: bo });
    expect(core.ledger.requestsOf(ana, { role: 'payer', status: 'open' }).map((x) => x.id)).toEqual([r.id]);
    await expect(core.ledger.acceptRequest(r.id, bo)).rejects.toMatchObject({ status: 403 });
    const { request, transfer } = await core.ledger.acceptRequest(r.id, ana);
    expect(request.status).toBe('accepted');
    expect(transfer.requestId).toBe(r.id);
    expect(core.ledger.account(bo).balance).toBe(900);
    expect(core.reliability.get(ana).requestsHonoured).toBe(1);
    await expect(core.ledger.acceptRequest(r.id, ana)).rejects.toMatchObject({ status: 422 });
  });

  it('can be rejected by the payer or cancelled by who asked', async () => {
    const r1 = await core.ledger.request({ payee: bo, payer: ana, amount: 100, actor: bo });
    expect((await core.ledger.rejectRequest(r1.id, ana)).status).toBe('rejected');
    const r2 = await core.ledger.request({ payee: bo, payer: ana, amount: 100, actor: bo });
    await expect(core.ledger.cancelRequest(r2.id, ana)).rejects.toMatchObject({ status: 403 });
    expect((await core.ledger.cancelRequest(r2.id, bo)).status).toBe('cancelled');
    expect(core.ledger.account(ana).balance).toBe(0);
  });

  it('expire after the set time', async () => {
    const r = await core.ledger.request({ payee: bo, payer: ana, amount: 100, actor: bo });
    core.clock.advance(168 * 3_600_000 + 1);
    expect(core.ledger.getRequest(r.id).status).toBe('expired');
    await expect(core.ledger.acceptRequest(r.id, ana)).rejects.toMatchObject({ status: 422 });
    expect(core.ledger.account(bo).balance).toBe(0);
    const r2 = await core.ledger.request({ payee: bo, payer: ana, amount: 100, actor: bo });
    core.clock.advance(168 * 3_600_000 + 1);
    expect(await core.ledger.expireRequests()).toBe(2); // r and r2
    expect(core.ledger.getRequest(r2.id).status).toBe('expired');
    expect(verifyLedger(core.ledger).ok).toBe(true);
  });
});

describe('history', () => {
  it('pages newest first with a cursor', async () => {
    for (let i = 1; i <= 7; i++) await core.ledger.pay({ payer: ana, payee: bo, amount: i, actor: ana });
    const p1 = core.ledger.historyPage(bo, 'credit', { limit: 3 });
    expect(p1.items.map((r) => r.delta)).toEqual([7, 6, 5]);
    expect(p1.items[0]!.balance).toBe(28);
    const p2 = core.ledger.historyPage(bo, 'credit', { limit: 3, cursor: p1.nextCursor });
    expect(p2.items.map((r) => r.delta)).toEqual([4, 3, 2]);
    const p3 = core.ledger.historyPage(bo, 'credit', { limit: 3, cursor: p2.nextCursor });
    expect(p3.items.map((r) => r.delta)).toEqual([1]);
    expect(p3.nextCursor).toBeNull();
  });
});

describe('demurrage', () => {
  let d: TestCore;
  let x: string;
  let y: string;
  beforeEach(async () => {
    d = makeCore({ ledger: { demurrageRatePercent: 36.5 } }); // 0.1% a day keeps the arithmetic readable
    x = (await d.members.create({ name: 'X', email: 'x@example.org' }, null)).id;
    y = (await d.members.create({ name: 'Y', email: 'y@example.org' }, null)).id;
    await d.ledger.pay({ payer: y, payee: x, amount: 10_000, actor: y });
  });
  afterEach(() => d.cleanup());

  it('shows the coming decay and books it to the fund when the account is touched', async () => {
    d.clock.advance(DAY_MS);
    const view = d.ledger.account(x);
    expect(view.pendingDemurrage).toBe(10);
    expect(view.balance).toBe(9_990);
    expect(view.demurrageNext30Days).toBeGreaterThan(290);
    expect(d.ledger.account(y).pendingDemurrage).toBe(0); // negative balances do not decay
    await d.ledger.pay({ payer: x, payee: y, amount: 1, actor: x });
    expect(d.ledger.account(x).balance).toBe(9_989);
    expect(d.ledger.account(FUND).balance).toBe(10);
    const r = verifyLedger(d.ledger);
    expect(r.ok).toBe(true);
    expect(r.totals.credit).toBe(0);
  });

  it('writes nothing for a payment it refuses, even when demurrage was due on both sides', async () => {
    // Payments skip a child transaction (see Store.writeChecksFirst), so a refusal must come before any write.
    d.clock.advance(3 * DAY_MS);
    const head = d.ledger.journal.head()!.seq;
    const accounts = d.store.db<Record<string, unknown>, [string, string]>('accounts');
    const before = [accounts.get(['credit', x]), accounts.get(['credit', y]), accounts.get(['credit', FUND])];
    await expect(d.ledger.pay({ payer: x, payee: y, amount: 1_000_000, actor: x })).rejects.toMatchObject({ slug: 'over-credit-limit' });
    await expect(d.ledger.pay({ payer: y, payee: FUND, amount: 1_000_000, actor: y })).rejects.toMatchObject({ slug: 'over-credit-limit' });
    expect(d.ledger.journal.head()!.seq).toBe(head);
    expect([accounts.get(['credit', x]), accounts.get(['credit', y]), accounts.get(['credit', FUND])]).toEqual(before);
    // Refusals and payments mixed in one commit: each payment books its own demurrage once, and the whole still adds up.
    const settled = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        d.ledger.pay(i % 3 === 0 ? { payer: y, payee: x, amount: 60_000, actor: y } : { payer: x, payee: i % 2 ? y : FUND, amount: 7, actor: x }),
      ),
    );
    expect(settled.filter((r) => r.status === 'rejected').length).toBeGreaterThan(0);
    const r = verifyLedger(d.ledger);
    expect(r.problems).toEqual([]);
    expect(r.totals.credit).toBe(0);
    const decays = [...d.ledger.journal.scan(head + 1)].filter((e) => e.kind === 'demurrage');
    expect(decays.map((e) => e.postings[0]!.account)).toEqual([x]); // x had a positive balance; booked once, with the first payment
    expect(d.ledger.account(FUND).balance).toBe(
      decays[0]!.postings[1]!.delta + 7 * settled.filter((r, i) => r.status === 'fulfilled' && i % 3 !== 0 && i % 2 === 0).length,
    );
  });

  it('nightly materialisation and lazy application give the same balances', async () => {
    const lazy = makeCore({ ledger: { demurrageRatePercent: 36.5 } });
    try {
      const lx = (await lazy.members.create({ name: 'X', email: 'x@example.org' }, null)).id;
      const ly = (await lazy.members.create({ name: 'Y', email: 'y@example.org' }, null)).id;
      await lazy.ledger.pay({ payer: ly, payee: lx, amount: 10_000, actor: ly });
      for (let i = 0; i < 10; i++) {
        d.clock.advance(DAY_MS);
        lazy.clock.advance(DAY_MS);
        await d.ledger.materialiseDemurrage();
      }
      await lazy.ledger.pay({ payer: ly, payee: lx, amount: 1, actor: ly });
      await d.ledger.pay({ payer: y, payee: x, amount: 1, actor: y });
      expect(lazy.ledger.account(lx).balance).toBe(d.ledger.account(x).balance);
      expect(lazy.ledger.account(FUND).balance).toBe(d.ledger.account(FUND).balance);
      expect(d.ledger.account(FUND).balance).toBe(10_000 - Math.ceil(10_000 * 0.999 ** 10 - 1e-9));
    } finally {
      await lazy.cleanup();
    }
  });
});

describe('verify', () => {
  it('finds a tampered journal entry and a tampered balance', async () => {
    await core.ledger.pay({ payer: ana, payee: bo, amount: 500, actor: ana });
    expect(verifyLedger(core.ledger).ok).toBe(true);
    const journal = core.store.db<Record<string, unknown>, number>('journal');
    const head = core.ledger.journal.head()!;
    const entry = journal.get(head.seq)!;
    await journal.put(head.seq, {
      ...entry,
      postings: [
        { account: ana, unit: 'credit', delta: -5 },
        { account: bo, unit: 'credit', delta: 5 },
      ],
    });
    const r = verifyLedger(core.ledger);
    expect(r.ok).toBe(false);
    expect(r.problems.join('\n')).toMatch(/altered/);
    expect(r.problems.join('\n')).toMatch(/stored as 500 but the journal gives 5/);
  });

  it('finds a balance changed outside the journal', async () => {
    await core.ledger.pay({ payer: ana, payee: bo, amount: 500, actor: ana });
    const accounts = core.store.db<Record<string, unknown>, [string, string]>('accounts');
    const acct = accounts.get(['credit', bo])!;
    await accounts.put(['credit', bo], { ...acct, balance: 1_000_000 });
    const r = verifyLedger(core.ledger);
    expect(r.ok).toBe(false);
    expect(r.problems.some((p) => p.startsWith('zero-sum'))).toBe(true);
  });
});
