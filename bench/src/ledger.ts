import { configSchema, openCore, silentLogger } from '@hyphae/device';
import { medianOf, printGoals } from './goals.js';
import { inChild } from './in-child.js';
import { GROUPED, MEMBERS, pairs, SINGLE, WINDOW, type Rates } from './ledger-work.js';
import { fmt, median, tempDir } from './util.js';

/** The ledger module, in a process of its own (in-child.ts). */
export async function ledgerModule(): Promise<Rates> {
  const dir = tempDir('hyphae-bench-ledger-');
  // Wide limits so no payment is refused: the bench measures the write path.
  const config = configSchema.parse({ ledger: { credit: { floor: -1_000_000_000, ceiling: 1_000_000_000 }, demurrageRatePercent: 0 } });
  const core = openCore(dir.path, config, silentLogger);
  try {
    const ids: string[] = [];
    for (let i = 0; i < MEMBERS; i++) ids.push((await core.members.create({ name: `M${i}`, email: `m${i}@bench.example` }, null)).id);
    const work = pairs(GROUPED, MEMBERS);
    const t0 = performance.now();
    for (let i = 0; i < work.length; i += WINDOW) {
      await Promise.all(work.slice(i, i + WINDOW).map(([a, b, amt]) => core.ledger.pay({ payer: ids[a]!, payee: ids[b]!, amount: amt, actor: null })));
    }
    const grouped = GROUPED / ((performance.now() - t0) / 1000);
    const t1 = performance.now();
    for (const [a, b, amt] of work.slice(0, SINGLE)) await core.ledger.pay({ payer: ids[a]!, payee: ids[b]!, amount: amt, actor: null });
    const single = SINGLE / ((performance.now() - t1) / 1000);
    return { grouped, single };
  } finally {
    await core.close();
    dir.remove();
  }
}

/**
 * Durable transfers per second through the ledger module, against a bare
 * lmdb-js loop doing the same essential I/O per transfer (ledger-bare.ts).
 * Each side runs in a fresh process of its own, three rounds, the reference
 * first in each. Goals: ≥ 50,000/s grouped and ≥ 0.6 of the reference,
 * ≥ 1,500/s one by one.
 */
export async function run(): Promise<void> {
  const runs = 3;
  const ours: Rates[] = [];
  const bare: Rates[] = [];
  for (let i = 0; i < runs; i++) {
    bare.push(await inChild<Rates>(new URL('./ledger-bare.js', import.meta.url), 'bareLmdb'));
    ours.push(await inChild<Rates>(new URL('./ledger.js', import.meta.url), 'ledgerModule'));
  }
  const og = median(ours.map((r) => r.grouped));
  const bg = median(bare.map((r) => r.grouped));
  const os = median(ours.map((r) => r.single));
  const bs = median(bare.map((r) => r.single));
  console.log(`durable transfers/s, median of ${runs} runs (${fmt(GROUPED)} grouped in windows of ${fmt(WINDOW)}, ${fmt(SINGLE)} one by one)`);
  console.table([
    { path: 'ledger module', grouped: fmt(og), oneByOne: fmt(os) },
    { path: 'bare lmdb-js (reference)', grouped: fmt(bg), oneByOne: fmt(bs) },
  ]);
  const ratios = ours.map((o, i) => o.grouped / bare[i]!.grouped);
  printGoals([
    { what: 'durable transfers/s, grouped', median: og, worst: Math.min(...ours.map((r) => r.grouped)), unit: '/s', atLeast: 50_000 },
    {
      what: 'ledger ÷ bare lmdb-js doing the same gets and puts, grouped',
      median: medianOf(ratios),
      worst: Math.min(...ratios),
      unit: '×',
      atLeast: 0.6,
      digits: 2,
    },
    { what: 'durable transfers/s, one by one', median: os, worst: Math.min(...ours.map((r) => r.single)), unit: '/s', atLeast: 1_500 },
    { what: 'ledger ÷ bare lmdb-js, one by one', median: os / bs, unit: '×', digits: 2 },
  ]);
}
