import { refuser, type Refusals } from '../errors.js';

/**
 * What the ledger refuses: each code with its HTTP status, problem type and
 * English title. Clients word a refusal from its code (the console in every
 * language it has); the detail says what was wrong this time.
 */
export const LEDGER_REFUSALS = {
  'already-proposed': { status: 409, type: 'conflict', title: 'Already proposed' },
  'limits-do-not-fit': { status: 422, type: 'rule-broken', title: 'Limits do not fit' },
  'no-such-account': { status: 422, type: 'rule-broken', title: 'No such account' },
  'over-credit-limit': { status: 422, type: 'over-credit-limit', title: 'Over the credit limit' },
  'over-the-payee-s-ceiling': { status: 422, type: 'over-ceiling', title: "Over the payee's ceiling" },
  'payee-cannot-be-paid': { status: 422, type: 'member-not-active', title: 'Payee cannot be paid' },
  'payer-cannot-pay': { status: 422, type: 'member-not-active', title: 'Payer cannot pay' },
  'request-closed': { status: 422, type: 'rule-broken', title: 'Request closed' },
  'request-expired': { status: 422, type: 'rule-broken', title: 'Request expired' },
  'same-account': { status: 422, type: 'rule-broken', title: 'Same account' },
  'time-bank-is-off': { status: 422, type: 'rule-broken', title: 'Time bank is off' },
} as const satisfies Refusals;

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
