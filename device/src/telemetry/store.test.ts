import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { itWithCore as it, T0 } from '../test-support.js';
import { DAY_MS } from '../clock.js';
import { CHUNK_BYTES, decodeChunk } from './chunk.js';
import type { TestCore } from '../test-support.js';

const chunksOf = (core: TestCore, sensor: string) => [
  ...core.store.binaryDb<[string, number]>('ts-chunks').getRange({ start: [sensor, 0], end: [sensor, Infinity] }),
];

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

  it('keeps the metrics a sensor measured at one time as one reading, also when they arrive in different batches', async ({ core }) => {
    const ts = core.telemetry;
    for (let i = 0; i < 10; i++) {
      ts.write({ sensor: 'em300', metric: 'temperature', t: T0 + i * 60_000, value: 20 + i });
      ts.write({ sensor: 'em300', metric: 'humidity', t: T0 + i * 60_000, value: 40 + i });
    }
    await ts.flush();
    ts.write({ sensor: 'em300', metric: 'battery', t: T0, value: 97 });
    await ts.flush();
    const chunks = chunksOf(core, 'em300');
    expect(chunks).toHaveLength(1);
    const readings = decodeChunk(chunks[0]!.key[1], chunks[0]!.value);
    expect(readings).toHaveLength(10);
    expect(readings[0]).toEqual({ t: T0, values: { temperature: 20, humidity: 40, battery: 97 } });
    expect(readings[1]).toEqual({ t: T0 + 60_000, values: { temperature: 21, humidity: 41 } });
    expect(ts.query('em300', 'humidity', T0, T0 + 3_600_000, 'raw').points.map((p) => p.mean)).toEqual([40, 41, 42, 43, 44, 45, 46, 47, 48, 49]);
    expect(ts.query('em300', 'battery', T0, T0 + 3_600_000, 'raw').points.map((p) => p.mean)).toEqual([97]);
    // A time with a fraction of a millisecond is the reading at the nearest millisecond.
    ts.write({ sensor: 'em300', metric: 'battery', t: T0 + 60_000.6, value: 96 });
    await ts.flush();
    expect(ts.query('em300', 'battery', T0, T0 + 3_600_000, 'raw').points.map((p) => [p.t - T0, p.mean])).toEqual([
      [0, 97],
      [60_001, 96],
    ]);
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

  it("packs a sensor's readings into chunks: five metrics take under 50 bytes a reading, where an entry each took about 90", async ({ core }) => {
    const ts = core.telemetry;
    const metrics = ['temperature', 'humidity', 'conductivity', 'moisture', 'battery'];
    for (let i = 0; i < 1000; i++) for (const [k, m] of metrics.entries()) ts.write({ sensor: 'lse01', metric: m, t: T0 + i * 60_000, value: i + k / 10 });
    await ts.flush();
    const chunks = chunksOf(core, 'lse01');
    const bytes = chunks.reduce((n, c) => n + c.value.length + 'lse01'.length + 9, 0);
    expect(bytes / 1000).toBeLessThan(50);
    for (const c of chunks) expect(c.value.length).toBeLessThanOrEqual(CHUNK_BYTES);
    // Every chunk but the last is as full as CHUNK_BYTES allows.
    expect(chunks.length).toBe(Math.ceil(1000 / decodeChunk(chunks[0]!.key[1], chunks[0]!.value).length));
    const q = ts.query('lse01', 'conductivity', T0 + 100 * 60_000, T0 + 200 * 60_000, 'raw').points;
    expect(q.map((p) => p.mean)).toEqual(Array.from({ length: 100 }, (_, i) => 100 + i + 0.2));
  });

  it('late readings, readings at a time already stored and new metrics keep every reading once, in order', async ({ core }) => {
    const ts = core.telemetry;
    type W = { t: number; metric: string; value: number };
    const writes = fc.array(
      fc.array(
        fc.record({
          t: fc.integer({ min: 0, max: 3_000 }),
          metric: fc.constantFrom('a', 'b', 'c', 'a-much-longer-metric-name'),
          value: fc.integer({ min: -1e6, max: 1e6 }),
        }),
        { minLength: 1, maxLength: 120 },
      ),
      { minLength: 1, maxLength: 6 },
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(writes, async (batches: W[][]) => {
        const sensor = `s${run++}`;
        // What the store must answer: the last value written for each metric and time.
        const model = new Map<string, Map<number, number>>();
        for (const batch of batches) {
          for (const w of batch) {
            ts.write({ sensor, metric: w.metric, t: T0 + w.t * 1000, value: w.value });
            if (!model.has(w.metric)) model.set(w.metric, new Map());
            model.get(w.metric)!.set(T0 + w.t * 1000, w.value);
          }
          await ts.flush();
        }
        for (const [metric, byT] of model) {
          const want = [...byT].sort((x, y) => x[0] - y[0]).map(([t, v]) => [t, v]);
          expect(ts.query(sensor, metric, T0, T0 + 3_001_000, 'raw').points.map((p) => [p.t, p.mean])).toEqual(want);
          // A window that starts and ends inside chunks.
          const from = T0 + 1_000_000;
          const to = T0 + 2_000_000;
          expect(ts.query(sensor, metric, from, to, 'raw').points.map((p) => [p.t, p.mean])).toEqual(want.filter(([t]) => t! >= from && t! < to));
        }
        // The chunks do not overlap: each starts after the one before it ends.
        let end = -Infinity;
        for (const c of chunksOf(core, sensor)) {
          const rs = decodeChunk(c.key[1], c.value);
          expect(rs[0]!.t).toBe(c.key[1]);
          expect(rs[0]!.t).toBeGreaterThan(end);
          end = rs[rs.length - 1]!.t;
        }
      }),
      { numRuns: 40 },
    );
  });

  it('still reads and prunes readings stored one entry per sensor and time, as hubs did in December 2026', async ({ core }) => {
    const rows = core.store.db<Record<string, number>, [string, number]>('ts-rows');
    await core.store.write(() => {
      for (let i = 0; i < 4; i++) rows.put(['em300', T0 + i * 1000], { temperature: 20 + i, humidity: 50 });
    });
    const ts = core.telemetry;
    ts.write({ sensor: 'em300', metric: 'temperature', t: T0 + 2500, value: 99 });
    ts.write({ sensor: 'em300', metric: 'temperature', t: T0 + 10_000, value: 30 });
    await ts.flush();
    expect(ts.query('em300', 'temperature', T0, T0 + 60_000, 'raw').points.map((p) => [p.t - T0, p.mean])).toEqual([
      [0, 20],
      [1000, 21],
      [2000, 22],
      [2500, 99],
      [3000, 23],
      [10_000, 30],
    ]);
    core.clock.advance(400 * DAY_MS);
    expect((await ts.prune()).raw).toBe(6);
    expect([...rows.getKeys({})]).toHaveLength(0);
    expect(chunksOf(core, 'em300')).toHaveLength(0);
  });

  it('prunes a chunk that straddles the cutoff down to its newer readings, and counts each reading pruned', async ({ core }) => {
    const ts = core.telemetry;
    // One reading an hour for 40 days: the chunks hold days each, so one spans the 30-day cutoff.
    for (let h = 0; h < 40 * 24; h++) ts.write({ sensor: 'tank', metric: 'level', t: T0 + h * 3_600_000, value: h });
    await ts.flush();
    core.clock.advance(40 * DAY_MS);
    const cutoff = T0 + 10 * DAY_MS; // now − 30 days
    const pruned = await ts.prune();
    expect(pruned.raw).toBe(10 * 24);
    const left = ts.query('tank', 'level', T0, T0 + 41 * DAY_MS, 'raw').points;
    expect(left).toHaveLength(30 * 24);
    expect(left[0]!.t).toBe(cutoff);
    expect(chunksOf(core, 'tank')[0]!.key[1]).toBe(cutoff);
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
