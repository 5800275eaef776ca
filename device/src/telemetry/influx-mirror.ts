import { InfluxDB, Point as InfluxPoint, setLogger } from '@influxdata/influxdb-client';
import type { Logger } from 'pino';
import type { Store } from '../store/store.js';
import type { Point, PointSink } from './store.js';

/**
 * Mirrors committed readings to an InfluxDB v2 write endpoint (InfluxDB
 * itself, or anything that speaks its line protocol). Points wait in an LMDB
 * queue, bounded, and leave in order; while the server is away nothing
 * within the bound is lost, and the oldest points beyond it are dropped and
 * counted.
 */
export interface InfluxSettings {
  url: string;
  org: string;
  bucket: string;
  token: string;
  maxBuffered: number;
  batchSize: number;
}

export class InfluxMirror implements PointSink {
  private readonly queue;
  private readonly meta;
  private timer: NodeJS.Timeout | undefined;
  private sending = false;
  stats = { sent: 0, dropped: 0, failures: 0, lastError: null as string | null };

  constructor(
    private readonly store: Store,
    private readonly s: InfluxSettings,
    private readonly log: Logger,
  ) {
    // The client's own console messages go to our log, where the mirror reports once per outage.
    setLogger({ error: (msg: string) => log.debug({ module: 'telemetry' }, msg), warn: (msg: string) => log.debug({ module: 'telemetry' }, msg) });
    this.queue = store.db<Point, number>('influx-queue');
    this.meta = store.db<number, string>('influx-meta');
  }

  onCommitted(points: Point[]): void {
    void this.store
      .write(() => {
        let next = this.meta.get('next') ?? 0;
        for (const p of points) this.queue.put(next++, p);
        this.meta.put('next', next);
        // Bounded: drop the oldest beyond the limit, and say so.
        const head = this.meta.get('head') ?? 0;
        const over = next - head - this.s.maxBuffered;
        if (over > 0) {
          for (let k = head; k < head + over; k++) this.queue.remove(k);
          this.meta.put('head', head + over);
          this.stats.dropped += over;
        }
      })
      .then(() => this.send());
  }

  buffered(): number {
    return (this.meta.get('next') ?? 0) - (this.meta.get('head') ?? 0);
  }

  start(everyMs = 2000): void {
    this.timer = setInterval(() => void this.send(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Sends the queue head in batches until it is empty or the server fails. */
  async send(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      for (;;) {
        const head = this.meta.get('head') ?? 0;
        const batch = [...this.queue.getRange({ start: head, limit: this.s.batchSize })];
        const last = batch.at(-1)?.key;
        if (last === undefined) return;
        // A fresh write API per batch, with its own retries off: the LMDB queue is the buffer.
        const api = new InfluxDB({ url: this.s.url, token: this.s.token, timeout: 5000 }).getWriteApi(this.s.org, this.s.bucket, 'ms', {
          maxRetries: 0,
          batchSize: batch.length + 1,
          flushInterval: 0,
        });
        api.writePoints(
          batch.map(({ value: p }) => new InfluxPoint(p.metric.replace(/\W/g, '_')).tag('sensor', p.sensor).floatField('value', p.value).timestamp(p.t)),
        );
        try {
          await api.close();
        } catch (e) {
          this.stats.failures++;
          if (this.stats.lastError !== (e as Error).message)
            this.log.warn({ module: 'telemetry', err: (e as Error).message, buffered: this.buffered() }, 'InfluxDB mirror unreachable; buffering');
          this.stats.lastError = (e as Error).message;
          return;
        }
        await this.store.write(() => {
          for (const { key } of batch) this.queue.remove(key);
          this.meta.put('head', last + 1);
        });
        this.stats.sent += batch.length;
        if (this.stats.lastError) this.log.info({ module: 'telemetry', buffered: this.buffered() }, 'InfluxDB mirror back');
        this.stats.lastError = null;
      }
    } finally {
      this.sending = false;
    }
  }
}
