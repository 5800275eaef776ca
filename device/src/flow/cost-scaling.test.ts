import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCertificate } from './certificate.js';
import { costScaling } from './cost-scaling.js';
import { networkSimplex } from './network-simplex.js';
import { randomProblem, withExtraSupply } from './random-problems.js';
import type { FlowProblem } from './problem.js';
import { referenceMinCostFlow } from './reference-ssp.js';

describe('cost scaling', () => {
  it('agrees with the reference and network simplex on random instances', () => {
    fc.assert(
      fc.property(randomProblem, (p) => {
        const cs = costScaling(p);
        expect(cs.status).toBe(referenceMinCostFlow(p).status);
        expect(cs.cost).toBe(networkSimplex(p).cost);
        expect(checkCertificate(p, cs.flow, cs.potential)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('detects infeasible supplies', () => {
    const p: FlowProblem = { nodeCount: 3, supply: [5, 0, -5], from: [0, 1], to: [1, 2], upper: [10, 3], cost: [1, 1] };
    expect(costScaling(p).status).toBe('infeasible');
    fc.assert(
      fc.property(randomProblem, fc.integer({ min: 1, max: 20 }), (p, extra) => {
        const q = withExtraSupply(p, extra);
        expect(costScaling(q).status).toBe(referenceMinCostFlow(q).status);
      }),
      { numRuns: 150 },
    );
  });
});
