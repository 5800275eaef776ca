import { refuser, type Refusals } from '../errors.js';

/**
 * What the store (idempotency, storage) refuses: each code with its HTTP status, problem type and
 * English title. Clients word a refusal from its code (the console in every
 * language it has); the detail says what was wrong this time.
 */
export const STORE_REFUSALS = {
  'idempotency-conflict': { status: 409, type: 'idempotency-conflict', title: 'Idempotency key reused' },
  'storage-full': { status: 507, type: 'insufficient-storage', title: 'Storage full' },
} as const satisfies Refusals;

export const refuse = refuser(STORE_REFUSALS);

// Its records' closed sets of values, once: types are inferred from them, and the HTTP schemas (z.enum) use the same arrays.
export const DISK_STATES = ['ok', 'pruning', 'low', 'full'] as const;
export type DiskState = (typeof DISK_STATES)[number];
