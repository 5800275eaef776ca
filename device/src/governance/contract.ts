import { refuser, type Refusals } from '../errors.js';

/**
 * What governance (proposals, votes, delegation, budgeting) refuses: each code with its HTTP status, problem type and
 * English title. Clients word a refusal from its code (the console in every
 * language it has); the detail says what was wrong this time.
 */
export const GOVERNANCE_REFUSALS = {
  'a-block-cites-a-core-value': { status: 422, type: 'rule-broken', title: 'A block cites a core value' },
  'already-voted': { status: 409, type: 'conflict', title: 'Already voted' },
  'delegation-cycle': { status: 422, type: 'rule-broken', title: 'Delegation cycle' },
  'discussion-has-closed': { status: 422, type: 'rule-broken', title: 'Discussion has closed' },
  'more-than-the-budget': { status: 422, type: 'rule-broken', title: 'More than the budget' },
  'more-than-the-fund-has': { status: 422, type: 'rule-broken', title: 'More than the fund has' },
  'more-than-the-fund-holds': { status: 422, type: 'rule-broken', title: 'More than the fund holds' },
  'no-blocks-here': { status: 422, type: 'rule-broken', title: 'No blocks here' },
  'outside-its-range': { status: 422, type: 'rule-broken', title: 'Outside its range' },
  'round-closed': { status: 409, type: 'conflict', title: 'Round closed' },
  'still-in-discussion': { status: 422, type: 'rule-broken', title: 'Still in discussion' },
  'too-many-points': { status: 422, type: 'rule-broken', title: 'Too many points' },
  'voting-has-closed': { status: 422, type: 'rule-broken', title: 'Voting has closed' },
} as const satisfies Refusals;

export const refuse = refuser(GOVERNANCE_REFUSALS);

// Its records' closed sets of values, once: types are inferred from them, and the HTTP schemas (z.enum) use the same arrays.
export const DECISION_MODES = ['consensus', 'supermajority', 'majority'] as const;
export type DecisionMode = (typeof DECISION_MODES)[number];
export const PROPOSAL_STATUSES = ['open', 'passed', 'failed', 'executed'] as const;
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];
export const CHOICES = ['yes', 'no', 'abstain', 'block'] as const;
export type Choice = (typeof CHOICES)[number];
export const ROUND_STATUSES = ['open', 'closed'] as const;
export type RoundStatus = (typeof ROUND_STATUSES)[number];
