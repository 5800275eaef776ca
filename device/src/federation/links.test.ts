import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLEARING_PREFIX } from '../ledger/types.js';
import { TestRegion, type TestHub } from './test-region.js';

/** A link's life after peering: new terms, pause, close, and payments that never arrive. */
let region: TestRegion;
let a: TestHub;
let b: TestHub;

beforeEach(async () => {
  region = new TestRegion();
  a = await region.hub('alpha', { paymentTimeoutMs: 3_600_000 });
  b = await region.hub('beta');
  await region.link(a, b, { num: 2, den: 1 }); // 1 BETA = 2 ALPHA
});
afterEach(() => region.cleanup());

const pay = (from: TestHub, to: TestHub, amount: number, currency: 'ours' | 'theirs' = 'ours') =>
  from.fed.payments.pay(from.member, { payer: from.member, to: `${to.member}@${to.fed.hubId}`, amount, currency });
const linkOf = (h: TestHub, other: TestHub) => h.fed.listPeers().find((p) => p.hubId === other.fed.hubId)!;

describe('link terms', () => {
  it('changes the rate only when the other side accepts, and keeps the mirror exact across the change', async () => {
    await pay(b, a, 100); // at 2:1, alpha's member gets 200
    await region.settle();
    await b.fed.proposeTerms(a.fed.hubId, b.steward, { rate: { num: 3, den: 1 } });
    await region.settle();
    expect(linkOf(a, b).pendingTerms).toMatchObject({ proposedBy: 'them', rate: { num: 1, den: 3 } });
    // Not yet in effect on either side.
    expect(linkOf(b, a).rate).toEqual({ num: 2, den: 1 });
    await pay(b, a, 100);
    await region.settle();
    expect(a.core.ledger.account(a.member).balance).toBe(400);

    await a.fed.answerTerms(b.fed.hubId, a.steward, true);
    expect(linkOf(a, b).rate).toEqual({ num: 1, den: 3 });
    await region.settle();
    expect(linkOf(b, a)).toMatchObject({ rate: { num: 3, den: 1 }, pendingTerms: null });
    await pay(b, a, 100);
    await pay(a, b, 300); // alpha pays 300 ALPHA = 100 BETA at the new rate
    await region.settle();
    expect(a.core.ledger.account(a.member).balance).toBe(400 + 300 - 300);
    expect(b.core.ledger.account(b.member).balance).toBe(-300 + 100);
    // Clearing balances no longer mirror at one rate, but each side's count in the other's units does.
    region.expectConsistent();
    expect(linkOf(b, a).owedTheirs).toBe(700 - 300);
  });

  it('a declined proposal changes nothing; answering twice is refused', async () => {
    await a.fed.proposeTerms(b.fed.hubId, a.steward, { trustIn: 5 });
    await region.settle();
    await b.fed.answerTerms(a.fed.hubId, b.steward, false);
    await region.settle();
    expect(linkOf(a, b)).toMatchObject({ trustIn: 1_000_000, pendingTerms: null });
    await expect(b.fed.answerTerms(a.fed.hubId, b.steward, true)).rejects.toMatchObject({ status: 409 });
  });

  it("gives each clearing account the link's trust limits as its floor and ceiling, and keeps them in step with the terms", async () => {
    const clearing = (h: TestHub, other: TestHub) => h.core.ledger.account(CLEARING_PREFIX + other.fed.hubId);
    const link = linkOf(a, b);
    expect(clearing(a, b)).toMatchObject({ floor: -link.trustIn, ceiling: link.trustOut });
    await a.fed.proposeTerms(b.fed.hubId, a.steward, { trustIn: 5_000, trustOut: 7_000 });
    await region.settle();
    await b.fed.answerTerms(a.fed.hubId, b.steward, true);
    await region.settle();
    // Each side holds the terms its own way round: beta's trust in alpha is alpha's trust out.
    expect(clearing(a, b)).toMatchObject({ floor: -5_000, ceiling: 7_000 });
    expect(clearing(b, a)).toMatchObject({ floor: -7_000, ceiling: 5_000 });
  });
});

describe('pausing and closing a link', () => {
  it('a pause stops new payments both ways, with the reason; resuming lets them through', async () => {
    await a.fed.setStatus(b.fed.hubId, 'paused', a.steward);
    await region.settle();
    await expect(pay(a, b, 10)).rejects.toMatchObject({ detail: expect.stringContaining('paused') });
    await expect(pay(b, a, 10)).rejects.toMatchObject({ detail: expect.stringContaining('paused the link') });
    await a.fed.setStatus(b.fed.hubId, 'active', a.steward);
    await region.settle();
    await pay(b, a, 10);
    await region.settle();
    expect(a.core.ledger.account(a.member).balance).toBe(20);
  });

  it('closes at once at zero; with a balance only under a settlement plan, closing itself when the balance reaches zero', async () => {
    await pay(b, a, 500); // beta owes alpha 500 BETA
    await region.settle();
    await expect(b.fed.close(a.fed.hubId, b.steward)).rejects.toMatchObject({ status: 422, extensions: { balance: 500 } });
    await b.fed.close(a.fed.hubId, b.steward, 'alpha buys 500 BETA of seedlings from beta this spring');
    await region.settle();
    expect(linkOf(a, b)).toMatchObject({ status: 'closing', settlement: { plan: expect.stringContaining('seedlings') } });
    // Away from zero: refused on both sides. Towards zero: allowed.
    await expect(pay(b, a, 10)).rejects.toMatchObject({ title: 'Link closing' });
    await expect(pay(a, b, 1_200)).rejects.toMatchObject({ title: 'Link closing' }); // would overshoot: 600 BETA
    await pay(a, b, 600);
    await region.settle();
    expect(linkOf(a, b).status).toBe('closing');
    await pay(a, b, 400);
    await region.settle();
    expect([linkOf(a, b).status, linkOf(b, a).status]).toEqual(['closed', 'closed']);
    expect(linkOf(a, b).clearingBalance).toBe(0);
    await expect(pay(a, b, 2)).rejects.toMatchObject({ detail: expect.stringContaining('closed') });
    region.expectConsistent();

    // A link with nothing owed closes at once.
    const c = await region.hub('gamma');
    await region.link(a, c);
    await a.fed.close(c.fed.hubId, a.steward);
    await region.settle();
    expect(linkOf(c, a).status).toBe('closed');
  });
});

