import { refuser, type Refusals } from '../errors.js';

/**
 * What the skills inventory and time bank refuses: each code with its HTTP status, problem type and
 * English title. Clients word a refusal from its code (the console in every
 * language it has); the detail says what was wrong this time.
 */
export const SKILLS_REFUSALS = {
  'already-answered': { status: 422, type: 'rule-broken', title: 'Already answered' },
  'completed': { status: 422, type: 'rule-broken', title: 'Completed' },
  'no-hours-to-confirm': { status: 422, type: 'rule-broken', title: 'No hours to confirm' },
  'not-taken': { status: 422, type: 'rule-broken', title: 'Not taken' },
  'post-not-open': { status: 422, type: 'rule-broken', title: 'Not open' },
  'your-own-post': { status: 422, type: 'rule-broken', title: 'Your own post' },
} as const satisfies Refusals;

export const refuse = refuser(SKILLS_REFUSALS);
