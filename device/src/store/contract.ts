import { refusals, refuser } from '../errors.js';

/** What the store (idempotency, storage) refuses, by problem type (`refusals` in errors.ts gives each code its status and English title). */
export const STORE_REFUSALS = refusals(
  {
    'idempotency-conflict': ['idempotency-conflict'],
    'insufficient-storage': ['storage-full'],
  },
  { 'idempotency-conflict': 'Idempotency key reused' },
);

export const refuse = refuser(STORE_REFUSALS);

// Its records' closed sets of values, once: types are inferred from them, and the HTTP schemas (z.enum) use the same arrays.
export const DISK_STATES = ['ok', 'pruning', 'low', 'full'] as const;
export type DiskState = (typeof DISK_STATES)[number];
