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
      const oldest = list[0];
      if (oldest !== undefined && list.length >= this.maxFailures) wait = Math.max(wait, Math.ceil((oldest + this.windowMs - t) / 1000));
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

/**
 * Backoff on an account as a whole: after `free` wrong passwords from
 * anywhere, each further one doubles the wait before the next attempt, up to
 * `maxMs`. It slows a guesser who moves between addresses; the hub lets the
 * right password through from a device that has signed in to the account
 * before, so nobody can lock a steward out at the desk by guessing.
 */
export class AccountBackoff {
  private readonly state = new Map<string, { failures: number; until: number }>();

  constructor(
    private readonly free: number,
    private readonly baseMs: number,
    private readonly maxMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until the account may be tried again (0: now). */
  retryAfter(key: string): number {
    const s = this.state.get(key);
    const t = this.now();
    return s && s.until > t ? Math.ceil((s.until - t) / 1000) : 0;
  }

  fail(key: string): void {
    const s = this.state.get(key) ?? { failures: 0, until: 0 };
    s.failures++;
    if (s.failures > this.free) s.until = this.now() + Math.min(this.maxMs, this.baseMs * 2 ** (s.failures - this.free - 1));
    this.state.set(key, s);
  }

  reset(key: string): void {
    this.state.delete(key);
  }
}
