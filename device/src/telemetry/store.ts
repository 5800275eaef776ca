import type { Logger } from 'pino';
import { DAY_MS, type Clock } from '../clock.js';
import { HubError } from '../errors.js';
import type { Database } from 'lmdb';
import type { Store } from '../store/store.js';
import { chunkSpan, cutIntoChunks, decodeChunk, encodeChunk, mergeReadings, type Reading } from './chunk.js';

/**
 * The embedded time-series store. Raw readings are kept for a while; rollups
 * at 5 minutes, 1 hour and 1 day keep min, max, sum and count for longer.
 * Raw readings are packed per sensor into chunks of a few dozen (chunk.ts),
 * each reading holding every metric measured then (a LoRaWAN uplink's
 * temperature, humidity and battery are one reading, not three). A chunk is
 * keyed by its sensor and its first reading's time, and a sensor's chunks
 * never overlap: a reading belongs to the last chunk that starts at or before
 * it, so a query is one range read.
 * Writes are buffered and committed in batches, so a busy sensor network
 * does not wear out the SD card one point at a time.
 */
export interface Point {
  sensor: string;
  metric: string;
  t: number;
  value: number;
}

export interface Bucket {
  t: number;
  min: number;
  max: number;
  sum: number;
  count: number;
  mean: number;
}

export const RESOLUTIONS = { '5m': 300_000, '1h': 3_600_000, '1d': DAY_MS } as const;
/** Every resolution a query may ask for: raw rows, or one of the rollups. */
export const RESOLUTION_NAMES = ['raw', ...(Object.keys(RESOLUTIONS) as Array<keyof typeof RESOLUTIONS>)] as const;
export type Resolution = (typeof RESOLUTION_NAMES)[number];

export interface TelemetryParams {
  rawRetentionDays: number;
  rollupRetentionDays: Record<keyof typeof RESOLUTIONS, number>;
  flushIntervalMs: number;
  maxBatch: number;
}

type Key = [string, string, number];
/** [sensor, time]: a chunk's key (its first reading), and a legacy row's. */
type RowKey = [string, number];
type Row = Record<string, number>;
interface Agg {
  min: number;
  max: number;
  sum: number;
  count: number;
}

export interface PointSink {
  /** Called after each committed batch, e.g. by the InfluxDB mirror. */
  onCommitted(points: Point[]): void;
}

export class TelemetryStore {
  private readonly chunks;
  /** Raw points as hubs before 2026-12 stored them, one entry per metric: read and pruned until retention has emptied it. */
  private readonly legacyRaw;
  /** Raw readings as hubs stored them in December 2026, one entry per sensor and time: read and pruned likewise. */
  private readonly legacyRows;
  private readonly rollups;
  private readonly series;
  private buffer: Point[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** The running commit loop, if any; it commits until nothing is queued. */
  private committing: Promise<void> | undefined;
  private readonly sinks: PointSink[] = [];
  /** rejected: not a finite number; dropped: lost with a batch the disk refused; lastBatchAt: when the last batch was committed (monotonic ms, for rates). */
  stats = { written: 0, batches: 0, rejected: 0, dropped: 0, lastBatchAt: 0 };

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly params: TelemetryParams,
    private readonly log: Logger,
  ) {
    this.chunks = store.binaryDb<RowKey>('ts-chunks');
    this.legacyRows = store.db<Row, RowKey>('ts-rows');
    this.legacyRaw = store.db<number, Key>('ts-raw');
    this.rollups = {
      '5m': store.db<Agg, Key>('ts-5m'),
      '1h': store.db<Agg, Key>('ts-1h'),
      '1d': store.db<Agg, Key>('ts-1d'),
    } satisfies Record<keyof typeof RESOLUTIONS, Database<Agg, Key>>;
    this.series = store.db<{ sensor: string; metric: string; first: number; last: number; lastValue: number }, [string, string]>('ts-series');
  }

  addSink(sink: PointSink): void {
    this.sinks.push(sink);
  }

