import { FlowInputError, type FlowProblem } from './problem.js';

/**
 * Reads the DIMACS min-cost flow format:
 *   c comment
 *   p min NODES ARCS
 *   n ID SUPPLY            (positive: supply, negative: demand)
 *   a FROM TO LOW CAP COST
 * Nodes are numbered from 1 in the file and from 0 in the result.
 */
export function parseDimacs(text: string): FlowProblem {
  let nodeCount = -1;
  let arcTotal = -1;
  let supply: number[] = [];
  const from: number[] = [];
  const to: number[] = [];
  const lower: number[] = [];
  const upper: number[] = [];
  const cost: number[] = [];
  const lines = text.split(/\r?\n/);
  const int = (tok: string | undefined, what: string, line: number): number => {
    if (tok === undefined || !/^[+-]?\d+$/.test(tok))
      throw new FlowInputError(`line ${line}: ${what} must be an integer, got ${tok === undefined ? 'nothing' : JSON.stringify(tok)}`);
    const v = Number(tok);
    if (!Number.isSafeInteger(v)) throw new FlowInputError(`line ${line}: ${what} is too large`);
    return v;
  };
  const node = (tok: string | undefined, line: number): number => {
    const v = int(tok, 'a node id', line);
    if (v < 1 || v > nodeCount) throw new FlowInputError(`line ${line}: node ${v} is outside 1..${nodeCount}`);
    return v - 1;
  };
  for (let i = 0; i < lines.length; i++) {
    const ln = i + 1;
    const t = lines[i]!.trim().split(/\s+/);
    const kind = t[0];
    if (!kind || kind === 'c') continue;
    if (kind === 'p') {
      if (nodeCount >= 0) throw new FlowInputError(`line ${ln}: a second problem line`);
      if (t[1] !== 'min') throw new FlowInputError(`line ${ln}: expected "p min NODES ARCS", got a "${t[1] ?? ''}" problem`);
      nodeCount = int(t[2], 'the node count', ln);
      arcTotal = int(t[3], 'the arc count', ln);
      if (nodeCount < 0 || arcTotal < 0) throw new FlowInputError(`line ${ln}: counts must not be negative`);
      supply = new Array<number>(nodeCount).fill(0);
      continue;
    }
    if (nodeCount < 0) throw new FlowInputError(`line ${ln}: "${kind}" before the problem line`);
    if (kind === 'n') {
      supply[node(t[1], ln)] = int(t[2], 'the supply', ln);
    } else if (kind === 'a') {
      const u = node(t[1], ln);
      const v = node(t[2], ln);
      const lo = int(t[3], 'the lower bound', ln);
      const cap = int(t[4], 'the capacity', ln);
      if (lo < 0 || cap < lo) throw new FlowInputError(`line ${ln}: bounds must satisfy 0 ≤ low ≤ cap`);
      from.push(u);
      to.push(v);
      lower.push(lo);
      upper.push(cap);
      cost.push(int(t[5], 'the cost', ln));
    } else {
      throw new FlowInputError(`line ${ln}: unknown line type "${kind}"`);
    }
  }
  if (nodeCount < 0) throw new FlowInputError('no problem line ("p min NODES ARCS")');
  if (from.length !== arcTotal) throw new FlowInputError(`the problem line promises ${arcTotal} arcs but the file has ${from.length}`);
  const sum = supply.reduce((a, b) => a + b, 0);
  if (sum !== 0) throw new FlowInputError(`supplies sum to ${sum}, not 0`);
  return { nodeCount, supply, from, to, lower, upper, cost };
}

export function writeDimacs(p: FlowProblem, comment?: string): string {
  const out: string[] = [];
  if (comment) out.push(`c ${comment}`);
  out.push(`p min ${p.nodeCount} ${p.from.length}`);
  for (let i = 0; i < p.nodeCount; i++) if (p.supply[i] !== 0) out.push(`n ${i + 1} ${p.supply[i]}`);
  for (let e = 0; e < p.from.length; e++) out.push(`a ${p.from[e]! + 1} ${p.to[e]! + 1} ${p.lower ? p.lower[e] : 0} ${p.upper[e]} ${p.cost[e]}`);
  return out.join('\n') + '\n';
}
