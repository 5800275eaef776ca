import { parentPort } from 'node:worker_threads';
import { allocate } from './allocate.js';
import { clear, ClearingInputError } from './clearing.js';
import { FlowInputError } from './problem.js';
import type { SolverReply, SolverRequest } from './solver-thread.js';

/**
 * The solver thread's side (solver-thread.ts): runs each asked solve and
 * answers with its result or its error. Results go back as copies, never
 * transferred: a transfer detaches the buffer it sends, and once any buffer
 * in an isolate has been detached, V8 checks every typed-array access there
 * for it, which slows the network simplex by a fifth to a third.
 */
const port = parentPort;
if (!port) throw new Error('solver-worker.js runs as a worker thread (see solver-thread.ts)');
port.on('message', (m: SolverRequest) => {
  let reply: SolverReply;
  try {
    const value = m.op === 'allocate' ? allocate(...m.args) : clear(...m.args);
    reply = { id: m.id, ok: true, value };
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    // By kind, not by constructor name, which a bundler may rename.
    const name = err instanceof ClearingInputError ? 'ClearingInputError' : err instanceof FlowInputError ? 'FlowInputError' : 'Error';
    reply = { id: m.id, ok: false, error: { name, message: err.message } };
  }
  port.postMessage(reply);
});
port.postMessage({ ready: true } satisfies SolverReply);
