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

  // The spanning tree: parent pointers, and the nodes in preorder as a
  // doubly linked "thread", so a subtree is the run of succNum nodes from
  // its root to lastSucc.
  const parent = new Int32Array(nodes);
  const pred = new Int32Array(nodes);
  const predDir = new Int8Array(nodes);
  const thread = new Int32Array(nodes);
  const revThread = new Int32Array(nodes);
  const succNum = new Int32Array(nodes);
  const lastSucc = new Int32Array(nodes);
  const pi = new Float64Array(nodes);

  parent[root] = -1;
  pred[root] = -1;
  succNum[root] = nodes;
  lastSucc[root] = n > 0 ? n - 1 : root;
  thread[root] = n > 0 ? 0 : root;
  revThread[root] = n > 0 ? n - 1 : root;
  for (let u = 0; u < n; u++) {
    const e = mReal + u;
    parent[u] = root;
    pred[u] = e;
    thread[u] = u + 1 < n ? u + 1 : root;
    revThread[u] = u > 0 ? u - 1 : root;
    succNum[u] = 1;
    lastSucc[u] = u;
    state[e] = STATE_TREE;
    cap[e] = Infinity;
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

  const runFirst = new Int32Array(2 * nodes);
  const runLast = new Int32Array(2 * nodes);
  const stemSize = new Int32Array(nodes);
  const stem = new Int32Array(nodes);
  let iterations = 0;
  /** One pivot on an entering arc; false if the cycle it closes has unbounded capacity. */
  const pivot = (inArc: number): boolean => {
    iterations++;
    const st = state[inArc]!;
    const first = st === STATE_LOWER ? source[inArc]! : target[inArc]!;
    const second = st === STATE_LOWER ? target[inArc]! : source[inArc]!;

    // The apex of the cycle: an ancestor always has more successors.
    let a = first;
    let b = second;
    while (a !== b) {
      if (succNum[a]! < succNum[b]!) a = parent[a]!;
      else b = parent[b]!;
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
    if (delta === Infinity) return false;

    if (delta > 0) {
      const val = st * delta;
      flow[inArc]! += val;
      for (let u = source[inArc]!; u !== join; u = parent[u]!) flow[pred[u]!]! -= predDir[u]! * val;
      for (let u = target[inArc]!; u !== join; u = parent[u]!) flow[pred[u]!]! += predDir[u]! * val;
    }

    if (result === 0) {
      state[inArc] = -st as -1 | 1;
      return true;
    }
    const outArc = pred[uOut]!;
    state[outArc] = flow[outArc] === 0 ? STATE_LOWER : STATE_UPPER;
    state[inArc] = STATE_TREE;

    // Re-hang the subtree T below the leaving arc from the entering arc.
    // Rooted at uIn, T's preorder is: uIn's old subtree, then each stem node
    // up to uOut followed by its old subtree minus the stem branch below it.
    const uIn = result === 1 ? first : second;
    const vIn = result === 1 ? second : first;
    const vOut = parent[uOut]!;
    const size = succNum[uOut]!;
    const oldLast = lastSucc[uOut]!;
    const before = revThread[uOut]!;
    const after = thread[oldLast]!;
    // T in its new preorder is a chain of runs of the old thread: uIn's old
    // subtree, then for each stem node s above it the run from s up to the
    // branch below it, and the run after that branch to the end of s's old
    // subtree. Collect the runs' ends first, then splice them together.
    let runs = 0;
    runFirst[runs] = uIn;
    runLast[runs++] = lastSucc[uIn]!;
    for (let below = uIn, st = parent[uIn]!; below !== uOut; below = st, st = parent[st]!) {
      runFirst[runs] = st;
      runLast[runs++] = revThread[below]!;
      if (lastSucc[below] !== lastSucc[st]) {
        runFirst[runs] = thread[lastSucc[below]!]!;
        runLast[runs++] = lastSucc[st]!;
      }
    }
    const lastNode = runLast[runs - 1]!;

    // New subtree sizes along the stem uIn … uOut, computed from the top down:
    // each stem node keeps its old subtree minus the branch below it, plus
    // everything above it on the stem.
    let stemLen = 0;
    for (let u = uIn; ; u = parent[u]!) {
      stem[stemLen++] = u;
      if (u === uOut) break;
    }
    let acc = 0;
    for (let i = stemLen - 1; i >= 1; i--) {
      acc += succNum[stem[i]!]! - succNum[stem[i - 1]!]!;
      stemSize[stem[i]!] = acc;
    }
    stemSize[uIn] = size;

    // Reverse the stem.
    let w = uIn;
    let newPar = vIn;
    let newPred = inArc;
    for (;;) {
      const oldPar = parent[w]!;
      const oldPred = pred[w]!;
      parent[w] = newPar;
      pred[w] = newPred;
      predDir[w] = source[newPred] === w ? DIR_UP : DIR_DOWN;
      succNum[w] = stemSize[w]!;
      lastSucc[w] = lastNode;
      if (w === uOut) break;
      newPar = w;
      newPred = oldPred;
      w = oldPar;
    }

    // Unlink T, then link it in right after vIn.
    thread[before] = after;
    revThread[after] = before;
    for (let u = vOut; u !== -1 && lastSucc[u] === oldLast; u = parent[u]!) lastSucc[u] = before;
    const next = thread[vIn]!;
    thread[vIn] = uIn;
    revThread[uIn] = vIn;
    for (let r = 1; r < runs; r++) {
      thread[runLast[r - 1]!] = runFirst[r]!;
      revThread[runFirst[r]!] = runLast[r - 1]!;
    }
    thread[lastNode] = next;
    revThread[next] = lastNode;
    for (let u = vIn; u !== -1 && lastSucc[u] === vIn; u = parent[u]!) lastSucc[u] = lastNode;
    for (let u = vOut; u !== join; u = parent[u]!) succNum[u]! -= size;
    for (let u = vIn; u !== join; u = parent[u]!) succNum[u]! += size;

    // Potentials of the moved subtree.
    const sigma = pi[vIn]! - predDir[uIn]! * cost[inArc]! - pi[uIn]!;
    for (let u = uIn, k = size; k > 0; k--, u = thread[u]!) pi[u]! += sigma;
    return true;
  };

  const unbounded = () => ({
    status: 'unbounded' as const,
    cost: 0,
    flow: new Float64Array(mReal),
    potential: new Float64Array(n),
    stats: { algorithm: 'network-simplex', iterations, ms: performance.now() - t0 },
  });

  for (;;) {
    const inArc = findEntering();
    if (inArc < 0) break;
    if (!pivot(inArc)) return unbounded();
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
