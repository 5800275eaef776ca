import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestRegion, type TestHub } from './test-region.js';

/** A linked hub that lies: it may only speak for what is between it and us. */
let region: TestRegion;
let a: TestHub, b: TestHub, c: TestHub;

beforeEach(async () => {
  region = new TestRegion();
  a = await region.hub('alpha');
  b = await region.hub('beta');
  c = await region.hub('gamma');
  await region.link(a, b);
  await region.link(a, c);
});
afterEach(() => region.cleanup());

describe('answers from linked hubs', () => {
  it('lets only the hub a payment is pending with accept or reject it', async () => {
    b.up = false; // beta cannot answer for now
    const pay = await a.fed.payments.pay(a.member, { payer: a.member, to: `${b.member}@${b.fed.hubId}`, amount: 300, currency: 'ours' });
    // Gamma claims beta's payment went through, and then that it was refused.
    await c.core.store.write(() => c.fed.sendInTxn(a.fed.hubId, 'payment.accept', { paymentId: pay.id }));
    await region.settle();
    expect(a.fed.payments.payment(pay.id).status).toBe('pending');
    await c.core.store.write(() => c.fed.sendInTxn(a.fed.hubId, 'payment.reject', { paymentId: pay.id, reason: 'forged' }));
    await region.settle();
    expect(a.fed.payments.payment(pay.id).status).toBe('pending');
    expect(a.core.ledger.account(a.member).balance).toBe(-300);
    // Beta's own answer counts.
    b.up = true;
    await region.settle();
    expect(a.fed.payments.payment(pay.id).status).toBe('completed');
    region.expectConsistent();
  });

  it("credits incoming payments to members only, never to the community's own accounts", async () => {
    const fundBefore = a.core.ledger.account('fund').balance;
    for (const system of ['fund', 'pool:library', 'escrow:library']) {
      const pay = await c.fed.payments.pay(c.member, { payer: c.member, to: `${system}@${a.fed.hubId}`, amount: 100, currency: 'ours' });
      await region.settle();
      expect(c.fed.payments.payment(pay.id)).toMatchObject({ status: 'reversed', reason: 'no such member' });
    }
    expect(a.core.ledger.account('fund').balance).toBe(fundBefore);
    expect(c.core.ledger.account(c.member).balance).toBe(0);
    region.expectConsistent();
  });
});

describe('message bodies', () => {
  it('are checked against their type before anything acts on them: a bad one is refused and counted, and the link goes on', async () => {
    const before = a.core.ledger.account(a.member).balance;
    const refusedBefore = a.fed.rejected.malformed ?? 0;
    const lies: Array<[string, Record<string, unknown>]> = [
      ['payment.propose', { paymentId: 'p1', payer: `x@${b.fed.hubId}`, payee: a.member, hub: a.fed.hubId, amount: 1.5 }],
      ['payment.propose', { paymentId: 'p2', payer: `x@${b.fed.hubId}`, payee: a.member, hub: a.fed.hubId, amount: '1e9' }],
      ['terms.propose', { id: 't1', rate: { num: 0, den: 1 }, trustOut: 10, trustIn: 10, feePpm: 0 }],
      ['terms.propose', { id: 't2', rate: 'one to one', trustOut: 10, trustIn: 10, feePpm: 0 }],
      ['link.status', { status: 'exploded' }],
      ['region.consent', { id: 'r1', accept: 'yes' }],
      ['signals.summary', { at: 1, place: null, needs: 'all of it', surpluses: [], crisis: null, reach: [], positions: [] }],
    ];
    for (const [type, body] of lies) await b.core.store.write(() => b.fed.sendInTxn(a.fed.hubId, type, body));
    await region.settle();
    expect(a.fed.rejected.malformed).toBe(refusedBefore + lies.length);
    expect(a.core.ledger.account(a.member).balance).toBe(before);
    expect(a.fed.listPeers().find((p) => p.hubId === b.fed.hubId)).toMatchObject({ status: 'active', pendingTerms: null, rate: { num: 1, den: 1 } });
    // The next honest message on the same link is taken.
    await b.fed.payments.pay(b.member, { payer: b.member, to: `${a.member}@${a.fed.hubId}`, amount: 250, currency: 'ours' });
    await region.settle();
    expect(a.core.ledger.account(a.member).balance).toBe(before + 250);
    region.expectConsistent();
  });
});
