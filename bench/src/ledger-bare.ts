import { open } from 'lmdb';
import { GROUPED, MEMBERS, pairs, SINGLE, WINDOW, type Rates } from './ledger-work.js';
import { tempDir } from './util.js';

/**
 * The ledger bench's reference, run in a process of its own (in-child.ts): a
 * bare lmdb-js loop doing the same essential I/O per transfer as a payment
 * (2 balance reads, 2 balance writes, 1 journal entry, the payee's
 * notification) with the same group commit and flush.
 */
export async function bareLmdb(): Promise<Rates> {
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
