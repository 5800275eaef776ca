import type { FlowProblem } from '@hyphae/device/flow';
import { Rng } from './random.js';

/**
 * Deterministic min-cost flow instances for benchmarks and tests, written
 * for this project in the spirit of NETGEN: the same seed gives the same
 * instance on every machine.
 */

/** NETGEN-style: a few sources and sinks, a chain skeleton that guarantees feasibility, random arcs. */
export function netgen(nodes: number, arcsPerNode: number, seed: number): FlowProblem {
  const rng = new Rng(seed);
  const from: number[] = [];
  const to: number[] = [];
  const upper: number[] = [];
  const cost: number[] = [];
  const supply = new Array<number>(nodes).fill(0);
  const sources = Math.max(1, Math.floor(nodes / 20));
  const sinks = Math.max(1, Math.floor(nodes / 20));
  const total = nodes * 50;
  for (let i = 0; i < sources; i++) supply[i] = Math.floor(total / sources);
  supply[0]! += total - Math.floor(total / sources) * sources;
  for (let i = 0; i < sinks; i++) supply[nodes - 1 - i]! -= Math.floor(total / sinks);
  supply[nodes - 1]! -= total - Math.floor(total / sinks) * sinks;
  // Skeleton: a path through all nodes with enough capacity and high cost keeps every instance feasible.
  for (let i = 0; i + 1 < nodes; i++) {
    from.push(i);
    to.push(i + 1);
    upper.push(total);
    cost.push(rng.int(50, 100));
  }
  const target = nodes * arcsPerNode;
  while (from.length < target) {
    const u = rng.int(0, nodes - 1);
    let v = rng.int(0, nodes - 1);
    if (v === u) v = (v + 1) % nodes;
    from.push(u);
    to.push(v);
    upper.push(rng.chance(0.3) ? total : rng.int(10, 500));
    cost.push(rng.int(1, 100));
  }
  return { nodeCount: nodes, supply, from, to, upper, cost };
}

/**
 * A geographic network, shaped as the flow engine shapes its problems (see
 * device/src/flow/allocate.ts): places on a plane with arcs to their near
 * neighbours (cost = distance + trust resistance, limited capacity), a few
 * places with a surplus and many with needs, and two extra nodes: every
 * surplus may stay where it is (to "leftover", at no cost) and every need may
 * go unmet (from "unmet", at a penalty above any real route). Flow is carried
 * from place to place, so routes run over several hops.
 */
export function geographic(nodes: number, neighbours: number, seed: number): FlowProblem {
  const rng = new Rng(seed);
  const xs = Array.from({ length: nodes }, () => rng.int(0, 10_000));
  const ys = Array.from({ length: nodes }, () => rng.int(0, 10_000));
  const from: number[] = [];
  const to: number[] = [];
  const upper: number[] = [];
  const cost: number[] = [];
  // Grid buckets keep neighbour search near-linear.
  const cell = Math.max(1, Math.floor(10_000 / Math.sqrt(nodes / 4)));
  const grid = new Map<string, number[]>();
  for (let i = 0; i < nodes; i++) {
    const k = `${Math.floor(xs[i]! / cell)},${Math.floor(ys[i]! / cell)}`;
    if (!grid.has(k)) grid.set(k, []);
    grid.get(k)!.push(i);
  }
  let maxArc = 0;
  for (let i = 0; i < nodes; i++) {
    const cx = Math.floor(xs[i]! / cell);
    const cy = Math.floor(ys[i]! / cell);
    const near: Array<[number, number]> = [];
    for (let dx = -1; dx <= 1; dx++)
      for (let dy = -1; dy <= 1; dy++)
        for (const j of grid.get(`${cx + dx},${cy + dy}`) ?? []) if (j !== i) near.push([Math.hypot(xs[i]! - xs[j]!, ys[i]! - ys[j]!), j]);
    near.sort((a, b) => a[0] - b[0]);
    for (const [d, j] of near.slice(0, neighbours)) {
      from.push(i);
      to.push(j);
      upper.push(rng.int(20, 200));
      const c = Math.round(d) + rng.int(0, 20); // distance plus trust resistance
      cost.push(c);
      if (c > maxArc) maxArc = c;
    }
  }
  const leftover = nodes;
  const unmet = nodes + 1;
  const supply = new Array<number>(nodes + 2).fill(0);
  // A unit left unmet costs more than carrying it across the whole region.
  const penalty = (maxArc + 1) * Math.ceil(Math.sqrt(nodes)) * 4;
  let offered = 0;
  let wanted = 0;
  for (let i = 0; i < nodes; i++) {
    if (rng.chance(0.1)) {
      supply[i] = rng.int(50, 300);
      offered += supply[i]!;
      from.push(i);
      to.push(leftover);
      upper.push(supply[i]!);
      cost.push(0);
    } else if (rng.chance(0.4)) {
      supply[i] = -rng.int(5, 40);
      wanted -= supply[i]!;
      from.push(unmet);
      to.push(i);
      upper.push(-supply[i]!);
      cost.push(penalty);
    }
  }
  supply[unmet] = wanted;
  supply[leftover] = -offered;
  from.push(unmet);
  to.push(leftover);
  upper.push(wanted);
  cost.push(0);
  return { nodeCount: nodes + 2, supply, from, to, upper, cost };
}

/** Clearing: members owing each other; every cost is −1 (maximise the set-off). */
export function clearingInstance(members: number, obligations: number, seed: number): FlowProblem {
  const rng = new Rng(seed);
  const from: number[] = [];
  const to: number[] = [];
  const upper: number[] = [];
  for (let k = 0; k < obligations; k++) {
    // Debts cluster among neighbours, as trade does.
    const u = rng.int(0, members - 1);
    let v = rng.chance(0.8) ? (u + rng.int(1, 50)) % members : rng.int(0, members - 1);
    if (v === u) v = (u + 1) % members;
    from.push(u);
    to.push(v);
    upper.push(rng.int(1, 200) * 100);
  }
  return { nodeCount: members, supply: new Array<number>(members).fill(0), from, to, upper, cost: from.map(() => -1) };
}
