import { open } from 'lmdb';
import { configSchema, openCore, silentLogger } from '@hyphae/device';
import { medianOf, printGoals } from './goals.js';
import { fmt, median, tempDir } from './util.js';

/**
 * Durable transfers per second through the ledger module, against a bare
 * lmdb-js loop doing the same essential I/O per transfer (2 balance reads,
 * 2 balance writes, 1 journal entry, the payee's notification) with the same
 * group commit and flush.
 * Target: ≥ 50,000/s grouped, ratio ≥ 0.45, ≥ 1,500/s one by one.
 */
const MEMBERS = 200;
const GROUPED = 60_000;
const WINDOW = 2_000;
const SINGLE = 2_000;

function pairs(n: number, members: number): Array<[number, number, number]> {
  let s = 12345;
  const rand = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
  return Array.from({ length: n }, () => {
    const a = Math.floor(rand() * members);
    let b = Math.floor(rand() * members);
    if (b === a) b = (b + 1) % members;
    return [a, b, 1 + Math.floor(rand() * 20)];
  });
}

async function ledgerModule(): Promise<{ grouped: number; single: number }> {
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

async function bareLmdb(): Promise<{ grouped: number; single: number }> {
  const dir = tempDir('hyphae-bench-bare-');
  const env = open({ path: `${dir.path}/bare.lmdb` });
  const balances = env.openDB<{ balance: number }, string>({ name: 'balances' });
  const journal = env.openDB<unknown, number>({ name: 'journal' });
  // A payment between members also stores the payee's notification (since 2026-12): the reference does the same put.
  const inbox = env.openDB<unknown, [string, number, number]>({ name: 'inbox' });
  try {
    for (let i = 0; i < MEMBERS; i++) await balances.put(`m${i}`, { balance: 0 });
    const work = pairs(GROUPED, MEMBERS);
    let seq = 0;
    const one = ([a, b, amt]: [number, number, number]) =>
      env.transaction(() => {
        const x = balances.get(`m${a}`)!;
        const y = balances.get(`m${b}`)!;
        balances.put(`m${a}`, { balance: x.balance - amt });
        balances.put(`m${b}`, { balance: y.balance + amt });
        const at = Date.now();
        inbox.put([`m${b}`, at, seq], { kind: 'paid', from: `m${a}`, amount: amt, unit: 'credit', memo: null });
        journal.put(seq++, { a, b, amt, at });
      });
    const t0 = performance.now();
    for (let i = 0; i < work.length; i += WINDOW) {
      await Promise.all(work.slice(i, i + WINDOW).map(one));
      await env.flushed;
    }
    const grouped = GROUPED / ((performance.now() - t0) / 1000);
    const t1 = performance.now();
    for (const w of work.slice(0, SINGLE)) {
      await one(w);
      await env.flushed;
    }
    const single = SINGLE / ((performance.now() - t1) / 1000);
    return { grouped, single };
  } finally {
    await env.close();
    dir.remove();
  }
}

export async function run(): Promise<void> {
  const runs = 3;
  const ours: Array<{ grouped: number; single: number }> = [];
  const bare: Array<{ grouped: number; single: number }> = [];
  for (let i = 0; i < runs; i++) {
    bare.push(await bareLmdb());
    ours.push(await ledgerModule());
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