  /** Queues a point; it is durable after the next flush. Non-finite values are refused; a time is rounded to the millisecond. */
  write(p: Point): void {
    if (!Number.isFinite(p.value) || !Number.isFinite(p.t) || !p.sensor || !p.metric) {
      this.stats.rejected++;
      return;
    }
    // Times are kept to the millisecond (a chunk holds whole-ms offsets), in the rollups as in the raw readings.
    this.buffer.push(Number.isInteger(p.t) ? p : { ...p, t: Math.round(p.t) });
    if (this.buffer.length >= this.params.maxBatch) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, this.params.flushIntervalMs);
      this.timer.unref();
    }
  }

  /**
   * Commits everything queued so far; resolves once it is durable. While a
   * commit is running, new points wait and go together in the next one, so
   * the batch grows with the load: at thousands of readings a second one
   * commit holds what arrived during the last, and each rollup bucket is read
   * and written once for all of them instead of once per 2,000 points.
   */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.committing) return this.committing;
    if (this.buffer.length === 0) return Promise.resolve();
    this.committing = (async () => {
      try {
        while (this.buffer.length > 0) {
          // A commit's callback runs on the main thread; four batches' worth (8,000 points by
          // default, some 100 ms on this machine) keeps the hub answering while it runs.
          const cap = this.params.maxBatch * 4;
          const batch = this.buffer.length <= cap ? this.buffer : this.buffer.slice(0, cap);
          this.buffer = batch === this.buffer ? [] : this.buffer.slice(cap);
          await this.commit(batch);
        }
      } finally {
        // Cleared in the same step that saw the queue empty, so a point queued
        // right after starts a new loop instead of joining one that has ended.
        this.committing = undefined;
      }
    })();
    return this.committing;
  }

  /**
   * One batch in one transaction. A batch the disk refuses is counted and
   * logged, never thrown: readings keep arriving, and the next batch is
   * tried as usual once there is room.
   */
  private async commit(batch: Point[]): Promise<void> {
    // Merge the batch in memory first, by series: a busy network puts many points in the same
    // rollup buckets, and each bucket then costs one read and one write instead of one per point.
    const bySeries = new Map<string, { sensor: string; metric: string; points: Point[] }>();
    const rows = new Map<string, Map<number, Row>>();
    for (const p of batch) {
      const sid = `${p.sensor}\u0000${p.metric}`;
      let s = bySeries.get(sid);
      if (!s) bySeries.set(sid, (s = { sensor: p.sensor, metric: p.metric, points: [] }));
      s.points.push(p);
      let byT = rows.get(p.sensor);
      if (!byT) rows.set(p.sensor, (byT = new Map()));
      const row = byT.get(p.t);
      if (row) row[p.metric] = p.value;
      else byT.set(p.t, { [p.metric]: p.value });
    }
    const buckets: Array<{ res: keyof typeof RESOLUTIONS; key: Key; agg: Agg }> = [];
    const latest: Array<{ sensor: string; metric: string; first: number; last: number; lastValue: number }> = [];
    for (const { sensor, metric, points } of bySeries.values()) {
      for (const [res, ms] of Object.entries(RESOLUTIONS) as Array<[keyof typeof RESOLUTIONS, number]>) {
        const byBucket = new Map<number, Agg>();
        for (const p of points) {
          const t = Math.floor(p.t / ms) * ms;
          const a = byBucket.get(t);
          if (!a) byBucket.set(t, { min: p.value, max: p.value, sum: p.value, count: 1 });
          else {
            if (p.value < a.min) a.min = p.value;
            if (p.value > a.max) a.max = p.value;
            a.sum += p.value;
            a.count++;
          }
        }
        for (const [t, agg] of byBucket) buckets.push({ res, key: [sensor, metric, t], agg });
      }
      const [p0] = points;
      if (!p0) continue;
      const l = { sensor, metric, first: p0.t, last: p0.t, lastValue: p0.value };
      for (const p of points) {
        if (p.t < l.first) l.first = p.t;
        if (p.t >= l.last) {
          l.last = p.t;
          l.lastValue = p.value;
        }
      }
      latest.push(l);
    }
    const readings: Array<[string, Reading[]]> = [];
    for (const [sensor, byT] of rows) readings.push([sensor, [...byT].sort((a, b) => a[0] - b[0]).map(([t, values]) => ({ t, values }))]);
    try {
      await this.store.write(() => {
        for (const [sensor, sorted] of readings) this.putReadings(sensor, sorted);
        for (const { res, key, agg } of buckets) {
          const db = this.rollups[res];
          const a = db.get(key);
          db.put(key, a ? { min: Math.min(a.min, agg.min), max: Math.max(a.max, agg.max), sum: a.sum + agg.sum, count: a.count + agg.count } : agg);
        }
        for (const l of latest) {
          const s = this.series.get([l.sensor, l.metric]);
          if (!s) this.series.put([l.sensor, l.metric], l);
          else if (l.last >= s.last) this.series.put([l.sensor, l.metric], { ...s, last: l.last, lastValue: l.lastValue });
        }
      });
    } catch (err) {
      this.stats.dropped += batch.length;
      this.log.warn({ module: 'telemetry', points: batch.length, dropped: this.stats.dropped, err: (err as Error).message }, 'readings not stored');
      return;
    }
    this.stats.written += batch.length;
    this.stats.batches++;
    this.stats.lastBatchAt = performance.timeOrigin + performance.now();
    for (const s of this.sinks) s.onCommitted(batch);
  }

  /** The chunk a reading at `t` belongs to, if the sensor has one: the last that starts at or before `t`. */
  private chunkHolding(sensor: string, t: number): { key: number; buf: Buffer } | undefined {
    // [sensor] sorts before every [sensor, time], so the range stops at this sensor's first chunk.
    for (const { key, value } of this.chunks.getRange({ start: [sensor, t], end: [sensor] as unknown as RowKey, reverse: true, limit: 1 }))
      return { key: key[1], buf: value };
    return undefined;
  }

  /**
   * Adds a sensor's new readings (sorted by time) to its chunks, inside the
   * caller's write. The chunks they fall in are read, merged with them and cut
   * again; usually that is the sensor's last chunk, which the readings extend.
   * A reading at a time already stored adds its metrics to it.
   */
  private putReadings(sensor: string, readings: Reading[]): void {
    const minT = readings[0]?.t;
    const maxT = readings.at(-1)?.t;
    if (minT === undefined || maxT === undefined) return;
    const old: Array<{ key: number; buf: Buffer }> = [];
    const holder = this.chunkHolding(sensor, minT);
    if (holder) old.push(holder);
    // Chunks starting after minT that the new readings reach into (late readings; rare).
    for (const { key, value } of this.chunks.getRange({ start: [sensor, minT], end: [sensor, maxT], exclusiveStart: true, inclusiveEnd: true }))
      old.push({ key: key[1], buf: value });
    const merged = mergeReadings(
      old.flatMap((c) => decodeChunk(c.key, c.buf)),
      readings,
    );
    const kept = new Set<number>();
    for (const chunk of cutIntoChunks(merged)) {
      const key = chunk[0]?.t;
      if (key === undefined) continue;
      const buf = encodeChunk(chunk);
      kept.add(key);
      // A full chunk the new readings only follow comes out as it was: not written again.
      if (old.find((c) => c.key === key)?.buf.equals(buf)) continue;
      this.chunks.put([sensor, key], buf);
    }
    for (const c of old) if (!kept.has(c.key)) this.chunks.remove([sensor, c.key]);
  }

  /** Points of one series; `auto` picks the finest resolution that keeps the answer under ~1,000 points. */
  query(sensor: string, metric: string, from: number, to: number, resolution: Resolution | 'auto' = 'auto'): { resolution: Resolution; points: Bucket[] } {
    if (!(to > from)) throw HubError.badRequest('`to` must be after `from`');
    let res: Resolution = resolution === 'auto' ? 'raw' : resolution;
    if (resolution === 'auto') {
      const span = to - from;
      res = span <= 6 * 3_600_000 ? 'raw' : span <= 4 * DAY_MS ? '5m' : span <= 60 * DAY_MS ? '1h' : '1d';
    }
    const start: Key = [sensor, metric, from];
    const end: Key = [sensor, metric, to];
    const points: Bucket[] = [];
    if (res === 'raw') {
      const at = (t: number, v: number): Bucket => ({ t, min: v, max: v, sum: v, count: 1, mean: v });
      for (const { key, value } of this.legacyRaw.getRange({ start, end })) points.push(at(key[2], value));
      const legacy = points.length;
      for (const { key, value } of this.legacyRows.getRange({ start: [sensor, from], end: [sensor, to] })) {
        const v = value[metric];
        if (v !== undefined) points.push(at(key[1], v));
      }
      const older = points.length;
      // From the chunk that holds `from` (the last one starting at or before it) to the last one starting before `to`.
      const firstChunk = this.chunkHolding(sensor, from)?.key ?? from;
      for (const { key, value } of this.chunks.getRange({ start: [sensor, firstChunk], end: [sensor, to] })) {
        for (const r of decodeChunk(key[1], value)) {
          const v = r.values[metric];
          if (v !== undefined && r.t >= from && r.t < to) points.push(at(r.t, v));
        }
      }
      // Each source is in time order; readings from more than one (a hub that has stored in each format) are sorted.
      if ([legacy, older - legacy, points.length - older].filter((n) => n > 0).length > 1) points.sort((a, b) => a.t - b.t);
    } else {
      const ms = RESOLUTIONS[res];
      const db = this.rollups[res];
      for (const { key, value } of db.getRange({ start: [sensor, metric, Math.floor(from / ms) * ms], end }))
        points.push({ t: key[2], ...value, mean: value.sum / value.count });
    }
    return { resolution: res, points };
  }

  /** Sum over [from, to) from the finest rollup that covers it (for budgets and indicators). */
  aggregate(sensor: string, metric: string, from: number, to: number): Agg & { mean: number } {
    const pts = this.query(sensor, metric, from, to, to - from > 2 * DAY_MS ? '1h' : '5m').points;
    const a = pts.reduce((acc, p) => ({ min: Math.min(acc.min, p.min), max: Math.max(acc.max, p.max), sum: acc.sum + p.sum, count: acc.count + p.count }), {
      min: Infinity,
      max: -Infinity,
      sum: 0,
      count: 0,
    });
    return { ...a, mean: a.count ? a.sum / a.count : NaN };
  }

  listSeries(sensor?: string): Array<{ sensor: string; metric: string; first: number; last: number; lastValue: number }> {
    const range = sensor ? { start: [sensor, ''] as [string, string], end: [sensor, '\uffff'] as [string, string] } : {};
    return [...this.series.getRange(range)].map((e) => e.value);
  }

  /**
   * Deletes raw points and rollups past their retention, in slices of about
   * `sliceMs` each (one transaction per slice), so a year of readings to
   * delete never holds the event loop for long. LMDB reuses the freed pages,
   * so the file stops growing once retention is reached.
   */
  async prune(opts: { sliceMs?: number } = {}): Promise<{ raw: number; rollups: number; slices: number }> {
    await this.flush();
    const now = this.clock.now();
    const sliceMs = opts.sliceMs ?? 20;
    // Each range visits up to `limit` keys from its start and says how many it visited (fewer than
    // `limit`: it is done) and how many points it deleted.
    const ranges: Array<{ raw: boolean; step: (limit: number) => { visited: number; removed: number } }> = [];
    const range = <K extends Key | RowKey>(db: Database<unknown, K>, raw: boolean, start: K, end: K) =>
      ranges.push({
        raw,
        step: (limit) => {
          let n = 0;
          // Reads in a write see its own deletions: each step starts where the last one stopped.
          for (const key of db.getKeys({ start, end, limit })) {
            db.remove(key);
            n++;
          }
          return { visited: n, removed: n };
        },
      });
    const rawCutoff = now - this.params.rawRetentionDays * DAY_MS;
    const chunksOf = (sensor: string) =>
      ranges.push({
        raw: true,
        step: (limit) => {
          let visited = 0;
          let removed = 0;
          for (const { key, value } of this.chunks.getRange({ start: [sensor] as unknown as RowKey, end: [sensor, rawCutoff], limit })) {
            visited++;
            const { count, last } = chunkSpan(key[1], value);
            // A chunk that straddles the cutoff keeps its newer readings, under the first of them.
            const keep = last < rawCutoff ? [] : decodeChunk(key[1], value).filter((r) => r.t >= rawCutoff);
            this.chunks.remove(key);
            const [first] = keep;
            if (first) this.chunks.put([sensor, first.t], encodeChunk(keep));
            removed += count - keep.length;
          }
          return { visited, removed };
        },
      });
    const sensors = new Set<string>();
    for (const s of this.listSeries()) {
      sensors.add(s.sensor);
      range(this.legacyRaw, true, [s.sensor, s.metric, 0], [s.sensor, s.metric, rawCutoff]);
      for (const [res, days] of Object.entries(this.params.rollupRetentionDays) as Array<[keyof typeof RESOLUTIONS, number]>) {
        range(this.rollups[res], false, [s.sensor, s.metric, 0], [s.sensor, s.metric, now - days * DAY_MS]);
      }
    }
    for (const sensor of sensors) {
      range(this.legacyRows, true, [sensor, 0], [sensor, rawCutoff]);
      chunksOf(sensor);
    }
    let raw = 0;
    let rollups = 0;
    let slices = 0;
    let next = 0;
    const STEP = 256;
    while (next < ranges.length) {
      slices++;
      await this.store.write(() => {
        const t0 = performance.now();
        // At least one step per slice, however short the slice.
        for (let r = ranges[next]; r; r = ranges[next]) {
          const { visited, removed } = r.step(STEP);
          if (r.raw) raw += removed;
          else rollups += removed;
          if (visited < STEP) next++;
          if (performance.now() - t0 >= sliceMs) break;
        }
      });
    }
    this.log.info({ module: 'telemetry', raw, rollups, slices }, 'old points pruned');
    return { raw, rollups, slices };
  }

  async stop(): Promise<void> {
    await this.flush();
  }
}
