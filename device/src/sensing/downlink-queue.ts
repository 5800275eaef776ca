import type { QueuedDownlink } from '@hyphae/drivers/lorawan';
import type { Clock } from '../clock.js';
import { HubError } from '../errors.js';
import { randomId } from '../ids.js';
import type { Store } from '../store/store.js';
import { z } from 'zod';
import type { DownlinkState } from './contract.js';

/**
 * Application downlinks waiting for their device: a valve to open, a
 * sensor's reporting interval. A class-A device listens only just after it
 * sends, so each waits here for the device's next uplink. A confirmed one
 * is sent again until the device acknowledges it, at most three times, and
 * ends as acknowledged or expired; an unconfirmed one ends when sent.
 */
export interface DownlinkRecord extends QueuedDownlink {
  devEui: string;
  state: DownlinkState;
  createdAt: number;
  createdBy: string | null;
  sentAt: number | null;
  /** The frame counter it last went out with. */
  fCntDown: number | null;
  /** Set once nothing more will happen to it. */
  doneAt: number | null;
}

/** A downlink as an API caller or an MQTT automation asks for it: bytes as hex, or an object the device's codec encodes. */
export const NewDownlink = z
  .object({
    fPort: z.number().int().min(1).max(223).optional().describe('1–223; with `object`, the codec may choose it'),
    hex: z
      .string()
      .regex(/^([0-9a-fA-F]{2})*$/, 'hex digits, two per byte')
      .optional(),
    object: z.record(z.string(), z.unknown()).optional().describe("made into bytes by the device's codec (encodeDownlink)"),
    confirmed: z.boolean().default(false),
  })
  .refine((d) => (d.hex === undefined) !== (d.object === undefined), { message: 'give either hex or object', path: ['hex'] });
export type NewDownlink = z.infer<typeof NewDownlink>;

export const DOWNLINK_MAX_ATTEMPTS = 3;
/** The most waiting for one device: a script gone wrong must not fill the card. */
const MAX_WAITING = 32;
const KEEP_DONE = 50;

/** Device, then a sequence number per device: the queue's order is the order they were queued in. */
type Key = [string, number];

export class DownlinkQueue {
  private readonly db;
  /** Devices with something to send or to see acknowledged; built on first use, so opening the hub reads nothing. */
  private pending: Set<string> | null = null;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {
    this.db = store.db<DownlinkRecord, Key>('lorawan-queue');
  }

  private open(r: DownlinkRecord): boolean {
    return r.doneAt === null;
  }

  private pendingSet(): Set<string> {
    if (!this.pending) {
      this.pending = new Set();
      for (const { value } of this.db.getRange({})) if (this.open(value)) this.pending.add(value.devEui);
    }
    return this.pending;
  }

  private range(devEui: string) {
    return this.db.getRange({ start: [devEui, 0], end: [devEui, Number.MAX_SAFE_INTEGER] });
  }

  async enqueue(devEui: string, d: { fPort: number; payload: Buffer; confirmed: boolean }, by: string | null): Promise<DownlinkRecord> {
    if (d.fPort < 1 || d.fPort > 223) throw HubError.badRequest('fPort must be 1–223 (0 is for MAC commands, 224 and up are reserved)');
    if (d.payload.length > 51) throw HubError.badRequest(`a downlink carries at most 51 bytes at the slowest data rate, not ${d.payload.length}`);
    const now = this.clock.now();
    const r: DownlinkRecord = {
      id: randomId('dl_', 6),
      devEui,
      fPort: d.fPort,
      payload: d.payload.toString('hex'),
      confirmed: d.confirmed,
      attempts: 0,
      state: 'queued',
      createdAt: now,
      createdBy: by,
      sentAt: null,
      fCntDown: null,
      doneAt: null,
    };
    await this.store.write(() => {
      let waiting = 0;
      let last = 0;
      const done: Key[] = [];
      for (const { key, value } of this.range(devEui)) {
        last = (key as Key)[1];
        if (this.open(value)) waiting++;
        else done.push(key as Key);
      }
      // Retention: a device keeps the record of its last 50 finished downlinks.
      for (const k of done.slice(0, Math.max(0, done.length - KEEP_DONE))) this.db.remove(k);
      if (waiting >= MAX_WAITING) throw HubError.conflict(`${waiting} downlinks already wait for this device`);
      this.db.put([devEui, last + 1], r);
    });
    this.pendingSet().add(devEui);
    return r;
  }

  /** Newest first. */
  list(devEui: string, limit = 50): DownlinkRecord[] {
    return [...this.range(devEui)]
      .map((e) => e.value)
      .reverse()
      .slice(0, limit);
  }

  /** What goes with the device's next downlink: one awaiting its acknowledgement first, else the oldest queued. */
  next(devEui: string): DownlinkRecord | undefined {
    if (!this.pendingSet().has(devEui)) return undefined;
    let queued: DownlinkRecord | undefined;
    for (const { value } of this.range(devEui)) {
      if (!this.open(value)) continue;
      if (value.state === 'sent') return value;
      queued ??= value;
    }
    if (!queued) this.pendingSet().delete(devEui);
    return queued;
  }

  /** Inside the transaction that takes its frame counter: sent with `fCntDown`. */
  markSentInTxn(devEui: string, id: string, fCntDown: number): void {
    for (const { key, value } of this.range(devEui)) {
      if (value.id !== id) continue;
      const now = this.clock.now();
      this.db.put(key, { ...value, state: 'sent', attempts: value.attempts + 1, sentAt: now, fCntDown, doneAt: value.confirmed ? null : now });
      return;
    }
  }

  /**
   * An uplink came: it acknowledges the confirmed downlink waiting for it,
   * or, without the ACK bit, says it was not heard; after the last attempt
   * that downlink has expired.
   */
  settle(devEui: string, acked: boolean): Promise<void> | undefined {
    if (!this.pendingSet().has(devEui)) return undefined;
    let waiting: { key: Key; value: DownlinkRecord } | undefined;
    for (const e of this.range(devEui)) if (this.open(e.value) && e.value.state === 'sent') waiting = { key: e.key as Key, value: e.value };
    if (!waiting) return undefined;
    const w = waiting;
    if (!acked && w.value.attempts < DOWNLINK_MAX_ATTEMPTS) return undefined;
    return this.store.write(() => {
      this.db.put(w.key, { ...w.value, state: acked ? 'acknowledged' : 'expired', doneAt: this.clock.now() });
    });
  }
}
