import { afterEach, describe, expect, it } from 'vitest';
import { DAY_MS, ManualClock } from '../clock.js';
import { openCore, type Core } from '../core.js';
import { runNightly } from '../jobs/schedule.js';
import { verifyLedger } from '../ledger/verify.js';
import { silentLogger } from '../log.js';
import { makeCore, T0, tempDir, testConfig, type TestCore } from '../test-support.js';

/**
 * A Pi has no real-time clock. Whatever its clock does (a year ahead and
 * back, a boot at 1970, a boot at fake-hwclock's saved time and then a
 * sync), nothing is charged, expired or closed that should not be, and
 * payments still work while it waits.
 */
const YEAR = 365 * DAY_MS;
const SETTLE = 2 * 60_000 + 1;
const config = { ledger: { demurrageRatePercent: 10 } };
let cores: Core[] = [];
afterEach(async () => {
  for (const c of cores) await c.close();
  cores = [];
});

async function neighbourhood(core: Core) {
  const ana = await core.members.create({ name: 'Ana', email: 'ana@example.org', role: 'steward' }, null);
  const bo = await core.members.create({ name: 'Bo', email: 'bo@example.org' }, null);
  await core.ledger.pay({ payer: bo.id, payee: ana.id, amount: 40_000, actor: bo.id });
  const request = await core.ledger.request({ payer: bo.id, payee: ana.id, amount: 500, memo: 'eggs', actor: ana.id });
  const proposal = await core.governance.propose(ana.id, {
    kind: 'parameter',
    title: 'More demurrage',
    rationale: 'r',
    payload: { name: 'demurrageRatePercent', value: 12 },
  });
  return { ana: ana.id, bo: bo.id, request: request.id, proposal: proposal.id };
}

/** What a day of demurrage at 10 % takes from 40,000: about 11. */
const oneDaysDecay = (days: number) => Math.round(40_000 * (1 - Math.pow(1 - 0.1 / 365, days)));

