/**
 * A min-cost flow problem in plain arrays: no I/O, no hub types, so the
 * solvers can be used, benchmarked and fuzzed alone.
 *
 * Node supply is positive where flow enters (a surplus) and negative where it
 * leaves (a need); supplies must sum to zero. Arcs carry integer lower and
 * upper bounds (upper may be Infinity) and an integer cost per unit.
 */
export interface FlowProblem {
  nodeCount: number;
  supply: ArrayLike<number>;
  from: ArrayLike<number>;
  to: ArrayLike<number>;
  lower?: ArrayLike<number>;
  upper: ArrayLike<number>;
  cost: ArrayLike<number>;
}

export type FlowStatus = 'optimal' | 'infeasible' | 'unbounded';

export interface FlowSolution {
  status: FlowStatus;
  /** Total cost Σ cost·flow (0 unless optimal). */
  cost: number;
  /** Flow on each arc, within its bounds. */
  flow: Float64Array;
  /** Node potentials π: every arc with flow below its upper bound has cost + π[from] − π[to] ≥ 0, every arc above its lower bound ≤ 0. */
  potential: Float64Array;
  stats: { algorithm: string; iterations: number; ms: number };
}

export class FlowInputError extends Error {}

export function arcCount(p: FlowProblem): number {
  return p.from.length;
}

/** Checks that a problem is well formed; throws FlowInputError saying where it is not. */
export function validateProblem(p: FlowProblem): void {
  const m = p.from.length;
  if (!Number.isInteger(p.nodeCount) || p.nodeCount < 0) throw new FlowInputError('node count must be a whole number ≥ 0');
  if (p.supply.length !== p.nodeCount) throw new FlowInputError(`supply has ${p.supply.length} entries for ${p.nodeCount} nodes`);
  for (const [name, arr] of [
    ['to', p.to],
    ['upper', p.upper],
    ['cost', p.cost],
  ] as const) {
    if (arr.length !== m) throw new FlowInputError(`${name} has ${arr.length} entries for ${m} arcs`);
  }
  if (p.lower && p.lower.length !== m) throw new FlowInputError(`lower has ${p.lower.length} entries for ${m} arcs`);
  let sum = 0;
  for (let i = 0; i < p.nodeCount; i++) {
    const s = p.supply[i]!;
    if (!Number.isSafeInteger(s)) throw new FlowInputError(`supply of node ${i} is not an integer`);
    sum += s;
  }
  if (sum !== 0) throw new FlowInputError(`supplies sum to ${sum}, not 0`);
  for (let e = 0; e < m; e++) {
    const u = p.from[e]!;
    const v = p.to[e]!;
    if (!Number.isInteger(u) || u < 0 || u >= p.nodeCount || !Number.isInteger(v) || v < 0 || v >= p.nodeCount) {
      throw new FlowInputError(`arc ${e} has an endpoint outside 0..${p.nodeCount - 1}`);
    }
    const lo = p.lower ? p.lower[e]! : 0;
    const up = p.upper[e]!;
    if (!Number.isSafeInteger(lo) || (!Number.isSafeInteger(up) && up !== Infinity)) throw new FlowInputError(`arc ${e} has a non-integer bound`);
    if (lo > up) throw new FlowInputError(`arc ${e} has lower bound ${lo} above upper bound ${up}`);
    if (!Number.isSafeInteger(p.cost[e]!)) throw new FlowInputError(`arc ${e} has a non-integer cost`);
  }
}

export function totalCost(p: FlowProblem, flow: ArrayLike<number>): number {
  let c = 0;
  for (let e = 0; e < p.from.length; e++) c += p.cost[e]! * flow[e]!;
  return c;
}
