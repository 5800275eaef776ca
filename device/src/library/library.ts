import type { Logger } from 'pino';
import type { AuditLog } from '../audit/audit.js';
import { DAY_MS, type Clock } from '../clock.js';
import { found, HubError } from '../errors.js';
import { randomId } from '../ids.js';
import type { Ledger } from '../ledger/ledger.js';
import { ESCROW_PREFIX, POOL_PREFIX } from '../ledger/types.js';
import type { Notifications } from '../notifications/notifications.js';
import type { Reliability } from '../reliability/reliability.js';
import type { Store } from '../store/store.js';
import { sniffImage } from './photos.js';
import {
  TICKET_NEXT,
  type AuditEntry,
  type Condition,
  type HoldEntry,
  type Item,
  type ItemKind,
  type Loan,
  type MaintenancePlan,
  type Reservation,
  type Ticket,
  type TicketState,
} from './types.js';
import { refuse, type BusyKind } from './contract.js';

/** Deposits wait here while a tool is out; they belong to the borrower. */
export const DEPOSIT_ESCROW = `${ESCROW_PREFIX}library`;
/** Loan fees and damage charges go to the library's pool. */
export const LIBRARY_POOL = `${POOL_PREFIX}library`;

export interface LibraryParams {
  pickupWindowMs: number;
  selfService: boolean;
  maxBookingDays: number;
}

export interface NewItem {
  kind?: ItemKind;
  code?: string;
  name: string;
  category: string;
  description?: string;
  location?: string;
  condition?: Condition;
  replacementValue?: number;
  deposit?: number;
  fee?: number;
  needsApproval?: boolean;
  needsInduction?: boolean;
  slotMinutes?: number;
  loanDays?: number;
  maxRenewals?: number;
  plan?: MaintenancePlan | null;
}

export interface Actor {
  id: string;
  steward: boolean;
}

const CODE_PREFIX: Record<ItemKind, string> = { tool: 'T', equipment: 'E', space: 'S', vehicle: 'V' };
const overlaps = (a1: number, a2: number, b1: number, b2: number) => a1 < b2 && b1 < a2;

const round1 = (x: number) => Math.round(x * 10) / 10;
/** Time out on loan as a percentage of the time the item could have been lent, to 0.1 %. */
const percent = (outMs: number, availMs: number) => (availMs > 0 ? Math.round((outMs / availMs) * 1000) / 10 : 0);

interface Usage {
  /** Loans that started in the period. */
  loans: number;
  outMs: number;
  /** Time the item existed in the period, so a new item is not counted idle before it arrived. */
  availMs: number;
  waitMs: number;
  waits: number;
}

/** A loan, or a space's booking: from when to when (null while still out), and how long the member waited for it. */
interface Use {
  from: number;
  to: number | null;
  waitedMs: number;
}

/** One item's use over [from, to): `since` is when it could first be lent. */
function usageOver(uses: Use[], since: number, from: number, to: number, now: number): Usage {
  const u: Usage = { loans: 0, outMs: 0, availMs: Math.max(0, to - since), waitMs: 0, waits: 0 };
  for (const l of uses) {
    const back = l.to ?? now;
    if (!overlaps(l.from, back, from, to)) continue;
    u.outMs += Math.max(0, Math.min(back, to) - Math.max(l.from, from));
    if (l.from < from) continue;
    u.loans++;
    if (l.waitedMs > 0) {
      u.waitMs += l.waitedMs;
      u.waits++;
    }
  }
  return u;
}

function sumUsage(rows: Usage[]): Usage {
  const s: Usage = { loans: 0, outMs: 0, availMs: 0, waitMs: 0, waits: 0 };
  for (const r of rows) {
    s.loans += r.loans;
    s.outMs += r.outMs;
    s.availMs += r.availMs;
    s.waitMs += r.waitMs;
    s.waits += r.waits;
  }
  return s;
}

