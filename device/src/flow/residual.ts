import type { FlowProblem } from './problem.js';

/**
 * The residual arcs of every node in compressed (CSR) form: residual arc 2e
 * runs along arc e, 2e+1 against it; node u's arcs are adj[start[u]..start[u+1]).
 */
export function residualAdjacency(p: FlowProblem): { start: Int32Array; adj: Int32Array } {
  const n = p.nodeCount;
  const m = p.from.length;
  const degree = new Int32Array(n);
  for (let e = 0; e < m; e++) {
    degree[p.from[e]!]!++;
    degree[p.to[e]!]!++;
  }
  const start = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) start[i + 1] = start[i]! + degree[i]!;
  const adj = new Int32Array(2 * m);
  const fill = start.slice(0, n);
  for (let e = 0; e < m; e++) {
    adj[fill[p.from[e]!]!++] = 2 * e;
    adj[fill[p.to[e]!]!++] = 2 * e + 1;
  }
  return { start, adj };
}
