import { refusals, refuser } from '../errors.js';

/** What the skills inventory and time bank refuses, by problem type (`refusals` in errors.ts gives each code its status and English title). */
export const SKILLS_REFUSALS = refusals({
  'rule-broken': ['already-answered', 'completed', 'no-hours-to-confirm', 'not-taken', 'post-not-open', 'your-own-post'],
});

export const refuse = refuser(SKILLS_REFUSALS);

// Its records' closed sets of values, once: types are inferred from them, and the HTTP schemas (z.enum) use the same arrays.
export const OFFER_KINDS = ['offer', 'request'] as const;
export type OfferKind = (typeof OFFER_KINDS)[number];
export const OFFER_STATUSES = ['open', 'taken', 'completed', 'withdrawn', 'expired'] as const;
export type OfferStatus = (typeof OFFER_STATUSES)[number];
export const MENTORSHIP_STATUSES = ['proposed', 'accepted', 'declined'] as const;
export type MentorshipStatus = (typeof MENTORSHIP_STATUSES)[number];