/** Per category: loans, days out, average wait and the share of the items' available time out on loan. */
function byCategory(rows: Array<Usage & { it: Item }>) {
  const groups = new Map<string, Array<Usage & { it: Item }>>();
  for (const r of rows) {
    const group = groups.get(r.it.category);
    if (group) group.push(r);
    else groups.set(r.it.category, [r]);
  }
  return [...groups].map(([category, rs]) => {
    const s = sumUsage(rs);
    return {
      category,
      items: rs.length,
      loans: s.loans,
      daysOut: round1(s.outMs / DAY_MS),
      avgWaitDays: s.waits ? round1(s.waitMs / s.waits / DAY_MS) : 0,
      utilisation: percent(s.outMs, s.availMs),
    };
  });
}

/**
 * The tool library and bookable resources. Every change that involves money
 * (deposits, fees, damage) happens in the same transaction as the loan, through
 * the ledger's in-transaction payment, and every change of an item's state is
 * written to its audit trail with who did it.
 */
export class Library {
  private readonly items;
  private readonly codes;
  private readonly photos;
  private readonly reservations;
  private readonly holds;
  private readonly loans;
  private readonly ticketsDb;
  private readonly audit;
  private readonly inductions;
  private readonly meta;
  /** Reservations by item then start time, for availability and conflict checks. */
  private readonly reservationsByItem;
  /** The open loan of each item that is out. */
  private readonly openLoans;

  constructor(
    private readonly store: Store,
    private readonly ledger: Ledger,
    private readonly reliability: Reliability,
    private readonly notifications: Notifications,
    private readonly clock: Clock,
    private readonly params: () => LibraryParams,
    private readonly log: Logger,
    private readonly auditLog?: AuditLog,
  ) {
    this.items = store.db<Item, string>('library-items');
    this.codes = store.db<string, string>('library-codes');
    this.photos = store.db<{ itemId: string; mime: string; bytes: Uint8Array }, string>('library-photos');
    this.reservations = store.collection<Reservation, string>('library-reservations', 'reservation');
    this.holds = store.db<HoldEntry[], string>('library-holds');
    this.loans = store.collection<Loan, string>('library-loans', 'loan');
    this.ticketsDb = store.collection<Ticket, string>('library-tickets', 'ticket');
    this.audit = store.db<AuditEntry, [string, number]>('library-audit');
    this.inductions = store.db<{ at: number; by: string }, [string, string]>('library-inductions');
    this.meta = store.db<number, string>('library-meta');
    this.reservationsByItem = store.db<string, [string, number, string]>('library-reservations-by-item');
    this.openLoans = store.db<string, string>('library-open-loans');
  }

  /** Migration: the accounts deposits and fees move through. */
  initInTxn(): void {
    this.ledger.openAccountInTxn(DEPOSIT_ESCROW, 'credit', null);
    this.ledger.openAccountInTxn(LIBRARY_POOL, 'credit', null);
  }

  private auditInTxn(itemId: string, by: string | null, action: string, detail: Record<string, unknown> = {}): void {
    let n = 0;
    for (const key of this.audit.getKeys({ start: [itemId, Number.MAX_SAFE_INTEGER], end: [itemId, -1], reverse: true, limit: 1 })) n = key[1] + 1;
    this.audit.put([itemId, n], { at: this.clock.now(), itemId, by, action, detail });
  }

  // ── catalogue ───────────────────────────────────────────────────────────

