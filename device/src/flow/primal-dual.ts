import type { FlowProblem, FlowSolution } from './problem.js';

/**
 * Primal-dual min-cost flow: shortest paths on reduced costs (Dijkstra,
 * stopping at the nearest deficit), then a Dinic blocking flow on the arcs
 * whose reduced cost is zero, repeated until every excess is placed.
 *
 * It shines where costs are small integers, as in clearing, where every
 * obligation costs −1: the number of distinct shortest-path lengths, and so
 * of phases, is small, and each phase moves a great deal of flow at once.
 * Negative-cost arcs start saturated (their reverse then has a positive
 * cost), so every reduced cost starts at zero or above with π = 0.
 *
 * Needs finite upper bounds. Returns the flow and potentials that certify it
 * (see certificate.ts).
 */
export function primalDual(p: FlowProblem): FlowSolution {
  const t0 = performance.now();
  const n = p.nodeCount;
  const m = p.from.length;
  const head = new Int32Array(2 * m);
  const cap = new Float64Array(2 * m);
  const cost = new Float64Array(2 * m);
  const excess = new Float64Array(n);
  for (let i = 0; i < n; i++) excess[i] = p.supply[i]!;
  const degree = new Int32Array(n + 1);
  for (let e = 0; e < m; e++) {
    const u = p.from[e]!;
    const v = p.to[e]!;
    const lo = p.lower ? p.lower[e]! : 0;
    const up = p.upper[e]!;
    if (!Number.isFinite(up)) throw new Error('primalDual needs finite upper bounds');
    const c = p.cost[e]!;
    // A negative arc starts full, a non-negative one at its lower bound.
    const f = c < 0 ? up : lo;
    excess[u]! -= f;
    excess[v]! += f;
    head[2 * e] = v;
    head[2 * e + 1] = u;
    cap[2 * e] = up - f;
    cap[2 * e + 1] = f - lo;
    cost[2 * e] = c;
    cost[2 * e + 1] = -c;
    degree[u + 1]!++;
    degree[v + 1]!++;
  }
  // Residual arcs by tail, in compressed rows.
  for (let i = 0; i < n; i++) degree[i + 1]! += degree[i]!;
  const start = degree.slice();
  const adj = new Int32Array(2 * m);
  const fill = start.slice(0, n);
  for (let e = 0; e < m; e++) {
    adj[fill[p.from[e]!]!++] = 2 * e;
    adj[fill[p.to[e]!]!++] = 2 * e + 1;
  }

  const pi = new Float64Array(n);
  const dist = new Float64Array(n);
  const done = new Uint8Array(n);
  const level = new Int32Array(n);
  const it = new Int32Array(n);
  const queue = new Int32Array(n);
  const path = new Int32Array(n + 1);
  const heap = new MinHeap(n);
  /** Residual arcs whose reduced cost is zero under this phase's potentials. */
  const tight = new Uint8Array(2 * m);
  let phases = 0;
  let remaining = 0;
  for (let i = 0; i < n; i++) if (excess[i]! > 0) remaining += excess[i]!;

  while (remaining > 0) {
    // ── shortest paths on reduced costs, from every excess, to the nearest deficit ──
    phases++;
    dist.fill(Infinity);
    done.fill(0);
    heap.clear();
    for (let i = 0; i < n; i++) if (excess[i]! > 0) {
      dist[i] = 0;
      heap.push(i, 0);
    }
    let reach = Infinity;
    while (heap.size > 0) {
      const u = heap.pop();
      if (done[u]) continue;
      const du = dist[u]!;
      if (du > reach) break;
      done[u] = 1;
      if (excess[u]! < 0 && reach === Infinity) reach = du;
      for (let k = start[u]!; k < start[u + 1]!; k++) {
        const ed = adj[k]!;
        if (cap[ed]! <= 0) continue;
        const v = head[ed]!;
        const nd = du + cost[ed]! + pi[u]! - pi[v]!;
        if (nd < dist[v]!) {
          dist[v] = nd;
          heap.push(v, nd);
        }
      }
    }
    if (reach === Infinity) break; // excess left that can reach no deficit: infeasible
    for (let i = 0; i < n; i++) pi[i]! += Math.min(dist[i]!, reach);
    for (let ed = 0; ed < 2 * m; ed++) tight[ed] = cost[ed]! + pi[head[ed ^ 1]!]! - pi[head[ed]!]! === 0 ? 1 : 0;

    // ── Dinic on the arcs of zero reduced cost ──
    for (;;) {
      level.fill(-1);
      let qh = 0;
      let qt = 0;
      for (let i = 0; i < n; i++) if (excess[i]! > 0) {
        level[i] = 0;
        queue[qt++] = i;
      }
      // Levels only up to the nearest deficit: longer paths wait for the next round.
      let sinkLevel = Infinity;
      while (qh < qt) {
        const u = queue[qh++]!;
        if (level[u]! >= sinkLevel) continue;
        if (excess[u]! < 0) {
          sinkLevel = level[u]!;
          continue;
        }
        for (let k = start[u]!; k < start[u + 1]!; k++) {
          const ed = adj[k]!;
          const v = head[ed]!;
          if (cap[ed]! > 0 && level[v]! < 0 && tight[ed]) {
            level[v] = level[u]! + 1;
            queue[qt++] = v;
          }
        }
      }
      if (sinkLevel === Infinity) break;
      for (let i = 0; i < n; i++) it[i] = start[i]!;
      for (let q = 0; q < qt; q++) {
        const s = queue[q]!;
        if (level[s] !== 0) break; // sources come first in the queue
        // Walk forward along the level graph until a deficit, retreating from dead ends.
        let depth = 0;
        let u = s;
        while (excess[s]! > 0) {
          if (u !== s && excess[u]! < 0) {
            let amount = Math.min(excess[s]!, -excess[u]!);
            for (let d = 0; d < depth; d++) amount = Math.min(amount, cap[path[d]!]!);
            for (let d = 0; d < depth; d++) {
              cap[path[d]!]! -= amount;
              cap[path[d]! ^ 1]! += amount;
            }
            excess[s]! -= amount;
            excess[u]! += amount;
            remaining -= amount;
            // Keep the path up to its first saturated arc and carry on from there.
            let cut = 0;
            while (cut < depth && cap[path[cut]!]! > 0) cut++;
            if (cut < depth) {
              depth = cut;
              u = head[path[cut]! ^ 1]!;
            }
            continue;
          }
          let advanced = false;
          for (; it[u]! < start[u + 1]!; it[u]!++) {
            const ed = adj[it[u]!]!;
            const v = head[ed]!;
            if (cap[ed]! > 0 && level[v] === level[u]! + 1 && tight[ed]) {
              path[depth++] = ed;
              u = v;
              advanced = true;
              break;
            }
          }
          if (!advanced) {
            level[u] = -1; // a dead end for the rest of this blocking flow
            if (depth === 0) break;
            const back = path[--depth]!;
            u = head[back ^ 1]!;
            it[u]!++;
          }
        }
      }
    }
  }

  const feasible = remaining === 0;
  const flow = new Float64Array(m);
  let total = 0;
  for (let e = 0; e < m; e++) {
    const lo = p.lower ? p.lower[e]! : 0;
    flow[e] = lo + cap[2 * e + 1]!;
    total += p.cost[e]! * flow[e]!;
  }
  return { status: feasible ? 'optimal' : 'infeasible', cost: feasible ? total : 0, flow, potential: pi, stats: { algorithm: 'primal-dual', iterations: phases, ms: performance.now() - t0 } };
}

