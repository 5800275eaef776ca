import { refusals, refuser } from '../errors.js';

/** What links with other hubs refuses, by problem type (`refusals` in errors.ts gives each code its status and English title). */
export const FEDERATION_REFUSALS = refusals(
  {
    'rule-broken': [
      'message-refused',
      'balance-not-settled',
      'link-closing',
      'link-not-open-for-payments',
      'no-route',
      'nothing-to-clear',
      'over-the-link-s-trust-limit',
    ],
    forbidden: ['unknown-sender'],
  },
  { 'unknown-sender': 'Message refused', 'over-the-link-s-trust-limit': "Over the link's trust limit" },
);

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
