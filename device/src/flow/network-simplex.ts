import { carve } from './carve.js';
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

  let maxCost = 0;
  for (let e = 0; e < mReal; e++) maxCost = Math.max(maxCost, Math.abs(problem.cost[e]!));
  // Big enough that any path through real arcs is cheaper than one artificial arc.
  const ART = (maxCost + 1) * nodes;
  // Potentials stay within a few ART of the root's (see the end of pivot).
  if (!Number.isSafeInteger(ART * 8)) throw new FlowInputError('costs are too large for exact arithmetic');

  const tree = newTree(nodes, m, ART);
  const { source, target, cap, cost, flow, state, searchCost, searchTail, searchHead, parent, pred, predDir, thread, revThread, succNum, lastSucc, pi } = tree;
  const supply = new Float64Array(nodes);

  // Arcs are stored in a mixed order, as LEMON does by default: consecutive
  // input arcs often share a tail, and spreading them out lets each search
  // block see more of the graph. orig[i] is the input arc stored at i.
  const orig = new Int32Array(mReal);
  const skip = Math.max(Math.floor(mReal / Math.max(n, 1)), 3);
  for (let e = 0, i = 0, j = 0; e < mReal; e++) {
    orig[i] = e;
    if ((i += skip) >= mReal) i = ++j;
  }

  for (let i = 0; i < n; i++) supply[i] = problem.supply[i]!;
  for (let e = 0; e < mReal; e++) {
    const o = orig[e]!;
    const u = problem.from[o]!;
    const v = problem.to[o]!;
    const lo = problem.lower ? problem.lower[o]! : 0;
    source[e] = u;
    target[e] = v;
    cost[e] = problem.cost[o]!;
    cap[e] = problem.upper[o]! - lo;
    // Lower bounds move into the supplies: flow' = flow − lower.
    if (lo !== 0) {
      supply[u]! -= lo;
      supply[v]! += lo;
    }
    state[e] = STATE_LOWER;
    searchCost[e] = cost[e]!;
    searchTail[e] = u;
    searchHead[e] = v;
  }

  // The first tree: every node hangs from the root by its artificial arc.
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

  // Block search for an entering arc with negative reduced cost. The search
  // is a plain function with the arrays passed in, so V8 keeps them in
  // registers rather than reloading them from this closure's context.
  // Artificial arcs are never searched, as in LEMON: their cost dwarfs any
  // real path, so one that has left the tree has no reason to come back.
  const blockSize = Math.max(10, Math.floor(Math.sqrt(mReal)));
  const search = { next: 0 };

  for (const inArc of initialPivots(n, mReal, source, target, cost, cap, supply)) {
    if (state[inArc]! * (cost[inArc]! + pi[source[inArc]!]! - pi[target[inArc]!]!) >= 0) continue;
    if (!pivot(tree, inArc)) return none('unbounded', tree, n, mReal, t0);
  }
  for (;;) {
    const inArc = blockSearch(searchCost, searchTail, searchHead, pi, mReal, blockSize, search);
    if (inArc < 0) break;
    if (!pivot(tree, inArc)) return none('unbounded', tree, n, mReal, t0);
  }

  for (let u = 0; u < n; u++) {
    if (flow[mReal + u]! > 0) return none('infeasible', tree, n, mReal, t0);
  }
  const out = new Float64Array(mReal);
  for (let e = 0; e < mReal; e++) {
    const o = orig[e]!;
    out[o] = flow[e]! + (problem.lower ? problem.lower[o]! : 0);
  }
  const potential = new Float64Array(n);
  for (let u = 0; u < n; u++) potential[u] = pi[u]! - pi[root]!;
  return {
    status: 'optimal',
    cost: totalCost(problem, out),
    flow: out,
    potential,
    stats: statsOf(tree, t0),
  };
}

// Module-level rather than closures made in each solve: an optimised solver calls
// the closure it was compiled with, and a new one per solve threw that code away
// at the end of every solve (V8 deoptimises on a "wrong call target").
function statsOf(tree: SimplexTree, t0: number): FlowSolution['stats'] {
  return { algorithm: 'network-simplex', iterations: tree.iterations, ms: performance.now() - t0 };
}

function none(status: 'unbounded' | 'infeasible', tree: SimplexTree, n: number, mReal: number, t0: number): FlowSolution {
  return { status, cost: 0, flow: new Float64Array(mReal), potential: new Float64Array(n), stats: statsOf(tree, t0) };
}

/**
 * The solver's state: arcs (real, then one artificial per node) and the
 * spanning tree. One object with a fixed shape, read by plain functions:
 * closures over these arrays were compiled for the first solve's arrays
 * (V8 specialises a function to its only closure's context), and every later
 * solve in the same process ran a slower generic version.
 */
