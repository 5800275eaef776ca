import { execFileSync, fork, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeDimacs, type FlowProblem } from '@hyphae/device/flow';
import { FLOW_INSTANCES, type FlowInstanceName } from './flow-instances.js';
import { BenchSolverThread } from './flow-solve-thread.js';
import { medianOf, printGoals, rounds } from './goals.js';
import { fmt, median, tempDir } from './util.js';

/**
 * Our solvers against LEMON's NetworkSimplex (C++, compiled here from
 * Debian's liblemon-dev with a driver of our own) and HiGHS as an LP, on
 * instances generated in this run, three rounds (LEMON in its own process
 * each time; HiGHS in the first round only; ours on a worker thread, as the
 * hub solves: flow-solve-thread.ts). Targets: identical optimal
 * costs; ≤ 2× LEMON's warm median time from 1k nodes; the clearing times;
 * and later solves in one process no slower than the first.
 */
const RUNS = 5;
/** A millisecond-long solve, ours or LEMON's, is timed until this many ms have passed, so one stray pause cannot move its median. */
const TIMED_MS = 300;

interface Row {
  instance: string;
  nodes: number;
  arcs: number;
  cost: number;
  ours: number;
  oursAlgo: string;
  lemon?: number;
  lemonCost?: number;
  highs?: number;
  highsCost?: number;
}

function lemonDriver(dir: string): string | null {
  const src = fileURLToPath(new URL('../lemon/driver.cpp', import.meta.url));
  const bin = join(dir, 'lemon-driver');
  const r = spawnSync('g++', ['-O2', '-o', bin, src], { encoding: 'utf8' });
  if (r.status !== 0) {
    console.log(`LEMON comparison skipped: cannot compile the driver (install liblemon-dev and g++).\n${r.stderr ?? ''}`);
    return null;
  }
  return bin;
}

function timeLemon(bin: string, file: string): { ms: number; cost: number } {
  const once = (runs: number) => {
    const out = execFileSync(bin, [file, String(runs + 1)], { encoding: 'utf8' });
    const times = [...out.matchAll(/^ms (\S+)$/gm)].map((m) => Number(m[1]));
    const cost = Number(/^cost (-?\d+)$/m.exec(out)![1]);
    return { ms: median(times.slice(1)), cost }; // warm: the first run is discarded
  };
  const first = once(RUNS);
  // As for ours: a millisecond-long solve gets more runs, so one stray pause cannot move the median.
  return first.ms * RUNS < TIMED_MS ? once(Math.min(200, Math.ceil(TIMED_MS / Math.max(first.ms, 0.01)))) : first;
}

function lpOf(p: FlowProblem): string {
  const lines = [
    'Minimize',
    ' obj: ' + Array.from({ length: p.from.length }, (_, e) => `${p.cost[e]! >= 0 ? '+' : '-'} ${Math.abs(p.cost[e]!)} x${e}`).join(' '),
    'Subject To',
  ];
  const rows: string[][] = Array.from({ length: p.nodeCount }, () => []);
  for (let e = 0; e < p.from.length; e++) {
    rows[p.from[e]!]!.push(`+ x${e}`);
    rows[p.to[e]!]!.push(`- x${e}`);
  }
  rows.forEach((r, i) => lines.push(` n${i}: ${r.length ? r.join(' ') : '0 x0'} = ${p.supply[i]}`));
  lines.push('Bounds');
  for (let e = 0; e < p.from.length; e++) lines.push(` ${p.lower ? p.lower[e] : 0} <= x${e} <= ${Number.isFinite(p.upper[e]!) ? p.upper[e] : '+inf'}`);
  lines.push('End');
  return lines.join('\n');
}

async function timeHighs(p: FlowProblem): Promise<{ ms: number; cost: number }> {
  const loadHighs = (await import('highs')).default as unknown as () => Promise<{ solve(lp: string, o?: object): { Status: string; ObjectiveValue: number } }>;
  const highs = await loadHighs();
  const lp = lpOf(p);
  const times: number[] = [];
  let cost = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const r = highs.solve(lp, { log_to_console: false, output_flag: false });
    times.push(performance.now() - t0);
    if (r.Status !== 'Optimal') throw new Error(`HiGHS says ${r.Status}`);
    cost = Math.round(r.ObjectiveValue);
  }
  return { ms: median(times), cost };
}

