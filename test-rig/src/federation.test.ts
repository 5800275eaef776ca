import { afterAll, describe, expect, it } from 'vitest';
import { HubRig } from './federation-harness.js';
import { startHubProcess } from './hub-process.js';

/** Two real hub processes on loopback, linked, paying each other, one of them killed mid-payment. */
const rig = new HubRig();
afterAll(async () => {
  await rig.stopAll();
  rig.cleanup();
});

describe('federation between hub processes', () => {
  it('links two hubs, pays across them, and survives kill -9 of the payee hub mid-payment', { timeout: 120_000 }, async () => {
    const a = await rig.start('hub0');
    const b = await rig.start('hub1');
    await rig.link(a, b);

    const p1 = await rig.call(b, 'POST', '/api/v1/federation/payments', { payer: b.member, to: `${a.member}@${a.hubId}`, amount: 700 });
    await rig.waitPayment(b, p1.id, 'completed');
    expect(await rig.balance(a)).toBe(700);

    // The payee hub dies; the payment waits in the payer hub's outbox and completes after the restart.
    await a.proc.kill9();
    const p2 = await rig.call(b, 'POST', '/api/v1/federation/payments', { payer: b.member, to: `${a.member}@${a.hubId}`, amount: 300 });
    expect(p2.status).toBe('pending');
    await new Promise((r) => setTimeout(r, 1500));
    a.proc = await startHubProcess({ dataDir: a.dir, port: a.port, env: {} });
    await rig.waitPayment(b, p2.id, 'completed');
    expect(await rig.balance(a)).toBe(1_000);

    // Both ledgers zero-sum and verified; the clearing accounts mirror each other.
    expect((await rig.link_(a, b)).clearingBalance).toBe(-(await rig.link_(b, a)).clearingBalance);
    await rig.stopAll();
    for (const v of rig.verifyAll()) expect(v).toMatchObject({ ok: true, totals: { credit: 0 } });
  });
});
