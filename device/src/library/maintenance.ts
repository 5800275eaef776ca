import { found } from '../errors.js';
import { randomId } from '../ids.js';
import { TICKET_NEXT, type Item, type Ticket, type TicketState } from './types.js';
import { refuse } from './contract.js';
import type { Bookings } from './bookings.js';
import type { HoldQueue } from './holds.js';
import { LibraryPart, type LibraryDeps, type LibraryRecords } from './part.js';

/**
 * Repair tickets and retiring: an open ticket takes the item out of
 * circulation, and everyone waiting for it is told.
 */
export class Maintenance extends LibraryPart {
  constructor(
    deps: LibraryDeps,
    records: LibraryRecords,
    private readonly bookings: Bookings,
    private readonly holdQueue: HoldQueue,
  ) {
    super(deps, records);
  }

  tickets(filter: { itemId?: string; open?: boolean } = {}): Ticket[] {
    return this.db.tickets
      .where((t) => (!filter.itemId || t.itemId === filter.itemId) && (filter.open === undefined || (t.closedAt === null) === filter.open))
      .sort((a, b) => b.openedAt - a.openedAt);
  }

  async openTicket(itemId: string, title: string, actor: string): Promise<Ticket> {
    return this.store.write(() => this.openTicketInTxn(this.item(itemId), title, actor));
  }

  /**
   * An open ticket takes the item out of circulation (once it is back, if it
   * is out), and everyone with a booking or a hold is told.
   */
  openTicketInTxn(it: Item, title: string, actor: string): Ticket {
    if (it.status === 'retired') throw refuse('retired', `${it.code} has been retired`);
    const now = this.clock.now();
    const t: Ticket = {
      id: randomId('tk_', 6),
      itemId: it.id,
      state: 'assess',
      title,
      openedBy: actor,
      openedAt: now,
      closedAt: null,
      history: [{ state: 'assess', at: now, by: actor, note: title }],
    };
    this.db.tickets.put(t.id, t);
    if (it.status === 'available') this.db.items.put(it.id, { ...it, status: 'maintenance' });
    this.auditInTxn(it.id, actor, 'ticket opened', { ticket: t.id, title });
    this.tellWaitingInTxn(it, 'item-repair', `ticket:${t.id}`);
    return t;
  }

  async advanceTicket(ticketId: string, state: TicketState, actor: string, note: string | null = null): Promise<Ticket> {
    const t = await this.store.write(() => {
      const cur = found(this.db.tickets.get(ticketId), `ticket ${ticketId}`);
      if (!TICKET_NEXT[cur.state].includes(state))
        throw refuse('not-a-next-step', `a ticket in ${cur.state} can go to ${TICKET_NEXT[cur.state].join(', ') || 'nothing'}`);
      const now = this.clock.now();
      const closed = state === 'resolved' || state === 'retired';
      const next: Ticket = { ...cur, state, closedAt: closed ? now : null, history: [...cur.history, { state, at: now, by: actor, note }] };
      this.db.tickets.put(ticketId, next);
      const it = this.itemById(cur.itemId);
      this.auditInTxn(it.id, actor, `ticket ${state}`, { ticket: ticketId, note });
      if (state === 'retired') this.retireInTxn(it, actor);
      else if (state === 'resolved' && !this.tickets({ itemId: it.id, open: true }).some((o) => o.id !== ticketId)) {
        if (it.status === 'maintenance') {
          const back = { ...it, status: 'available' as const };
          this.db.items.put(it.id, back);
          this.holdQueue.passOnInTxn(back, [...(this.db.holds.get(it.id) ?? [])]);
        }
      }
      return next;
    });
    this.log.info({ module: 'library', ticket: ticketId, state, actor }, 'ticket moved');
    return t;
  }

  async retire(itemId: string, actor: string, reason: string): Promise<Item> {
    return this.store.write(() => {
      const it = this.item(itemId);
      this.retireInTxn(it, actor, reason);
      return this.itemById(it.id);
    });
  }

  /** Retiring voids future bookings and empties the queue, telling everyone. */
  private retireInTxn(it: Item, actor: string, reason = 'retired'): void {
    if (this.openLoanOf(it.id)) throw refuse('still-on-loan', `${it.code} must come back before it is retired`);
    this.tellWaitingInTxn(it, 'item-retired', `retired:${it.id}`);
    for (const r of this.bookings.reservationsOf(it.id)) if (r.status === 'booked') this.db.reservations.put(r.id, { ...r, status: 'voided' });
    this.db.holds.put(it.id, []);
    for (const t of this.tickets({ itemId: it.id, open: true })) this.db.tickets.put(t.id, { ...t, state: 'retired', closedAt: this.clock.now() });
    this.db.items.put(it.id, { ...it, status: 'retired' });
    this.auditInTxn(it.id, actor, 'retired', { reason });
    this.auditLog?.recordInTxn(actor, 'write-off', it.code, { item: it.id, name: it.name, replacementValue: it.replacementValue }, reason);
  }

  private tellWaitingInTxn(it: Item, kind: 'item-retired' | 'item-repair', key: string): void {
    const who = new Set<string>();
    for (const r of this.bookings.reservationsOf(it.id)) if (r.status === 'booked') who.add(r.memberId);
    for (const h of this.db.holds.get(it.id) ?? []) who.add(h.memberId);
    this.notifications.sendInTxn([...who], kind, { code: it.code, name: it.name }, { ref: `library/${it.code}`, key });
  }
}
