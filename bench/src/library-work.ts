/** The library bench's sizes, the same for the library module and its bare lmdb-js reference (each in a process of its own). */
/** As @hyphae/device has it; not imported, so the reference's process loads lmdb-js alone. */
export const DAY_MS = 86_400_000;
export const ITEMS = 1_000;
export const PAST_LOANS = 10_000;
export const RESERVATIONS = 5_000;
export const QUERIES = 5_000;

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** What each side of the library bench returns. */
export interface LibraryResult {
  perSec: number;
  p99: number;
  p50: number;
}
