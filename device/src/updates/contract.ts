import { refusals, refuser } from '../errors.js';

/** What updates refuses, by problem type (`refusals` in errors.ts gives each code its status and English title). */
export const UPDATE_REFUSALS = refusals({
  'rule-broken': ['update-refused', 'updates-are-off'],
  conflict: ['no-steward', 'update-already-received'],
});

export const refuse = refuser(UPDATE_REFUSALS);

// Its records' closed sets of values, once: types are inferred from them, and the HTTP schemas (z.enum) use the same arrays.
export const UPDATE_OUTCOMES = ['installed', 'rolled-back', 'refused'] as const;
export type UpdateOutcome = (typeof UPDATE_OUTCOMES)[number];
