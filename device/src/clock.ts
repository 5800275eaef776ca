/**
 * Wall-clock time for records, and whether it can be acted on. A hub
 * without a real-time clock may boot in 1970 or at the time fake-hwclock
 * saved, and jumps when chrony syncs; ordering never depends on this value
 * (the journal orders by sequence number). `trusted()` says whether
 * time-based actions (demurrage, expiry, closing, nightly jobs) may run now:
 * see time/time-keeper.ts.
 */
export interface Clock {
  now(): number;
  trusted(): boolean;
}

export const systemClock: Clock = { now: () => Date.now(), trusted: () => true };

/**
 * A clock that tests and the demo seed move by hand. `advance` and `set`
 * are time passing (the monotonic clock moves with them); `jump` moves the
 * wall clock alone, as chrony stepping it or a wrong fake-hwclock does.
 */
export class ManualClock implements Clock {
  private mono = 0;
  private isTrusted = true;
  constructor(private t: number) {}
  now(): number {
    return this.t;
  }
  trusted(): boolean {
    return this.isTrusted;
  }
  /** Milliseconds that really passed, whatever the wall clock says. */
  monotonic(): number {
    return this.mono;
  }
  set(t: number): void {
    this.mono += t - this.t;
    this.t = t;
  }
  advance(ms: number): void {
    this.t += ms;
    this.mono += ms;
  }
  jump(ms: number): void {
    this.t += ms;
  }
  setTrusted(trusted: boolean): void {
    this.isTrusted = trusted;
  }
}

export const DAY_MS = 86_400_000;

/** Whole UTC days since the epoch; demurrage compounds once per such day. */
export function dayIndex(ms: number): number {
  return Math.floor(ms / DAY_MS);
}
