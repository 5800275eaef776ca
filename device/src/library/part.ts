import type { Logger } from 'pino';
import type { AuditLog } from '../audit/audit.js';
import type { Clock } from '../clock.js';
import { found } from '../errors.js';
import type { Ledger } from '../ledger/ledger.js';
import { ESCROW_PREFIX, POOL_PREFIX } from '../ledger/types.js';
import type { Notifications } from '../notifications/notifications.js';
import type { Reliability } from '../reliability/reliability.js';
import type { Store } from '../store/store.js';
import type { AuditEntry, HoldEntry, Item, Loan, Reservation, Ticket } from './types.js';

/** Deposits wait here while a tool is out; they belong to the borrower. */
export const DEPOSIT_ESCROW = `${ESCROW_PREFIX}library`;
/** Loan fees and damage charges go to the library's pool. */
export const LIBRARY_POOL = `${POOL_PREFIX}library`;

export interface LibraryParams {
  pickupWindowMs: number;
  selfService: boolean;
  maxBookingDays: number;
}

/** Who acts on the library: a member, and whether as a steward. */
export interface Actor {
  id: string;
  steward: boolean;
}

/** What the library's parts work with: the hub's modules they reach into, and its settings. */
export interface LibraryDeps {
  store: Store;
  ledger: Ledger;
  reliability: Reliability;
  notifications: Notifications;
  clock: Clock;
  params: () => LibraryParams;
  log: Logger;
  auditLog?: AuditLog;
}

export const overlaps = (a1: number, a2: number, b1: number, b2: number) => a1 < b2 && b1 < a2;

/** The library's sub-databases, opened once and shared by its parts. */
export function openLibraryRecords(store: Store) {
  return {
    items: store.db<Item, string>('library-items'),
    codes: store.db<string, string>('library-codes'),
    photos: store.db<{ itemId: string; mime: string; bytes: Uint8Array }, string>('library-photos'),
    reservations: store.collection<Reservation, string>('library-reservations', 'reservation'),
    holds: store.db<HoldEntry[], string>('library-holds'),
    loans: store.collection<Loan, string>('library-loans', 'loan'),
    tickets: store.collection<Ticket, string>('library-tickets', 'ticket'),
    audit: store.db<AuditEntry, [string, number]>('library-audit'),
    inductions: store.db<{ at: number; by: string }, [string, string]>('library-inductions'),
    meta: store.db<number, string>('library-meta'),
    /** Reservations by item then start time, for availability and conflict checks. */
    reservationsByItem: store.db<string, [string, number, string]>('library-reservations-by-item'),
    /** The open loan of each item that is out. */
    openLoans: store.db<string, string>('library-open-loans'),
  };
}
export type LibraryRecords = ReturnType<typeof openLibraryRecords>;

/**
 * What every part of the library shares: its records, the modules it works
 * with, the item and open-loan lookups and the item's audit trail. Each part
 * (catalogue, bookings, holds, loans, maintenance, reports) owns the changes
 * of its own aggregate and asks the others, by name, for theirs.
 */
export abstract class LibraryPart {
  protected readonly store: Store;
  protected readonly ledger: Ledger;
  protected readonly reliability: Reliability;
  protected readonly notifications: Notifications;
  protected readonly clock: Clock;
  protected readonly params: () => LibraryParams;
  protected readonly log: Logger;
  protected readonly auditLog: AuditLog | undefined;
  /** The library's sub-databases, shared by every part. */
  protected readonly db: LibraryRecords;

  constructor(deps: LibraryDeps, records: LibraryRecords) {
    this.store = deps.store;
    this.ledger = deps.ledger;
    this.reliability = deps.reliability;
    this.notifications = deps.notifications;
    this.clock = deps.clock;
    this.params = deps.params;
    this.log = deps.log;
    this.auditLog = deps.auditLog;
    this.db = records;
  }

  /** An item by its id or its code (any case). */
  item(idOrCode: string): Item {
    const id = this.db.codes.get(idOrCode.toUpperCase()) ?? idOrCode;
    return found(this.db.items.get(id), `item ${idOrCode}`);
  }

  /** An item by its id alone, as records that point at it (loans, holds, tickets) hold it: no code lookup. */
  itemById(id: string): Item {
    return found(this.db.items.get(id), `item ${id}`);
  }

  /** The loan of an item that is out now. */
  openLoanOf(itemId: string): Loan | undefined {
    const id = this.db.openLoans.get(itemId);
    return id ? this.db.loans.get(id) : undefined;
  }

  protected auditInTxn(itemId: string, by: string | null, action: string, detail: Record<string, unknown> = {}): void {
    let n = 0;
    for (const key of this.db.audit.getKeys({ start: [itemId, Number.MAX_SAFE_INTEGER], end: [itemId, -1], reverse: true, limit: 1 })) n = key[1] + 1;
    this.db.audit.put([itemId, n], { at: this.clock.now(), itemId, by, action, detail });
  }
}
