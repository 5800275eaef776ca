import { refuser, type Refusals } from '../errors.js';

/**
 * What membership and sign-in refuses: each code with its HTTP status, problem type and
 * English title. Clients word a refusal from its code (the console in every
 * language it has); the detail says what was wrong this time.
 */
export const MEMBER_REFUSALS = {
  'cannot-suspend-yourself': { status: 422, type: 'rule-broken', title: 'Cannot suspend yourself' },
  'email-in-use': { status: 409, type: 'conflict', title: 'Email in use' },
  'invite-expired': { status: 422, type: 'rule-broken', title: 'Invite expired' },
  'invite-used': { status: 422, type: 'rule-broken', title: 'Invite used' },
  'not-pending': { status: 422, type: 'rule-broken', title: 'Not pending' },
  'not-suspended': { status: 422, type: 'rule-broken', title: 'Not suspended' },
  'the-last-admin': { status: 422, type: 'rule-broken', title: 'The last admin' },
  'too-many-sign-in-attempts': { status: 429, type: 'rate-limited', title: 'Too many sign-in attempts' },
  'unknown-invite': { status: 422, type: 'rule-broken', title: 'Unknown invite' },
  'wrong-password': { status: 403, type: 'forbidden', title: 'Wrong password' },
} as const satisfies Refusals;

export const refuse = refuser(MEMBER_REFUSALS);

// Its records' closed sets of values, once: types are inferred from them, and the HTTP schemas (z.enum) use the same arrays.
export const MEMBER_STATUSES = ['pending', 'active', 'suspended'] as const;
export type MemberStatus = (typeof MEMBER_STATUSES)[number];
export const JOIN_ROUTES = ['steward', 'invite', 'request', 'bootstrap'] as const;
export type JoinRoute = (typeof JOIN_ROUTES)[number];
