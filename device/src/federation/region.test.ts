import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLEARING_PREFIX, FUND } from '../ledger/types.js';
import { CLEARING_RUN_TTL_MS } from './hub-clearing.js';
import { TestRegion, type TestHub } from './test-region.js';

/** Three hubs: payments through an intermediary, shared signals, the regional solve, clearing between hubs. */
let region: TestRegion;
let a: TestHub, b: TestHub, c: TestHub;

beforeEach(async () => {
  region = new TestRegion();
  a = await region.hub('alpha', { place: { x: 0, y: 0 } });
  b = await region.hub('beta', { place: { x: 4_000, y: 0 } });
  c = await region.hub('gamma', { place: { x: 12_000, y: 0 } });
});
afterEach(() => region.cleanup());

const linkOf = (h: TestHub, other: TestHub) => h.fed.listPeers().find((p) => p.hubId === other.fed.hubId)!;
const net = (h: TestHub) => h.fed.listPeers().reduce((s, p) => s + p.clearingBalance, 0);

async function shareAll() {
  for (let i = 0; i < 2; i++) {
    for (const h of [a, b, c]) await h.fed.signals.share();
    await region.settle();
  }
}

/** A member of `from` pays a member of `to`, in `from`'s currency: `from` now owes `to`. */
const pay = (from: TestHub, to: TestHub, amount: number) =>
  from.fed.payments.pay(from.member, { payer: from.member, to: `${to.member}@${to.fed.hubId}`, amount, currency: 'ours' });

/** alpha, beta and gamma linked in a triangle at 1:1, each owing the next 100, with balances shared. */
async function triangleOfDebts() {
  await ringOfDebts([a, b, c], [100, 100, 100]);
  await shareAll();
}

/** The triangle, with a clearing run that alpha proposed and every hub has heard of. */
async function proposedClearing() {
  await triangleOfDebts();
  const run = await a.fed.clearing.propose(a.steward);
  await region.settle();
  return run;
}

/** Hubs linked in a ring, each owing the next hub the amount at its place, settled. */
async function ringOfDebts(hubs: TestHub[], amounts: number[]) {
  for (const [i, h] of hubs.entries()) await region.link(h, hubs[(i + 1) % hubs.length]!);
  for (const [i, h] of hubs.entries()) await pay(h, hubs[(i + 1) % hubs.length]!, amounts[i]!);
  await region.settle();
}

describe('payments through an intermediary', () => {
  beforeEach(async () => {
    // alpha — beta — gamma, with no link between alpha and gamma. Beta keeps 1% of what it passes on from alpha.
    await region.link(b, a, { num: 1, den: 1 }, { feePpm: 10_000 });
    await region.link(b, c, { num: 5, den: 1 }); // 1 GAMMA = 5 BETA
    await b.fed.proposeTerms(a.fed.hubId, b.steward, { feePpm: 10_000 });
    await region.settle();
    await a.fed.answerTerms(b.fed.hubId, a.steward, true);
    await region.settle();
  });

  it('finds the way from the summaries, pays through beta with its fee, and every ledger and mirror stays whole', async () => {
    await expect(a.fed.payments.pay(a.member, { payer: a.member, to: `${c.member}@${c.fed.hubId}`, amount: 1_000, currency: 'ours' })).rejects.toMatchObject({
      title: 'No route',
    });
    await shareAll();
    expect(a.fed.signals.reach()).toEqual(expect.arrayContaining([{ hubId: c.fed.hubId, hops: 2 }]));
    const p = await a.fed.payments.pay(a.member, { payer: a.member, to: `${c.member}@${c.fed.hubId}`, amount: 1_000, currency: 'ours' });
    expect(p.peer).toBe(b.fed.hubId);
    await region.settle();
    expect(a.fed.payments.payment(p.id).status).toBe('completed');
    expect(a.core.ledger.account(a.member).balance).toBe(-1_000);
    expect(b.core.ledger.account(FUND).balance).toBe(10); // 1% of 1,000 BETA
    expect(c.core.ledger.account(c.member).balance).toBe(198); // 990 BETA at 5 BETA per GAMMA
    expect(b.fed.payments.list({ status: 'completed' })).toHaveLength(2); // the leg in and the leg out
    region.expectConsistent();
  });

  it('a refusal at the far end reverses every leg, fee included', async () => {
    await shareAll();
    const p = await a.fed.payments.pay(a.member, { payer: a.member, to: `m_nobody@${c.fed.hubId}`, amount: 1_000, currency: 'ours' });
    await region.settle();
    expect(a.fed.payments.payment(p.id)).toMatchObject({ status: 'reversed', reason: 'no such member' });
    expect(a.core.ledger.account(a.member).balance).toBe(0);
    expect(b.core.ledger.account(FUND).balance).toBe(0);
    for (const h of [a, b, c]) for (const l of h.fed.listPeers()) expect(l.clearingBalance).toBe(0);
    region.expectConsistent();
  });
});

