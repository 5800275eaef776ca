/**
 * Counts failed sign-ins per key (an address, an email) in a sliding window.
 * Kept in memory: a restart forgets, which is acceptable for a hub on a
 * neighbourhood mesh, and it costs no SD-card writes.
 */
export class FailureRateLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until the first of `keys` may try again, or 0 if all may. */
  retryAfter(keys: string[]): number {
    const t = this.now();
    let wait = 0;
    for (const k of keys) {
      const list = this.prune(k, t);
      if (list.length >= this.maxFailures) wait = Math.max(wait, Math.ceil((list[0]! + this.windowMs - t) / 1000));
    }
    return wait;
  }

  fail(keys: string[]): void {
    const t = this.now();
    for (const k of keys) {
      const list = this.prune(k, t);
      list.push(t);
      this.failures.set(k, list);
    }
  }

  reset(keys: string[]): void {
    for (const k of keys) this.failures.delete(k);
  }

  private prune(key: string, t: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((x) => x > t - this.windowMs);
    if (list.length === 0) this.failures.delete(key);
    else this.failures.set(key, list);
    return list;
  }
}