/** A binary heap of (node, key) with lazy deletion: a node may appear more than once; the caller skips stale entries. */
class MinHeap {
  private nodes: Int32Array;
  private keys: Float64Array;
  size = 0;

  constructor(capacity: number) {
    this.nodes = new Int32Array(Math.max(16, capacity));
    this.keys = new Float64Array(Math.max(16, capacity));
  }

  clear(): void {
    this.size = 0;
  }

  push(node: number, key: number): void {
    if (this.size === this.nodes.length) {
      const n2 = new Int32Array(this.size * 2);
      n2.set(this.nodes);
      const k2 = new Float64Array(this.size * 2);
      k2.set(this.keys);
      this.nodes = n2;
      this.keys = k2;
    }
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.keys[parent]! <= key) break;
      this.nodes[i] = this.nodes[parent]!;
      this.keys[i] = this.keys[parent]!;
      i = parent;
    }
    this.nodes[i] = node;
    this.keys[i] = key;
  }

  pop(): number {
    const top = this.nodes[0]!;
    const lastNode = this.nodes[--this.size]!;
    const lastKey = this.keys[this.size]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.size) break;
      const r = l + 1;
      const c = r < this.size && this.keys[r]! < this.keys[l]! ? r : l;
      if (this.keys[c]! >= lastKey) break;
      this.nodes[i] = this.nodes[c]!;
      this.keys[i] = this.keys[c]!;
      i = c;
    }
    this.nodes[i] = lastNode;
    this.keys[i] = lastKey;
    return top;
  }
}
