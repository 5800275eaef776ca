import type { FlowProblem } from './problem.js';

/**
 * Checks a claimed optimal flow independently of the solver that produced
 * it: bounds, flow conservation at every node, and complementary slackness
 * against the node potentials (which together prove optimality).
 */
export function checkCertificate(p: FlowProblem, flow: ArrayLike<number>, potential: ArrayLike<number>): string[] {
  const problems: string[] = [];
  const balance = new Float64Array(p.nodeCount);
  for (let e = 0; e < p.from.length; e++) {
    const f = flow[e]!;
    const lo = p.lower ? p.lower[e]! : 0;
    const up = p.upper[e]!;
    if (!Number.isInteger(f) || f < lo || f > up) problems.push(`arc ${e}: flow ${f} outside [${lo}, ${up}]`);
    balance[p.from[e]!]! += f;
    balance[p.to[e]!]! -= f;
    const rc = p.cost[e]! + potential[p.from[e]!]! - potential[p.to[e]!]!;
    if (f < up && rc < 0) problems.push(`arc ${e}: reduced cost ${rc} < 0 but flow ${f} is below the upper bound`);
    if (f > lo && rc > 0) problems.push(`arc ${e}: reduced cost ${rc} > 0 but flow ${f} is above the lower bound`);
    if (problems.length > 20) break;
  }
  for (let i = 0; i < p.nodeCount; i++) if (balance[i] !== p.supply[i]) problems.push(`node ${i}: sends ${balance[i]} but its supply is ${p.supply[i]}`);
  return problems;
}
