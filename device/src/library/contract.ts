import { refuser, type Refusals } from '../errors.js';

/**
 * What the tool library refuses: each code with its HTTP status, problem type and
 * English title. Clients word a refusal from its code (the console in every
 * language it has); the detail says what was wrong this time.
 */
export const LIBRARY_REFUSALS = {
  'already-booked': { status: 409, type: 'conflict', title: 'Already booked' },
  'already-in-the-queue': { status: 409, type: 'conflict', title: 'Already in the queue' },
  'already-returned': { status: 422, type: 'rule-broken', title: 'Already returned' },
  'booked-after-you': { status: 422, type: 'rule-broken', title: 'Booked after you' },
  'booked-by-someone-else': { status: 409, type: 'conflict', title: 'Booked by someone else' },
  'damage-above-deposit': { status: 422, type: 'rule-broken', title: 'Damage above deposit' },
  'held-for-someone-else': { status: 409, type: 'conflict', title: 'Held for someone else' },
  'in-maintenance': { status: 422, type: 'rule-broken', title: 'In maintenance' },
  'induction-needed': { status: 422, type: 'rule-broken', title: 'Induction needed' },
  'last-already': { status: 422, type: 'rule-broken', title: 'Last already' },
  'no-more-renewals': { status: 422, type: 'rule-broken', title: 'No more renewals' },
  'not-a-member': { status: 422, type: 'member-not-active', title: 'Not a member' },
  'not-a-next-step': { status: 422, type: 'rule-broken', title: 'Not a next step' },
  'not-booked': { status: 422, type: 'rule-broken', title: 'Not booked' },
  'others-are-waiting': { status: 422, type: 'rule-broken', title: 'Others are waiting' },
  'out-on-loan': { status: 409, type: 'conflict', title: 'Out on loan' },
  'still-on-loan': { status: 422, type: 'rule-broken', title: 'Out on loan' },
  'photo-too-large': { status: 413, type: 'payload-too-large', title: 'Photo too large' },
  retired: { status: 422, type: 'rule-broken', title: 'Retired' },
  returned: { status: 422, type: 'rule-broken', title: 'Returned' },
  'too-long': { status: 422, type: 'rule-broken', title: 'Too long' },
  'too-many-photos': { status: 422, type: 'rule-broken', title: 'Too many photos' },
  'you-have-it': { status: 422, type: 'rule-broken', title: 'You have it' },
} as const satisfies Refusals;

export const refuse = refuser(LIBRARY_REFUSALS);

// Its records' closed sets of values, once: types are inferred from them, and the HTTP schemas (z.enum) use the same arrays.
export const TICKET_STATES = ['assess', 'parts', 'repairing', 'resolved', 'retired'] as const;
export type TicketState = (typeof TICKET_STATES)[number];
export const ITEM_STATUSES = ['available', 'on-loan', 'maintenance', 'retired'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];
export const RESERVATION_STATUSES = ['booked', 'collected', 'cancelled', 'voided', 'lapsed'] as const;
export type ReservationStatus = (typeof RESERVATION_STATUSES)[number];
export const BUSY_KINDS = ['reservation', 'loan'] as const;
export type BusyKind = (typeof BUSY_KINDS)[number];
