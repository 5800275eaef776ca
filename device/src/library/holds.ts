import { HubError } from '../errors.js';
import type { HoldEntry, Item } from './types.js';
import { refuse } from './contract.js';
import { LibraryPart } from './part.js';

/**
 * The queue of members waiting for an item: joining, leaving, letting the
 * next go first, a steward's new order, and the pickup window of its head.
 */
export class HoldQueue extends LibraryPart {
  holdsOf(itemId: string): HoldEntry[] {
    return this.db.holds.get(this.item(itemId).id) ?? [];
  }

  async joinHolds(itemId: string, memberId: string): Promise<HoldEntry[]> {
    return this.store.write(() => {
      const it = this.item(itemId);
      if (it.status === 'retired') throw refuse('retired', `${it.code} has been retired`);
      if (!this.ledger.hasAccount(memberId)) throw refuse('not-a-member', `${memberId} has no account`);
      const q = this.db.holds.get(it.id) ?? [];
      if (q.some((h) => h.memberId === memberId)) throw refuse('already-in-the-queue', 'you are already in the queue');
      if (this.openLoanOf(it.id)?.memberId === memberId) throw refuse('you-have-it', 'you are borrowing this item now');
      const next = [...q, { memberId, joinedAt: this.clock.now(), readyAt: null, pickupBy: null }];
      // An item sitting on the shelf is ready for the first holder at once.
      if (it.status === 'available' && next.length === 1) this.makeReadyInTxn(it, next);
      this.db.holds.put(it.id, next);
      this.auditInTxn(it.id, memberId, 'hold joined', { position: next.length });
      return next;
    });
  }

  async leaveHolds(itemId: string, memberId: string): Promise<HoldEntry[]> {
    return this.store.write(() => {
      const it = this.item(itemId);
      const q = (this.db.holds.get(it.id) ?? []).filter((h) => h.memberId !== memberId);
      this.passOnInTxn(it, q);
      this.auditInTxn(it.id, memberId, 'hold left');
      return q;
    });
  }

  /** A member lets the next person go first. */
  async deferHold(itemId: string, memberId: string): Promise<HoldEntry[]> {
    return this.store.write(() => {
      const it = this.item(itemId);
      const q = [...(this.db.holds.get(it.id) ?? [])];
      const i = q.findIndex((h) => h.memberId === memberId);
      const [mine, behind] = [q[i], q[i + 1]];
      if (!mine) throw HubError.notFound('your place in the queue');
      if (!behind) throw refuse('last-already', 'nobody is behind you');
      q[i] = behind;
      q[i + 1] = { ...mine, readyAt: null, pickupBy: null };
      this.passOnInTxn(it, q);
      this.auditInTxn(it.id, memberId, 'hold deferred');
      return q;
    });
  }

  /** A steward puts the queue in a new order. */
  async reorderHolds(itemId: string, order: string[], actor: string): Promise<HoldEntry[]> {
    return this.store.write(() => {
      const it = this.item(itemId);
      const q = this.db.holds.get(it.id) ?? [];
      if (order.length !== q.length || !q.every((h) => order.includes(h.memberId)))
        throw HubError.badRequest('the new order must list exactly the members in the queue');
      const byMember = new Map(q.map((h) => [h.memberId, h]));
      const next = order.flatMap((m) => {
        const h = byMember.get(m);
        return h ? [{ ...h, readyAt: null, pickupBy: null }] : [];
      });
      this.passOnInTxn(it, next);
      this.auditInTxn(it.id, actor, 'holds reordered', { order });
      return next;
    });
  }

  /** Stores the queue; if the item is on the shelf, its new head has the pickup window. */
  passOnInTxn(it: Item, q: HoldEntry[]): void {
    const cur = this.itemById(it.id);
    if (cur.status === 'available' && q[0]?.readyAt === null) this.makeReadyInTxn(cur, q);
    this.db.holds.put(it.id, q);
  }

  private makeReadyInTxn(it: Item, q: HoldEntry[]): void {
    const [head] = q;
    if (!head) return;
    const now = this.clock.now();
    const pickupBy = now + this.params().pickupWindowMs;
    q[0] = { ...head, readyAt: now, pickupBy };
    this.notifications.sendInTxn([head.memberId], 'hold-ready', { code: it.code, name: it.name, date: pickupBy }, { ref: `library/${it.code}` });
  }
}
