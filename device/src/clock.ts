/**
 * Wall-clock time for records. A hub without a real-time clock may boot in
 * 1970 or jump when chrony syncs; ordering never depends on this value (the
 * journal orders by sequence number), and the ledger clamps recorded times so
 * they never go backwards.
 */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that tests and the demo seed move by hand. */
export class ManualClock implements Clock {
  constructor(private t: number) {}
  now(): number {
    return this.t;
  }
  set(t: number): void {
    this.t = t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export const DAY_MS = 86_400_000;

/** Whole UTC days since the epoch; demurrage compounds once per such day. */
export function dayIndex(ms: number): number {
  return Math.floor(ms / DAY_MS);
}