describe('shared signals and the regional solve', () => {
  beforeEach(async () => {
    await region.link(a, b);
    await region.link(b, c);
    await region.link(c, a);
  });

  it('shares needs and surpluses per resource without member identities', async () => {
    await a.core.board.post(a.member, { kind: 'need', resource: 'water', quantity: 100, title: "Water for Rosa's garden" });
    await b.core.board.post(b.member, { kind: 'surplus', resource: 'water', quantity: 80 });
    await shareAll();
    const seen = b.fed.signals.region().find((h) => h.hubId === a.fed.hubId)!;
    expect(seen.summary.needs).toEqual([expect.objectContaining({ resource: 'water', quantity: 100 })]);
    expect(seen.summary.place).toMatchObject({ x: 0, y: 0 });
    const wire = JSON.stringify(seen);
    expect(wire).not.toContain(a.member);
    expect(wire).not.toContain('Rosa');
  });

  it("routes a surplus across a link and it stands only when both hubs' stewards consent", async () => {
    await a.core.board.post(a.member, { kind: 'need', resource: 'food', quantity: 30 });
    await b.core.board.post(b.member, { kind: 'surplus', resource: 'food', quantity: 50 });
    await shareAll();
    const [p, ...rest] = await a.fed.signals.solve();
    expect(rest).toEqual([]);
    expect(p).toMatchObject({ resource: 'food', supplierHub: b.fed.hubId, receiverHub: a.fed.hubId, quantity: 30, status: 'proposed' });
    await region.settle();
    expect(b.fed.signals.proposal(p!.id).status).toBe('proposed');
    await a.fed.signals.consent(p!.id, true, a.steward);
    await region.settle();
    expect(b.fed.signals.proposal(p!.id).status).toBe('proposed');
    await b.fed.signals.consent(p!.id, true, b.steward);
    await region.settle();
    expect([a.fed.signals.proposal(p!.id).status, b.fed.signals.proposal(p!.id).status]).toEqual(['agreed', 'agreed']);
    await expect(b.fed.signals.consent(p!.id, false, b.steward)).rejects.toMatchObject({ status: 409 });
  });

  it('an emergency declared at one hub reaches its links and puts its needs first', async () => {
    // Beta has 50 kg spare; alpha (4 km away) and gamma (8 km away) both need 50.
    await b.core.board.post(b.member, { kind: 'surplus', resource: 'food', quantity: 50 });
    await a.core.board.post(a.member, { kind: 'need', resource: 'food', quantity: 50 });
    await c.core.board.post(c.member, { kind: 'need', resource: 'food', quantity: 50 });
    await shareAll();
    const before = await b.fed.signals.solve();
    expect(before).toEqual([expect.objectContaining({ supplierHub: b.fed.hubId, receiverHub: a.fed.hubId, quantity: 50 })]);

    await c.core.board.declareCrisis(c.steward, { note: 'flood' });
    await c.fed.tick(); // the periodic task notices the emergency and tells the links at once
    await region.settle();
    expect(b.fed.signals.region().find((h) => h.hubId === c.fed.hubId)!.summary.crisis).toMatchObject({ note: 'flood' });
    const after = await b.fed.signals.solve();
    expect(after).toEqual([expect.objectContaining({ supplierHub: b.fed.hubId, receiverHub: c.fed.hubId, quantity: 50 })]);
  });
});

