import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../log.js';
import { verifyLedger } from '../ledger/verify.js';
import { makeCore, type TestCore } from '../test-support.js';
import { Board } from './board.js';

let core: TestCore;
const ids: Record<string, string> = {};
beforeEach(async () => {
  core = makeCore();
  for (const n of ['ana', 'bo', 'cy', 'di', 'steward'])
    ids[n] = (await core.members.create({ name: n, email: `${n}@example.org`, role: n === 'steward' ? 'steward' : 'resident' }, null)).id;
});
afterEach(() => core.cleanup());

const place = (name: string, x: number, y = 0) => ({ name, x, y });

describe('needs and surpluses board', () => {
  it('proposes an allocation when a need meets a surplus, and pledges it when both accept', async () => {
    await core.board.post(ids.ana!, { kind: 'surplus', resource: 'food', quantity: 20, place: place('orchard', 0) });
    const need = await core.board.post(ids.bo!, { kind: 'need', resource: 'food', quantity: 15, place: place('school', 1000) });
    const [p] = core.board.proposalsFor(ids.bo!, { status: 'proposed' });
    expect(p).toMatchObject({ supplier: ids.ana, receiver: ids.bo, quantity: 15, wantId: need.id });
    await expect(core.board.accept(p!.id, ids.cy!)).rejects.toMatchObject({ status: 403 });
    expect((await core.board.accept(p!.id, ids.ana!)).status).toBe('proposed');
    const pledged = await core.board.accept(p!.id, ids.bo!);
    expect(pledged.status).toBe('pledged');
    // Pledged units are no longer offered: a second need gets only the 5 left.
    await core.board.post(ids.cy!, { kind: 'need', resource: 'food', quantity: 10, place: place('school', 1000) });
    expect(core.board.proposalsFor(ids.cy!, { status: 'proposed' }).map((x) => x.quantity)).toEqual([5]);
    // Delivery with a payment, in one transaction, feeding reliability.
    const done = await core.board.fulfil(p!.id, ids.bo!, 1500);
    expect(done.status).toBe('fulfilled');
    expect(core.ledger.account(ids.ana!).balance).toBe(1500);
    expect(core.reliability.get(ids.ana!).pledgesFulfilled).toBe(1);
    expect(verifyLedger(core.ledger).ok).toBe(true);
  });

  it('pledges small proposals at once when the community allows it', async () => {
    const c = makeCore({ flow: { autoAcceptBelow: 5 } });
    try {
      const a = (await c.members.create({ name: 'A', email: 'a@example.org' }, null)).id;
      const b = (await c.members.create({ name: 'B', email: 'b@example.org' }, null)).id;
      await c.board.post(a, { kind: 'surplus', resource: 'water', quantity: 4 });
      await c.board.post(b, { kind: 'need', resource: 'water', quantity: 4 });
      expect(c.board.proposalsFor(b).map((p) => p.status)).toEqual(['pledged']);
    } finally {
      await c.cleanup();
    }
  });

  it('in a declared emergency, serves the flooded street and vulnerable members first', async () => {
    await core.board.post(ids.ana!, { kind: 'surplus', resource: 'food', quantity: 10, place: place('depot', 0) });
    await core.board.post(ids.bo!, { kind: 'need', resource: 'food', quantity: 10, place: place('market', 500) });
    await core.board.post(ids.cy!, { kind: 'need', resource: 'food', quantity: 10, place: place('river street', 3000) });
    expect(core.board.proposalsFor(null, { status: 'proposed' }).map((p) => p.receiver)).toEqual([ids.bo]);
    const crisis = await core.board.declareCrisis(ids.steward!, { note: 'flood', places: ['river street'] });
    expect(core.board.activeCrisis()?.id).toBe(crisis.id);
    expect(core.board.proposalsFor(null, { status: 'proposed' }).map((p) => p.receiver)).toEqual([ids.cy]);
    // A vulnerable member outside the flooded street comes first of all.
    await core.board.setVulnerable(ids.di!, true);
    await core.board.post(ids.di!, { kind: 'need', resource: 'food', quantity: 10, place: place('hill', 8000) });
    expect(core.board.proposalsFor(null, { status: 'proposed' }).map((p) => p.receiver)).toEqual([ids.di]);
    await core.board.endCrisis(crisis.id, ids.steward!);
    expect(core.board.proposalsFor(null, { status: 'proposed' }).map((p) => p.receiver)).toEqual([ids.bo]);
  });

  it('finds a barter ring across resources', async () => {
    await core.board.post(ids.ana!, { kind: 'surplus', resource: 'power', quantity: 30 });
    await core.board.post(ids.ana!, { kind: 'need', resource: 'food', quantity: 50 });
    await core.board.post(ids.bo!, { kind: 'surplus', resource: 'food', quantity: 50 });
    await core.board.post(ids.bo!, { kind: 'need', resource: 'medical', quantity: 5 });
    await core.board.post(ids.cy!, { kind: 'surplus', resource: 'medical', quantity: 5 });
    await core.board.post(ids.cy!, { kind: 'need', resource: 'power', quantity: 30 });
    const rings = core.board.cycles();
    expect(rings).toHaveLength(1);
    expect(rings[0]!.map((p) => `${p.resource}`).sort()).toEqual(['food', 'medical', 'power']);
  });
});

