import type { FlowProblem, FlowSolution } from './problem.js';

/**
 * Primal-dual min-cost flow: shortest paths on reduced costs (Dijkstra,
 * stopping at the nearest deficit), then push-relabel on the arcs whose
 * reduced cost is zero, repeated until every excess is placed.
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
  const height = new Int32Array(n);
  const inQueue = new Uint8Array(n);
  const active: number[] = [];
  const it = new Int32Array(n);
  const queue = new Int32Array(n);
  const heap = new MinHeap(n);
  // Each phase's push-relabel sees only the residual arcs whose reduced cost
  // is zero, gathered per tail in compressed rows (tStart/tArc), with each
  // arc's head beside it (tHead) to save a lookup in the inner loops.
  const tStart = new Int32Array(n + 1);
  const tArc = new Int32Array(2 * m);
  const tHead = new Int32Array(2 * m);
  let phases = 0;
  let remaining = 0;
  for (let i = 0; i < n; i++) if (excess[i]! > 0) remaining += excess[i]!;

  while (remaining > 0) {
    // ── shortest paths on reduced costs, from every excess, to the nearest deficit ──
    phases++;
    dist.fill(Infinity);
    done.fill(0);
    heap.clear();
    for (let i = 0; i < n; i++)
      if (excess[i]! > 0) {
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
    let tn = 0;
    for (let u = 0; u < n; u++) {
      tStart[u] = tn;
      const pu = pi[u]!;
      for (let k = start[u]!; k < start[u + 1]!; k++) {
        const ed = adj[k]!;
        const v = head[ed]!;
        if (cost[ed]! + pu - pi[v]! === 0) {
          tArc[tn] = ed;
          tHead[tn++] = v;
        }
      }
    }
    tStart[n] = tn;

    // ── push-relabel on the arcs of zero reduced cost ──
    // Heights are hop distances to the nearest deficit over those arcs. Pushing along a zero-cost
    // arc leaves its reverse at zero cost too, so the arcs stay closed under pushes; a node whose
    // excess cannot reach a deficit keeps it, and the next phase's Dijkstra starts from it.
    const globalRelabel = () => {
      height.fill(n);
      let qh = 0;
      let qt = 0;
      for (let i = 0; i < n; i++)
        if (excess[i]! < 0) {
          height[i] = 0;
          queue[qt++] = i;
        }
      while (qh < qt) {
        const v = queue[qh++]!;
        for (let k = tStart[v]!; k < tStart[v + 1]!; k++) {
          const into = tArc[k]! ^ 1; // the arc u → v paired with v → u, tight as it is
          const u = tHead[k]!;
          if (height[u] === n && cap[into]! > 0) {
            height[u] = height[v]! + 1;
            queue[qt++] = u;
          }
        }
      }
      active.length = 0;
      for (let i = 0; i < n; i++) {
        inQueue[i] = 0;
        if (excess[i]! > 0 && height[i]! < n) {
          active.push(i);
          inQueue[i] = 1;
        }
        it[i] = tStart[i]!;
      }
    };
    globalRelabel();
    let relabels = 0;
    let head0 = 0;
    while (head0 < active.length) {
      const u = active[head0++]!;
      inQueue[u] = 0;
      if (height[u]! >= n) continue;
      while (excess[u]! > 0) {
        if (it[u]! >= tStart[u + 1]!) {
          // Relabel: one above the lowest neighbour still reachable over a zero-cost arc.
          let h = n;
          for (let k = tStart[u]!; k < tStart[u + 1]!; k++) {
            if (cap[tArc[k]!]! > 0 && height[tHead[k]!]! + 1 < h) h = height[tHead[k]!]! + 1;
          }
          height[u] = h;
          it[u] = tStart[u]!;
          if (h >= n) break;
          if (++relabels >= n) {
            relabels = 0;
            globalRelabel();
            head0 = 0;
            if (height[u]! >= n || inQueue[u]) break;
          }
          continue;
        }
        const ed = tArc[it[u]!]!;
        const v = tHead[it[u]!]!;
        if (cap[ed]! > 0 && height[v] === height[u]! - 1) {
          const before = excess[v]!;
          const amount = Math.min(excess[u]!, cap[ed]!);
          cap[ed]! -= amount;
          cap[ed ^ 1]! += amount;
          excess[u]! -= amount;
          excess[v]! += amount;
          remaining += -amount + Math.max(0, excess[v]!) - Math.max(0, before);
          if (excess[v]! > 0 && !inQueue[v] && height[v]! < n) {
            inQueue[v] = 1;
            active.push(v);
          }
          if (excess[u]! > 0) it[u]!++;
        } else it[u]!++;
      }
      if (head0 > 65_536) {
        active.splice(0, head0);
        head0 = 0;
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
  return {
    status: feasible ? 'optimal' : 'infeasible',
    cost: feasible ? total : 0,
    flow,
    potential: pi,
    stats: { algorithm: 'primal-dual', iterations: phases, ms: performance.now() - t0 },
  };
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