export async function run(): Promise<void> {
  const dir = tempDir('hyphae-bench-flow-');
  // Ours are timed on a solver thread, as the hub solves (flow-solve-thread.ts).
  const solverThread = new BenchSolverThread();
  try {
    const lemon = lemonDriver(dir.path);
    // [name, problem, our solver, compare with HiGHS, compare with LEMON]
    const instances: Array<[string, FlowProblem, 'ns' | 'pd', boolean, boolean?]> = [
      ['netgen-1k', FLOW_INSTANCES['netgen-1k'](), 'ns', true],
      ['netgen-4k', FLOW_INSTANCES['netgen-4k'](), 'ns', true],
      ['netgen-16k', FLOW_INSTANCES['netgen-16k'](), 'ns', false],
      ['geographic-1k', FLOW_INSTANCES['geographic-1k'](), 'ns', true],
      ['geographic-4k', FLOW_INSTANCES['geographic-4k'](), 'ns', true],
      ['clearing-1k', FLOW_INSTANCES['clearing-1k'](), 'pd', true],
      ['clearing-10k', FLOW_INSTANCES['clearing-10k'](), 'pd', false],
      // LEMON's network simplex needs minutes here; ours is compared with itself across sizes.
      ['clearing-100k', FLOW_INSTANCES['clearing-100k'](), 'pd', false, false],
    ];
    const round = async (k: number): Promise<Row[]> => {
      const rows: Row[] = [];
      for (const [name, p, algo, withHighs, withLemon = true] of instances) {
        process.stdout.write(`  round ${k + 1}: ${name}: ${fmt(p.nodeCount)} nodes, ${fmt(p.from.length)} arcs …\n`);
        const ours = await solverThread.time(p, algo, p.nodeCount >= 100_000 ? 1 : RUNS, TIMED_MS);
        const row: Row = { instance: name, nodes: p.nodeCount, arcs: p.from.length, cost: ours.cost, ours: ours.ms, oursAlgo: algo };
        if (lemon && withLemon) {
          const file = join(dir.path, `${name}.min`);
          writeFileSync(file, writeDimacs(p));
          const l = timeLemon(lemon, file);
          row.lemon = l.ms;
          row.lemonCost = l.cost;
        }
        if (withHighs && k === 0) {
          const h = await timeHighs(p);
          row.highs = h.ms;
          row.highsCost = h.cost;
        }
        rows.push(row);
        // Every round's figures, not only the first round's table: the goals take the median of all three.
        process.stdout.write(`    ours ${fmt(row.ours, 2)} ms${row.lemon === undefined ? '' : `, LEMON ${fmt(row.lemon, 2)} ms`}\n`);
      }
      return rows;
    };
    const all = await rounds(round);
    // The first round's table (with HiGHS); the goals take every round's figures.
    const rows = all[0]!;
    const across = (name: string, f: (r: Row) => number | undefined) =>
      all
        .map((rs) => rs.find((r) => r.instance === name))
        .map((r) => (r ? f(r) : undefined))
        .filter((x): x is number => x !== undefined);
    console.table(
      rows.map((r) => ({
        instance: r.instance,
        'ours ms': `${fmt(r.ours, 1)} (${r.oursAlgo})`,
        'LEMON ms': r.lemon === undefined ? '-' : fmt(r.lemon, 1),
        // Primal-dual against LEMON's network simplex on the clearing form (its worst case) is no fair ratio: not printed.
        'ours/LEMON': r.lemon === undefined || r.oursAlgo !== 'ns' ? '-' : fmt(r.ours / r.lemon, 2),
        'HiGHS ms': r.highs === undefined ? '-' : fmt(r.highs, 0),
        'HiGHS/ours': r.highs === undefined ? '-' : fmt(r.highs / r.ours, 1),
        'same cost':
          (r.lemonCost === undefined || r.lemonCost === r.cost) && (r.highsCost === undefined || r.highsCost === r.cost)
            ? 'yes'
            : `NO (${r.cost} / ${r.lemonCost} / ${r.highsCost})`,
      })),
    );
    const ns = rows.filter((r) => r.oursAlgo === 'ns' && r.lemon !== undefined && r.nodes >= 1_000);
    const differ = Math.max(...all.map((rs) => rs.filter((r) => (r.lemonCost ?? r.cost) !== r.cost || (r.highsCost ?? r.cost) !== r.cost).length));
    const c10 = across('clearing-10k', (r) => r.ours);
    const c100 = across('clearing-100k', (r) => r.ours / 1000);
    // One at a time: two solving side by side on two cores would time each other.
    const repeated: Array<{ name: string; solves: Array<{ ms: number; iterations: number }> }> = [];
    for (const name of ['netgen-4k', 'netgen-16k', 'geographic-4k'] as const) repeated.push({ name, solves: await solveRepeatedly(name) });
    for (const { name, solves } of repeated) {
      process.stdout.write(
        `  ${name}, six solves in a fresh process: ${solves.map((s) => `${fmt(s.ms, 0)} ms`).join(', ')} (iterations ${[...new Set(solves.map((s) => s.iterations))].join('/')})\n`,
      );
    }
    printGoals([
      { what: "instances whose optimal cost differs from LEMON's or HiGHS's, worst round", median: differ, unit: '', atMost: 0 },
      ...ns.map((r) => {
        const ratios = across(r.instance, (x) => (x.lemon === undefined ? undefined : x.ours / x.lemon));
        return {
          what: `network simplex ÷ LEMON network simplex, ${r.instance} (warm solves, median of each)`,
          median: medianOf(ratios),
          worst: Math.max(...ratios),
          unit: '×',
          atMost: 2,
          digits: 2,
        };
      }),
      ...repeated.map(({ name, solves }) => {
        const later = medianOf(solves.slice(1).map((s) => s.ms));
        return {
          what: `network simplex, ${name}: later solves ÷ the first, in one fresh process (median of five)`,
          median: later / solves[0]!.ms,
          unit: '×',
          atMost: 1,
          digits: 2,
        };
      }),
      ...(c10.length
        ? [{ what: 'clearing 10k members / 75k obligations (primal-dual)', median: medianOf(c10), worst: Math.max(...c10), unit: ' ms', atMost: 300 }]
        : []),
      ...(c100.length
        ? [
            {
              what: 'clearing 100k members / 750k obligations (primal-dual)',
              median: medianOf(c100),
              worst: Math.max(...c100),
              unit: ' s',
              atMost: 10,
              digits: 2,
            },
          ]
        : []),
    ]);
  } finally {
    await solverThread.close();
    dir.remove();
  }
}

/** Six network-simplex solves of one instance in a process of their own (flow-repeat.ts), from its first. */
function solveRepeatedly(name: FlowInstanceName): Promise<Array<{ ms: number; iterations: number; cost: number }>> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL('./flow-repeat.js', import.meta.url)), [name], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (m) => resolve(m as Array<{ ms: number; iterations: number; cost: number }>));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`flow-repeat ${name} exited with ${code}`))));
  });
}
