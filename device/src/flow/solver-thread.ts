import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { allocate, type AllocationOptions, type AllocationResult, type Offer, type Want } from './allocate.js';
import { clear, type ClearingResult, type Obligation } from './clearing.js';
import { errorFromReply, type SolverReply, type SolverRequest } from './solver-protocol.js';

/** What the board asks of its solvers; each answer comes on a later turn of the event loop. */
export interface Solver {
  allocate(offers: Offer[], wants: Want[], options?: Partial<AllocationOptions>): Promise<AllocationResult>;
  clear(obligations: Obligation[]): Promise<ClearingResult>;
  close(): Promise<void>;
}

/**
 * The worker's entry: the compiled file beside this one (in the hub's
 * bundle, the file beside hyphae.mjs). Under vitest, which runs these
 * TypeScript sources, the build's copy: npm test builds first.
 */
function workerEntry(): URL {
  const here = new URL(import.meta.url);
  return here.pathname.endsWith('.ts') ? new URL('../../dist/flow/solver-worker.js', here) : new URL('./solver-worker.js', here);
}

/** How long an idle solver thread is kept: a thread is another V8 heap, some 10 MiB the Pi can use for other things. */
const IDLE_MS = 10_000;

/**
 * Solves with fewer arcs than this (offer–want pairs, obligations) run on the
 * main thread: they take well under a millisecond there, and starting a
 * thread for them would take longer than the solve (tens of ms, more on a Pi).
 */
export const THREAD_FROM_ARCS = 2_000;

/**
 * Runs the flow engine's larger solves on a thread of their own. A clearing
 * of 100,000 members takes seconds; on the hub's main thread it would stop
 * every HTTP answer and LoRaWAN uplink for that long. The thread starts on
 * the first such solve and ends after IDLE_MS without one; small solves
 * (THREAD_FROM_ARCS) stay on the main thread. Its heap never sees a
 * detached buffer (see solver-worker.ts), so the network simplex runs at the
 * speed of a fresh process, where on the main thread, after the first
 * stream or WebAssembly memory detached one, it ran 20–30 % slower.
 *
 * Where the thread cannot run (its file is missing, it fails to start, or
 * it fails before its modules have loaded), solves run in this thread as
 * they did before, and the log says so once.
 */
export class SolverThread implements Solver {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; here: () => unknown }>();
  /** Whether the current thread has loaded (SolverReply ready). */
  private ready = false;
  private next = 0;
  private idle: NodeJS.Timeout | null = null;
  private inProcess = false;

  constructor(
    private readonly log?: Pick<Logger, 'warn'>,
    private readonly entry: URL = workerEntry(),
  ) {}

  allocate(offers: Offer[], wants: Want[], options: Partial<AllocationOptions> = {}): Promise<AllocationResult> {
    return this.run(offers.length * wants.length, { op: 'allocate', args: [offers, wants, options] }, () =>
      allocate(offers, wants, options),
    ) as Promise<AllocationResult>;
  }

  clear(obligations: Obligation[]): Promise<ClearingResult> {
    return this.run(obligations.length, { op: 'clear', args: [obligations] }, () => clear(obligations)) as Promise<ClearingResult>;
  }

  async close(): Promise<void> {
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
    const w = this.worker;
    this.worker = null;
    for (const p of this.pending.values()) p.reject(new Error('the solver thread was closed'));
    this.pending.clear();
    if (w) await w.terminate();
  }

  /** Whether large solves run on the solver thread (false once it could not be started). */
  get threaded(): boolean {
    return !this.inProcess;
  }

  /** Whether the thread is up now. */
  get running(): boolean {
    return this.worker !== null;
  }

  /** A solve of `arcs` arcs: on the thread, or `here` on this one when it is small or the thread cannot run. */
  private run(arcs: number, req: Omit<SolverRequest, 'id'>, here: () => unknown): Promise<unknown> {
    // As good as synchronous, as they were before the thread.
    if (arcs < THREAD_FROM_ARCS) return Promise.resolve().then(here);
    const worker = this.inProcess ? null : this.started();
    if (!worker) return onThisThread(here);
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
    const id = this.next++;
    // Held while it solves, so a command awaiting its answer is not ended by an empty event loop.
    worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, here });
      worker.postMessage({ ...req, id });
    });
  }

  private started(): Worker | null {
    if (this.worker) return this.worker;
    if (!existsSync(fileURLToPath(this.entry))) return this.fallBack(`its file ${fileURLToPath(this.entry)} is missing`);
    let w: Worker;
    try {
      w = new Worker(this.entry);
    } catch (e) {
      return this.fallBack((e as Error).message);
    }
    // An idle solver thread must not keep the hub (or a CLI command) from exiting.
    w.unref();
    w.on('message', (m: SolverReply) => this.answered(m));
    w.on('error', (e) => this.failed(w, e));
    w.on('exit', (code) => {
      if (this.pending.size) this.failed(w, new Error(`the solver thread stopped (exit code ${code})`));
      if (this.worker === w) this.worker = null;
    });
    this.worker = w;
    this.ready = false;
    return w;
  }

  private answered(m: SolverReply): void {
    if ('ready' in m) {
      this.ready = true;
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.ok) p.resolve(m.value);
    else p.reject(errorFromReply(m.error));
    if (this.pending.size === 0 && this.worker) {
      const w = this.worker;
      w.unref();
      this.idle = setTimeout(() => {
        if (this.worker === w && this.pending.size === 0) void this.close();
      }, IDLE_MS).unref();
    }
  }

  /**
   * A thread that failed before it loaded cannot run here (a broken or
   * mismatched file): the solves it held run on this thread, as all later
   * ones will. One that failed later (out of memory in a huge solve) fails the
   * solves it held; the next solve starts a new thread.
   */
  private failed(w: Worker, e: Error): void {
    if (this.worker !== w) return;
    this.worker = null;
    const held = [...this.pending.values()];
    this.pending.clear();
    if (this.ready) {
      for (const p of held) p.reject(e);
      return;
    }
    this.fallBack(e.message);
    for (const p of held) onThisThread(p.here).then(p.resolve, p.reject);
  }

  private fallBack(why: string): null {
    this.inProcess = true;
    this.log?.warn({ module: 'flow', reason: why }, 'the solver thread cannot run; solves run on the main thread');
    return null;
  }
}

/** A solve on this thread, on a later turn of the event loop, as the thread's answers come. */
function onThisThread(here: () => unknown): Promise<unknown> {
  return new Promise((resolve) => setImmediate(resolve)).then(here);
}
