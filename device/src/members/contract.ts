import { refusals, refuser } from '../errors.js';

/** What membership and sign-in refuses, by problem type (`refusals` in errors.ts gives each code its status and English title). */
export const MEMBER_REFUSALS = refusals(
  {
    'rule-broken': ['cannot-suspend-yourself', 'invite-expired', 'invite-used', 'not-pending', 'not-suspended', 'the-last-admin', 'unknown-invite'],
    conflict: ['email-in-use'],
    // Signing in: a wrong email and a wrong password read alike, so the answer does not say who is a member.
    unauthenticated: ['wrong-email-or-password'],
    forbidden: ['wrong-password', 'membership-pending', 'membership-suspended'],
    'rate-limited': ['too-many-sign-in-attempts'],
  },
  { 'too-many-sign-in-attempts': 'Too many sign-in attempts' },
);

export const refuse = refuser(MEMBER_REFUSALS);

// Its records' closed sets of values, once: types are inferred from them, and the HTTP schemas (z.enum) use the same arrays.
export const MEMBER_STATUSES = ['pending', 'active', 'suspended'] as const;
export type MemberStatus = (typeof MEMBER_STATUSES)[number];
export const JOIN_ROUTES = ['steward', 'invite', 'request', 'bootstrap'] as const;
export type JoinRoute = (typeof JOIN_ROUTES)[number];
