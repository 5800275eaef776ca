import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCertificate } from './certificate.js';
import { costScaling } from './cost-scaling.js';
import { blockSearch, networkSimplex } from './network-simplex.js';
import { FlowInputError, type FlowProblem } from './problem.js';
import { referenceMinCostFlow } from './reference-ssp.js';
import { randomProblem, withExtraSupply } from './random-problems.js';

const arcs = (list: Array<[number, number, number, number, number?]>) => ({
  from: list.map((a) => a[0]),
  to: list.map((a) => a[1]),
  upper: list.map((a) => a[2]),
  cost: list.map((a) => a[3]),
  lower: list.map((a) => a[4] ?? 0),
});

describe('network simplex', () => {
  it('solves a hand-made transport problem to its known optimum', () => {
    // Two farms (supply 4 and 3) and two kitchens (need 5 and 2).
    const p: FlowProblem = {
      nodeCount: 4,
      supply: [4, 3, -5, -2],
      ...arcs([
        [0, 2, 10, 2],
        [0, 3, 10, 5],
        [1, 2, 10, 4],
        [1, 3, 10, 1],
      ]),
    };
    const s = networkSimplex(p);
    expect(s.status).toBe('optimal');
    // Farm 0 sends 4 to kitchen 2 (cost 8); farm 1 sends 1 to kitchen 2 (4) and 2 to kitchen 3 (2): 14.
    expect(s.cost).toBe(14);
    expect([...s.flow]).toEqual([4, 0, 1, 2]);
    expect(checkCertificate(p, s.flow, s.potential)).toEqual([]);
  });

  it('honours lower bounds and parallel arcs', () => {
    const p: FlowProblem = {
      nodeCount: 2,
      supply: [5, -5],
      ...arcs([
        [0, 1, 3, 1],
        [0, 1, 10, 4],
        [0, 1, 4, 9, 2],
      ]),
    };
    const s = networkSimplex(p);
    expect(s.status).toBe('optimal');
    expect([...s.flow]).toEqual([3, 0, 2]); // the expensive arc must carry its lower bound of 2
    expect(s.cost).toBe(3 + 18);
    expect(checkCertificate(p, s.flow, s.potential)).toEqual([]);
  });

  it('uses a negative-cost cycle to its capacity', () => {
    const p: FlowProblem = {
      nodeCount: 3,
      supply: [0, 0, 0],
      ...arcs([
        [0, 1, 5, -3],
        [1, 2, 4, 1],
        [2, 0, 9, 1],
      ]),
    };
    const s = networkSimplex(p);
    expect(s.cost).toBe(-4);
    expect([...s.flow]).toEqual([4, 4, 4]);
  });

  it('reports infeasibility as such', () => {
    const p: FlowProblem = {
      nodeCount: 3,
      supply: [5, 0, -5],
      ...arcs([
        [0, 1, 10, 1],
        [1, 2, 3, 1],
      ]),
    };
    expect(networkSimplex(p).status).toBe('infeasible');
    const lowerTooHigh: FlowProblem = { nodeCount: 2, supply: [0, 0], ...arcs([[0, 1, 5, 1, 2]]) };
    expect(networkSimplex(lowerTooHigh).status).toBe('infeasible');
  });

  it('reports an unbounded negative cycle', () => {
    const p: FlowProblem = {
      nodeCount: 2,
      supply: [0, 0],
      ...arcs([
        [0, 1, Infinity, -1],
        [1, 0, Infinity, 0],
      ]),
    };
    expect(networkSimplex(p).status).toBe('unbounded');
  });

  it('refuses malformed input with a clear error', () => {
    expect(() => networkSimplex({ nodeCount: 2, supply: [1, 0], ...arcs([]) })).toThrow(FlowInputError);
    expect(() => networkSimplex({ nodeCount: 2, supply: [0, 0], ...arcs([[0, 5, 1, 1]]) })).toThrow(/endpoint/);
    expect(() => networkSimplex({ nodeCount: 2, supply: [0, 0], ...arcs([[0, 1, 1, 1.5]]) })).toThrow(/cost/);
    expect(() => networkSimplex({ nodeCount: 2, supply: [0, 0], ...arcs([[0, 1, 1, 1, 3]]) })).toThrow(/lower bound/);
  });

  it('agrees with successive shortest paths on random instances, with a valid certificate', () => {
    fc.assert(
      fc.property(randomProblem, (p) => {
        const s = networkSimplex(p);
        const ref = referenceMinCostFlow(p);
        expect(s.status).toBe(ref.status);
        expect(s.cost).toBe(ref.cost);
        expect(checkCertificate(p, s.flow, s.potential)).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  it('finds random infeasible supplies infeasible, as the reference does', () => {
    fc.assert(
      fc.property(randomProblem, fc.integer({ min: 1, max: 20 }), (p, extra) => {
        const q = withExtraSupply(p, extra);
        expect(networkSimplex(q).status).toBe(referenceMinCostFlow(q).status);
      }),
      { numRuns: 200 },
    );
  });

  it('agrees with the reference when one source feeds one sink (the path-seeded first pivots)', () => {
    fc.assert(
      fc.property(randomProblem, fc.integer({ min: 1, max: 30 }), (p, amount) => {
        const supply = new Array<number>(p.nodeCount).fill(0);
        supply[0] = amount;
        supply[p.nodeCount - 1] = -amount;
        const q = { ...p, supply, lower: undefined };
        const s = networkSimplex(q);
        const ref = referenceMinCostFlow(q);
        expect(s.status).toBe(ref.status);
        expect(s.cost).toBe(ref.cost);
        if (s.status === 'optimal') expect(checkCertificate(q, s.flow, s.potential)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('stays exact with costs near the limit over thousands of pivots', () => {
    // Potentials drift when the larger side of the tree is shifted; they are
    // brought back before the drift could cost exactness. Cost scaling, an
    // independent method, must find the same optimum.
    let seed = 7;
    const rnd = (k: number) => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) % k;
    const n = 400;
    const from: number[] = [];
    const to: number[] = [];
    const upper: number[] = [];
    const cost: number[] = [];
    const supply = new Array<number>(n).fill(0);
    for (let e = 0; e < 4_000; e++) {
      const u = rnd(n);
      const v = (u + 1 + rnd(n - 1)) % n;
      from.push(u);
      to.push(v);
      upper.push(1 + rnd(50));
      cost.push(1_000_000_000 + rnd(1_000_000_000));
      const f = rnd(3);
      supply[u]! += f;
      supply[v]! -= f;
    }
    const p: FlowProblem = { nodeCount: n, supply, from, to, upper, cost };
    const s = networkSimplex(p);
    expect(s.status).toBe('optimal');
    expect(s.stats.iterations).toBeGreaterThan(1_000);
    expect(s.cost).toBe(costScaling(p).cost);
    expect(checkCertificate(p, s.flow, s.potential)).toEqual([]);
  });
});

/** LEMON's block search one arc at a time, as the solver did it before its scan took eight arcs a turn. */
function plainBlockSearch(...[cost, tail, head, pi, m, blockSize, search]: Parameters<typeof blockSearch>): number {
  let minC = 0;
  let best = -1;
  let cnt = blockSize;
  for (let k = 0; k < m; k++) {
    const e = (search.next + k) % m;
    const c = cost[e]! + pi[tail[e]!]! - pi[head[e]!]!;
    if (c < minC) {
      minC = c;
      best = e;
    }
    if (--cnt === 0) {
      if (best >= 0) {
        search.next = (e + 1) % m;
        return best;
      }
      cnt = blockSize;
    }
  }
  if (best >= 0) search.next = (best + 1) % m;
  return best;
}

describe('block search', () => {
  it('picks the same arc and stops where the plain loop does, whatever the block size, start and ties', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 1, max: 90 }),
        fc.nat(),
        fc.integer({ min: 1, max: 12 }),
        fc.nat(),
        (m, blockSize, startSeed, nodes, seed) => {
          // Small integer costs and potentials: many ties and many arcs with no gain.
          let s = seed;
          const rnd = (k: number) => (s = (s * 1_103_515_245 + 12_345) % 2_147_483_648) % k;
          const cost = Float64Array.from({ length: m }, () => rnd(7) - 2);
          const tail = Int32Array.from({ length: m }, () => rnd(nodes));
          const head = Int32Array.from({ length: m }, () => rnd(nodes));
          const pi = Float64Array.from({ length: nodes }, () => rnd(5));
          const ours = { next: startSeed % m };
          const plain = { next: startSeed % m };
          // Several rounds in a row, as the solver runs them, with the potentials moving between.
          for (let round = 0; round < 4; round++) {
            expect(blockSearch(cost, tail, head, pi, m, blockSize, ours)).toBe(plainBlockSearch(cost, tail, head, pi, m, blockSize, plain));
            expect(ours.next).toBe(plain.next);
            pi[rnd(nodes)]! += rnd(3) - 1;
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
