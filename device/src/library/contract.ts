import { refusals, refuser } from '../errors.js';

/** What the tool library refuses, by problem type (`refusals` in errors.ts gives each code its status and English title). */
export const LIBRARY_REFUSALS = refusals({
  'rule-broken': [
    'already-returned',
    'booked-after-you',
    'damage-above-deposit',
    'in-maintenance',
    'induction-needed',
    'last-already',
    'no-more-renewals',
    'not-a-next-step',
    'not-booked',
    'others-are-waiting',
    'still-on-loan',
    'retired',
    'returned',
    'too-long',
    'too-many-photos',
    'you-have-it',
  ],
  conflict: ['already-booked', 'already-in-the-queue', 'booked-by-someone-else', 'held-for-someone-else', 'out-on-loan'],
  'member-not-active': ['not-a-member'],
  'payload-too-large': ['photo-too-large'],
});

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