describe('clearing between hubs', () => {
  it("clears a triangle of hub debts with every steward's consent: every balance falls, no hub's net position moves", async () => {
    // Rates around the triangle multiply to one: 1 BETA = 2 ALPHA, 1 GAMMA = 1 BETA, 1 GAMMA = 2 ALPHA.
    await region.link(b, a, { num: 1, den: 2 }); // alpha counts 1/2 BETA per ALPHA
    await region.link(c, b, { num: 1, den: 1 }); // beta counts 1 GAMMA per BETA
    await region.link(a, c, { num: 2, den: 1 }); // gamma counts 2 ALPHA per GAMMA
    // alpha owes beta, beta owes gamma, gamma owes alpha.
    await pay(a, b, 1_000);
    await pay(b, c, 300);
    await pay(c, a, 700);
    await region.settle();
    const nets = [a, b, c].map(net);
    await shareAll();
    const run = await a.fed.clearing.propose(a.steward);
    expect(run.cycle).toEqual([a.fed.hubId, b.fed.hubId, c.fed.hubId]);
    await region.settle();
    expect(linkOf(a, b).clearingBalance).toBe(1_000); // nothing moves before everyone accepts
    const [bRun] = b.fed.clearing.list();
    await b.fed.clearing.answer(bRun!.id, true, b.steward);
    await region.settle();
    expect(linkOf(a, b).clearingBalance).toBe(1_000);
    await c.fed.clearing.answer(run.id, true, c.steward);
    await region.settle();
    expect(a.fed.clearing.run(run.id).status).toBe('committed');
    expect(c.fed.clearing.run(run.id).status).toBe('committed');
    // alpha owed beta 1,000 ALPHA (500 BETA); beta owed gamma 300 BETA; gamma owed alpha 700 GAMMA. The cycle clears 600 ALPHA = 300 BETA = 300 GAMMA.
    expect(linkOf(a, b).clearingBalance).toBe(400);
    expect(linkOf(b, c).clearingBalance).toBe(0);
    expect(linkOf(c, a).clearingBalance).toBe(400);
    expect([a, b, c].map(net)).toEqual(nets);
    region.expectConsistent();
    expect(a.core.ledger.account(CLEARING_PREFIX + b.fed.hubId).balance).toBe(400);
  });

  it("one steward's no aborts the run everywhere", async () => {
    const run = await proposedClearing();
    await b.fed.clearing.answer(run.id, false, b.steward);
    await region.settle();
    expect(a.fed.clearing.run(run.id).status).toBe('declined');
    expect(c.fed.clearing.run(run.id).status).toBe('declined');
    expect(linkOf(a, b).clearingBalance).toBe(100);
    await expect(c.fed.clearing.answer(run.id, true, c.steward)).rejects.toMatchObject({ status: 409 });
  });

  it('calls a run off everywhere when a steward never answers', async () => {
    const run = await proposedClearing();
    await b.fed.clearing.answer(run.id, true, b.steward);
    await region.settle();
    await a.fed.tick();
    expect(a.fed.clearing.run(run.id).status).toBe('proposed'); // gamma still has time
    for (const h of [a, b, c]) h.core.clock.advance(CLEARING_RUN_TTL_MS + 60_000);
    await a.fed.tick();
    await region.settle();
    for (const h of [a, b, c]) expect(h.fed.clearing.run(run.id).status, h.name).toBe('declined');
    await expect(c.fed.clearing.answer(run.id, true, c.steward)).rejects.toMatchObject({ status: 409 });
    expect(linkOf(a, b).clearingBalance).toBe(100);
  });

  it('clears a square of debts whose far corner the proposer has no link with, and a hub in between cannot forge the decision', async () => {
    // alpha — beta — gamma — delta — alpha: alpha has no link with gamma.
    const d = await region.hub('delta', { place: { x: 0, y: 8_000 } });
    await ringOfDebts([a, b, c, d], [500, 300, 400, 200]);
    const hubs = [a, b, c, d];
    const nets = hubs.map(net);
    for (let i = 0; i < 2; i++) {
      for (const h of hubs) await h.fed.signals.share();
      await region.settle();
    }
    expect(a.fed.findPeer(c.fed.hubId)).toBeUndefined();
    const run = await a.fed.clearing.propose(a.steward);
    expect(run.cycle).toEqual([a.fed.hubId, b.fed.hubId, c.fed.hubId, d.fed.hubId]);
    await region.settle();
    // The proposal went round: gamma has it, signed by alpha, though alpha cannot reach it directly.
    expect(c.fed.clearing.run(run.id).status).toBe('proposed');
    // Alpha names every hub on it, gamma too, from beta's and delta's summaries.
    expect(run.names).toEqual({ [a.fed.hubId]: 'alpha', [b.fed.hubId]: 'beta', [c.fed.hubId]: 'gamma', [d.fed.hubId]: 'delta' });

    // Beta tries to tell gamma the run is committed, signing as itself: refused, and nothing moves.
    const forged = { id: run.id, decision: 'commit' };
    const { createPrivateKey, sign } = await import('node:crypto');
    const { canonicalJson } = await import('../canonical-json.js');
    const sig = sign(null, Buffer.from(canonicalJson(forged)), createPrivateKey(b.fed.self.identity.privateKeyPem)).toString('base64url');
    await b.core.store.write(() => b.fed.sendInTxn(c.fed.hubId, 'clearing.commit', { id: run.id, proof: { key: b.fed.self.identity.publicKey, sig } }));
    await region.settle();
    expect(c.fed.rejected['bad-signature']).toBe(1);
    expect(c.fed.clearing.run(run.id).status).toBe('proposed');
    expect(linkOf(c, d).clearingBalance).toBe(400);

    for (const h of [b, c, d]) await h.fed.clearing.answer(run.id, true, h.steward);
    await region.settle();
    for (const h of hubs) expect(h.fed.clearing.run(run.id).status, h.name).toBe('committed');
    // 200 comes off every edge: alpha→beta 300, beta→gamma 100, gamma→delta 200, delta→alpha 0.
    expect(linkOf(a, b).clearingBalance).toBe(300);
    expect(linkOf(b, c).clearingBalance).toBe(100);
    expect(linkOf(c, d).clearingBalance).toBe(200);
    expect(linkOf(d, a).clearingBalance).toBe(0);
    expect(hubs.map(net)).toEqual(nets);
    region.expectConsistent();
  });
});
