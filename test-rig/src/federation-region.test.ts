import { afterAll, describe, expect, it } from 'vitest';
import { HubRig } from './federation-harness.js';
import { until } from './wait.js';

/**
 * Four real hub processes on loopback:
 *
 *   alpha ── beta ── gamma        alpha ── delta
 *
 * Peering, a direct payment, a payment through beta, a rate change, a
 * pause, a close under a settlement plan, and a triangle of debts cleared
 * once gamma links to alpha. Everything through the HTTP API.
 */
const rig = new HubRig();
afterAll(async () => {
  await rig.stopAll();
  rig.cleanup();
});

describe('a region of four hub processes', () => {
  it('peers, pays directly and through an intermediary, changes a rate, pauses, closes and clears', { timeout: 240_000 }, async () => {
    const [a, b, c, d] = [await rig.start('alpha'), await rig.start('beta'), await rig.start('gamma'), await rig.start('delta')];
    await rig.link(a, b);
    await rig.link(b, c, { num: 2, den: 1 }); // 1 GAMMA = 2 BETA
    await rig.link(a, d);

    // Direct.
    const direct = await rig.call(b, 'POST', '/api/v1/federation/payments', { payer: b.member, to: `${a.member}@${a.hubId}`, amount: 500 });
    await rig.waitPayment(b, direct.id, 'completed');
    expect(await rig.balance(a)).toBe(500);

    // Through beta: alpha has no link to gamma and learns the way from the summaries (which also go out by themselves when links change).
    await rig.shareSummaries();
    expect((await rig.call(a, 'GET', '/api/v1/federation/region')).hubs.find((h: any) => h.hubId === b.hubId).summary.reach).toContainEqual({
      hubId: c.hubId,
      hops: 1,
    });
    const routed = await rig.call(a, 'POST', '/api/v1/federation/payments', { payer: a.member, to: `${c.hubId}/${c.member}`, amount: 400 });
    expect(routed.peer).toBe(b.hubId);
    await rig.waitPayment(a, routed.id, 'completed');
    expect(await rig.balance(c)).toBe(200); // 400 ALPHA = 400 BETA = 200 GAMMA

    // A rate change: beta proposes 3 BETA per GAMMA; in force only after gamma's steward accepts.
    await rig.call(b, 'PUT', `/api/v1/federation/links/${c.hubId}/terms`, { rate: { num: 1, den: 3 } });
    await until(async () => (await rig.link_(c, b)).pendingTerms?.proposedBy === 'them', 'gamma sees the proposed terms', { timeoutMs: 20_000, everyMs: 100 });
    const early = await rig.call(b, 'POST', '/api/v1/federation/payments', { payer: b.member, to: `${c.member}@${c.hubId}`, amount: 300 });
    await rig.waitPayment(b, early.id, 'completed');
    expect(early.amountTheirs).toBe(150); // still 2:1
    await rig.call(c, 'POST', `/api/v1/federation/links/${b.hubId}/terms/answer`, { accept: true });
    await until(async () => (await rig.link_(b, c)).rate.den === 3, 'beta sees the new rate in force', { timeoutMs: 20_000, everyMs: 100 });
    const later = await rig.call(b, 'POST', '/api/v1/federation/payments', { payer: b.member, to: `${c.member}@${c.hubId}`, amount: 300 });
    expect(later.amountTheirs).toBe(100);
    await rig.waitPayment(b, later.id, 'completed');
    expect(await rig.balance(c)).toBe(200 + 150 + 100);

    // A pause on beta—gamma: gamma hears of it, and new payments are refused on both sides with the reason.
    await rig.call(b, 'PUT', `/api/v1/federation/links/${c.hubId}/status`, { status: 'paused' });
    await until(async () => (await rig.link_(c, b)).remoteStatus === 'paused', 'gamma hears of the pause', { timeoutMs: 20_000, everyMs: 100 });
    const fromC = await rig.call(c, 'POST', '/api/v1/federation/payments', { payer: c.member, to: `${b.member}@${b.hubId}`, amount: 50 });
    expect(fromC).toMatchObject({ status: 422, detail: expect.stringContaining('paused the link') });
    const fromB = await rig.call(b, 'POST', '/api/v1/federation/payments', { payer: b.member, to: `${c.member}@${c.hubId}`, amount: 50 });
    expect(fromB).toMatchObject({ status: 422, detail: expect.stringContaining('paused') });
    await rig.call(b, 'PUT', `/api/v1/federation/links/${c.hubId}/status`, { status: 'active' });
    await until(async () => (await rig.link_(c, b)).remoteStatus === 'active', 'gamma hears the link is back', { timeoutMs: 20_000, everyMs: 100 });

    // Close alpha—delta: refused with a balance, accepted with a settlement plan, closed when it reaches zero.
    const owed = await rig.call(d, 'POST', '/api/v1/federation/payments', { payer: d.member, to: `${a.member}@${a.hubId}`, amount: 80 });
    await rig.waitPayment(d, owed.id, 'completed');
    const refused = await rig.call(a, 'POST', `/api/v1/federation/links/${d.hubId}/close`, {});
    expect(refused).toMatchObject({ status: 422, title: 'Balance not settled', balance: -80 });
    expect((await rig.call(a, 'POST', `/api/v1/federation/links/${d.hubId}/close`, { settlement: 'alpha buys 80 of bread from delta' })).status).toBe(
      'closing',
    );
    await until(async () => (await rig.link_(d, a)).status === 'closing', 'delta learns the link is closing', { timeoutMs: 20_000, everyMs: 100 });
    const settle = await rig.call(a, 'POST', '/api/v1/federation/payments', { payer: a.member, to: `${d.member}@${d.hubId}`, amount: 80 });
    await rig.waitPayment(a, settle.id, 'completed');
    await until(async () => (await rig.link_(a, d)).status === 'closed' && (await rig.link_(d, a)).status === 'closed', 'both sides closed', {
      timeoutMs: 20_000,
      everyMs: 100,
    });

    // Clearing: gamma links to alpha, debts go round alpha → beta → gamma → alpha, and the cycle is cleared.
    await rig.link(c, a, { num: 1, den: 3 }); // alpha counts 1/3 GAMMA per ALPHA: 1 GAMMA = 3 BETA = 3 ALPHA, so the rates close the loop
    const aPays = await rig.call(a, 'POST', '/api/v1/federation/payments', { payer: a.member, to: `${b.member}@${b.hubId}`, amount: 600 });
    await rig.waitPayment(a, aPays.id, 'completed');
    const cPays = await rig.call(c, 'POST', '/api/v1/federation/payments', { payer: c.member, to: `${a.member}@${a.hubId}`, amount: 100 });
    await rig.waitPayment(c, cPays.id, 'completed');
    const before = await Promise.all(
      [a, b, c].map(async (h) =>
        (await rig.call(h, 'GET', '/api/v1/federation/links')).links
          .filter((l: any) => l.status !== 'closed')
          .reduce((s: number, l: any) => s + l.clearingBalance, 0),
      ),
    );
    await rig.shareSummaries();
    const run = await rig.call(a, 'POST', '/api/v1/federation/clearings');
    expect(run.cycle).toEqual([a.hubId, b.hubId, c.hubId]);
    for (const h of [b, c]) {
      await until(
        async () => (await rig.call(h, 'GET', '/api/v1/federation/clearings')).runs.some((r: any) => r.id === run.id),
        `${h.name} receives the clearing proposal`,
        { timeoutMs: 20_000, everyMs: 100 },
      );
      await rig.call(h, 'POST', `/api/v1/federation/clearings/${run.id}/answer`, { accept: true });
    }
    await until(
      async () => {
        for (const h of [a, b, c])
          if ((await rig.call(h, 'GET', '/api/v1/federation/clearings')).runs.find((r: any) => r.id === run.id)?.status !== 'committed') return false;
        return true;
      },
      'the clearing committed on all three hubs',
      { timeoutMs: 20_000, everyMs: 100 },
    );
    const after = await Promise.all(
      [a, b, c].map(async (h) =>
        (await rig.call(h, 'GET', '/api/v1/federation/links')).links
          .filter((l: any) => l.status !== 'closed')
          .reduce((s: number, l: any) => s + l.clearingBalance, 0),
      ),
    );
    expect(after).toEqual(before);
    // alpha owed beta 500 ALPHA, beta owed gamma 1,000 BETA, gamma owed alpha 100 GAMMA (300 ALPHA): 300 ALPHA comes off every edge.
    expect(run.edges.map((e: any) => e.amount)).toEqual([300, 300, 100]);
    expect([(await rig.link_(a, b)).clearingBalance, (await rig.link_(b, c)).clearingBalance, (await rig.link_(c, a)).clearingBalance]).toEqual([200, 700, 0]);

    // Every link mirrors exactly, in each side's count of the other's units; every ledger replays and is zero-sum.
    for (const h of [a, b, c, d]) {
      for (const l of (await rig.call(h, 'GET', '/api/v1/federation/links')).links) {
        const other = rig.hubs.find((x) => x.hubId === l.hubId)!;
        expect(l.owedTheirs + (await rig.link_(other, h)).clearingBalance).toBe(0);
      }
    }
    await rig.stopAll();
    for (const v of rig.verifyAll()) expect(v).toMatchObject({ ok: true, totals: { credit: 0 } });
  });
});
