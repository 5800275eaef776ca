import { refuser, type Refusals } from '../errors.js';

/**
 * What the skills inventory and time bank refuses: each code with its HTTP status, problem type and
 * English title. Clients word a refusal from its code (the console in every
 * language it has); the detail says what was wrong this time.
 */
export const SKILLS_REFUSALS = {
  'already-answered': { status: 422, type: 'rule-broken', title: 'Already answered' },
  completed: { status: 422, type: 'rule-broken', title: 'Completed' },
  'no-hours-to-confirm': { status: 422, type: 'rule-broken', title: 'No hours to confirm' },
  'not-taken': { status: 422, type: 'rule-broken', title: 'Not taken' },
  'post-not-open': { status: 422, type: 'rule-broken', title: 'Not open' },
  'your-own-post': { status: 422, type: 'rule-broken', title: 'Your own post' },
} as const satisfies Refusals;

export const refuse = refuser(SKILLS_REFUSALS);

// Its records' closed sets of values, once: types are inferred from them, and the HTTP schemas (z.enum) use the same arrays.
export const OFFER_KINDS = ['offer', 'request'] as const;
export type OfferKind = (typeof OFFER_KINDS)[number];
export const OFFER_STATUSES = ['open', 'taken', 'completed', 'withdrawn', 'expired'] as const;
export type OfferStatus = (typeof OFFER_STATUSES)[number];
export const MENTORSHIP_STATUSES = ['proposed', 'accepted', 'declined'] as const;
export type MentorshipStatus = (typeof MENTORSHIP_STATUSES)[number];
