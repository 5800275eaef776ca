import { FlowInputError, totalCost, validateProblem, type FlowProblem, type FlowSolution } from './problem.js';

const STATE_UPPER = -1;
const STATE_TREE = 0;
const STATE_LOWER = 1;
const DIR_UP = 1; // the tree arc runs from the node to its parent
const DIR_DOWN = -1; // the tree arc runs from the parent to the node

/**
 * Primal network simplex for min-cost flow, after the design of LEMON's
 * NetworkSimplex: an artificial root with big-M arcs gives a first feasible
 * tree, block search picks the entering arc, and the leaving arc is chosen
 * so that the tree stays strongly feasible, which rules out cycling. The
 * spanning tree is kept as parent pointers plus child lists, so re-hanging a
 * subtree and updating its potentials costs the size of that subtree.
 */
export function networkSimplex(problem: FlowProblem): FlowSolution {
  const t0 = performance.now();
  validateProblem(problem);
  const n = problem.nodeCount;
  const mReal = problem.from.length;
  const root = n;
  const m = mReal + n; // real arcs, then one artificial arc per node
  const nodes = n + 1;

  const source = new Int32Array(m);
  const target = new Int32Array(m);
  const cap = new Float64Array(m);
  const cost = new Float64Array(m);
  const flow = new Float64Array(m);
  const state = new Int8Array(m);
  const supply = new Float64Array(nodes);

  let maxCost = 0;
  for (let i = 0; i < n; i++) supply[i] = problem.supply[i]!;
  for (let e = 0; e < mReal; e++) {
    const u = problem.from[e]!;
    const v = problem.to[e]!;
    const lo = problem.lower ? problem.lower[e]! : 0;
    source[e] = u;
    target[e] = v;
    cost[e] = problem.cost[e]!;
    cap[e] = problem.upper[e]! - lo;
    // Lower bounds move into the supplies: flow' = flow − lower.
    if (lo !== 0) {
      supply[u]! -= lo;
      supply[v]! += lo;
    }
    state[e] = STATE_LOWER;
    const c = Math.abs(cost[e]!);
    if (c > maxCost) maxCost = c;
  }
  // Big enough that any path through real arcs is cheaper than one artificial arc.
  const ART = (maxCost + 1) * nodes;
  if (!Number.isSafeInteger(ART * 2)) throw new FlowInputError('costs are too large for exact arithmetic');

  const parent = new Int32Array(nodes);
  const pred = new Int32Array(nodes);
  const predDir = new Int8Array(nodes);
  const depth = new Int32Array(nodes);
  const pi = new Float64Array(nodes);
  const firstChild = new Int32Array(nodes).fill(-1);
  const nextSib = new Int32Array(nodes).fill(-1);
  const prevSib = new Int32Array(nodes).fill(-1);

  const attach = (child: number, par: number) => {
    parent[child] = par;
    const f = firstChild[par]!;
    nextSib[child] = f;
    prevSib[child] = -1;
    if (f >= 0) prevSib[f] = child;
    firstChild[par] = child;
  };
  const detach = (child: number) => {
    const par = parent[child]!;
    const p = prevSib[child]!;
    const q = nextSib[child]!;
    if (p >= 0) nextSib[p] = q;
    else firstChild[par] = q;
    if (q >= 0) prevSib[q] = p;
    nextSib[child] = prevSib[child] = -1;
  };

  parent[root] = -1;
  pred[root] = -1;
  depth[root] = 0;
  pi[root] = 0;
  for (let u = 0; u < n; u++) {
    const e = mReal + u;
    state[e] = STATE_TREE;
    cap[e] = Infinity;
    pred[u] = e;
    depth[u] = 1;
    attach(u, root);
    if (supply[u]! >= 0) {
      source[e] = u;
      target[e] = root;
      flow[e] = supply[u]!;
      predDir[u] = DIR_UP;
      // As in LEMON: only arcs into deficits cost ART; sending surplus to the root is free.
      cost[e] = 0;
      pi[u] = 0;
    } else {
      source[e] = root;
      target[e] = u;
      flow[e] = -supply[u]!;
      predDir[u] = DIR_DOWN;
      cost[e] = ART;
      pi[u] = ART;
    }
  }

  // Block search over the arcs for one with negative reduced cost.
  const blockSize = Math.max(10, Math.ceil(Math.sqrt(m)));
  let nextArc = 0;
  const findEntering = (): number => {
    let minC = 0;
    let best = -1;
    let cnt = blockSize;
    for (let k = 0; k < m; k++) {
      const e = nextArc + k < m ? nextArc + k : nextArc + k - m;
      const st = state[e]!;
      if (st !== STATE_TREE) {
        const c = st * (cost[e]! + pi[source[e]!]! - pi[target[e]!]!);
        if (c < minC) {
          minC = c;
          best = e;
        }
      }
      if (--cnt === 0) {
        if (best >= 0) {
          nextArc = e + 1 < m ? e + 1 : 0;
          return best;
        }
        cnt = blockSize;
      }
    }
    if (best >= 0) nextArc = best + 1 < m ? best + 1 : 0;
    return best;
  };

  const stack = new Int32Array(nodes);
  let iterations = 0;
  for (;;) {
    const inArc = findEntering();
    if (inArc < 0) break;
    iterations++;
    const st = state[inArc]!;
    const first = st === STATE_LOWER ? source[inArc]! : target[inArc]!;
    const second = st === STATE_LOWER ? target[inArc]! : source[inArc]!;

    // The apex of the cycle.
    let a = first;
    let b = second;
    while (a !== b) {
      if (depth[a]! > depth[b]!) a = parent[a]!;
      else if (depth[b]! > depth[a]!) b = parent[b]!;
      else {
        a = parent[a]!;
        b = parent[b]!;
      }
    }
    const join = a;

    // The leaving arc: the last blocking arc met going round the cycle from the apex.
    let delta = cap[inArc]!;
    let result = 0;
    let uOut = -1;
    for (let u = first; u !== join; u = parent[u]!) {
      const e = pred[u]!;
      const d = predDir[u] === DIR_DOWN ? cap[e]! - flow[e]! : flow[e]!;
      if (d < delta) {
        delta = d;
        uOut = u;
        result = 1;
      }
    }
    for (let u = second; u !== join; u = parent[u]!) {
      const e = pred[u]!;
      const d = predDir[u] === DIR_UP ? cap[e]! - flow[e]! : flow[e]!;
      if (d <= delta) {
        delta = d;
        uOut = u;
        result = 2;
      }
    }
    if (delta === Infinity) {
      return { status: 'unbounded', cost: 0, flow: new Float64Array(mReal), potential: new Float64Array(n), stats: { algorithm: 'network-simplex', iterations, ms: performance.now() - t0 } };
    }

    if (delta > 0) {
      const val = st * delta;
      flow[inArc]! += val;
      for (let u = source[inArc]!; u !== join; u = parent[u]!) flow[pred[u]!]! -= predDir[u]! * val;
      for (let u = target[inArc]!; u !== join; u = parent[u]!) flow[pred[u]!]! += predDir[u]! * val;
    }

    if (result === 0) {
      state[inArc] = -st as -1 | 1;
      continue;
    }
    const outArc = pred[uOut]!;
    state[outArc] = flow[outArc] === 0 ? STATE_LOWER : STATE_UPPER;
    state[inArc] = STATE_TREE;

    // Re-hang the subtree below the leaving arc from the entering arc,
    // reversing the path from uIn up to uOut.
    const uIn = result === 1 ? first : second;
    const vIn = result === 1 ? second : first;
    let w = uIn;
    let newPar = vIn;
    let newPred = inArc;
    for (;;) {
      const oldPar = parent[w]!;
      const oldPred = pred[w]!;
      detach(w);
      attach(w, newPar);
      pred[w] = newPred;
      predDir[w] = source[newPred] === w ? DIR_UP : DIR_DOWN;
      if (w === uOut) break;
      newPar = w;
      newPred = oldPred;
      w = oldPar;
    }

    // Potentials and depths of the moved subtree.
    const sigma = pi[vIn]! - predDir[uIn]! * cost[inArc]! - pi[uIn]!;
    let sp = 0;
    stack[sp++] = uIn;
    while (sp > 0) {
      const u = stack[--sp]!;
      pi[u]! += sigma;
      depth[u] = depth[parent[u]!]! + 1;
      for (let c = firstChild[u]!; c >= 0; c = nextSib[c]!) stack[sp++] = c;
    }
  }

  for (let u = 0; u < n; u++) {
    if (flow[mReal + u]! > 0) {
      return { status: 'infeasible', cost: 0, flow: new Float64Array(mReal), potential: new Float64Array(n), stats: { algorithm: 'network-simplex', iterations, ms: performance.now() - t0 } };
    }
  }
  const out = new Float64Array(mReal);
  for (let e = 0; e < mReal; e++) out[e] = flow[e]! + (problem.lower ? problem.lower[e]! : 0);
  const potential = new Float64Array(n);
  for (let u = 0; u < n; u++) potential[u] = pi[u]!;
  return { status: 'optimal', cost: totalCost(problem, out), flow: out, potential, stats: { algorithm: 'network-simplex', iterations, ms: performance.now() - t0 } };
}
