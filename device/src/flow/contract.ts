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