  async addItem(input: NewItem, actor: string): Promise<Item> {
    const item = await this.store.write(() => {
      const kind = input.kind ?? 'tool';
      let code = input.code?.trim().toUpperCase();
      if (!code) {
        const n = this.meta.get(`next:${kind}`) ?? 1;
        this.meta.put(`next:${kind}`, n + 1);
        code = `${CODE_PREFIX[kind]}-${String(n).padStart(4, '0')}`;
      }
      if (this.codes.get(code)) throw HubError.conflict(`the code ${code} is already on another item`);
      for (const [k, v] of [
        ['deposit', input.deposit],
        ['fee', input.fee],
        ['replacementValue', input.replacementValue],
      ] as const) {
        if (v !== undefined && (!Number.isSafeInteger(v) || v < 0)) throw HubError.badRequest(`${k} must be a whole number of minor units ≥ 0`);
      }
      const slotMinutes = input.slotMinutes ?? (kind === 'space' || kind === 'vehicle' ? 60 : 1440);
      if (!Number.isInteger(slotMinutes) || slotMinutes < 15 || 1440 % slotMinutes !== 0)
        throw HubError.badRequest('slotMinutes must divide a day and be at least 15');
      const it: Item = {
        id: randomId('i_', 6),
        code,
        kind,
        name: input.name,
        category: input.category,
        description: input.description ?? '',
        location: input.location ?? '',
        condition: input.condition ?? 'good',
        replacementValue: input.replacementValue ?? 0,
        deposit: input.deposit ?? 0,
        fee: input.fee ?? 0,
        needsApproval: input.needsApproval ?? false,
        needsInduction: input.needsInduction ?? false,
        slotMinutes,
        loanDays: input.loanDays ?? (kind === 'tool' || kind === 'equipment' ? 7 : 1),
        maxRenewals: input.maxRenewals ?? 2,
        plan: input.plan ?? null,
        photos: [],
        status: 'available',
        loanCount: 0,
        createdAt: this.clock.now(),
      };
      this.items.put(it.id, it);
      this.codes.put(code, it.id);
      this.auditInTxn(it.id, actor, 'added', { code });
      return it;
    });
    this.log.info({ module: 'library', item: item.id, code: item.code, actor }, 'item added');
    return item;
  }