describe('payments that never arrive', () => {
  it('reverses a proposal still undelivered after its timeout; the other hub refuses it if it turns up later', async () => {
    b.up = false;
    const p = await pay(a, b, 400);
    await region.settle();
    expect(a.core.ledger.account(a.member).balance).toBe(-400);
    a.core.clock.advance(30 * 60_000);
    expect(await a.fed.payments.expire()).toBe(0); // not yet
    a.core.clock.advance(3_600_000);
    expect(await a.fed.payments.expire()).toBe(1);
    expect(a.fed.payments.payment(p.id)).toMatchObject({ status: 'reversed', reason: expect.stringContaining('timed out') });
    expect(a.core.ledger.account(a.member).balance).toBe(0);
    expect(a.core.ledger.account(CLEARING_PREFIX + b.fed.hubId).balance).toBe(0);

    b.core.clock.advance(2 * 3_600_000);
    b.up = true;
    await region.settle();
    expect(b.fed.payments.payment(p.id)).toMatchObject({ status: 'rejected', reason: 'expired before it arrived' });
    expect(b.core.ledger.account(b.member).balance).toBe(0);
    region.expectConsistent();
  });

  it('a delivered proposal waits for its answer however long the way back is down', async () => {
    const p = await pay(a, b, 400);
    await a.fed.flush(); // delivered and acknowledged; beta's acceptance is queued
    a.up = false;
    await b.fed.flush();
    a.core.clock.advance(10 * 3_600_000);
    expect(await a.fed.payments.expire()).toBe(0);
    a.up = true;
    await region.settle();
    expect(a.fed.payments.payment(p.id).status).toBe('completed');
    region.expectConsistent();
  });
});

describe('paying twice by mistake', () => {
  it('a retry with the same Idempotency-Key returns the first payment and pays nothing more; another body with that key is a conflict', async () => {
    const input = { payer: a.member, to: `${b.member}@${b.fed.hubId}`, amount: 300, currency: 'ours' as const };
    const first = await a.fed.payments.pay(a.member, input, 'k-1');
    const again = await a.fed.payments.pay(a.member, input, 'k-1');
    expect(again.id).toBe(first.id);
    expect(a.core.ledger.account(a.member).balance).toBe(-300);
    await expect(a.fed.payments.pay(a.member, { ...input, amount: 301 }, 'k-1')).rejects.toMatchObject({ status: 409 });
    await region.settle();
    expect(b.core.ledger.account(b.member).balance).toBe(150); // 300 ALPHA at 2 ALPHA per BETA, once
    region.expectConsistent();
  });
});

describe('the address in a hello', () => {
  it("is confirmed before anything is posted to it: a hub that claims another hub's address gets nothing sent there", async () => {
    // The honest link: at alpha's first message, beta's claimed address answered as beta.
    expect(linkOf(a, b).urlVerified).toBe(false);
    await pay(a, b, 10);
    await region.settle();
    expect(linkOf(a, b).urlVerified).toBe(true);
    const c = await region.hub('gamma');
    // Gamma accepts alpha's invitation but says it lives at beta's address.
    (c.fed.self as { url: string }).url = b.fed.self.url;
    const { token } = await a.fed.invite(a.steward, { trustOut: 1000, trustIn: 1000 });
    await c.fed.accept(c.steward, token, { rate: { num: 1, den: 1 }, trustOut: 1000, trustIn: 1000 });
    await c.fed.flush();
    const forged = a.fed.listPeers().find((p) => p.hubId === c.fed.hubId)!;
    expect(forged).toMatchObject({ url: b.fed.self.url, urlVerified: false });
    // Alpha has something to say to gamma; none of it goes to beta's address.
    const posted: string[] = [];
    const fed = a.fed as unknown as { transport: (url: string, e: unknown[]) => Promise<{ ackedSeq: number }> };
    const real = fed.transport;
    fed.transport = async (url, envs) => {
      posted.push(url);
      return real(url, envs);
    };
    await a.fed.proposeTerms(c.fed.hubId, a.steward, { rate: { num: 2, den: 1 } });
    a.fed.retryNow();
    await a.fed.flush();
    expect(posted).toEqual([]);
    expect(a.fed.listPeers().find((p) => p.hubId === c.fed.hubId)).toMatchObject({ urlVerified: false, queue: expect.any(Number) });
    expect(a.fed.listPeers().find((p) => p.hubId === c.fed.hubId)!.queue).toBeGreaterThan(0);
  });
});
