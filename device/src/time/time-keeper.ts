import type { Logger } from 'pino';
import { DAY_MS, type Clock } from '../clock.js';
import type { TimeSource, TimeState } from './contract.js';

/**
 * Whether the hub's wall clock can be acted on. A Raspberry Pi has no
 * real-time clock: it boots at 1970 or at the time fake-hwclock saved, and
 * jumps when chrony gets time from the concentrator's GPS, a peer hub or
 * NTP. Records may carry any time (the journal orders by sequence number),
 * but demurrage, expiry, closing and the nightly jobs wait until the time is
 * trusted:
 * - with chrony as the source, until chrony says it is synchronised;
 * - with the system clock, unless it reads well before the last time the hub
 *   knew to be right (a boot at 1970);
 * - and in either case, for a while after a jump.
 *
 * A jump is the wall clock moving more than `jumpBoundMs` against the
 * monotonic clock between two readings. A forward jump's interval is never
 * charged as elapsed time: demurrage skips the days it covers. A backward
 * jump gives back the part of earlier skipped intervals that lies ahead of
 * the new time, since those days will now really be lived.
 */
export type { TimeSource };

export interface ClockJump {
  /** The wall time expected from the monotonic clock, and the wall time read. */
  fromWall: number;
  toWall: number;
  byMs: number;
}

export interface SkippedInterval {
  from: number;
  to: number;
}

export interface TimeStatus {
  state: TimeState;
  /** Why time-based actions wait, when they do. */
  reason: string | null;
  source: TimeSource;
  /** chrony's word on synchronisation; null when the source is the system clock. */
  synced: boolean | null;
  lastJump: (ClockJump & { agoMs: number }) | null;
}

export interface TimeSettings {
  source: TimeSource;
  jumpBoundMs: number;
  settleMs: number;
}

export class TimeKeeper implements Clock {
  private offset: number;
  private lastJump: (ClockJump & { atMono: number }) | null = null;
  private skipped: SkippedInterval[] = [];
  private synced: boolean | null = null;
  private lastTrusted = 0;
  /** A boot's test: until the clock has been trusted once, it must not read well before the last time the hub knew. */
  private bootFloor = -Infinity;
  private readonly listeners: Array<(jump: ClockJump, skipped: SkippedInterval[]) => void> = [];

  constructor(
    private readonly wall: Clock,
    private readonly monotonic: () => number,
    private readonly settings: TimeSettings,
    private readonly log: Logger,
  ) {
    // The first reading is the baseline later readings are compared with.
    this.offset = wall.now() - monotonic();
  }

  /** What was known when the hub last stopped: skipped intervals, and the last time it knew to be right. */
  restore(state: { skipped: SkippedInterval[]; lastTrusted: number }): void {
    this.skipped = state.skipped.map((s) => ({ ...s }));
    this.lastTrusted = state.lastTrusted;
    this.bootFloor = state.lastTrusted;
  }

  /** Called after each jump, with the skipped intervals as they now stand (to be stored). */
  onJump(listener: (jump: ClockJump, skipped: SkippedInterval[]) => void): void {
    this.listeners.push(listener);
  }

  now(): number {
    const w = this.wall.now();
    this.observe(w);
    return w;
  }

  /** Asked by the ledger on every payment: no object is built on the way. */
  trusted(): boolean {
    const w = this.wall.now();
    this.observe(w);
    return this.settle(w, this.whyNot(w)) === null;
  }

  status(): TimeStatus {
    const w = this.wall.now();
    this.observe(w);
    const reason = this.settle(w, this.whyNot(w));
    const j = this.lastJump;
    return {
      state: reason === null ? 'trusted' : 'waiting',
      reason,
      source: this.settings.source,
      synced: this.synced,
      lastJump: j ? { fromWall: j.fromWall, toWall: j.toWall, byMs: j.byMs, agoMs: this.monotonic() - j.atMono } : null,
    };
  }

  /** The last wall time the hub acted on, to be stored so a boot in the past is recognised. */
  lastTrustedTime(): number {
    return this.lastTrusted;
  }

  /** chrony's answer (time/chrony.ts). */
  setSynced(synced: boolean): void {
    if (synced !== this.synced) this.log.info({ module: 'time', synced }, synced ? 'the clock is synchronised' : 'the clock is not synchronised');
    this.synced = synced;
  }

  /** False for a day that lies wholly inside a skipped interval: no demurrage is charged for it. */
  chargeable(day: number): boolean {
    const start = day * DAY_MS;
    const end = start + DAY_MS;
    return !this.skipped.some((s) => s.from <= start && s.to >= end);
  }

  skippedIntervals(): SkippedInterval[] {
    return this.skipped.map((s) => ({ ...s }));
  }

  /** Remembers a trusted reading: the last trusted time moves on, and the boot check is over. */
  private settle(w: number, reason: string | null): string | null {
    if (reason === null) {
      if (w > this.lastTrusted) this.lastTrusted = w;
      // Trusted once: from here on, jumps are what the monotonic clock catches.
      this.bootFloor = -Infinity;
    }
    return reason;
  }

  private whyNot(w: number): string | null {
    if (!this.wall.trusted()) return 'waiting for time: the clock is not trusted';
    if (this.settings.source === 'chrony' && this.synced !== true) return 'waiting for time: the clock is not synchronised yet';
    if (w < this.bootFloor - this.settings.jumpBoundMs)
      return `waiting for time: the clock reads ${iso(w)}, before ${iso(this.bootFloor)}, when the hub last knew the time`;
    if (this.lastJump && this.monotonic() - this.lastJump.atMono < this.settings.settleMs) return 'waiting for time: the clock jumped and is settling';
    return null;
  }

  private observe(w: number): void {
    const m = this.monotonic();
    const offset = w - m;
    const before = this.offset;
    // Small differences are chrony slewing the clock: follow them.
    this.offset = offset;
    if (Math.abs(offset - before) <= this.settings.jumpBoundMs) return;
    const byMs = offset - before;
    const jump: ClockJump = { fromWall: w - byMs, toWall: w, byMs };
    this.lastJump = { ...jump, atMono: m };
    if (byMs > 0) this.skipped.push({ from: jump.fromWall, to: w });
    else {
      this.skipped = this.skipped.map((s) => ({ from: s.from, to: Math.min(s.to, w) })).filter((s) => s.to > s.from);
      // A step back is a correction too: the time the hub last acted on may have been in the future.
      this.lastTrusted = Math.min(this.lastTrusted, w);
      this.bootFloor = Math.min(this.bootFloor, w);
    }
    this.log.warn(
      { module: 'time', from: iso(jump.fromWall), to: iso(w), byMs },
      'the clock jumped; time-based actions wait until it settles, and the jump is never charged as elapsed time',
    );
    for (const l of this.listeners) l(jump, this.skippedIntervals());
  }
}

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms);
}
