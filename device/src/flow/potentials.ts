import type { FlowProblem } from './problem.js';
import { residualAdjacency } from './residual.js';

/**
 * Node potentials that certify an optimal flow: shortest-path distances in
 * the residual graph from a virtual source joined to every node at cost 0
 * (queue-based Bellman–Ford). They exist exactly when the residual graph has
 * no negative cycle, which is the condition for optimality.
 */
export function shortestPathPotentials(p: FlowProblem, flow: ArrayLike<number>): Float64Array {
  const n = p.nodeCount;
  const m = p.from.length;
  const { start, adj } = residualAdjacency(p);
  const dist = new Float64Array(n);
  const queue = new Int32Array(n);
  const inQueue = new Uint8Array(n).fill(1);
  for (let i = 0; i < n; i++) queue[i] = i;
  let qh = 0;
  let qn = n;
  let relaxations = 0;
  const limit = (n + 1) * (2 * m + 1);
  while (qn > 0) {
    const u = queue[qh]!;
    qh = (qh + 1) % n;
    qn--;
    inQueue[u] = 0;
    for (let j = start[u]!; j < start[u + 1]!; j++) {
      const r = adj[j]!;
      const e = r >> 1;
      const forward = (r & 1) === 0;
      const lo = p.lower ? p.lower[e]! : 0;
      if (forward ? flow[e]! >= p.upper[e]! : flow[e]! <= lo) continue;
      const v = forward ? p.to[e]! : p.from[e]!;
      const c = forward ? p.cost[e]! : -p.cost[e]!;
      if (dist[u]! + c < dist[v]!) {
        dist[v] = dist[u]! + c;
        if (!inQueue[v]) {
          queue[(qh + qn) % n] = v;
          qn++;
          inQueue[v] = 1;
        }
      }
    }
    if (++relaxations > limit) throw new Error('the residual graph has a negative cycle: the flow is not optimal');
  }
  return dist;
}
