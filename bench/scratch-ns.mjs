import { FLOW_INSTANCES } from './dist/flow-instances.js';
import { networkSimplex } from '../device/dist/flow/network-simplex.js';
const name = process.argv[2] ?? 'netgen-1k';
const p = FLOW_INSTANCES[name]();
const times = [];
let it = 0;
for (let i = 0; i < 200; i++) { const t = performance.now(); const r = networkSimplex(p); times.push(performance.now() - t); it = r.stats.iterations; }
times.sort((a, b) => a - b);
console.log(name, 'median ms', times[100].toFixed(2), 'min', times[0].toFixed(2), 'iterations', it);
