import { configSchema, DAY_MS, ManualClock, openCore, silentLogger } from '@hyphae/device';
import { medianOf, printGoals, rounds } from './goals.js';
import { inChild } from './in-child.js';
import { ITEMS, PAST_LOANS, percentile, QUERIES, RESERVATIONS, type LibraryResult } from './library-work.js';
import { fmt, median, tempDir } from './util.js';

/** The library module, in a process of its own (in-child.ts). */
export async function ours(): Promise<LibraryResult> {
  const dir = tempDir('hyphae-bench-library-');
  const t0 = Date.UTC(2026, 0, 1);
  const clock = new ManualClock(t0);
  const core = openCore(
    dir.path,
    configSchema.parse({ ledger: { credit: { floor: -1_000_000_000, ceiling: 1_000_000_000 } }, library: { maxBookingDays: 60 } }),
    silentLogger,
    clock,
  );
  try {
    const desk = { id: 'bench', steward: true };
    const members: string[] = [];
    for (let i = 0; i < 50; i++) members.push((await core.members.create({ name: `M${i}`, email: `m${i}@bench.example` }, null)).id);
    const items: string[] = [];
    for (let i = 0; i < ITEMS; i += 100) {
      const batch = await Promise.all(
        Array.from({ length: 100 }, (_, k) =>
          core.library.catalogue.addItem({ name: `Item ${i + k}`, category: `cat${(i + k) % 12}`, deposit: 500, fee: 50 }, 'bench'),
        ),
      );
      items.push(...batch.map((b) => b.id));
    }
    process.stdout.write(`  seeding ${fmt(PAST_LOANS)} past loans …\n`);
    for (let round = 0; round < PAST_LOANS / ITEMS; round++) {
      const loans = await Promise.all(items.map((id, k) => core.library.loans.checkOut(id, members[(k + round) % members.length]!, desk, { days: 3 })));
      clock.advance(2 * DAY_MS);
      await Promise.all(loans.map((l) => core.library.loans.checkIn(l.id, desk, { condition: 'good' })));
    }
    // Reservations: distinct items and days, so each one is a real booking.
    const base = Math.floor(clock.now() / DAY_MS + 1) * DAY_MS;
    const t1 = performance.now();
    await Promise.all(
      Array.from({ length: RESERVATIONS }, (_, k) =>
        core.library.bookings.reserve(
          items[k % ITEMS]!,
          members[k % members.length]!,
          base + Math.floor(k / ITEMS) * 2 * DAY_MS,
          base + (Math.floor(k / ITEMS) * 2 + 1) * DAY_MS,
          desk,
        ),
      ),
    );
    const perSec = RESERVATIONS / ((performance.now() - t1) / 1000);
    const times: number[] = [];
    for (let q = 0; q < QUERIES; q++) {
      const t = performance.now();
      core.library.bookings.busy(items[(q * 7) % ITEMS]!, base, base + 14 * DAY_MS);
      times.push(performance.now() - t);
    }
    return { perSec, p99: percentile(times, 99), p50: median(times) };
  } finally {
    await core.close();
    dir.remove();
  }
}

/**
 * Reservation throughput and the p99 of an availability query, over 1,000
 * items with 10,000 past loans, against a bare lmdb-js loop doing the same
 * essential work (library-bare.ts). Each side runs in a fresh process of its
 * own, three rounds, the reference first in each. The library has no goal of
 * its own in #21: the ratios are printed, median and worst round.
 */
export async function run(): Promise<void> {
  const all = await rounds(async () => ({
    bare: await inChild<LibraryResult>(new URL('./library-bare.js', import.meta.url), 'bare'),
    ours: await inChild<LibraryResult>(new URL('./library.js', import.meta.url), 'ours'),
  }));
  console.log(
    `${fmt(ITEMS)} items, ${fmt(PAST_LOANS)} past loans, ${fmt(RESERVATIONS)} reservations, ${fmt(QUERIES)} availability queries; each side in its own process`,
  );
  console.table(
    all.flatMap((r, i) => [
      {
        path: `round ${i + 1}: library module`,
        'reservations/s': fmt(r.ours.perSec),
        'availability p50 ms': fmt(r.ours.p50, 3),
        'availability p99 ms': fmt(r.ours.p99, 3),
      },
      {
        path: `round ${i + 1}: bare lmdb-js (reference)`,
        'reservations/s': fmt(r.bare.perSec),
        'availability p50 ms': fmt(r.bare.p50, 3),
        'availability p99 ms': fmt(r.bare.p99, 3),
      },
    ]),
  );
  const reservations = all.map((r) => r.ours.perSec / r.bare.perSec);
  const p99 = all.map((r) => r.ours.p99 / r.bare.p99);
  printGoals([
    { what: 'reservations/s', median: medianOf(all.map((r) => r.ours.perSec)), worst: Math.min(...all.map((r) => r.ours.perSec)), unit: '/s' },
    { what: 'reservations ÷ bare lmdb-js', median: medianOf(reservations), worst: Math.min(...reservations), unit: '×', digits: 2 },
    { what: "availability query p99 ÷ the reference's", median: medianOf(p99), worst: Math.max(...p99), unit: '×', digits: 2 },
  ]);
}
