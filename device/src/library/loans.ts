import { DAY_MS } from '../clock.js';
import { found, HubError } from '../errors.js';
import { randomId } from '../ids.js';
import type { Condition, Item, Loan } from './types.js';
import { refuse } from './contract.js';
import type { Bookings } from './bookings.js';
import type { HoldQueue } from './holds.js';
import type { Maintenance } from './maintenance.js';
import { DEPOSIT_ESCROW, LIBRARY_POOL, LibraryPart, overlaps, type Actor, type LibraryDeps, type LibraryRecords } from './part.js';

/**
 * Lending: inductions, check-out and check-in with their deposits and fees
 * (in the same transaction as the loan), renewals, and the daily reminders.
 */
export class Loans extends LibraryPart {
  constructor(
    deps: LibraryDeps,
    records: LibraryRecords,
    private readonly bookings: Bookings,
    private readonly holdQueue: HoldQueue,
    private readonly maintenance: Maintenance,
  ) {
    super(deps, records);
  }

  loan(id: string): Loan {
    return found(this.db.loans.get(id), `loan ${id}`);
  }

  loansOf(filter: { memberId?: string; open?: boolean; itemId?: string } = {}): Loan[] {
    return this.db.loans
      .where(
        (l) =>
          (!filter.memberId || l.memberId === filter.memberId) &&
          (!filter.itemId || l.itemId === filter.itemId) &&
          (filter.open === undefined || (l.returnedAt === null) === filter.open),
      )
      .sort((a, b) => b.checkedOutAt - a.checkedOutAt);
  }

  async recordInduction(memberId: string, itemId: string, actor: string): Promise<void> {
    await this.store.write(() => {
      const it = this.item(itemId);
      this.db.inductions.put([memberId, it.id], { at: this.clock.now(), by: actor });
      this.auditInTxn(it.id, actor, 'induction recorded', { memberId });
    });
  }

  /**
   * Hands an item over. The deposit moves into escrow and the fee to the
   * library's pool in the same transaction as the loan, so a deposit the
   * member cannot cover refuses the whole check-out.
   */
  async checkOut(itemId: string, memberId: string, actor: Actor, opts: { condition?: Condition; days?: number } = {}): Promise<Loan> {
    const loan = await this.store.write(() => {
      const it = this.item(itemId);
      const now = this.clock.now();
      if (!actor.steward && (!this.params().selfService || actor.id !== memberId))
        throw HubError.forbidden('check-out is done at the steward desk on this hub');
      if (it.needsApproval && !actor.steward) throw HubError.forbidden(`${it.code} needs a steward's approval to borrow`);
      if (it.needsInduction && !this.db.inductions.get([memberId, it.id]))
        throw refuse('induction-needed', `${it.code} needs a safety induction first; ask a steward`);
      if (it.status === 'retired') throw refuse('retired', `${it.code} has been retired`);
      if (it.status === 'maintenance') throw refuse('in-maintenance', `${it.code} is being repaired`);
      if (it.status === 'on-loan' || this.openLoanOf(it.id)) throw refuse('out-on-loan', `${it.code} is already out on loan`);
      const days = opts.days ?? it.loanDays;
      if (!Number.isInteger(days) || days < 1 || days > this.params().maxBookingDays)
        throw HubError.badRequest(`a loan lasts 1 to ${this.params().maxBookingDays} days`);
      const dueAt = now + days * DAY_MS;
      // Someone else's booking for this time, or a ready hold, comes first.
      const mine = this.bookings
        .reservationsOf(it.id, now)
        .find((r) => r.memberId === memberId && r.status === 'booked' && r.from <= now + DAY_MS && r.to > now);
      const clash = this.bookings.busy(it.id, now, dueAt).find((b) => !(b.kind === 'reservation' && b.memberId === memberId));
      if (clash)
        throw refuse('booked-by-someone-else', `${it.code} is booked from ${new Date(clash.from).toISOString()}`, {
          clash: { from: clash.from, to: clash.to },
        });
      const q = this.db.holds.get(it.id) ?? [];
      const head = q[0];
      if (head && head.memberId !== memberId && head.readyAt !== null)
        throw refuse('held-for-someone-else', `${it.code} is held for another member until ${new Date(head.pickupBy ?? now).toISOString().slice(0, 10)}`);
      const myHold = q.find((h) => h.memberId === memberId);
      const waitedMs = myHold ? now - myHold.joinedAt : 0;
      if (it.deposit > 0)
        this.ledger.payInTxn(
          { payer: memberId, payee: DEPOSIT_ESCROW, amount: it.deposit, memo: `deposit ${it.code}`, category: 'library', actor: actor.id },
          null,
        );
      if (it.fee > 0)
        this.ledger.payInTxn({ payer: memberId, payee: LIBRARY_POOL, amount: it.fee, memo: `loan fee ${it.code}`, category: 'library', actor: actor.id }, null);
      const l: Loan = {
        id: randomId('l_', 6),
        itemId: it.id,
        memberId,
        reservationId: mine?.id ?? null,
        checkedOutAt: now,
        checkedOutBy: actor.id,
        dueAt,
        conditionOut: opts.condition ?? it.condition,
        deposit: it.deposit,
        fee: it.fee,
        renewals: 0,
        returnedAt: null,
        checkedInBy: null,
        conditionIn: null,
        damageCharged: 0,
        waitedMs,
      };
      this.db.loans.put(l.id, l);
      this.db.openLoans.put(it.id, l.id);
      if (mine) this.db.reservations.put(mine.id, { ...mine, status: 'collected' });
      this.db.items.put(it.id, { ...it, status: 'on-loan', condition: l.conditionOut });
      this.db.holds.put(
        it.id,
        q.filter((h) => h.memberId !== memberId),
      );
      this.auditInTxn(it.id, actor.id, 'checked out', { loan: l.id, memberId, dueAt, condition: l.conditionOut, deposit: l.deposit, fee: l.fee });
      return l;
    });
    this.log.info({ module: 'library', loan: loan.id, item: loan.itemId, member: memberId }, 'checked out');
    return loan;
  }

