import type { AllocationOptions, Offer, Want } from './allocate.js';
import { ClearingInputError, type Obligation } from './clearing.js';
import { FlowInputError } from './problem.js';

/** What the hub's side (solver-thread.ts) and the thread's side (solver-worker.ts) send each other. */
export type SolverRequest =
  | { id: number; op: 'allocate'; args: [Offer[], Want[], Partial<AllocationOptions>?] }
  | { id: number; op: 'clear'; args: [Obligation[]] };
export type SolverReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { name: string; message: string } }
  /** Sent once the thread's modules have loaded: a thread that fails before it cannot run here at all. */
  | { ready: true };

/** Errors that mean the input was wrong keep their class across the thread, so callers still tell them from bugs. */
const INPUT_ERRORS: Record<string, new (message: string) => Error> = { ClearingInputError, FlowInputError };

/** An error as the thread sends it: by kind, not by constructor name, which a bundler may rename. */
export function errorReply(e: unknown): { name: string; message: string } {
  const err = e instanceof Error ? e : new Error(String(e));
  const name = Object.keys(INPUT_ERRORS).find((k) => err instanceof INPUT_ERRORS[k]!) ?? 'Error';
  return { name, message: err.message };
}

/** The error as the hub's side throws it again. */
export function errorFromReply(r: { name: string; message: string }): Error {
  return new (INPUT_ERRORS[r.name] ?? Error)(r.message);
}
