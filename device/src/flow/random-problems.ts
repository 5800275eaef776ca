import fc from 'fast-check';
import type { FlowProblem } from './problem.js';

// Property-test inputs shared by the solvers' tests (network simplex, cost scaling).

/** Random instances that are feasible by construction: supplies come from a random flow. */
export const randomProblem = fc
  .record({
    n: fc.integer({ min: 2, max: 9 }),
    m: fc.integer({ min: 1, max: 24 }),
    seed: fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 200, maxLength: 200 }),
  })
  .map(({ n, m, seed }) => {
    let k = 0;
    const r = (lo: number, hi: number) => lo + (seed[k++ % seed.length]! % (hi - lo + 1));
    const from: number[] = [];
    const to: number[] = [];
    const lower: number[] = [];
    const upper: number[] = [];
    const cost: number[] = [];
    const supply = new Array<number>(n).fill(0);
    for (let e = 0; e < m; e++) {
      const u = r(0, n - 1);
      const v = r(0, n - 1);
      const lo = r(0, 3) === 0 ? r(0, 4) : 0;
      const up = lo + r(0, 12);
      const f = r(lo, up);
      from.push(u);
      to.push(v);
      lower.push(lo);
      upper.push(up);
      cost.push(r(0, 30) - 8);
      supply[u]! += f;
      supply[v]! -= f;
    }
    return { nodeCount: n, supply, from, to, lower, upper, cost } satisfies FlowProblem;
  });

/** The same instance with `extra` more supply at node 0 and demand at node 1, which may make it infeasible. */
export function withExtraSupply(p: FlowProblem, extra: number): FlowProblem {
  const supply = [...(p.supply as number[])];
  supply[0]! += extra;
  supply[1]! -= extra;
  return { ...p, supply };
}
