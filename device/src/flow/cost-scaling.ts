import { totalCost, validateProblem, type FlowProblem, type FlowSolution } from './problem.js';
import { shortestPathPotentials } from './potentials.js';
import { residualAdjacency } from './residual.js';

/**
 * Cost-scaling push–relabel (Goldberg–Tarjan) for min-cost flow. Costs are
 * multiplied by n+1, so an ε-optimal flow with ε = 1 is optimal; each refine
 * phase divides ε by ALPHA. It shines where costs are small and uniform, as
 * in clearing (every cost −1), where network simplex spends many degenerate
 * pivots. The optimality certificate is computed afterwards from shortest
 * paths in the residual graph, so it does not depend on the scaled prices.
 */
const ALPHA = 8;

export function costScaling(problem: FlowProblem): FlowSolution {
  const t0 = performance.now();
  validateProblem(problem);
  const n = problem.nodeCount;
  const m = problem.from.length;
  const scale = n + 1;

  // Residual graph in CSR form: residual arc 2e runs from→to, 2e+1 to→from.
  const head = new Int32Array(2 * m);
  const rcost = new Float64Array(2 * m);
  const rescap = new Float64Array(2 * m);
  const excess = new Float64Array(n);
  let maxCost = 0;
  for (let i = 0; i < n; i++) excess[i] = problem.supply[i]!;
  for (let e = 0; e < m; e++) {
    const u = problem.from[e]!;
    const v = problem.to[e]!;
    const lo = problem.lower ? problem.lower[e]! : 0;
    const c = problem.cost[e]! * scale;
    head[2 * e] = v;
    head[2 * e + 1] = u;
    rcost[2 * e] = c;
    rcost[2 * e + 1] = -c;
    rescap[2 * e] = problem.upper[e]! - lo;
    rescap[2 * e + 1] = 0;
    excess[u]! -= lo;
    excess[v]! += lo;
    if (Math.abs(c) > maxCost) maxCost = Math.abs(c);
  }
  const { start, adj } = residualAdjacency(problem);
  const tail = (r: number) => head[r ^ 1]!;

  const price = new Float64Array(n);
  const current = new Int32Array(n);
  const queue = new Int32Array(n);
  const inQueue = new Uint8Array(n);
  let iterations = 0;
  let infeasible = false;

  const push = (r: number, amount: number) => {
    rescap[r]! -= amount;
    rescap[r ^ 1]! += amount;
    excess[tail(r)]! -= amount;
    excess[head[r]!]! += amount;
  };

  let eps = Math.max(1, maxCost);
  for (;;) {
    // The flow entering this phase is epsPrev-optimal (for the first phase: flow 0, prices 0).
    const epsPrev = eps;
    eps = Math.max(1, Math.floor(eps / ALPHA));
    // Saturate every residual arc with negative reduced cost: the flow is now 0-optimal but not balanced.
    for (let r = 0; r < 2 * m; r++) {
      if (rescap[r]! > 0 && rcost[r]! + price[tail(r)]! - price[head[r]!]! < 0) push(r, rescap[r]!);
    }
    // In a feasible problem no price falls further than this in one phase;
    // falling past it means some excess can never reach a deficit.
    const floorPrice = new Float64Array(n);
    for (let i = 0; i < n; i++) floorPrice[i] = price[i]! - 3 * (n + 1) * epsPrev - epsPrev;
    let qh = 0;
    let qt = 0;
    let qn = 0;
    for (let i = 0; i < n; i++) {
      current[i] = start[i]!;
      if (excess[i]! > 0) {
        queue[qt] = i;
        qt = (qt + 1) % n;
        qn++;
        inQueue[i] = 1;
      } else inQueue[i] = 0;
    }
    while (qn > 0 && !infeasible) {
      const v = queue[qh]!;
      qh = (qh + 1) % n;
      qn--;
      inQueue[v] = 0;
      while (excess[v]! > 0) {
        iterations++;
        let k = current[v]!;
        const end = start[v + 1]!;
        const pv = price[v]!;
        for (; k < end; k++) {
          const r = adj[k]!;
          if (rescap[r]! > 0 && rcost[r]! + pv - price[head[r]!]! < 0) {
            const w = head[r]!;
            push(r, Math.min(excess[v]!, rescap[r]!));
            if (excess[w]! > 0 && !inQueue[w]) {
              queue[qt] = w;
              qt = (qt + 1) % n;
              qn++;
              inQueue[w] = 1;
            }
            if (excess[v]! === 0) break;
          }
        }
        current[v] = k < end ? k : start[v]!;
        if (excess[v]! > 0) {
          // Relabel: the highest price that makes some residual arc admissible.
          let best = -Infinity;
          for (let j = start[v]!; j < end; j++) {
            const r = adj[j]!;
            if (rescap[r]! > 0) {
              const cand = price[head[r]!]! - rcost[r]! - eps;
              if (cand > best) best = cand;
            }
          }
          if (best === -Infinity || best < floorPrice[v]!) {
            infeasible = true;
            break;
          }
          price[v] = best;
          current[v] = start[v]!;
        }
      }
    }
    if (infeasible || eps === 1) break;
  }

  if (infeasible) {
    return {
      status: 'infeasible',
      cost: 0,
      flow: new Float64Array(m),
      potential: new Float64Array(n),
      stats: { algorithm: 'cost-scaling', iterations, ms: performance.now() - t0 },
    };
  }
  const flow = new Float64Array(m);
  for (let e = 0; e < m; e++) flow[e] = rescap[2 * e + 1]! + (problem.lower ? problem.lower[e]! : 0);
  const potential = shortestPathPotentials(problem, flow);
  return { status: 'optimal', cost: totalCost(problem, flow), flow, potential, stats: { algorithm: 'cost-scaling', iterations, ms: performance.now() - t0 } };
}