  /**
   * Takes an item back: records its condition, refunds the deposit less any
   * damage (never more than the deposit), counts the return for the
   * borrower's reliability, and hands the item to the next holder.
   */
  async checkIn(loanId: string, actor: Actor, opts: { condition: Condition; damage?: number; note?: string }): Promise<Loan> {
    const done = await this.store.write(() => {
      const l = this.loan(loanId);
      if (l.returnedAt !== null) throw refuse('already-returned', `loan ${loanId} was returned`);
      if (!actor.steward && (!this.params().selfService || actor.id !== l.memberId))
        throw HubError.forbidden('check-in is done at the steward desk on this hub');
      const damage = opts.damage ?? 0;
      if (!Number.isSafeInteger(damage) || damage < 0) throw HubError.badRequest('damage must be a whole number of minor units ≥ 0');
      if (damage > l.deposit)
        throw refuse('damage-above-deposit', `at most the deposit of ${l.deposit} can be charged here; raise the rest as a payment request`);
      if (damage > 0 && !actor.steward) throw HubError.forbidden('only a steward charges damage');
      const now = this.clock.now();
      const it = this.itemById(l.itemId);
      if (damage > 0) {
        this.ledger.payInTxn(
          { payer: DEPOSIT_ESCROW, payee: LIBRARY_POOL, amount: damage, memo: `damage ${it.code}`, category: 'library', actor: actor.id },
          null,
        );
        this.auditLog?.recordInTxn(actor.id, 'write-off', it.code, { loan: l.id, member: l.memberId, damageCharged: damage }, null);
      }
      if (l.deposit - damage > 0)
        this.ledger.payInTxn(
          { payer: DEPOSIT_ESCROW, payee: l.memberId, amount: l.deposit - damage, memo: `deposit back ${it.code}`, category: 'library', actor: actor.id },
          null,
        );
      const onTime = now <= l.dueAt;
      this.reliability.recordInTxn(l.memberId, onTime ? 'loansOnTime' : 'loansLate');
      const back: Loan = { ...l, returnedAt: now, checkedInBy: actor.id, conditionIn: opts.condition, damageCharged: damage };
      this.db.loans.put(l.id, back);
      this.db.openLoans.remove(l.itemId);
      const loanCount = it.loanCount + 1;
      let next: Item = { ...it, loanCount, condition: opts.condition, status: 'available' };
      this.db.items.put(it.id, next);
      this.auditInTxn(it.id, actor.id, 'checked in', { loan: l.id, condition: opts.condition, damage, onTime });
      this.notifications.sendInTxn(
        [l.memberId],
        'loan-returned',
        { code: it.code, name: it.name, depositBack: l.deposit - damage },
        { ref: `library/${it.code}` },
      );
      // A broken return, or a maintenance plan coming due, opens a ticket by itself.
      if (opts.condition === 'broken') this.maintenance.openTicketInTxn(next, `returned broken${opts.note ? `: ${opts.note}` : ''}`, actor.id);
      else if (it.plan && loanCount % it.plan.everyLoans === 0)
        this.maintenance.openTicketInTxn(next, `${it.plan.task} (every ${it.plan.everyLoans} loans)`, 'maintenance-plan');
      next = this.itemById(it.id);
      if (next.status === 'available') this.holdQueue.passOnInTxn(next, [...(this.db.holds.get(it.id) ?? [])]);
      return back;
    });
    this.log.info({ module: 'library', loan: loanId, damage: done.damageCharged }, 'checked in');
    return done;
  }

