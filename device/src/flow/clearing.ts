import { networkSimplex } from './network-simplex.js';
import { primalDual } from './primal-dual.js';
import type { FlowProblem, FlowSolution } from './problem.js';

/**
 * Multilateral set-off. Obligations form a graph from debtor to creditor;
 * a circulation within it can be cancelled without changing anyone's net
 * position. The largest such circulation is a min-cost circulation with
 * cost −1 per unit on every obligation, capped at its amount.
 */
export interface Obligation {
  debtor: string;
  creditor: string;
  amount: number;
}

export interface ClearingResult {
  totalBefore: number;
  totalAfter: number;
  cleared: number;
  /** Obligations left, with what remains of each (cleared ones omitted). */
  remaining: Obligation[];
  /** How much of each input obligation was set off, by index. */
  setOff: number[];
  /** Cycles in one decomposition of the set-off. */
  cycles: number;
  stats: FlowSolution['stats'];
}

export class ClearingInputError extends Error {}

export function clearingProblem(obligations: Obligation[]): { problem: FlowProblem; ids: string[] } {
  const index = new Map<string, number>();
  const id = (name: string) => {
    let i = index.get(name);
    if (i === undefined) index.set(name, (i = index.size));
    return i;
  };
  const from: number[] = [];
  const to: number[] = [];
  const upper: number[] = [];
  obligations.forEach((o, k) => {
    if (!Number.isSafeInteger(o.amount) || o.amount <= 0)
      throw new ClearingInputError(`obligation ${k + 1}: the amount must be a positive whole number, got ${o.amount}`);
    if (!o.debtor || !o.creditor) throw new ClearingInputError(`obligation ${k + 1}: debtor and creditor are required`);
    if (o.debtor === o.creditor) throw new ClearingInputError(`obligation ${k + 1}: ${o.debtor} cannot owe themselves`);
    from.push(id(o.debtor));
    to.push(id(o.creditor));
    upper.push(o.amount);
  });
  const n = index.size;
  return { problem: { nodeCount: n, supply: new Array<number>(n).fill(0), from, to, upper, cost: from.map(() => -1) }, ids: [...index.keys()] };
}

/**
 * Primal-dual by default: every cost is −1, so its phases are few and each
 * moves much flow (see primal-dual.ts); network simplex remains for
 * comparison and the CLI.
 */
export function clear(obligations: Obligation[], algorithm: 'ns' | 'pd' = 'pd'): ClearingResult {
  const { problem } = clearingProblem(obligations);
  const sol = algorithm === 'ns' ? networkSimplex(problem) : primalDual(problem);
  if (sol.status !== 'optimal') throw new Error(`clearing failed: ${sol.status}`); // a circulation problem is always feasible
  const setOff = Array.from(sol.flow);
  const totalBefore = obligations.reduce((a, o) => a + o.amount, 0);
  const cleared = setOff.reduce((a, b) => a + b, 0);
  const remaining: Obligation[] = [];
  obligations.forEach((o, k) => {
    const left = o.amount - setOff[k]!;
    if (left > 0) remaining.push({ ...o, amount: left });
  });
  return { totalBefore, totalAfter: totalBefore - cleared, cleared, remaining, setOff, cycles: countCycles(problem, setOff), stats: sol.stats };
}

/** Splits a circulation into cycles (each step removes at least one arc) and counts them. */
export function countCycles(p: FlowProblem, flow: number[]): number {
  const f = [...flow];
  const out = new Map<number, number[]>();
  f.forEach((x, e) => {
    if (x > 0) {
      const u = p.from[e]!;
      if (!out.has(u)) out.set(u, []);
      out.get(u)!.push(e);
    }
  });
  const nextArc = (u: number): number | undefined => {
    const list = out.get(u);
    while (list && list.length && f[list[list.length - 1]!]! === 0) list.pop();
    return list && list.length ? list[list.length - 1] : undefined;
  };
  let cycles = 0;
  for (const start of [...out.keys()]) {
    while (nextArc(start) !== undefined) {
      // Walk until a node repeats; the repeated stretch is a cycle.
      const pos = new Map<number, number>();
      const path: number[] = [];
      let u = start;
      while (!pos.has(u)) {
        pos.set(u, path.length);
        const e = nextArc(u)!;
        path.push(e);
        u = p.to[e]!;
      }
      const cyc = path.slice(pos.get(u));
      const amt = Math.min(...cyc.map((e) => f[e]!));
      for (const e of cyc) f[e]! -= amt;
      cycles++;
    }
  }
  return cycles;
}

/** Reads `debtor,creditor,amount` lines; a header line is allowed. */
export function parseObligationsCsv(text: string): Obligation[] {
  const out: Obligation[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const cells = line.split(',').map((c) => c.trim());
    if (i === 0 && /^debtor$/i.test(cells[0] ?? '')) return;
    if (cells.length !== 3) throw new ClearingInputError(`line ${i + 1}: expected debtor,creditor,amount`);
    const amount = /^-?\d+$/.test(cells[2]!) ? Number(cells[2]) : Number.NaN;
    if (!Number.isSafeInteger(amount)) throw new ClearingInputError(`line ${i + 1}: the amount must be a whole number, got "${cells[2]}"`);
    if (amount <= 0) throw new ClearingInputError(`line ${i + 1}: the amount must be positive, got ${amount}`);
    if (cells[0] === cells[1]) throw new ClearingInputError(`line ${i + 1}: ${cells[0]} cannot owe themselves`);
    if (!cells[0] || !cells[1]) throw new ClearingInputError(`line ${i + 1}: debtor and creditor are required`);
    out.push({ debtor: cells[0]!, creditor: cells[1]!, amount });
  });
  return out;
}
