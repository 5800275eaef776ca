import { networkSimplex } from '@hyphae/device/flow';
import { FLOW_INSTANCES, type FlowInstanceName } from './flow-instances.js';

/**
 * Child of the flow bench: in a fresh process, solves one instance six times
 * with the network simplex and sends back each solve's time and iteration
 * count. A hub solves again and again in one process, so the later solves
 * must be no slower than the first.
 */
const which = (process.argv[2] ?? 'netgen-4k') as FlowInstanceName;
const make = FLOW_INSTANCES[which];
if (!make) throw new Error(`no instance ${which}`);
const p = make();
const solves: Array<{ ms: number; iterations: number; cost: number }> = [];
for (let i = 0; i < 6; i++) {
  const t0 = performance.now();
  const s = networkSimplex(p);
  solves.push({ ms: performance.now() - t0, iterations: s.stats?.iterations ?? -1, cost: s.cost });
}
process.send?.(solves);
