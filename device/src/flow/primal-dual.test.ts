import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCertificate } from './certificate.js';
import { clearingProblem } from './clearing.js';
import { networkSimplex } from './network-simplex.js';
import { primalDual } from './primal-dual.js';
import { solverProperties } from './solver-properties.js';

describe('primal-dual', () => {
  solverProperties(primalDual, (p) => ({ ...p, upper: Array.from(p.upper, (u) => (Number.isFinite(u) ? u : 1_000)) }));

  it('clears random debt graphs exactly as network simplex does, certified', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 40 }).chain((n) =>
          fc
            .array(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 1, max: 1_000 })), {
              minLength: 1,
              maxLength: 150,
            })
            .map((arcs) => arcs.filter(([a, b]) => a !== b).map(([a, b, amount]) => ({ debtor: `m${a}`, creditor: `m${b}`, amount }))),
        ),
        (obls) => {
          if (obls.length === 0) return;
          const { problem } = clearingProblem(obls);
          const pd = primalDual(problem);
          expect(pd.status).toBe('optimal');
          expect(pd.cost).toBe(networkSimplex(problem).cost);
          expect(checkCertificate(problem, pd.flow, pd.potential)).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('clears a larger debt graph, with global relabels, to the same optimum as network simplex', () => {
    let seed = 7;
    const rand = (k: number) => (seed = (seed * 1103515245 + 12345) >>> 0) % k;
    const obls = Array.from({ length: 6_000 }, () => {
      const a = rand(800);
      const b = (a + 1 + (rand(5) ? rand(40) : rand(799))) % 800;
      return { debtor: `m${a}`, creditor: `m${b}`, amount: 1 + rand(500) };
    });
    const { problem } = clearingProblem(obls);
    const pd = primalDual(problem);
    expect(pd.cost).toBe(networkSimplex(problem).cost);
    expect(checkCertificate(problem, pd.flow, pd.potential)).toEqual([]);
  });
});