  async updateItem(id: string, patch: Partial<Omit<NewItem, 'code' | 'kind'>>, actor: string): Promise<Item> {
    return this.store.write(() => {
      const cur = this.item(id);
      const next: Item = { ...cur, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) } as Item;
      this.items.put(id, next);
      this.auditInTxn(id, actor, 'updated', patch as Record<string, unknown>);
      return next;
    });
  }

  item(idOrCode: string): Item {
    const id = this.codes.get(idOrCode.toUpperCase()) ?? idOrCode;
    const it = found(this.items.get(id), `item ${idOrCode}`);
    return it;
  }

  /** Search by text, category and kind; with a time range, only items free for all of it. */
  search(q: { text?: string; category?: string; kind?: ItemKind; availableFrom?: number; availableTo?: number; includeRetired?: boolean } = {}): Item[] {
    const text = q.text?.trim().toLowerCase();
    const out: Item[] = [];
    for (const { value } of this.items.getRange({})) {
      if (value.status === 'retired' && !q.includeRetired) continue;
      if (q.category && value.category !== q.category) continue;
      if (q.kind && value.kind !== q.kind) continue;
      if (text && !`${value.code} ${value.name} ${value.description} ${value.category}`.toLowerCase().includes(text)) continue;
      if (q.availableFrom !== undefined && q.availableTo !== undefined && !this.isFree(value, q.availableFrom, q.availableTo)) continue;
      out.push(value);
    }
    return out.sort((a, b) => a.code.localeCompare(b.code));
  }

  categories(): Array<{ category: string; items: number }> {
    const m = new Map<string, number>();
    for (const { value } of this.items.getRange({})) if (value.status !== 'retired') m.set(value.category, (m.get(value.category) ?? 0) + 1);
    return [...m].map(([category, items]) => ({ category, items })).sort((a, b) => a.category.localeCompare(b.category));
  }

  async addPhoto(itemId: string, bytes: Uint8Array, actor: string): Promise<{ id: string; mime: string }> {
    const mime = sniffImage(bytes);
    const id = randomId('ph_', 6);
    await this.store.write(() => {
      const it = this.item(itemId);
      if (it.photos.length >= 6) throw refuse('too-many-photos', 'an item has at most 6 photos');
      this.photos.put(id, { itemId: it.id, mime, bytes });
      this.items.put(it.id, { ...it, photos: [...it.photos, id] });
      this.auditInTxn(it.id, actor, 'photo added', { photo: id });
    });
    return { id, mime };
  }

  photo(id: string): { mime: string; bytes: Uint8Array } {
    const p = found(this.photos.get(id), `photo ${id}`);
    return p;
  }

  // ── availability and reservations ───────────────────────────────────────

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

  private isFree(it: Item, from: number, to: number): boolean {
    if (it.status === 'retired' || it.status === 'maintenance') return false;
    return this.busy(it.id, from, to).length === 0;
  }

  private reservationsOf(itemId: string, from = 0): Reservation[] {
    // Bookings are capped in length, so any that overlaps [from, …) starts after from − the cap.
    const start = from > 0 ? from - this.params().maxBookingDays * DAY_MS : 0;
    const out: Reservation[] = [];
    for (const { value } of this.reservationsByItem.getRange({ start: [itemId, start, ''], end: [itemId, Number.MAX_SAFE_INTEGER, ''] })) {
      const r = this.reservations.get(value);
      if (r) out.push(r);
    }
    return out;
  }

  reservationsOfMember(memberId: string): Reservation[] {
    return this.reservations.where((r) => r.memberId === memberId).sort((a, b) => a.from - b.from);
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
      this.reservations.put(r.id, r);
      this.reservationsByItem.put([it.id, r.from, r.id], r.id);
      this.auditInTxn(it.id, actor.id, 'reserved', { reservation: r.id, memberId, from, to });
      return r;
    });
    this.log.info({ module: 'library', reservation: res.id, item: res.itemId, member: memberId }, 'reserved');
    return res;
  }

  async cancelReservation(id: string, actor: Actor): Promise<Reservation> {
    return this.store.write(() => {
      const r = found(this.reservations.get(id), `reservation ${id}`);
      if (r.memberId !== actor.id && !actor.steward) throw HubError.forbidden('not your reservation');
      if (r.status !== 'booked') throw refuse('not-booked', `reservation ${id} is ${r.status}`);
      const next = { ...r, status: 'cancelled' as const };
      this.reservations.put(id, next);
      this.auditInTxn(r.itemId, actor.id, 'reservation cancelled', { reservation: id });
      return next;
    });
  }

  // ── holds queue ─────────────────────────────────────────────────────────

  holdsOf(itemId: string): HoldEntry[] {
    return this.holds.get(this.item(itemId).id) ?? [];
  }

  async joinHolds(itemId: string, memberId: string): Promise<HoldEntry[]> {
    return this.store.write(() => {
      const it = this.item(itemId);
      if (it.status === 'retired') throw refuse('retired', `${it.code} has been retired`);
      if (!this.ledger.hasAccount(memberId)) throw refuse('not-a-member', `${memberId} has no account`);
      const q = this.holds.get(it.id) ?? [];
      if (q.some((h) => h.memberId === memberId)) throw refuse('already-in-the-queue', 'you are already in the queue');
      if (this.openLoanOf(it.id)?.memberId === memberId) throw refuse('you-have-it', 'you are borrowing this item now');
      const next = [...q, { memberId, joinedAt: this.clock.now(), readyAt: null, pickupBy: null }];
      // An item sitting on the shelf is ready for the first holder at once.
      if (it.status === 'available' && next.length === 1) this.makeReadyInTxn(it, next);
      this.holds.put(it.id, next);
      this.auditInTxn(it.id, memberId, 'hold joined', { position: next.length });
      return next;
    });
  }

  async leaveHolds(itemId: string, memberId: string): Promise<HoldEntry[]> {
    return this.store.write(() => {
      const it = this.item(itemId);
      const q = (this.holds.get(it.id) ?? []).filter((h) => h.memberId !== memberId);
      this.passOnInTxn(it, q);
      this.auditInTxn(it.id, memberId, 'hold left');
      return q;
    });
  }

  /** A member lets the next person go first. */
  async deferHold(itemId: string, memberId: string): Promise<HoldEntry[]> {
    return this.store.write(() => {
      const it = this.item(itemId);
      const q = [...(this.holds.get(it.id) ?? [])];
      const i = q.findIndex((h) => h.memberId === memberId);
      if (i < 0) throw HubError.notFound('your place in the queue');
      if (i === q.length - 1) throw refuse('last-already', 'nobody is behind you');
      const me = { ...q[i]!, readyAt: null, pickupBy: null };
      q[i] = q[i + 1]!;
      q[i + 1] = me;
      this.passOnInTxn(it, q);
      this.auditInTxn(it.id, memberId, 'hold deferred');
      return q;
    });
  }

  /** A steward puts the queue in a new order. */
  async reorderHolds(itemId: string, order: string[], actor: string): Promise<HoldEntry[]> {
    return this.store.write(() => {
      const it = this.item(itemId);
      const q = this.holds.get(it.id) ?? [];
      if (order.length !== q.length || !q.every((h) => order.includes(h.memberId)))
        throw HubError.badRequest('the new order must list exactly the members in the queue');
      const next = order.map((m) => ({ ...q.find((h) => h.memberId === m)!, readyAt: null, pickupBy: null }));
      this.passOnInTxn(it, next);
      this.auditInTxn(it.id, actor, 'holds reordered', { order });
      return next;
    });
  }

  /** Stores the queue; if the item is on the shelf, its new head has the pickup window. */
  private passOnInTxn(it: Item, q: HoldEntry[]): void {
    const cur = this.items.get(it.id)!;
    if (cur.status === 'available' && q.length > 0 && q[0]!.readyAt === null) this.makeReadyInTxn(cur, q);
    this.holds.put(it.id, q);
  }

  private makeReadyInTxn(it: Item, q: HoldEntry[]): void {
    const now = this.clock.now();
    q[0] = { ...q[0]!, readyAt: now, pickupBy: now + this.params().pickupWindowMs };
    this.notifications.sendInTxn([q[0]!.memberId], 'hold-ready', { code: it.code, name: it.name, date: q[0]!.pickupBy! }, { ref: `library/${it.code}` });
  }

  // ── loans ───────────────────────────────────────────────────────────────

  openLoanOf(itemId: string): Loan | undefined {
    const id = this.openLoans.get(itemId);
    return id ? this.loans.get(id) : undefined;
  }

  loan(id: string): Loan {
    const l = found(this.loans.get(id), `loan ${id}`);
    return l;
  }

  loansOf(filter: { memberId?: string; open?: boolean; itemId?: string } = {}): Loan[] {
    return this.loans
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
      this.inductions.put([memberId, it.id], { at: this.clock.now(), by: actor });
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
      if (it.needsInduction && !this.inductions.get([memberId, it.id]))
        throw refuse('induction-needed', `${it.code} needs a safety induction first; ask a steward`);
      if (it.status === 'retired') throw refuse('retired', `${it.code} has been retired`);
      if (it.status === 'maintenance') throw refuse('in-maintenance', `${it.code} is being repaired`);
      if (it.status === 'on-loan' || this.openLoanOf(it.id)) throw refuse('out-on-loan', `${it.code} is already out on loan`);
      const days = opts.days ?? it.loanDays;
      if (!Number.isInteger(days) || days < 1 || days > this.params().maxBookingDays)
        throw HubError.badRequest(`a loan lasts 1 to ${this.params().maxBookingDays} days`);
      const dueAt = now + days * DAY_MS;
      // Someone else's booking for this time, or a ready hold, comes first.
      const mine = this.reservationsOf(it.id, now).find((r) => r.memberId === memberId && r.status === 'booked' && r.from <= now + DAY_MS && r.to > now);
      const clash = this.busy(it.id, now, dueAt).find((b) => !(b.kind === 'reservation' && b.memberId === memberId));
      if (clash)
        throw refuse('booked-by-someone-else', `${it.code} is booked from ${new Date(clash.from).toISOString()}`, {
          clash: { from: clash.from, to: clash.to },
        });
      const q = this.holds.get(it.id) ?? [];
      const head = q[0];
      if (head && head.memberId !== memberId && head.readyAt !== null)
        throw refuse('held-for-someone-else', `${it.code} is held for another member until ${new Date(head.pickupBy!).toISOString().slice(0, 10)}`);
      const waitedMs = q.find((h) => h.memberId === memberId) ? now - q.find((h) => h.memberId === memberId)!.joinedAt : 0;
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
      this.loans.put(l.id, l);
      this.openLoans.put(it.id, l.id);
      if (mine) this.reservations.put(mine.id, { ...mine, status: 'collected' });
      this.items.put(it.id, { ...it, status: 'on-loan', condition: l.conditionOut });
      this.holds.put(
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
      const it = this.items.get(l.itemId)!;
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
      this.loans.put(l.id, back);
      this.openLoans.remove(l.itemId);
      const loanCount = it.loanCount + 1;
      let next: Item = { ...it, loanCount, condition: opts.condition, status: 'available' };
      this.items.put(it.id, next);
      this.auditInTxn(it.id, actor.id, 'checked in', { loan: l.id, condition: opts.condition, damage, onTime });
      this.notifications.sendInTxn(
        [l.memberId],
        'loan-returned',
        { code: it.code, name: it.name, depositBack: l.deposit - damage },
        { ref: `library/${it.code}` },
      );
      // A broken return, or a maintenance plan coming due, opens a ticket by itself.
      if (opts.condition === 'broken') this.openTicketInTxn(next, `returned broken${opts.note ? `: ${opts.note}` : ''}`, actor.id);
      else if (it.plan && loanCount % it.plan.everyLoans === 0)
        this.openTicketInTxn(next, `${it.plan.task} (every ${it.plan.everyLoans} loans)`, 'maintenance-plan');
      next = this.items.get(it.id)!;
      if (next.status === 'available') this.passOnInTxn(next, [...(this.holds.get(it.id) ?? [])]);
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
      const it = this.items.get(l.itemId)!;
      if (l.renewals >= it.maxRenewals) throw refuse('no-more-renewals', `${it.code} can be renewed ${it.maxRenewals} times`);
      if ((this.holds.get(it.id) ?? []).length > 0) throw refuse('others-are-waiting', `someone holds ${it.code}; please bring it back`);
      const dueAt = l.dueAt + it.loanDays * DAY_MS;
      const clash = this.reservationsOf(it.id, l.dueAt).find(
        (r) => r.status === 'booked' && r.memberId !== l.memberId && overlaps(r.from, r.to, l.dueAt, dueAt),
      );
      if (clash) throw refuse('booked-after-you', `${it.code} is booked from ${new Date(clash.from).toISOString().slice(0, 10)}`);
      const next = { ...l, dueAt, renewals: l.renewals + 1 };
      this.loans.put(l.id, next);
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
      for (const { value: r } of this.reservations.getRange({})) {
        if (r.status !== 'booked' || r.from < now || r.from - now > DAY_MS) continue;
        const it = this.items.get(r.itemId);
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
        const it = this.items.get(l.itemId)!;
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
      for (const { key, value } of this.holds.getRange({})) {
        const q = [...value];
        let changed = false;
        while (q.length && q[0]!.pickupBy !== null && q[0]!.pickupBy < now) {
          const lapsed = q.shift()!;
          const lapsedItem = this.items.get(key)!;
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
          this.passOnInTxn(this.items.get(key)!, q);
          this.auditInTxn(key, null, 'hold passed on');
        }
      }
    });
    this.log.info({ module: 'library', dueSoon, overdue, holdsPassed, bookings }, 'library reminders');
    return { dueSoon, overdue, holdsPassed, bookings };
  }

  // ── maintenance ─────────────────────────────────────────────────────────

  tickets(filter: { itemId?: string; open?: boolean } = {}): Ticket[] {
    return this.ticketsDb
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
  private openTicketInTxn(it: Item, title: string, actor: string): Ticket {
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
    this.ticketsDb.put(t.id, t);
    if (it.status === 'available') this.items.put(it.id, { ...it, status: 'maintenance' });
    this.auditInTxn(it.id, actor, 'ticket opened', { ticket: t.id, title });
    this.tellWaitingInTxn(it, 'item-repair', `ticket:${t.id}`);
    return t;
  }

  async advanceTicket(ticketId: string, state: TicketState, actor: string, note: string | null = null): Promise<Ticket> {
    const t = await this.store.write(() => {
      const cur = found(this.ticketsDb.get(ticketId), `ticket ${ticketId}`);
      if (!TICKET_NEXT[cur.state].includes(state))
        throw refuse('not-a-next-step', `a ticket in ${cur.state} can go to ${TICKET_NEXT[cur.state].join(', ') || 'nothing'}`);
      const now = this.clock.now();
      const closed = state === 'resolved' || state === 'retired';
      const next: Ticket = { ...cur, state, closedAt: closed ? now : null, history: [...cur.history, { state, at: now, by: actor, note }] };
      this.ticketsDb.put(ticketId, next);
      const it = this.items.get(cur.itemId)!;
      this.auditInTxn(it.id, actor, `ticket ${state}`, { ticket: ticketId, note });
      if (state === 'retired') this.retireInTxn(it, actor);
      else if (state === 'resolved' && !this.tickets({ itemId: it.id, open: true }).some((o) => o.id !== ticketId)) {
        if (it.status === 'maintenance') {
          const back = { ...it, status: 'available' as const };
          this.items.put(it.id, back);
          this.passOnInTxn(back, [...(this.holds.get(it.id) ?? [])]);
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
      return this.items.get(it.id)!;
    });
  }

  /** Retiring voids future bookings and empties the queue, telling everyone. */
  private retireInTxn(it: Item, actor: string, reason = 'retired'): void {
    if (this.openLoanOf(it.id)) throw refuse('still-on-loan', `${it.code} must come back before it is retired`);
    this.tellWaitingInTxn(it, 'item-retired', `retired:${it.id}`);
    for (const r of this.reservationsOf(it.id)) if (r.status === 'booked') this.reservations.put(r.id, { ...r, status: 'voided' });
    this.holds.put(it.id, []);
    for (const t of this.tickets({ itemId: it.id, open: true })) this.ticketsDb.put(t.id, { ...t, state: 'retired', closedAt: this.clock.now() });
    this.items.put(it.id, { ...it, status: 'retired' });
    this.auditInTxn(it.id, actor, 'retired', { reason });
    this.auditLog?.recordInTxn(actor, 'write-off', it.code, { item: it.id, name: it.name, replacementValue: it.replacementValue }, reason);
  }

  private tellWaitingInTxn(it: Item, kind: 'item-retired' | 'item-repair', key: string): void {
    const who = new Set<string>();
    for (const r of this.reservationsOf(it.id)) if (r.status === 'booked') who.add(r.memberId);
    for (const h of this.holds.get(it.id) ?? []) who.add(h.memberId);
    this.notifications.sendInTxn([...who], kind, { code: it.code, name: it.name }, { ref: `library/${it.code}`, key });
  }

  auditOf(itemId: string): AuditEntry[] {
    const it = this.item(itemId);
    return [...this.audit.getRange({ start: [it.id, 0], end: [it.id, Number.MAX_SAFE_INTEGER] })].map((e) => e.value);
  }

  // ── utilisation ─────────────────────────────────────────────────────────

  /**
   * Loans, days out, waiting time and utilisation per item and category over
   * [from, to), with the over-demanded (buy another) and the idle picked out.
   * With `bucketDays`, the same per category for each period of that many
   * days, oldest first, so stewards can see demand change over time.
   */
  utilisation(from: number, to: number, bucketDays?: number) {
    const now = this.clock.now();
    const items = this.search({ includeRetired: false });
    const usesByItem = new Map<string, Use[]>();
    const add = (itemId: string, u: Use) => {
      const list = usesByItem.get(itemId);
      if (list) list.push(u);
      else usesByItem.set(itemId, [u]);
    };
    for (const { value: l } of this.loans.getRange({})) add(l.itemId, { from: l.checkedOutAt, to: l.returnedAt, waitedMs: l.waitedMs });
    // A space is used by booking it, not by taking it away: its bookings count as its loans.
    const spaces = new Set(items.filter((it) => it.kind === 'space').map((it) => it.id));
    for (const { value: r } of this.reservations.getRange({}))
      if (r.status === 'booked' && spaces.has(r.itemId) && r.from < now) add(r.itemId, { from: r.from, to: Math.min(r.to, now), waitedMs: 0 });
    const rows = (f: number, t: number) => items.map((it) => ({ it, ...usageOver(usesByItem.get(it.id) ?? [], Math.max(f, it.createdAt), f, t, now) }));
    const overall = rows(from, to);
    const whole = overall.map(({ it, loans, outMs, waitMs, waits, availMs }) => ({
      itemId: it.id,
      code: it.code,
      name: it.name,
      category: it.category,
      loans,
      daysOut: round1(outMs / DAY_MS),
      avgWaitDays: waits ? round1(waitMs / waits / DAY_MS) : 0,
      queue: (this.holds.get(it.id) ?? []).length,
      utilisation: percent(outMs, availMs),
    }));
    const overTime: Array<{ from: number; to: number; loans: number; daysOut: number; utilisation: number; categories: ReturnType<typeof byCategory> }> = [];
    if (bucketDays) {
      for (let f = from; f < to; f += bucketDays * DAY_MS) {
        const t = Math.min(to, f + bucketDays * DAY_MS);
        const r = rows(f, t).filter((x) => x.availMs > 0);
        const all = sumUsage(r);
        overTime.push({
          from: f,
          to: t,
          loans: all.loans,
          daysOut: round1(all.outMs / DAY_MS),
          utilisation: percent(all.outMs, all.availMs),
          categories: byCategory(r),
        });
      }
    }
    return {
      from,
      to,
      items: whole,
      categories: byCategory(overall).map(({ category, items: n, loans, daysOut, utilisation }) => ({ category, items: n, loans, daysOut, utilisation })),
      overDemanded: whole.filter((i) => i.utilisation >= 70 || i.queue >= 2 || i.avgWaitDays >= 3).map((i) => i.code),
      idle: whole.filter((i) => i.loans === 0 && i.daysOut === 0).map((i) => i.code),
      overTime,
    };
  }

  /** The last `days` up to now, in periods of `bucketDays` when given (at most 400 of them). */
  recentUtilisation(days: number, bucketDays?: number) {
    if (bucketDays && days / bucketDays > 400) throw HubError.badRequest(`${days} days in periods of ${bucketDays} would make more than 400 periods`);
    const to = this.clock.now();
    return this.utilisation(to - days * DAY_MS, to, bucketDays);
  }

  exportAll() {
    return {
      items: this.search({ includeRetired: true }),
      reservations: this.reservations.all(),
      loans: this.loansOf(),
      tickets: this.tickets(),
      holds: [...this.holds.getRange({})].map(({ key, value }) => ({ itemId: key, queue: value })),
    };
  }
}