describe('clearing open requests', () => {
  it('sets off a ring of requests once everyone it touches agrees, moving no money', async () => {
    const { ana, bo, cy } = ids as Record<string, string>;
    await core.ledger.request({ payee: bo!, payer: ana!, amount: 1000, actor: bo! });
    await core.ledger.request({ payee: cy!, payer: bo!, amount: 700, actor: cy! });
    await core.ledger.request({ payee: ana!, payer: cy!, amount: 500, actor: ana! });
    const run = await core.board.proposeClearing(ids.steward!);
    expect(run).toMatchObject({ status: 'proposed', totalBefore: 2200, cleared: 1500 });
    expect(run.affected.sort()).toEqual([ana, bo, cy].sort());
    await expect(core.board.acceptClearing(run.id, ids.di!)).rejects.toMatchObject({ status: 403 });
    await core.board.acceptClearing(run.id, ana!);
    await core.board.acceptClearing(run.id, bo!);
    expect(
      core.ledger
        .openObligations()
        .map((r) => r.amount)
        .sort(),
    ).toEqual([1000, 500, 700].sort());
    const applied = await core.board.acceptClearing(run.id, cy!);
    expect(applied.status).toBe('applied');
    expect(
      core.ledger
        .openObligations()
        .map((r) => r.amount)
        .sort((a, b) => a - b),
    ).toEqual([200, 500]);
    expect(core.ledger.requestsOf(cy!, { status: 'cleared' })).toHaveLength(1);
    for (const m of [ana, bo, cy]) expect(core.ledger.account(m!).balance).toBe(0);
    expect(verifyLedger(core.ledger).ok).toBe(true);
  });

  it('refuses to apply a set-off when a request changed meanwhile', async () => {
    const { ana, bo } = ids as Record<string, string>;
    const r1 = await core.ledger.request({ payee: bo!, payer: ana!, amount: 100, actor: bo! });
    await core.ledger.request({ payee: ana!, payer: bo!, amount: 100, actor: ana! });
    const run = await core.board.proposeClearing(null);
    await core.ledger.rejectRequest(r1.id, ana!);
    await core.board.acceptClearing(run.id, ana!);
    await expect(core.board.acceptClearing(run.id, bo!)).rejects.toMatchObject({ status: 409 });
    expect(core.board.getClearingRun(run.id).status).toBe('stale');
  });

  it('proposes no match on a post that closed while its solve ran', async () => {
    const offer = await core.board.post(ids.ana!, { kind: 'surplus', resource: 'food', quantity: 20, place: place('orchard', 0) });
    await core.board.post(ids.bo!, { kind: 'need', resource: 'food', quantity: 15, place: place('school', 1000) });
    expect(core.board.proposalsFor(null, { status: 'proposed' })).toHaveLength(1);
    // A board whose solve takes as long as the surplus's owner needs to close it: a large solve on the solver thread.
    const solver = core.board.solver;
    const slow = new Board(core.store, core.ledger, core.reliability, core.clock, core.board.params, silentLogger, {
      allocate: async (offers, wants, options) => {
        const result = await solver.allocate(offers, wants, options);
        await core.board.closePost(offer.id, ids.ana!, false);
        return result;
      },
      clear: (obligations) => solver.clear(obligations),
      close: async () => undefined,
    });
    expect(await slow.recompute('food')).toMatchObject({ proposals: 0 });
    expect(core.board.proposalsFor(null, { status: 'proposed' })).toEqual([]);
  });
});
