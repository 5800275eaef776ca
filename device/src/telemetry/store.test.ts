import { describe, expect } from 'vitest';
import { itWithCore as it, T0 } from '../test-support.js';
import { DAY_MS } from '../clock.js';

describe('telemetry store', () => {
  it('keeps raw points and 5 min / 1 h / 1 day rollups with min, max, mean, sum and count', async ({ core }) => {
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
    expect(ts.query('soil-1', 'moisture', T0, T0 + 30 * DAY_MS, 'auto').resolution).toBe('1h');
    expect(ts.listSeries('soil-1')).toEqual([{ sensor: 'soil-1', metric: 'moisture', first: T0, last: T0 + 119 * 60_000, lastValue: 119 }]);
  });

  it('batches writes into few transactions and refuses non-numbers', async ({ core }) => {
    const ts = core.telemetry;
    for (let i = 0; i < 1000; i++) ts.write({ sensor: 's', metric: 'm', t: T0 + i, value: i });
    ts.write({ sensor: 's', metric: 'm', t: T0, value: Number.NaN });
    await ts.flush();
    expect(ts.stats.written).toBe(1000);
    expect(ts.stats.batches).toBeLessThanOrEqual(3);
    expect(ts.stats.rejected).toBe(1);
  });

  it('while one batch commits, what arrives waits and goes in the next one, so batches grow with the load', async ({ core }) => {
    const ts = core.telemetry;
    // Points arrive in waves of a quarter batch, each wave after the last one was handed to the store.
    const wave = 200;
    for (let w = 0; w < 40; w++) {
      for (let i = 0; i < wave; i++) ts.write({ sensor: `s${i % 7}`, metric: 'm', t: T0 + w * wave + i, value: i });
      await Promise.resolve();
    }
    await ts.flush();
    expect(ts.stats.written).toBe(40 * wave);
    // The first batch starts at 2,000 points (maxBatch); the 6,000 after it waited and went together
    // (one batch per 2,000 before, four in all).
    expect(ts.stats.batches).toBeLessThanOrEqual(3);
    expect(ts.query('s0', 'm', T0, T0 + 40 * wave, 'raw').points.length).toBe(Math.ceil(wave / 7) * 40);
  });

  it('a point queued after a flush has started is durable once a later flush resolves', async ({ core }) => {
    const ts = core.telemetry;
    ts.write({ sensor: 's', metric: 'm', t: T0, value: 1 });
    const first = ts.flush();
    ts.write({ sensor: 's', metric: 'm', t: T0 + 1, value: 2 });
    await first;
    await ts.flush();
    expect(ts.query('s', 'm', T0, T0 + 10, 'raw').points.map((p) => p.mean)).toEqual([1, 2]);
  });

  it('keeps the metrics a sensor measured at one time as one row, also when they arrive in different batches', async ({ core }) => {
    const ts = core.telemetry;
    for (let i = 0; i < 10; i++) {
      ts.write({ sensor: 'em300', metric: 'temperature', t: T0 + i * 60_000, value: 20 + i });
      ts.write({ sensor: 'em300', metric: 'humidity', t: T0 + i * 60_000, value: 40 + i });
    }
    await ts.flush();
    ts.write({ sensor: 'em300', metric: 'battery', t: T0, value: 97 });
    await ts.flush();
    const rows = [...core.store.db<Record<string, number>, [string, number]>('ts-rows').getRange({ start: ['em300', 0], end: ['em300', Infinity] })];
    expect(rows).toHaveLength(10);
    expect(rows[0]!.value).toEqual({ temperature: 20, humidity: 40, battery: 97 });
    expect(ts.query('em300', 'humidity', T0, T0 + 3_600_000, 'raw').points.map((p) => p.mean)).toEqual([40, 41, 42, 43, 44, 45, 46, 47, 48, 49]);
    expect(ts.query('em300', 'battery', T0, T0 + 3_600_000, 'raw').points.map((p) => p.mean)).toEqual([97]);
  });

  it('still reads and prunes raw points stored one per metric by hubs before rows', async ({ core }) => {
    const legacy = core.store.db<number, [string, string, number]>('ts-raw');
    await core.store.write(() => {
      for (let i = 0; i < 5; i++) legacy.put(['old', 'v', T0 + i * 1000], i);
    });
    const ts = core.telemetry;
    ts.write({ sensor: 'old', metric: 'v', t: T0 + 10_000, value: 10 });
    await ts.flush();
    expect(ts.query('old', 'v', T0, T0 + 60_000, 'raw').points.map((p) => [p.t - T0, p.mean])).toEqual([
      [0, 0],
      [1000, 1],
      [2000, 2],
      [3000, 3],
      [4000, 4],
      [10_000, 10],
    ]);
    core.clock.advance(400 * DAY_MS);
    const out = await ts.prune();
    expect(out.raw).toBe(6);
    expect([...legacy.getKeys({})]).toHaveLength(0);
  });

  it('prunes past retention, keeping rollups longer than raw points', async ({ core }) => {
    const ts = core.telemetry;
    ts.write({ sensor: 's', metric: 'm', t: T0, value: 5 });
    await ts.flush();
    core.clock.advance(40 * DAY_MS);
    const pruned = await ts.prune();
    expect(pruned.raw).toBe(1);
    expect(ts.query('s', 'm', T0 - 1, T0 + 1, 'raw').points).toEqual([]);
    expect(ts.query('s', 'm', T0 - 1, T0 + 1, '1h').points).toHaveLength(1);
  });
});
