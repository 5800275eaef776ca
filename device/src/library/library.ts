import type { Logger } from 'pino';
import type { AuditLog } from '../audit/audit.js';
import type { Clock } from '../clock.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Notifications } from '../notifications/notifications.js';
import type { Reliability } from '../reliability/reliability.js';
import type { Store } from '../store/store.js';
import { Bookings } from './bookings.js';
import { Catalogue } from './catalogue.js';
import { HoldQueue } from './holds.js';
import { Loans } from './loans.js';
import { Maintenance } from './maintenance.js';
import { DEPOSIT_ESCROW, LIBRARY_POOL, openLibraryRecords, type LibraryDeps, type LibraryParams } from './part.js';
import { Reports } from './reports.js';

export { DEPOSIT_ESCROW, LIBRARY_POOL, type Actor, type LibraryParams } from './part.js';
export type { NewItem } from './catalogue.js';

/**
 * The tool library and bookable resources, as the parts stewards and members
 * deal with: the catalogue, bookings, the holds queue, loans, maintenance and
 * reports, over one set of records. Every change that involves money
 * (deposits, fees, damage) happens in the same transaction as the loan,
 * through the ledger's in-transaction payment, and every change of an item's
 * state is written to its audit trail with who did it.
 */
export class Library {
  readonly catalogue: Catalogue;
  readonly bookings: Bookings;
  readonly holds: HoldQueue;
  readonly loans: Loans;
  readonly maintenance: Maintenance;
  readonly reports: Reports;

  constructor(
    store: Store,
    private readonly ledger: Ledger,
    reliability: Reliability,
    notifications: Notifications,
    clock: Clock,
    params: () => LibraryParams,
    log: Logger,
    auditLog?: AuditLog,
  ) {
    const deps: LibraryDeps = { store, ledger, reliability, notifications, clock, params, log, auditLog };
    const records = openLibraryRecords(store);
    this.bookings = new Bookings(deps, records);
    this.catalogue = new Catalogue(deps, records, this.bookings);
    this.holds = new HoldQueue(deps, records);
    this.maintenance = new Maintenance(deps, records, this.bookings, this.holds);
    this.loans = new Loans(deps, records, this.bookings, this.holds, this.maintenance);
    this.reports = new Reports(deps, records, this.catalogue, this.loans, this.maintenance);
  }

  /** Migration: the accounts deposits and fees move through. */
  initInTxn(): void {
    this.ledger.openAccountInTxn(DEPOSIT_ESCROW, 'credit', null);
    this.ledger.openAccountInTxn(LIBRARY_POOL, 'credit', null);
  }
}