  /** Another loan period, up to the limit, and never while someone is waiting. */
  async renew(loanId: string, actor: Actor): Promise<Loan> {
    return this.store.write(() => {
      const l = this.loan(loanId);
      if (l.memberId !== actor.id && !actor.steward) throw HubError.forbidden('not your loan');
      if (l.returnedAt !== null) throw refuse('returned', 'this loan has ended');
      const it = this.itemById(l.itemId);
      if (l.renewals >= it.maxRenewals) throw refuse('no-more-renewals', `${it.code} can be renewed ${it.maxRenewals} times`);
      if ((this.db.holds.get(it.id) ?? []).length > 0) throw refuse('others-are-waiting', `someone holds ${it.code}; please bring it back`);
      const dueAt = l.dueAt + it.loanDays * DAY_MS;
      const clash = this.bookings
        .reservationsOf(it.id, l.dueAt)
        .find((r) => r.status === 'booked' && r.memberId !== l.memberId && overlaps(r.from, r.to, l.dueAt, dueAt));
      if (clash) throw refuse('booked-after-you', `${it.code} is booked from ${new Date(clash.from).toISOString().slice(0, 10)}`);
      const next = { ...l, dueAt, renewals: l.renewals + 1 };
      this.db.loans.put(l.id, next);
      this.auditInTxn(it.id, actor.id, 'renewed', { loan: l.id, dueAt });
      return next;
    });
  }

  overdue(): Loan[] {
    const now = this.clock.now();
    return this.loansOf({ open: true }).filter((l) => l.dueAt < now);
  }

  /**
   * Daily: due-soon and overdue reminders (once each per day), and holds
   * whose pickup window passed move on to the next member.
   */
  async sendReminders(): Promise<{ dueSoon: number; overdue: number; holdsPassed: number; bookings: number }> {
    const now = this.clock.now();
    const day = Math.floor(now / DAY_MS);
    let dueSoon = 0;
    let overdue = 0;
    let holdsPassed = 0;
    let bookings = 0;
    await this.store.write(() => {
      // A booking that starts within a day is remembered once.
      for (const { value: r } of this.db.reservations.getRange({})) {
        if (r.status !== 'booked' || r.from < now || r.from - now > DAY_MS) continue;
        const it = this.db.items.get(r.itemId);
        if (
          it &&
          this.notifications.sendInTxn(
            [r.memberId],
            'booking-reminder',
            { code: it.code, name: it.name, from: r.from, to: r.to },
            { ref: `library/${it.code}`, key: `booking:${r.id}` },
          )
        )
          bookings++;
      }
      for (const l of this.loansOf({ open: true })) {
        const it = this.itemById(l.itemId);
        if (l.dueAt < now) {
          if (
            this.notifications.sendInTxn(
              [l.memberId],
              'loan-overdue',
              { code: it.code, name: it.name, date: l.dueAt },
              { ref: `library/${it.code}`, key: `overdue:${l.id}:${day}` },
            )
          )
            overdue++;
        } else if (l.dueAt - now < DAY_MS) {
          if (
            this.notifications.sendInTxn(
              [l.memberId],
              'loan-due',
              { code: it.code, name: it.name, date: l.dueAt },
              { ref: `library/${it.code}`, key: `due:${l.id}:${l.dueAt}` },
            )
          )
            dueSoon++;
        }
      }
      for (const { key, value } of this.db.holds.getRange({})) {
        const q = [...value];
        let changed = false;
        for (let lapsed = q[0]; lapsed && lapsed.pickupBy !== null && lapsed.pickupBy < now; lapsed = q[0]) {
          q.shift();
          const lapsedItem = this.itemById(key);
          this.notifications.sendInTxn(
            [lapsed.memberId],
            'hold-lapsed',
            { code: lapsedItem.code, name: lapsedItem.name },
            { ref: `library/${lapsedItem.code}` },
          );
          holdsPassed++;
          changed = true;
        }
        if (changed) {
          this.holdQueue.passOnInTxn(this.itemById(key), q);
          this.auditInTxn(key, null, 'hold passed on');
        }
      }
    });
    this.log.info({ module: 'library', dueSoon, overdue, holdsPassed, bookings }, 'library reminders');
    return { dueSoon, overdue, holdsPassed, bookings };
  }
}
