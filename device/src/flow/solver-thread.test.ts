import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { allocate, type Offer, type Want } from './allocate.js';
import { clear, ClearingInputError, type Obligation } from './clearing.js';
import { SolverThread, THREAD_FROM_ARCS } from './solver-thread.js';

// mulberry32: a linear congruential generator's successive draws were so alike that 75,000 random debts formed no cycle.
let s = 7;
const rnd = (k: number) => {
  s = (s + 0x6d2b79f5) | 0;
  let t = Math.imul(s ^ (s >>> 15), 1 | s);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4_294_967_296) * k);
};
const ALWAYS = { from: 0, to: Number.MAX_SAFE_INTEGER };
const offers = (n: number): Offer[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `o${i}`,
    party: `p${i}`,
    quantity: 1 + rnd(40),
    place: { x: rnd(5000), y: rnd(5000) },
    resistance: rnd(3),
    ...ALWAYS,
  }));
const wants = (n: number): Want[] => offers(n).map((o, i) => ({ ...o, id: `w${i}`, party: `q${i}`, resistance: 0, priority: 1 + rnd(2) }));
/** Debts among `members`, about five each, amounts skewed as in a real neighbourhood. */
const obligations = (members: number, count: number): Obligation[] =>
  Array.from({ length: count }, () => {
    const a = rnd(members);
    const b = (a + 1 + rnd(members - 1)) % members;
    return { debtor: `m${a}`, creditor: `m${b}`, amount: 1 + (rnd(10) === 0 ? rnd(5000) : rnd(50)) };
  });

