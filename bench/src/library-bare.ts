import { open } from 'lmdb';
import { DAY_MS, ITEMS, percentile, QUERIES, RESERVATIONS, type LibraryResult } from './library-work.js';
import { median, tempDir } from './util.js';

/**
 * The library bench's reference, run in a process of its own (in-child.ts):
 * a bare lmdb-js loop doing the same essential work as a reservation (a range
 * read of the item's bookings and one put) and as an availability query (a
 * range read).
 */
export async function bare(): Promise<LibraryResult> {
  const dir = tempDir('hyphae-bench-library-bare-');
  const env = open({ path: `${dir.path}/bare.lmdb` });
  const res = env.openDB<{ from: number; to: number; m: number }, [number, number, number]>({ name: 'res' });
  try {
    const base = Date.UTC(2026, 2, 1);
    const t1 = performance.now();
    await Promise.all(
      Array.from({ length: RESERVATIONS }, (_, k) =>
        env.childTransaction(() => {
          const item = k % ITEMS;
          const from = base + Math.floor(k / ITEMS) * 2 * DAY_MS;
          const to = from + DAY_MS;
          for (const { value } of res.getRange({ start: [item, from - 60 * DAY_MS, 0], end: [item, to, 0] }))
            if (value.from < to && from < value.to) throw new Error('clash');
          res.put([item, from, k], { from, to, m: k });
        }),
      ),
    );
    await env.flushed;
    const perSec = RESERVATIONS / ((performance.now() - t1) / 1000);
    const times: number[] = [];
    for (let q = 0; q < QUERIES; q++) {
      const t = performance.now();
      const item = (q * 7) % ITEMS;
      [...res.getRange({ start: [item, base - 60 * DAY_MS, 0], end: [item, base + 14 * DAY_MS, 0] })];
      times.push(performance.now() - t);
    }
    return { perSec, p99: percentile(times, 99), p50: median(times) };
  } finally {
    await env.close();
    dir.remove();
  }
}
