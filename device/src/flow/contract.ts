import { refuser, type Refusals } from '../errors.js';

/**
 * What the flow engine (allocations, clearing, emergencies) refuses: each code with its HTTP status, problem type and
 * English title. Clients word a refusal from its code (the console in every
 * language it has); the detail says what was wrong this time.
 */
export const FLOW_REFUSALS = {
  'allocation-not-open': { status: 422, type: 'rule-broken', title: 'Not open' },
  'clearing-not-open': { status: 422, type: 'rule-broken', title: 'Not open' },
  'not-pledged': { status: 422, type: 'rule-broken', title: 'Not pledged' },
} as const satisfies Refusals;

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
