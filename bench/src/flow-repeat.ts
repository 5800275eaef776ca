import { networkSimplex } from '@hyphae/device/flow';
import { geographic, netgen } from '@hyphae/test-rig/flow-instances';

/**
 * Child of the flow bench: in a fresh process, solves one instance six times
 * with the network simplex and sends back each solve's time and iteration
 * count. A hub solves again and again in one process, so the later solves
 * must be no slower than the first.
 */
const which = process.argv[2] ?? 'netgen-4k';
const problems = {
  'netgen-4k': () => netgen(4_000, 8, 2),
  'netgen-16k': () => netgen(16_000, 8, 3),
  'geographic-4k': () => geographic(4_000, 6, 5),
} as const;
const make = problems[which as keyof typeof problems];
if (!make) throw new Error(`no instance ${which}`);
const p = make();
const solves: Array<{ ms: number; iterations: number; cost: number }> = [];
for (let i = 0; i < 6; i++) {
  const t0 = performance.now();
  const s = networkSimplex(p);
  solves.push({ ms: performance.now() - t0, iterations: s.stats?.iterations ?? -1, cost: s.cost });
}
process.send?.(solves);
