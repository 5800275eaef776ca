import { DAY_MS } from '../clock.js';
import { found, HubError } from '../errors.js';
import { randomId } from '../ids.js';
import type { Item, Reservation } from './types.js';
import { refuse, type BusyKind } from './contract.js';
import { LibraryPart, overlaps, type Actor } from './part.js';

/**
 * When an item is busy, and booking it: a booking and its conflict check are
 * one transaction, so two requests for the same slot never both succeed.
 */
export class Bookings extends LibraryPart {
  /** Busy intervals of an item: reservations and the current loan. */
  busy(itemId: string, from: number, to: number): Array<{ from: number; to: number; kind: BusyKind; memberId: string; id: string }> {
    const it = this.item(itemId);
    const out: Array<{ from: number; to: number; kind: BusyKind; memberId: string; id: string }> = [];
    for (const r of this.reservationsOf(it.id, from)) {
      if (r.from >= to) break;
      if ((r.status === 'booked' || r.status === 'collected') && overlaps(r.from, r.to, from, to))
        out.push({ from: r.from, to: r.to, kind: 'reservation', memberId: r.memberId, id: r.id });
    }
    const loan = this.openLoanOf(it.id);
    if (loan && overlaps(loan.checkedOutAt, Math.max(loan.dueAt, this.clock.now()), from, to)) {
      out.push({ from: loan.checkedOutAt, to: Math.max(loan.dueAt, this.clock.now()), kind: 'loan', memberId: loan.memberId, id: loan.id });
    }
    return out.sort((a, b) => a.from - b.from);
  }

  /** Neither retired nor in repair, and neither booked nor out for any of [from, to). */
  isFree(it: Item, from: number, to: number): boolean {
    if (it.status === 'retired' || it.status === 'maintenance') return false;
    return this.busy(it.id, from, to).length === 0;
  }

  /** An item's reservations that may overlap [from, …), by start time. */
  reservationsOf(itemId: string, from = 0): Reservation[] {
    // Bookings are capped in length, so any that overlaps [from, …) starts after from − the cap.
    const start = from > 0 ? from - this.params().maxBookingDays * DAY_MS : 0;
    const out: Reservation[] = [];
    for (const { value } of this.db.reservationsByItem.getRange({ start: [itemId, start, ''], end: [itemId, Number.MAX_SAFE_INTEGER, ''] })) {
      const r = this.db.reservations.get(value);
      if (r) out.push(r);
    }
    return out;
  }

  reservationsOfMember(memberId: string): Reservation[] {
    return this.db.reservations.where((r) => r.memberId === memberId).sort((a, b) => a.from - b.from);
  }

  /**
   * Books an item for [from, to). The conflict check and the booking are one
   * transaction, and LMDB runs write transactions one at a time, so two
   * requests for the same slot can never both succeed.
   */
  async reserve(itemId: string, memberId: string, from: number, to: number, actor: Actor, note: string | null = null): Promise<Reservation> {
    const res = await this.store.write(() => {
      const it = this.item(itemId);
      if (memberId !== actor.id && !actor.steward) throw HubError.forbidden('you can only reserve for yourself');
      if (!this.ledger.hasAccount(memberId)) throw refuse('not-a-member', `${memberId} has no account`);
      const slot = it.slotMinutes * 60_000;
      if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || to <= from) throw HubError.badRequest('the reservation must end after it starts');
      if (from % slot !== 0 || to % slot !== 0)
        throw HubError.badRequest(
          `${it.kind === 'tool' || it.kind === 'equipment' ? 'tools are booked by whole days' : `this ${it.kind} is booked in slots of ${it.slotMinutes} minutes`}`,
        );
      if (to - from > this.params().maxBookingDays * DAY_MS) throw refuse('too-long', `bookings may last at most ${this.params().maxBookingDays} days`);
      if (to <= this.clock.now()) throw HubError.badRequest('the reservation is in the past');
      if (it.status === 'retired') throw refuse('retired', `${it.code} has been retired`);
      if (it.status === 'maintenance') throw refuse('in-maintenance', `${it.code} is being repaired; join the holds queue instead`);
      const clash = this.busy(it.id, from, to)[0];
      if (clash) {
        throw refuse('already-booked', `${it.code} is booked from ${new Date(clash.from).toISOString()} to ${new Date(clash.to).toISOString()}`, {
          clash: { from: clash.from, to: clash.to },
        });
      }
      const r: Reservation = { id: randomId('rs_', 6), itemId: it.id, memberId, from, to, status: 'booked', createdAt: this.clock.now(), note };
      this.db.reservations.put(r.id, r);
      this.db.reservationsByItem.put([it.id, r.from, r.id], r.id);
      this.auditInTxn(it.id, actor.id, 'reserved', { reservation: r.id, memberId, from, to });
      return r;
    });
    this.log.info({ module: 'library', reservation: res.id, item: res.itemId, member: memberId }, 'reserved');
    return res;
  }

  async cancelReservation(id: string, actor: Actor): Promise<Reservation> {
    return this.store.write(() => {
      const r = found(this.db.reservations.get(id), `reservation ${id}`);
      if (r.memberId !== actor.id && !actor.steward) throw HubError.forbidden('not your reservation');
      if (r.status !== 'booked') throw refuse('not-booked', `reservation ${id} is ${r.status}`);
      const next = { ...r, status: 'cancelled' as const };
      this.db.reservations.put(id, next);
      this.auditInTxn(r.itemId, actor.id, 'reservation cancelled', { reservation: id });
      return next;
    });
  }
}
