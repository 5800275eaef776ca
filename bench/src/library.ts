import { open } from 'lmdb';
import { configSchema, DAY_MS, ManualClock, openCore, silentLogger } from '@hyphae/device';
import { fmt, median, tempDir } from './util.js';

/**
 * Reservation throughput and the p99 of an availability query, over 1,000
 * items with 10,000 past loans. The reference is a bare lmdb-js loop doing
 * the same essential work: a range read of the item's bookings and one put
 * per reservation; a range read per availability query.
 */
const ITEMS = 1_000;
const PAST_LOANS = 10_000;
const RESERVATIONS = 5_000;
const QUERIES = 5_000;

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

async function ours() {
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

async function bare() {
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

export async function run(): Promise<void> {
  const b = await bare();
  const o = await ours();
  console.log(`${fmt(ITEMS)} items, ${fmt(PAST_LOANS)} past loans, ${fmt(RESERVATIONS)} reservations, ${fmt(QUERIES)} availability queries`);
  console.table([
    { path: 'library module', 'reservations/s': fmt(o.perSec), 'availability p50 ms': fmt(o.p50, 3), 'availability p99 ms': fmt(o.p99, 3) },
    { path: 'bare lmdb-js (reference)', 'reservations/s': fmt(b.perSec), 'availability p50 ms': fmt(b.p50, 3), 'availability p99 ms': fmt(b.p99, 3) },
  ]);
  console.log(`ratio library/bare: reservations ${fmt(o.perSec / b.perSec, 2)}, availability p99 ${fmt(o.p99 / b.p99, 2)}× the reference's time`);
}
