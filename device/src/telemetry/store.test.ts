import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeCore, T0, type TestCore } from '../test-support.js';

let core: TestCore;
beforeEach(() => {
  core = makeCore();
});
afterEach(() => core.cleanup());

describe('telemetry store', () => {
  it('keeps raw points and 5 min / 1 h / 1 day rollups with min, max, mean, sum and count', async () => {
    const ts = core.telemetry;
    // One reading a minute for two hours: value = minute index.
    for (let i = 0; i < 120; i++) ts.write({ sensor: 'soil-1', metric: 'moisture', t: T0 + i * 60_000, value: i });
    await ts.flush();
    const raw = ts.query('soil-1', 'moisture', T0, T0 + 2 * 3_600_000, 'raw');
    expect(raw.points).toHaveLength(120);
    const five = ts.query('soil-1', 'moisture', T0, T0 + 2 * 3_600_000, '5m').points;
    expect(five).toHaveLength(24);
    expect(five[0]).toMatchObject({ min: 0, max: 4, sum: 10, count: 5, mean: 2 });
    const hour = ts.query('soil-1', 'moisture', T0, T0 + 2 * 3_600_000, '1h').points;
    expect(hour.map((p) => p.count)).toEqual([60, 60]);
    expect(hour[1]).toMatchObject({ min: 60, max: 119, mean: 89.5 });
    expect(ts.query('soil-1', 'moisture', T0, T0 + 30 * 86_400_000, 'auto').resolution).toBe('1h');
    expect(ts.listSeries('soil-1')).toEqual([{ sensor: 'soil-1', metric: 'moisture', first: T0, last: T0 + 119 * 60_000, lastValue: 119 }]);
  });

  it('batches writes into few transactions and refuses non-numbers', async () => {
    const ts = core.telemetry;
    for (let i = 0; i < 1000; i++) ts.write({ sensor: 's', metric: 'm', t: T0 + i, value: i });
    ts.write({ sensor: 's', metric: 'm', t: T0, value: Number.NaN });
    await ts.flush();
    expect(ts.stats.written).toBe(1000);
    expect(ts.stats.batches).toBeLessThanOrEqual(3);
    expect(ts.stats.rejected).toBe(1);
  });

  it('prunes past retention, keeping rollups longer than raw points', async () => {
    const ts = core.telemetry;
    ts.write({ sensor: 's', metric: 'm', t: T0, value: 5 });
    await ts.flush();
    core.clock.advance(40 * 86_400_000);
    const pruned = await ts.prune();
    expect(pruned.raw).toBe(1);
    expect(ts.query('s', 'm', T0 - 1, T0 + 1, 'raw').points).toEqual([]);
    expect(ts.query('s', 'm', T0 - 1, T0 + 1, '1h').points).toHaveLength(1);
  });
});
