import { refusals, refuser } from '../errors.js';

/** What the flow engine (allocations, clearing, emergencies) refuses, by problem type (`refusals` in errors.ts gives each code its status and English title). */
export const FLOW_REFUSALS = refusals({
  'rule-broken': ['allocation-not-open', 'clearing-not-open', 'not-pledged'],
});

export const refuse = refuser(FLOW_REFUSALS);

// Its records' closed sets of values, once: types are inferred from them, and the HTTP schemas (z.enum) use the same arrays.
export const POST_KINDS = ['need', 'surplus'] as const;
export type PostKind = (typeof POST_KINDS)[number];
export const POST_STATUSES = ['open', 'closed', 'expired'] as const;
export type PostStatus = (typeof POST_STATUSES)[number];
export const ALLOCATION_STATUSES = ['proposed', 'pledged', 'fulfilled', 'rejected', 'withdrawn', 'broken'] as const;
export type ProposalStatus = (typeof ALLOCATION_STATUSES)[number];
export const CLEARING_RUN_STATUSES = ['proposed', 'applied', 'stale', 'empty'] as const;
export type ClearingRunStatus = (typeof CLEARING_RUN_STATUSES)[number];