interface SimplexTree {
  readonly nodes: number;
  readonly root: number;
  /** The artificial arcs' cost (big M). */
  readonly art: number;
  readonly source: Int32Array;
  readonly target: Int32Array;
  readonly cap: Float64Array;
  readonly cost: Float64Array;
  readonly flow: Float64Array;
  readonly state: Int8Array;
  /**
   * Each arc as the search sees it: as stored while at its lower bound or in
   * the tree, reversed with its cost negated while at its upper bound. Its
   * reduced cost is then what the search ranks, with no state to multiply by:
   * a tree arc's is exactly 0 (potentials are integers), so it never wins.
   */
  readonly searchCost: Float64Array;
  readonly searchTail: Int32Array;
  readonly searchHead: Int32Array;
  readonly parent: Int32Array;
  readonly pred: Int32Array;
  readonly predDir: Int8Array;
  readonly thread: Int32Array;
  readonly revThread: Int32Array;
  readonly succNum: Int32Array;
  readonly lastSucc: Int32Array;
  readonly pi: Float64Array;
  /** Scratch for re-hanging a subtree. */
  readonly runFirst: Int32Array;
  readonly runLast: Int32Array;
  readonly stemSize: Int32Array;
  readonly stem: Int32Array;
  iterations: number;
}

/**
 * Arrays for `arcs` arcs over `nodes` nodes. The tree is parent pointers, and the nodes in preorder as a
 * doubly linked "thread", so a subtree is the run of succNum nodes from its root to lastSucc.
 */
function newTree(nodes: number, arcs: number, art: number): SimplexTree {
  const a = carve({
    source: [Int32Array, arcs],
    target: [Int32Array, arcs],
    cap: [Float64Array, arcs],
    cost: [Float64Array, arcs],
    flow: [Float64Array, arcs],
    state: [Int8Array, arcs],
    searchCost: [Float64Array, arcs],
    searchTail: [Int32Array, arcs],
    searchHead: [Int32Array, arcs],
    parent: [Int32Array, nodes],
    pred: [Int32Array, nodes],
    predDir: [Int8Array, nodes],
    thread: [Int32Array, nodes],
    revThread: [Int32Array, nodes],
    succNum: [Int32Array, nodes],
    lastSucc: [Int32Array, nodes],
    pi: [Float64Array, nodes],
    runFirst: [Int32Array, 2 * nodes],
    runLast: [Int32Array, 2 * nodes],
    stemSize: [Int32Array, nodes],
    stem: [Int32Array, nodes],
  });
  return { nodes, root: nodes - 1, art, ...a, iterations: 0 };
}

/** One pivot on an entering arc; false if the cycle it closes has unbounded capacity. */
function pivot(t: SimplexTree, inArc: number): boolean {
  const { nodes, root, source, target, cap, cost, flow, state, parent, pred, predDir, thread, revThread, succNum, lastSucc, pi } = t;
  const { runFirst, runLast, stemSize, stem } = t;
  const ART = t.art;
  t.iterations++;
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
    orient(t, inArc);
    return true;
  }
  const outArc = pred[uOut]!;
  state[outArc] = flow[outArc] === 0 ? STATE_LOWER : STATE_UPPER;
  state[inArc] = STATE_TREE;
  orient(t, outArc);
  orient(t, inArc);

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

  // Potentials: the moved subtree shifts by sigma against the rest. Only
  // differences of potentials matter, so when the subtree is the larger
  // part, the rest shifts by −sigma instead; it is the run of the thread
  // from after the subtree's last node round to just before uIn.
  const sigma = pi[vIn]! - predDir[uIn]! * cost[inArc]! - pi[uIn]!;
  if (2 * size <= nodes) {
    for (let u = uIn, k = size; k > 0; k--, u = thread[u]!) pi[u]! += sigma;
  } else {
    for (let u = thread[lastNode]!, k = nodes - size; k > 0; k--, u = thread[u]!) pi[u]! -= sigma;
    // Keep the drift of the whole far below 2^53, where sums stop being exact.
    if (Math.abs(pi[root]!) > ART) {
      const shift = pi[root]!;
      for (let u = 0; u < nodes; u++) pi[u]! -= shift;
    }
  }
  return true;
}

/** Sets an arc's search view after its state changed (see SimplexTree.searchCost). */
function orient(t: SimplexTree, e: number): void {
  const upper = t.state[e] === STATE_UPPER;
  t.searchCost[e] = upper ? -t.cost[e]! : t.cost[e]!;
  t.searchTail[e] = upper ? t.target[e]! : t.source[e]!;
  t.searchHead[e] = upper ? t.source[e]! : t.target[e]!;
}

/**
 * One round of LEMON's block search: scan arcs from where the last round
 * stopped, in blocks of `blockSize`, and return the arc with the most
 * negative reduced cost in the first block that has one, the first such arc
 * on a tie (−1 if none is left). Exported for its test against the plain
 * one-arc-at-a-time loop.
 */
