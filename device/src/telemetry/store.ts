import type { Logger } from 'pino';
import { DAY_MS, type Clock } from '../clock.js';
import { HubError } from '../errors.js';
import type { Database } from 'lmdb';
import type { Store } from '../store/store.js';

/**
 * The embedded time-series store. Raw points are kept for a while; rollups
 * at 5 minutes, 1 hour and 1 day keep min, max, sum and count for longer.
 * Keys sort by sensor, then metric, then time, so a query is one range read.
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

export const RESOLUTIONS = { '5m': 300_000, '1h': 3_600_000, '1d': 86_400_000 } as const;
export type Resolution = 'raw' | keyof typeof RESOLUTIONS;

export interface TelemetryParams {
  rawRetentionDays: number;
  rollupRetentionDays: Record<keyof typeof RESOLUTIONS, number>;
  flushIntervalMs: number;
  maxBatch: number;
}

type Key = [string, string, number];
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
  private readonly raw;
  private readonly rollups;
  private readonly series;
  private buffer: Point[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly sinks: PointSink[] = [];
  /** rejected: not a finite number; dropped: lost with a batch the disk refused; lastBatchAt: when the last batch was committed (monotonic ms, for rates). */
  stats = { written: 0, batches: 0, rejected: 0, dropped: 0, lastBatchAt: 0 };

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly params: TelemetryParams,
    private readonly log: Logger,
  ) {
    this.raw = store.db<number, Key>('ts-raw');
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

  /** Queues a point; it is durable after the next flush. Non-finite values are refused. */
  write(p: Point): void {
    if (!Number.isFinite(p.value) || !Number.isFinite(p.t) || !p.sensor || !p.metric) {
      this.stats.rejected++;
      return;
    }
    this.buffer.push(p);
    if (this.buffer.length >= this.params.maxBatch) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, this.params.flushIntervalMs);
      this.timer.unref();
    }
  }

  /** Commits everything queued so far, in one transaction. */
  flush(): Promise<void> {
    const batch = this.buffer;
    this.buffer = [];
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (batch.length === 0) return this.flushing;
    this.flushing = this.flushing.then(() => this.commit(batch));
    return this.flushing;
  }

  /**
   * One batch in one transaction. A batch the disk refuses is counted and
   * logged, never thrown: readings keep arriving, and the next batch is
   * tried as usual once there is room.
   */
  private async commit(batch: Point[]): Promise<void> {
    // Merge the batch in memory first: a busy network puts many points in the same rollup
    // buckets and series, and each then costs one read and one write instead of one per point.
    const buckets = new Map<string, { res: keyof typeof RESOLUTIONS; key: Key; agg: Agg }>();
    const latest = new Map<string, { sensor: string; metric: string; first: number; last: number; lastValue: number }>();
    for (const p of batch) {
      for (const [res, ms] of Object.entries(RESOLUTIONS) as Array<[keyof typeof RESOLUTIONS, number]>) {
        const t = Math.floor(p.t / ms) * ms;
        const id = `${res}\u0000${p.sensor}\u0000${p.metric}\u0000${t}`;
        const b = buckets.get(id);
        if (!b) buckets.set(id, { res, key: [p.sensor, p.metric, t], agg: { min: p.value, max: p.value, sum: p.value, count: 1 } });
        else b.agg = { min: Math.min(b.agg.min, p.value), max: Math.max(b.agg.max, p.value), sum: b.agg.sum + p.value, count: b.agg.count + 1 };
      }
      const sid = `${p.sensor}\u0000${p.metric}`;
      const l = latest.get(sid);
      if (!l) latest.set(sid, { sensor: p.sensor, metric: p.metric, first: p.t, last: p.t, lastValue: p.value });
      else {
        if (p.t < l.first) l.first = p.t;
        if (p.t >= l.last) {
          l.last = p.t;
          l.lastValue = p.value;
        }
      }
    }
    try {
      await this.store.write(() => {
        for (const p of batch) this.raw.put([p.sensor, p.metric, p.t], p.value);
        for (const { res, key, agg } of buckets.values()) {
          const db = this.rollups[res];
          const a = db.get(key);
          db.put(key, a ? { min: Math.min(a.min, agg.min), max: Math.max(a.max, agg.max), sum: a.sum + agg.sum, count: a.count + agg.count } : agg);
        }
        for (const l of latest.values()) {
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

  /** Points of one series; `auto` picks the finest resolution that keeps the answer under ~1,000 points. */
  query(sensor: string, metric: string, from: number, to: number, resolution: Resolution | 'auto' = 'auto'): { resolution: Resolution; points: Bucket[] } {
    if (!(to > from)) throw HubError.badRequest('`to` must be after `from`');
    let res: Resolution = resolution === 'auto' ? 'raw' : resolution;
    if (resolution === 'auto') {
      const span = to - from;
      res = span <= 6 * 3_600_000 ? 'raw' : span <= 4 * 86_400_000 ? '5m' : span <= 60 * 86_400_000 ? '1h' : '1d';
    }
    const start: Key = [sensor, metric, from];
    const end: Key = [sensor, metric, to];
    const points: Bucket[] = [];
    if (res === 'raw') {
      for (const { key, value } of this.raw.getRange({ start, end })) points.push({ t: key[2], min: value, max: value, sum: value, count: 1, mean: value });
    } else {
      const ms = RESOLUTIONS[res];
      const db = this.rollups[res];
      for (const { key, value } of db.getRange({ start: [sensor, metric, Math.floor(from / ms) * ms], end })) points.push({ t: key[2], ...value, mean: value.sum / value.count });
    }
    return { resolution: res, points };
  }

  /** Sum over [from, to) from the finest rollup that covers it (for budgets and indicators). */
  aggregate(sensor: string, metric: string, from: number, to: number): Agg & { mean: number } {
    const pts = this.query(sensor, metric, from, to, to - from > 2 * 86_400_000 ? '1h' : '5m').points;
    const a = pts.reduce((acc, p) => ({ min: Math.min(acc.min, p.min), max: Math.max(acc.max, p.max), sum: acc.sum + p.sum, count: acc.count + p.count }), { min: Infinity, max: -Infinity, sum: 0, count: 0 });
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
    const ranges: Array<{ db: Database<unknown, Key>; raw: boolean; start: Key; end: Key }> = [];
    for (const s of this.listSeries()) {
      ranges.push({ db: this.raw, raw: true, start: [s.sensor, s.metric, 0], end: [s.sensor, s.metric, now - this.params.rawRetentionDays * DAY_MS] });
      for (const [res, days] of Object.entries(this.params.rollupRetentionDays) as Array<[keyof typeof RESOLUTIONS, number]>) {
        ranges.push({ db: this.rollups[res], raw: false, start: [s.sensor, s.metric, 0], end: [s.sensor, s.metric, now - days * DAY_MS] });
      }
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
        do {
          const r = ranges[next]!;
          let n = 0;
          // Reads in a write see its own deletions: each step starts where the last one stopped.
          for (const key of r.db.getKeys({ start: r.start, end: r.end, limit: STEP })) {
            r.db.remove(key);
            n++;
          }
          if (r.raw) raw += n;
          else rollups += n;
          if (n < STEP) next++;
        } while (next < ranges.length && performance.now() - t0 < sliceMs);
      });
    }
    this.log.info({ module: 'telemetry', raw, rollups, slices }, 'old points pruned');
    return { raw, rollups, slices };
  }

  async stop(): Promise<void> {
    await this.flush();
  }
}
