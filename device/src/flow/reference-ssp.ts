import { totalCost, type FlowProblem } from './problem.js';

/**
 * A plain successive-shortest-path solver (Bellman–Ford on the residual
 * graph), slow and simple, kept as an independent check on the fast solvers
 * for small instances. Arcs with negative cost must have a finite upper
 * bound: they are saturated first so that all residual costs start ≥ 0.
 */
export function referenceMinCostFlow(p: FlowProblem): { status: 'optimal' | 'infeasible'; cost: number; flow: number[] } {
  const n = p.nodeCount;
  const m = p.from.length;
  const flow: number[] = [];
  const excess = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) excess[i] = p.supply[i]!;
  for (let e = 0; e < m; e++) {
    const lo = p.lower ? p.lower[e]! : 0;
    const f = p.cost[e]! < 0 ? p.upper[e]! : lo;
    if (!Number.isFinite(f)) throw new Error('reference solver needs finite bounds on negative-cost arcs');
    flow.push(f);
    excess[p.from[e]!]! -= f;
    excess[p.to[e]!]! += f;
  }
  // Residual arcs: 2e forward (cost c), 2e+1 backward (cost −c).
  const S = n;
  const T = n + 1;
  for (;;) {
    const dist = new Array<number>(n + 2).fill(Infinity);
    const via = new Array<number>(n + 2).fill(-1); // encoded residual arc, or −2−node for super arcs
    dist[S] = 0;
    for (let round = 0; round < n + 2; round++) {
      let changed = false;
      for (let i = 0; i < n; i++) {
        if (excess[i]! > 0 && dist[S]! < dist[i]!) {
          dist[i] = dist[S]!;
          via[i] = -2 - i;
          changed = true;
        }
        if (excess[i]! < 0 && dist[i]! < dist[T]!) {
          dist[T] = dist[i]!;
          via[T] = -2 - i;
          changed = true;
        }
      }
      for (let e = 0; e < m; e++) {
        const u = p.from[e]!;
        const v = p.to[e]!;
        const lo = p.lower ? p.lower[e]! : 0;
        if (flow[e]! < p.upper[e]! && dist[u]! + p.cost[e]! < dist[v]!) {
          dist[v] = dist[u]! + p.cost[e]!;
          via[v] = 2 * e;
          changed = true;
        }
        if (flow[e]! > lo && dist[v]! - p.cost[e]! < dist[u]!) {
          dist[u] = dist[v]! - p.cost[e]!;
          via[u] = 2 * e + 1;
          changed = true;
        }
      }
      if (!changed) break;
    }
    if (dist[T] === Infinity) break;
    // Walk back from T to find the bottleneck, then augment.
    const path: number[] = [];
    let node = T;
    let amount = Infinity;
    const last = -2 - via[T]!;
    amount = Math.min(amount, -excess[last]!);
    node = last;
    while (node !== S) {
      const a = via[node]!;
      if (a <= -2) {
        amount = Math.min(amount, excess[node]!);
        break;
      }
      const e = a >> 1;
      const lo = p.lower ? p.lower[e]! : 0;
      path.push(a);
      amount = Math.min(amount, a % 2 === 0 ? p.upper[e]! - flow[e]! : flow[e]! - lo);
      node = a % 2 === 0 ? p.from[e]! : p.to[e]!;
    }
    for (const a of path) flow[a >> 1]! += a % 2 === 0 ? amount : -amount;
    excess[node]! -= amount;
    excess[last]! += amount;
  }
  if (excess.some((x) => x !== 0)) return { status: 'infeasible', cost: 0, flow };
  return { status: 'optimal', cost: totalCost(p, flow), flow };
}