export function blockSearch(
  searchCost: Float64Array,
  searchTail: Int32Array,
  searchHead: Int32Array,
  pi: Float64Array,
  m: number,
  blockSize: number,
  search: { next: number },
): number {
  let minC = 0;
  let best = -1;
  const start = search.next;
  let e = start;
  // The scan runs start..m, then 0..start. Each block is a plain loop with no count or
  // wrap test per arc; a block that reaches m goes on from 0 for the arcs it has left.
  let end = m;
  for (let left = m; left > 0; ) {
    const size = blockSize < left ? blockSize : left;
    left -= size;
    for (let cnt = size; cnt > 0; ) {
      const stop = e + cnt < end ? e + cnt : end;
      cnt -= stop - e;
      // Eight arcs a turn: their loads go out together before the comparisons, where one
      // arc a turn waits on each arc's loads in sequence (12–20 % of a whole solve here).
      // The same arcs are compared in the same order, so the same arc is chosen.
      // biome-ignore format: one arc a line, so the eight read down as a table
      for (; e + 7 < stop; e += 8) {
        const c0 = searchCost[e]! + pi[searchTail[e]!]! - pi[searchHead[e]!]!;
        const c1 = searchCost[e + 1]! + pi[searchTail[e + 1]!]! - pi[searchHead[e + 1]!]!;
        const c2 = searchCost[e + 2]! + pi[searchTail[e + 2]!]! - pi[searchHead[e + 2]!]!;
        const c3 = searchCost[e + 3]! + pi[searchTail[e + 3]!]! - pi[searchHead[e + 3]!]!;
        const c4 = searchCost[e + 4]! + pi[searchTail[e + 4]!]! - pi[searchHead[e + 4]!]!;
        const c5 = searchCost[e + 5]! + pi[searchTail[e + 5]!]! - pi[searchHead[e + 5]!]!;
        const c6 = searchCost[e + 6]! + pi[searchTail[e + 6]!]! - pi[searchHead[e + 6]!]!;
        const c7 = searchCost[e + 7]! + pi[searchTail[e + 7]!]! - pi[searchHead[e + 7]!]!;
        if (c0 < minC) { minC = c0; best = e; }
        if (c1 < minC) { minC = c1; best = e + 1; }
        if (c2 < minC) { minC = c2; best = e + 2; }
        if (c3 < minC) { minC = c3; best = e + 3; }
        if (c4 < minC) { minC = c4; best = e + 4; }
        if (c5 < minC) { minC = c5; best = e + 5; }
        if (c6 < minC) { minC = c6; best = e + 6; }
        if (c7 < minC) { minC = c7; best = e + 7; }
      }
      for (; e < stop; e++) {
        const c = searchCost[e]! + pi[searchTail[e]!]! - pi[searchHead[e]!]!;
        if (c < minC) {
          minC = c;
          best = e;
        }
      }
      if (e === m) {
        e = 0;
        end = start;
      }
    }
    if (best >= 0) {
      // After a whole block, the next round starts after it; after the short last one, after the arc found.
      search.next = size === blockSize ? e : best + 1 < m ? best + 1 : 0;
      return best;
    }
  }
  return -1;
}

/**
 * LEMON's heuristic first pivots, which save many search rounds: with one
 * source and one sink, the arcs of a path back from the sink that could
 * carry the whole supply; otherwise each need's cheapest incoming arc.
 */
function initialPivots(
  n: number,
  mReal: number,
  source: Int32Array,
  target: Int32Array,
  cost: Float64Array,
  cap: Float64Array,
  supply: Float64Array,
): number[] {
  let total = 0;
  const sources: number[] = [];
  const sinks: number[] = [];
  for (let u = 0; u < n; u++) {
    if (supply[u]! > 0) {
      total += supply[u]!;
      sources.push(u);
    } else if (supply[u]! < 0) sinks.push(u);
  }
  if (total <= 0) return [];
  // Incoming arcs by head, in compressed rows.
  const startIn = new Int32Array(n + 1);
  for (let e = 0; e < mReal; e++) startIn[target[e]! + 1]!++;
  for (let u = 0; u < n; u++) startIn[u + 1]! += startIn[u]!;
  const fill = startIn.slice(0, n);
  const inArcs = new Int32Array(mReal);
  for (let e = 0; e < mReal; e++) inArcs[fill[target[e]!]!++] = e;

  const arcs: number[] = [];
  if (sources.length === 1 && sinks.length === 1) {
    const reached = new Uint8Array(n);
    const s = sources[0]!;
    const stack = [sinks[0]!];
    reached[sinks[0]!] = 1;
    while (stack.length) {
      const v = stack.pop()!;
      if (v === s) break;
      for (let k = startIn[v]!; k < startIn[v + 1]!; k++) {
        const e = inArcs[k]!;
        const u = source[e]!;
        if (reached[u] || cap[e]! < total) continue;
        arcs.push(e);
        reached[u] = 1;
        stack.push(u);
      }
    }
  } else {
    for (const v of sinks) {
      let best = -1;
      for (let k = startIn[v]!; k < startIn[v + 1]!; k++) {
        const e = inArcs[k]!;
        if (best < 0 || cost[e]! < cost[best]!) best = e;
      }
      if (best >= 0) arcs.push(best);
    }
  }
  return arcs;
}
