import { statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { DAY_MS } from '../clock.js';
import { runNightly } from '../jobs/schedule.js';
import { silentLogger } from '../log.js';
import { makeCore, type TestCore } from '../test-support.js';

let core: TestCore | undefined;
afterEach(async () => {
  await core?.cleanup();
  core = undefined;
});

/** Eight sensors reporting every ten minutes for a day, with the clock at the day's end. */
async function oneDay(c: TestCore, day: number): Promise<void> {
  const start = c.clock.now();
  for (let i = 0; i < 144; i++) {
    for (let s = 0; s < 8; s++) c.telemetry.write({ sensor: `probe-${s}`, metric: 'moisture', t: start + i * 600_000, value: Math.sin(day + i / 10) + s });
  }
  await c.telemetry.flush();
  c.clock.advance(DAY_MS);
}

describe('telemetry retention', () => {
  it('the nightly job keeps the database from growing past retention over 90 days of readings', { timeout: 120_000 }, async () => {
    core = makeCore({ telemetry: { rawRetentionDays: 7, retention5mDays: 14, retention1hDays: 30, retention1dDays: 60 } });
    const size = () => statSync(core!.store.dataFile).size;
    const sizes: number[] = [];
    for (let day = 1; day <= 90; day++) {
      await oneDay(core, day);
      const reports = await runNightly(core, silentLogger);
      expect(reports.find((r) => r.step === 'telemetry-retention')).toMatchObject({ ok: true });
      sizes.push(size());
    }
    // Past the longest retention the file is as large as it will get: freed pages are reused.
    const atRetention = sizes[64]!;
    expect(Math.max(...sizes.slice(65))).toBeLessThanOrEqual(atRetention * 1.1);
    // What is kept is what retention says: 7 days raw, 60 days of daily rollups.
    const now = core.clock.now();
    const raw = core.telemetry.query('probe-0', 'moisture', now - 30 * DAY_MS, now, 'raw').points;
    expect(raw.length).toBe(7 * 144);
    const daily = core.telemetry.query('probe-0', 'moisture', now - 200 * DAY_MS, now, '1d').points;
    expect(daily.length).toBe(60);
  });

  it('deletes in slices, each its own transaction, so a large backlog never blocks for long', async () => {
    core = makeCore({ telemetry: { rawRetentionDays: 1 } });
    for (let i = 0; i < 100_000; i++) core.telemetry.write({ sensor: 'busy', metric: 'v', t: core.clock.now() + i * 1000, value: i });
    await core.telemetry.flush();
    // Readings are packed some 80 to an entry (chunk.ts): a step visits up to 256 entries.
    const chunks = [...core.store.binaryDb('ts-chunks').getKeys({})].length;
    expect(chunks).toBeGreaterThan(1000);
    core.clock.advance(30 * DAY_MS);
    const out = await core.telemetry.prune({ sliceMs: 0 });
    expect(out.raw).toBe(100_000);
    // A zero-length slice still makes one step of progress, so the count of slices shows the work was split.
    expect(out.slices).toBeGreaterThanOrEqual(Math.ceil(chunks / 256));
  });

  it('one failing nightly step does not stop the others', async () => {
    core = makeCore();
    const c = core;
    c.governance.budgets.closeDue = async () => {
      throw new Error('a round that cannot close');
    };
    const reports = await runNightly(c, silentLogger);
    expect(reports.map((r) => `${r.step}:${r.ok}`)).toEqual([
      'close-proposals:true',
      'close-budgets:false',
      'ecology:true',
      'demurrage:true',
      'expire-requests:true',
      'telemetry-retention:true',
      'notification-retention:true',
      'email-digests:true',
    ]);
  });
});
