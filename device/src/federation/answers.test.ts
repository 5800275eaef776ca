import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestRegion, type TestHub } from './test-region.js';

/** A linked hub that lies: it may only speak for what is between it and us. */
let region: TestRegion;
let a: TestHub;
let b: TestHub;
let c: TestHub;

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

  it('credits incoming payments to members only, never to the community\'s own accounts', async () => {
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
