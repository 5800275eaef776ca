import { refusals, refuser } from '../errors.js';

/** What the ledger refuses, by problem type (`refusals` in errors.ts gives each code its status and English title). */
export const LEDGER_REFUSALS = refusals(
  {
    'rule-broken': ['limits-do-not-fit', 'no-such-account', 'request-closed', 'request-expired', 'same-account', 'time-bank-is-off'],
    conflict: ['already-proposed'],
    'member-not-active': ['payee-cannot-be-paid', 'payer-cannot-pay'],
    'over-credit-limit': ['over-credit-limit'],
    'over-ceiling': ['over-the-payee-s-ceiling'],
  },
  { 'over-credit-limit': 'Over the credit limit', 'over-the-payee-s-ceiling': "Over the payee's ceiling" },
);

export const refuse = refuser(LEDGER_REFUSALS);

// Its records' closed sets of values, once: types are inferred from them, and the HTTP schemas (z.enum) use the same arrays.
export const REQUEST_STATUSES = ['open', 'accepted', 'rejected', 'cancelled', 'expired', 'cleared'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];
export const ACCOUNT_STATUSES = ['open', 'frozen'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];
export const HISTORY_KINDS = ['transfer', 'demurrage'] as const;
export type HistoryKind = (typeof HISTORY_KINDS)[number];
export const LIMIT_CHANGE_STATUSES = ['pending', 'approved', 'declined'] as const;
export type LimitChangeStatus = (typeof LIMIT_CHANGE_STATUSES)[number];
