import { refuser, type Refusals } from '../errors.js';

/**
 * What links with other hubs refuses: each code with its HTTP status, problem type and
 * English title. Clients word a refusal from its code (the console in every
 * language it has); the detail says what was wrong this time.
 */
export const FEDERATION_REFUSALS = {
  'message-refused': { status: 422, type: 'rule-broken', title: 'Message refused' },
  'unknown-sender': { status: 403, type: 'forbidden', title: 'Message refused' },
  'balance-not-settled': { status: 422, type: 'rule-broken', title: 'Balance not settled' },
  'link-closing': { status: 422, type: 'rule-broken', title: 'Link closing' },
  'link-not-open-for-payments': { status: 422, type: 'rule-broken', title: 'Link not open for payments' },
  'no-route': { status: 422, type: 'rule-broken', title: 'No route' },
  'nothing-to-clear': { status: 422, type: 'rule-broken', title: 'Nothing to clear' },
  'over-the-link-s-trust-limit': { status: 422, type: 'rule-broken', title: "Over the link's trust limit" },
} as const satisfies Refusals;

export const refuse = refuser(FEDERATION_REFUSALS);

// Its records' closed sets of values, once: types are inferred from them, and the HTTP schemas (z.enum) use the same arrays.
export const LINK_STATUSES = ['active', 'paused', 'closing', 'closed'] as const;
export type LinkStatus = (typeof LINK_STATUSES)[number];
export const TERMS_PROPOSERS = ['us', 'them'] as const;
export type TermsProposer = (typeof TERMS_PROPOSERS)[number];
export const PAYMENT_CURRENCIES = ['ours', 'theirs'] as const;
export type PaymentCurrency = (typeof PAYMENT_CURRENCIES)[number];
export const PAYMENT_DIRECTIONS = ['out', 'in'] as const;
export type PaymentDirection = (typeof PAYMENT_DIRECTIONS)[number];
export const PAYMENT_STATUSES = ['pending', 'completed', 'reversed', 'rejected'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];
export const REGIONAL_STATUSES = ['proposed', 'agreed', 'declined'] as const;
export type RegionalStatus = (typeof REGIONAL_STATUSES)[number];
export const HUB_CLEARING_STATUSES = ['proposed', 'committed', 'declined'] as const;
export type HubClearingStatus = (typeof HUB_CLEARING_STATUSES)[number];
