import { parentPort } from 'node:worker_threads';
import { allocate } from './allocate.js';
import { clear } from './clearing.js';
import { errorReply, type SolverReply, type SolverRequest } from './solver-protocol.js';

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
    reply = { id: m.id, ok: true, value: m.op === 'allocate' ? allocate(...m.args) : clear(...m.args) };
  } catch (e) {
    reply = { id: m.id, ok: false, error: errorReply(e) };
  }
  port.postMessage(reply);
});
port.postMessage({ ready: true } satisfies SolverReply);