const threads: SolverThread[] = [];
const thread = (...args: ConstructorParameters<typeof SolverThread>) => {
  const t = new SolverThread(...args);
  threads.push(t);
  return t;
};
/** Runs `use` with a solver thread's file of the test's own, in a temporary folder. */
async function withWorkerFile(source: string, use: (url: URL) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hyphae-solver-'));
  try {
    const file = join(dir, 'solver-worker.mjs');
    writeFileSync(file, source);
    await use(pathToFileURL(file));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
afterEach(async () => {
  await Promise.all(threads.splice(0).map((t) => t.close()));
});

describe('the solver thread', () => {
  it('answers what the solvers answer in this thread, allocations and clearings alike', async () => {
    const t = thread();
    for (let round = 0; round < 5; round++) {
      // Large enough for the thread (THREAD_FROM_ARCS).
      const o = offers(50 + rnd(30));
      const w = wants(50 + rnd(30));
      const opts = { costPerKm: 1 + rnd(20), maxShare: rnd(2) ? 1 : 0.5 };
      expect(await t.allocate(o, w, opts)).toEqual(allocate(o, w, opts));
      expect(t.running).toBe(true);
      const debts = obligations(500, THREAD_FROM_ARCS + rnd(3_000));
      const here = clear(debts);
      const there = await t.clear(debts);
      expect({ ...there, stats: null }).toEqual({ ...here, stats: null });
    }
    expect(t.threaded).toBe(true);
  });

  it('keeps the event loop turning while a large clearing is solved', async () => {
    const t = thread();
    const debts = obligations(10_000, 75_000);
    let turns = 0;
    let solving = true;
    const spin = () => {
      turns++;
      if (solving) setImmediate(spin);
    };
    setImmediate(spin);
    const result = await t.clear(debts);
    solving = false;
    expect(result.cleared).toBeGreaterThan(0);
    // On this thread the solve would hold the loop from start to end: one turn, the one before it.
    expect(turns).toBeGreaterThan(100);
  });

  it('refuses bad input with the same error class as the solver itself, and goes on solving', async () => {
    const t = thread();
    // Padded past THREAD_FROM_ARCS, so the thread is the one that refuses.
    const padded = (bad: Obligation) => [...obligations(100, THREAD_FROM_ARCS), bad];
    await expect(t.clear(padded({ debtor: 'a', creditor: 'a', amount: 5 }))).rejects.toThrow(ClearingInputError);
    expect(t.running).toBe(true);
    await expect(t.clear(padded({ debtor: 'a', creditor: 'b', amount: 2.5 }))).rejects.toThrow(/positive whole number/);
    expect(
      (
        await t.clear([
          { debtor: 'a', creditor: 'b', amount: 3 },
          { debtor: 'b', creditor: 'a', amount: 2 },
        ])
      ).cleared,
    ).toBe(4);
  });

  it('leaves small solves on the main thread: starting a thread would take longer than they do', async () => {
    const t = thread();
    expect((await t.allocate(offers(10), wants(10))).allocations.length).toBeGreaterThan(0);
    expect((await t.clear(obligations(50, 200))).totalBefore).toBeGreaterThan(0);
    expect(t.running).toBe(false);
  });

  it('starts again after it was closed, and solves on the main thread, saying so once, where it cannot start', async () => {
    const t = thread();
    // Twice a cycle of 3 between a and b, padded with pairs that clear each other, past THREAD_FROM_ARCS.
    const debts = Array.from({ length: THREAD_FROM_ARCS }, (_, i) => ({ debtor: i % 2 ? 'a' : 'b', creditor: i % 2 ? 'b' : 'a', amount: 3 }));
    const all = 3 * THREAD_FROM_ARCS;
    expect((await t.clear(debts)).cleared).toBe(all);
    expect(t.running).toBe(true);
    await t.close();
    expect(t.running).toBe(false);
    expect((await t.clear(debts)).cleared).toBe(all);
    expect(t.running).toBe(true);

    const warnings: unknown[] = [];
    const lost = thread({ warn: (...a: unknown[]) => void warnings.push(a) }, new URL('file:///nonexistent/solver-worker.js'));
    expect((await lost.clear(debts)).cleared).toBe(all);
    expect((await lost.clear(debts)).cleared).toBe(all);
    expect(lost.threaded).toBe(false);
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings[0])).toMatch(/nonexistent/);
  });

  it('solves on the main thread when its thread fails before it has loaded (a broken file), and says so once', async () => {
    await withWorkerFile("throw new Error('this build is broken');\n", async (broken) => {
      const warnings: unknown[] = [];
      const t = thread({ warn: (...a: unknown[]) => void warnings.push(a) }, broken);
      const debts = obligations(300, THREAD_FROM_ARCS + 500);
      const expected = clear(debts).cleared;
      expect((await t.clear(debts)).cleared).toBe(expected);
      expect((await t.clear(debts)).cleared).toBe(expected);
      expect(t.threaded).toBe(false);
      expect(warnings).toHaveLength(1);
      expect(JSON.stringify(warnings[0])).toMatch(/this build is broken/);
    });
  });

  it('fails only the solve it held when it crashes after loading (out of memory, say), and starts afresh for the next', async () => {
    const crashing =
      "import { parentPort } from 'node:worker_threads';\nparentPort.postMessage({ ready: true });\nparentPort.on('message', () => { throw new Error('crashed mid-solve'); });\n";
    await withWorkerFile(crashing, async (url) => {
      const warnings: unknown[] = [];
      const t = thread({ warn: (...a: unknown[]) => void warnings.push(a) }, url);
      const debts = obligations(300, THREAD_FROM_ARCS);
      await expect(t.clear(debts)).rejects.toThrow(/crashed mid-solve/);
      expect(t.running).toBe(false);
      // Not a thread that cannot run here: the next solve gets a new one (which this file crashes too).
      await expect(t.clear(debts)).rejects.toThrow(/crashed mid-solve/);
      expect(t.threaded).toBe(true);
      expect(warnings).toEqual([]);
    });
  });

  it('fails the solves it holds when it is closed, rather than leave them waiting', async () => {
    const t = thread();
    const outcome = t.clear(obligations(10_000, 75_000)).then(
      () => 'solved',
      (e: Error) => e.message,
    );
    await t.close();
    expect(await outcome).toMatch(/closed/);
    expect((await t.clear(obligations(300, THREAD_FROM_ARCS))).totalBefore).toBeGreaterThan(0);
  });
});
