import { refuser, type Refusals } from '../errors.js';

/**
 * What the ecology module (water prices, regeneration reports) refuses: each code with its HTTP status, problem type and
 * English title. Clients word a refusal from its code (the console in every
 * language it has); the detail says what was wrong this time.
 */
export const ECOLOGY_REFUSALS = {
  'already-decided': { status: 422, type: 'rule-broken', title: 'Already decided' },
  'not-your-own-work': { status: 422, type: 'rule-broken', title: 'Not your own work' },
  'price-changed': { status: 409, type: 'price-changed', title: 'The price has changed' },
} as const satisfies Refusals;

export const refuse = refuser(ECOLOGY_REFUSALS);
