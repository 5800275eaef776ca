import fc from 'fast-check';
import { expect, it } from 'vitest';
import { checkCertificate } from './certificate.js';
import { networkSimplex } from './network-simplex.js';
import type { FlowProblem, FlowSolution } from './problem.js';
import { randomProblem, withExtraSupply } from './random-problems.js';
import { referenceMinCostFlow } from './reference-ssp.js';

/**
 * What every min-cost-flow solver must do, as tests a solver's own file runs inside its describe:
 * agree with the reference and network simplex, prove it with a certificate, and see infeasible supplies.
 * `fit` turns a random instance into one the solver takes (primal-dual wants finite capacities).
 */
export function solverProperties(solve: (p: FlowProblem) => FlowSolution, fit: (p: FlowProblem) => FlowProblem = (p) => p): void {
  it('agrees with the reference and network simplex on random instances, with a certificate', () => {
    fc.assert(
      fc.property(randomProblem, (random) => {
        const p = fit(random);
        const solved = solve(p);
        expect(solved.status).toBe(referenceMinCostFlow(p).status);
        expect(solved.cost).toBe(networkSimplex(p).cost);
        if (solved.status === 'optimal') expect(checkCertificate(p, solved.flow, solved.potential)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('detects infeasible supplies', () => {
    const p: FlowProblem = { nodeCount: 3, supply: [5, 0, -5], from: [0, 1], to: [1, 2], upper: [10, 3], cost: [1, 1] };
    expect(solve(p).status).toBe('infeasible');
    fc.assert(
      fc.property(randomProblem, fc.integer({ min: 1, max: 20 }), (random, extra) => {
        const q = withExtraSupply(fit(random), extra);
        expect(solve(q).status).toBe(referenceMinCostFlow(q).status);
      }),
      { numRuns: 150 },
    );
  });
}
