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
