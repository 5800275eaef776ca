import type { TicketState, ItemStatus, ReservationStatus } from './contract.js';
export const ITEM_KINDS = ['tool', 'equipment', 'space', 'vehicle'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

export const CONDITIONS = ['new', 'good', 'fair', 'poor', 'broken'] as const;
export type Condition = (typeof CONDITIONS)[number];

/** available → on-loan → available; maintenance while a ticket is open; retired for good. */
export type { ItemStatus };

export interface MaintenancePlan {
  everyLoans: number;
  task: string;
}

export interface Item {
  id: string;
  /** The code on the label, e.g. T-0042. */
  code: string;
  kind: ItemKind;
  name: string;
  category: string;
  description: string;
  location: string;
  condition: Condition;
  replacementValue: number;
  deposit: number;
  fee: number;
  needsApproval: boolean;
  needsInduction: boolean;
  /** Spaces and vehicles are booked by slots of this many minutes; tools by whole days (1440). */
  slotMinutes: number;
  loanDays: number;
  maxRenewals: number;
  plan: MaintenancePlan | null;
  photos: string[];
  status: ItemStatus;
  loanCount: number;
  createdAt: number;
}

export type { ReservationStatus };

export interface Reservation {
  id: string;
  itemId: string;
  memberId: string;
  from: number;
  to: number;
  status: ReservationStatus;
  createdAt: number;
  note: string | null;
}

export interface HoldEntry {
  memberId: string;
  joinedAt: number;
  /** Set when the item came back for this holder: they have until pickupBy. */
  readyAt: number | null;
  pickupBy: number | null;
}

export interface Loan {
  id: string;
  itemId: string;
  memberId: string;
  reservationId: string | null;
  checkedOutAt: number;
  checkedOutBy: string;
  dueAt: number;
  conditionOut: Condition;
  deposit: number;
  fee: number;
  renewals: number;
  returnedAt: number | null;
  checkedInBy: string | null;
  conditionIn: Condition | null;
  damageCharged: number;
  /** How long the member waited in the holds queue, if they did. */
  waitedMs: number;
}

export type { TicketState };

export interface Ticket {
  id: string;
  itemId: string;
  state: TicketState;
  title: string;
  openedBy: string;
  openedAt: number;
  closedAt: number | null;
  history: Array<{ state: TicketState; at: number; by: string; note: string | null }>;
}

export interface AuditEntry {
  at: number;
  itemId: string;
  by: string | null;
  action: string;
  detail: Record<string, unknown>;
}

export const TICKET_NEXT: Record<TicketState, TicketState[]> = {
  assess: ['parts', 'repairing', 'resolved', 'retired'],
  parts: ['repairing', 'retired'],
  repairing: ['parts', 'resolved', 'retired'],
  resolved: [],
  retired: [],
};
