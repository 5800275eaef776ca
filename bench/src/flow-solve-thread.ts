import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { networkSimplex, primalDual, type FlowProblem } from '@hyphae/device/flow';
import { median } from './util.js';

/**
 * Our solvers timed on a worker thread, as the hub runs them: its board
 * solves allocations and clearings on a solver thread of its own
 * (device/src/flow/solver-thread.ts), whose V8 heap never sees a detached
 * buffer. On a main thread one detached buffer (a transferred stream chunk,
 * a WebAssembly memory that grew, as HiGHS's does in this bench) makes V8
 * check every typed-array access for the rest of the process, and the
 * network simplex runs 20–30 % slower. One thread serves the whole bench, as
 * a busy hub's solver thread would; only the solve itself is timed, as
 * LEMON's driver times only its own.
 */

/**
 * Runs before timing starts, so V8 has compiled the solver with its
 * optimising tier (LEMON is compiled ahead of time): at least WARMUP runs,
 * and on small instances more, until WARMUP_MS of solving has passed.
 */
const WARMUP = 3;
const WARMUP_MS = 400;

interface Ask {
  problem: FlowProblem;
  algo: 'ns' | 'pd';
  runs: number;
  /** Small instances take a millisecond or two, where one stray pause moves a median of five: they are timed until this many ms have passed. */
  timedMs: number;
}
type Answer = { ok: true; ms: number; cost: number } | { ok: false; error: string };

function timeSolves({ problem, algo, runs, timedMs }: Ask): { ms: number; cost: number } {
  const solve = algo === 'ns' ? networkSimplex : primalDual;
  const once = () => {
    const t0 = performance.now();
    const s = solve(problem);
    const ms = performance.now() - t0;
    if (s.status !== 'optimal') throw new Error(`our solver says ${s.status}`);
    return { ms, cost: s.cost };
  };
  let warm = 0;
  for (let i = 0; i < WARMUP || (warm < WARMUP_MS && i < 200); i++) warm += once().ms;
  const done = Array.from({ length: runs }, once);
  for (let spent = done.reduce((a, r) => a + r.ms, 0); spent < timedMs && done.length < 200; ) {
    const r = once();
    done.push(r);
    spent += r.ms;
  }
  return { ms: median(done.map((r) => r.ms)), cost: done[0]!.cost };
}

if (!isMainThread) {
  parentPort!.on('message', (ask: Ask) => {
    let answer: Answer;
    try {
      answer = { ok: true, ...timeSolves(ask) };
    } catch (e) {
      answer = { ok: false, error: (e as Error).message };
    }
    parentPort!.postMessage(answer);
  });
}

/** The bench's side: one worker thread, asked one instance at a time. */
export class BenchSolverThread {
  private readonly worker = new Worker(new URL(import.meta.url));

  time(problem: FlowProblem, algo: 'ns' | 'pd', runs: number, timedMs: number): Promise<{ ms: number; cost: number }> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      this.worker.once('error', onError);
      this.worker.once('message', (a: Answer) => {
        this.worker.off('error', onError);
        if (a.ok) resolve({ ms: a.ms, cost: a.cost });
        else reject(new Error(a.error));
      });
      // A copy, not a transfer: a transfer would detach the problem's buffers here.
      this.worker.postMessage({ problem, algo, runs, timedMs } satisfies Ask);
    });
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}