describe('a clock without a real-time clock', () => {
  it('a jump a year ahead and back charges, expires and closes nothing, and payments still work', async () => {
    const core: TestCore = makeCore(config);
    cores.push(core);
    const n = await neighbourhood(core);
    const snapshotBefore = await core.ecology.recompute();

    core.clock.jump(YEAR);
    expect(core.time.trusted()).toBe(false);
    // Payments are accepted, and no year of demurrage is booked on the accounts they touch.
    await core.ledger.pay({ payer: n.ana, payee: n.bo, amount: 100, actor: n.ana });
    expect(core.ledger.account(n.ana).balance).toBe(39_900);
    expect(core.ledger.account(n.ana).pendingDemurrage).toBe(0);
    // The request is not expired, the proposal not closed, the nightly steps wait.
    expect(core.ledger.getRequest(n.request).status).toBe('open');
    expect(await core.governance.closeDue()).toEqual([]);
    const nightly = await runNightly(core, silentLogger);
    expect(nightly.every((r) => r.waiting)).toBe(true);
    expect(await core.ledger.expireRequests()).toBe(0);
    // A steward's recompute in the false future leaves a snapshot there.
    await core.ecology.recompute();

    core.clock.jump(-YEAR);
    expect(core.time.trusted()).toBe(false); // the hub reads its clock every 30 s; here, at once
    core.clock.advance(SETTLE);
    expect(core.time.trusted()).toBe(true);
    await runNightly(core, silentLogger);
    expect(core.ledger.getRequest(n.request).status).toBe('open');
    expect(core.governance.get(n.proposal).status).toBe('open');
    // Demurrage for the real time only: not a day has passed.
    expect(core.ledger.account(n.ana).balance).toBe(39_900);
    // The multiplier in force is the one for now, not the one stamped a year ahead.
    expect(core.ecology.current()!.at).toBeLessThanOrEqual(core.clock.now());
    expect(core.ecology.current()!.at).toBeGreaterThanOrEqual(snapshotBefore.at);
    // Journal times follow real time again at once, and the jumps are on record.
    await core.ledger.pay({ payer: n.ana, payee: n.bo, amount: 100, actor: n.ana });
    await new Promise((r) => setImmediate(r));
    const entries = [...core.ledger.journal.scan()];
    expect(entries[entries.length - 1]!.at).toBeLessThan(T0 + DAY_MS);
    expect(entries.filter((e) => e.kind === 'clock.jump').map((e) => e.data.byMs)).toEqual([YEAR, -YEAR]);
    expect(verifyLedger(core.ledger).ok).toBe(true);
  });

  it('a jump a year ahead that settles there is never charged as elapsed time', async () => {
    const core: TestCore = makeCore(config);
    cores.push(core);
    const n = await neighbourhood(core);
    core.clock.advance(2 * DAY_MS);
    core.clock.jump(YEAR);
    core.time.now();
    core.clock.advance(SETTLE + DAY_MS);
    expect(core.time.trusted()).toBe(true);
    await core.ledger.materialiseDemurrage();
    // Three days really passed (two before the jump, one after), not a year and three days.
    const decayed = 40_000 - core.ledger.account(n.ana).balance;
    expect(decayed).toBeGreaterThan(0);
    expect(decayed).toBeLessThanOrEqual(oneDaysDecay(4));
  });

  it('a boot at 1970 waits for the time, then charges nothing for the years the clock skipped', async () => {
    const first: TestCore = makeCore(config);
    const n = await neighbourhood(first);
    first.clock.advance(DAY_MS);
    expect(first.time.trusted()).toBe(true);
    await first.close(); // stores the last trusted time
    const wall = new ManualClock(0);
    const core = openCore(first.dataDir, testConfig(config), silentLogger, wall);
    cores.push(core);
    expect(core.time.status()).toMatchObject({ state: 'waiting', reason: expect.stringMatching(/1970/) });
    await core.ledger.pay({ payer: n.ana, payee: n.bo, amount: 100, actor: n.ana });
    const balance = core.ledger.account(n.ana).balance;
    expect((await runNightly(core, silentLogger)).every((r) => r.waiting)).toBe(true);
    expect(core.ledger.getRequest(n.request).status).toBe('open');
    // Someone sets the date, to two days after the last known time.
    wall.jump(T0 + 3 * DAY_MS);
    core.time.now();
    wall.advance(SETTLE);
    expect(core.time.trusted()).toBe(true);
    await core.ledger.materialiseDemurrage();
    expect(balance - core.ledger.account(n.ana).balance).toBeLessThanOrEqual(oneDaysDecay(2));
    expect(verifyLedger(core.ledger).ok).toBe(true);
  });

  it("a boot at fake-hwclock's saved time waits for chrony, and after the sync expires only what is really due", async () => {
    const dataDir = tempDir();
    const wall = new ManualClock(T0);
    const first = openCore(dataDir, testConfig({ ...config, time: { source: 'system' } }), silentLogger, wall);
    const n = await neighbourhood(first); // the request expires in the configured TTL (a week by default)
    const soon = await first.ledger.request({ payer: n.bo, payee: n.ana, amount: 300, memo: 'soon', actor: n.ana });
    first.time.trusted();
    await first.close();
    // Powered off for ten days; fake-hwclock restores the time it saved at shutdown; the hub's image runs chrony.
    const boot = new ManualClock(T0);
    const core = openCore(dataDir, testConfig({ ...config, time: { source: 'chrony' } }), silentLogger, boot);
    cores.push(core);
    core.time.setSynced(false);
    expect(core.time.trusted()).toBe(false);
    expect((await runNightly(core, silentLogger)).every((r) => r.waiting)).toBe(true);
    await core.ledger.pay({ payer: n.ana, payee: n.bo, amount: 100, actor: n.ana });
    // chrony gets the time from the concentrator's GPS: ten days later.
    boot.jump(10 * DAY_MS);
    core.time.setSynced(true);
    core.time.now();
    boot.advance(SETTLE);
    expect(core.time.trusted()).toBe(true);
    await runNightly(core, silentLogger);
    // Both requests' expiry really passed while the hub was off: they expire now, as they should.
    expect(core.ledger.getRequest(soon.id).status).toBe('expired');
    // The ten days the clock skipped are not charged.
    expect(39_900 - core.ledger.account(n.ana).balance).toBeLessThanOrEqual(oneDaysDecay(2));
  });
});
