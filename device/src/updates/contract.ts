import { refuser, type Refusals } from '../errors.js';

/**
 * What updates refuses: each code with its HTTP status, problem type and
 * English title. Clients word a refusal from its code (the console in every
 * language it has); the detail says what was wrong this time.
 */
export const UPDATE_REFUSALS = {
  'no-steward': { status: 409, type: 'conflict', title: 'No steward' },
  'update-already-received': { status: 409, type: 'conflict', title: 'Update already received' },
  'update-refused': { status: 422, type: 'rule-broken', title: 'Update refused' },
  'updates-are-off': { status: 422, type: 'rule-broken', title: 'Updates are off' },
} as const satisfies Refusals;

export const refuse = refuser(UPDATE_REFUSALS);

// Its records' closed sets of values, once: types are inferred from them, and the HTTP schemas (z.enum) use the same arrays.
export const UPDATE_OUTCOMES = ['installed', 'rolled-back', 'refused'] as const;
export type UpdateOutcome = (typeof UPDATE_OUTCOMES)[number];
