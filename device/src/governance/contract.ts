import { refusals, refuser } from '../errors.js';

/** What governance (proposals, votes, delegation, budgeting) refuses, by problem type (`refusals` in errors.ts gives each code its status and English title). */
export const GOVERNANCE_REFUSALS = refusals({
  'rule-broken': [
    'a-block-cites-a-core-value',
    'delegation-cycle',
    'discussion-has-closed',
    'more-than-the-budget',
    'more-than-the-fund-has',
    'more-than-the-fund-holds',
    'no-blocks-here',
    'outside-its-range',
    'still-in-discussion',
    'too-many-points',
    'voting-has-closed',
  ],
  conflict: ['already-voted', 'round-closed'],
});

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
