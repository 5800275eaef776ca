import type { Logger } from 'pino';
import { dayIndex, type Clock } from '../clock.js';
import { found, HubError } from '../errors.js';
import { silentNotifier, type Notifier } from '../notifications/kinds.js';
import { randomId } from '../ids.js';
import { Idempotency } from '../store/idempotency.js';
import type { Store } from '../store/store.js';
import type { Reliability } from '../reliability/reliability.js';
import { decayOver } from './demurrage.js';
import type { AuditLog } from '../audit/audit.js';
import { HistoryIndex, type HistoryPage } from './history.js';
import { Journal } from './journal.js';
import {
  FUND,
  CLEARING_PREFIX,
  isSystemAccount,
  seqOfTransferId,
  transferFromEntry,
  transferIdOf,
  UNITS,
  type AccountState,
  type HistoryRow,
  type JournalEntry,
  type Limits,
  type PaymentRequest,
  type Transfer,
  type Unit,
} from './types.js';
import { refuse, type LimitChangeStatus } from './contract.js';

/** Community parameters the ledger reads at the moment of each operation. */
export interface LedgerParams {
  limits(unit: Unit): Limits;
  warnRatio: number;
  fundFloor: number;
  /** Yearly demurrage rate in basis points in force on a given day. */
  demurrageRateBp(day: number): number;
  requestTtlMs: number;
  timeBankEnabled: boolean;
  /** A member's floor from elsewhere (the ecology engine), used when no steward set one. */
  floorFor?(accountId: string, unit: Unit): number | null;
}

export const MAX_AMOUNT = 1_000_000_000_000;

/** A limit change beyond the community's defaults, waiting for a second steward. */
export interface LimitChange {
  id: string;
  account: string;
  unit: Unit;
  /** As asked: a number, null for the default, undefined for unchanged. */
  floor?: number | null;
  ceiling?: number | null;
  proposedBy: string;
  proposedAt: number;
  status: LimitChangeStatus;
  /** The second steward, or "proposal:<id>" when the community decided. */
  approvedBy: string | null;
  decidedAt: number | null;
  /** The proposal that puts it to the community, when a steward asked for a decision instead. */
  proposalId?: string | null;
}

/** A payment, or a request for one (RequestInput): the same facts either way. */
export interface PayInput {
  payer: string;
  payee: string;
  amount: number;
  unit?: Unit;
  memo?: string | null;
  category?: string | null;
  /** Who asked for it; null for the system. */
  actor: string | null;
  idempotencyKey?: string | null;
}

export interface TransferResult extends Transfer {
  warnings: string[];
}

/** A request to be paid: the payment it would become, asked for by the payee. */
export type RequestInput = PayInput;

export interface AccountView {
  accountId: string;
  unit: Unit;
  balance: number;
  floor: number;
  ceiling: number;
  warnAt: number;
  available: number;
  status: AccountState['status'];
  /** Decay accrued since the balance was last brought forward, not yet booked. */
  pendingDemurrage: number;
  /** Decay the current balance will lose over the next 30 days at today's rate. */
  demurrageNext30Days: number;
}

export type { HistoryPage };

/** An account brought forward to today, before anything is written. */
interface Forward {
  before: AccountState;
  next: AccountState;
  decay: number;
  today: number;
}

type AccountKey = [Unit, string];

/**
 * The mutual-credit ledger. Every operation runs in one LMDB transaction that
 * writes the balances, the records and the journal entry together, and every
 * operation keeps the sum of all balances of each unit at zero.
 */
export class Ledger {
  private readonly accounts;
  private readonly history: HistoryIndex;
  private readonly requests;
  private readonly requestsByMember;
  private readonly limitChanges;
  readonly journal: Journal;
  private readonly idem: Idempotency;
  /** Who hears of payments and requests; set by the composition root. */
  notifier: Notifier = silentNotifier;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly params: () => LedgerParams,
    private readonly reliability: Reliability,
    private readonly log: Logger,
    private readonly audit?: AuditLog,
  ) {
    this.accounts = store.collection<AccountState, AccountKey>('accounts', 'account');
    this.requests = store.collection<PaymentRequest, string>('requests', 'request');
    this.requestsByMember = store.db<string, [string, string]>('requests-by-member');
    this.limitChanges = store.collection<LimitChange, string>('limit-changes', 'limit change');
    this.journal = new Journal(store);
    this.history = new HistoryIndex(store, this.journal);
    this.idem = new Idempotency(store);
  }

  /** Brings the history index up to date (after a batch of writes, before shutdown). */
  indexHistory(): void {
    this.history.catchUp();
  }

  /** Migration: the genesis entry and the community fund's accounts. */
  initInTxn(): void {
    if (this.journal.head()) return;
    const now = this.clock.now();
    this.journal.append('genesis', now, null, [], { note: 'ledger created' });
    for (const unit of UNITS) this.openAccountInTxn(FUND, unit, null);
  }

  // ── accounts ────────────────────────────────────────────────────────────

  /** Opens an account inside the caller's transaction; opening twice is a no-op. */
  openAccountInTxn(id: string, unit: Unit, actor: string | null): void {
    if (this.accounts.get([unit, id])) return;
    const now = this.clock.now();
    const state: AccountState = {
      id,
      unit,
      balance: 0,
      floor: null,
      ceiling: null,
      status: 'open',
      demurrageDay: dayIndex(now),
      demurrageCarry: 0,
      openedAt: now,
    };
    this.accounts.put([unit, id], state);
    this.journal.append('account.open', now, actor, [], { account: id, unit });
  }

  openMemberAccountsInTxn(memberId: string, actor: string | null): void {
    for (const unit of UNITS) this.openAccountInTxn(memberId, unit, actor);
  }

  /** Freezing stops new payments from and to an account; its balance stays. */
  setStatusInTxn(id: string, status: AccountState['status'], actor: string | null): void {
    for (const unit of UNITS) {
      const acct = this.accounts.get([unit, id]);
      if (!acct || acct.status === status) continue;
      this.accounts.put([unit, id], { ...acct, status });
      this.journal.append('account.status', this.clock.now(), actor, [], { account: id, unit, status });
    }
  }

  hasAccount(id: string, unit: Unit = 'credit'): boolean {
    return this.accounts.get([unit, id]) !== undefined;
  }

  /**
   * The limits of an account. The community's own accounts have finite,
   * stated floors, so none is a bottomless source of money:
   * - `fund`: `ledger.fundFloor` (it may go that far below zero to pay
   *   regeneration credits and decided spending);
   * - `escrow:*`: 0, since it holds members' deposits and can only hand back
   *   what it holds;
   * - `pool:*`: 0, since it can spend only what the service earned;
   * - `clearing:*`: minus the link's trust in the other hub, and its ceiling
   *   is our trust limit towards it, both set by federation with the link's
   *   terms (0 until then);
   * - any other system account: 0.
   * `hyphae ledger verify` checks every system account against its floor.
   */
  limitsOf(acct: AccountState): Limits {
    const p = this.params();
    if (acct.id === FUND) return { floor: acct.floor ?? p.fundFloor, ceiling: acct.ceiling ?? Number.MAX_SAFE_INTEGER };
    if (acct.id.startsWith(CLEARING_PREFIX)) return { floor: acct.floor ?? 0, ceiling: acct.ceiling ?? 0 };
    if (isSystemAccount(acct.id)) return { floor: acct.floor ?? 0, ceiling: acct.ceiling ?? MAX_AMOUNT };
    const d = p.limits(acct.unit);
    return { floor: acct.floor ?? p.floorFor?.(acct.id, acct.unit) ?? d.floor, ceiling: acct.ceiling ?? d.ceiling };
  }

  /** The floor a steward set for this account alone, which wins over every community rule; null when none was set. */
  floorSetFor(id: string, unit: Unit = 'credit'): number | null {
    return this.accounts.get([unit, id])?.floor ?? null;
  }

  account(id: string, unit: Unit = 'credit'): AccountView {
    const acct = found(this.accounts.get([unit, id]), `account ${id} (${unit})`);
    const p = this.params();
    // Until the clock is trusted, nothing more is due than what was booked.
    const today = this.clock.trusted() ? dayIndex(this.clock.now()) : acct.demurrageDay;
    const pending = isSystemAccount(id)
      ? { decay: 0, carry: 0 }
      : decayOver(acct.balance, acct.demurrageCarry, acct.demurrageDay, today, (d) => p.demurrageRateBp(d));
    const balance = acct.balance - pending.decay;
    const next = isSystemAccount(id) ? 0 : decayOver(balance, pending.carry, today, today + 30, () => p.demurrageRateBp(today)).decay;
    const { floor, ceiling } = this.limitsOf(acct);
    return {
      accountId: id,
      unit,
      balance,
      floor,
      ceiling,
      warnAt: Math.trunc(floor * p.warnRatio),
      available: Math.max(0, balance - floor),
      status: acct.status,
      pendingDemurrage: pending.decay,
      demurrageNext30Days: next,
    };
  }

  /**
   * A steward's change of a member's limits. Within `factor` times the
   * community's defaults it applies at once; beyond, it waits for a second
   * steward (approveLimitChange), so no single steward can hand out a
   * bottomless account.
   */
  async changeLimits(
    id: string,
    unit: Unit,
    limits: { floor?: number | null; ceiling?: number | null },
    actor: string,
    factor: number,
  ): Promise<{ account: AccountView } | { pending: LimitChange }> {
    const acct = found(this.accounts.get([unit, id]), `account ${id} (${unit})`);
    const d = this.params().limits(unit);
    const floor = limits.floor === undefined ? acct.floor : limits.floor;
    const ceiling = limits.ceiling === undefined ? acct.ceiling : limits.ceiling;
    const beyond = (floor !== null && floor < d.floor * factor) || (ceiling !== null && ceiling > d.ceiling * factor);
    if (!beyond) return { account: await this.setLimits(id, unit, limits, actor) };
    const change: LimitChange = {
      id: randomId('lc_', 6),
      account: id,
      unit,
      floor: limits.floor,
      ceiling: limits.ceiling,
      proposedBy: actor,
      proposedAt: this.clock.now(),
      status: 'pending',
      approvedBy: null,
      decidedAt: null,
    };
    await this.store.write(() => this.limitChanges.put(change.id, change));
    this.log.info({ module: 'ledger', account: id, unit, limits, actor }, 'limit change beyond the defaults waits for a second steward');
    return { pending: change };
  }

  pendingLimitChanges(): LimitChange[] {
    return this.limitChanges.where((c) => c.status === 'pending');
  }

  /** A second steward approves a pending change: never the one who proposed it, nor the member it is for. */
  async approveLimitChange(changeId: string, approver: string): Promise<AccountView> {
    const c = found(this.limitChanges.get(changeId), `limit change ${changeId}`);
    if (c.status !== 'pending') throw HubError.conflict(`this change is already ${c.status}`);
    if (c.proposedBy === approver) throw HubError.forbidden('a second steward approves it, not the one who proposed it');
    if (c.account === approver) throw HubError.forbidden('nobody approves their own limits');
    const view = await this.setLimits(c.account, c.unit, { floor: c.floor, ceiling: c.ceiling }, approver, { proposedBy: c.proposedBy, change: c.id }, () =>
      this.limitChanges.put(c.id, { ...c, status: 'approved', approvedBy: approver, decidedAt: this.clock.now() }),
    );
    return view;
  }

  limitChange(changeId: string): LimitChange {
    return found(this.limitChanges.get(changeId), `limit change ${changeId}`);
  }

  /** A pending change put to the community: the proposal it waits for. */
  async noteLimitProposal(changeId: string, proposalId: string): Promise<void> {
    await this.store.write(() => this.limitChanges.put(changeId, { ...this.limitChange(changeId), proposalId }));
  }

  /** The community decided on a pending change: applied (with the decision on the audit log) or declined. */
  async decideLimitChange(changeId: string, proposalId: string, passed: boolean): Promise<void> {
    const c = this.limitChange(changeId);
    if (c.status !== 'pending') return;
    const decided = { ...c, approvedBy: passed ? `proposal:${proposalId}` : null, decidedAt: this.clock.now() };
    if (!passed) {
      await this.store.write(() => this.limitChanges.put(c.id, { ...decided, status: 'declined' }));
      return;
    }
    await this.setLimits(
      c.account,
      c.unit,
      { floor: c.floor, ceiling: c.ceiling },
      null,
      { proposedBy: c.proposedBy, change: c.id, proposal: proposalId },
      () => this.limitChanges.put(c.id, { ...decided, status: 'approved' }),
    );
  }

  async setLimits(
    id: string,
    unit: Unit,
    limits: { floor?: number | null; ceiling?: number | null },
    actor: string | null,
    auditDetail: Record<string, unknown> = {},
    alsoInTxn?: () => void,
  ): Promise<AccountView> {
    await this.store.write(() => {
      alsoInTxn?.();
      const acct = found(this.accounts.get([unit, id]), `account ${id} (${unit})`);
      const next = { ...acct };
      if (limits.floor !== undefined) next.floor = limits.floor;
      if (limits.ceiling !== undefined) next.ceiling = limits.ceiling;
      const eff = this.limitsOf(next);
      if (eff.floor > 0 || eff.ceiling < 0 || eff.floor > eff.ceiling) {
        throw refuse('limits-do-not-fit', `floor ${eff.floor} must be ≤ 0 ≤ ceiling ${eff.ceiling}`);
      }
      // Lowering a limit never moves money: it only constrains new payments.
      this.accounts.put([unit, id], next);
      this.journal.append('limits', this.clock.now(), actor, [], { account: id, unit, floor: next.floor, ceiling: next.ceiling });
      this.audit?.recordInTxn(actor, 'limits', id, {
        unit,
        floor: next.floor,
        ceiling: next.ceiling,
        before: { floor: acct.floor, ceiling: acct.ceiling },
        ...auditDetail,
      });
    });
    this.log.info({ module: 'ledger', account: id, unit, limits, actor }, 'limits changed');
    return this.account(id, unit);
  }

  /**
   * Sets a system account's limits inside the owning module's transaction
   * (federation, from a link's trust terms), and journals it.
   */
  setSystemLimitsInTxn(id: string, unit: Unit, limits: Limits): void {
    if (!isSystemAccount(id)) throw new Error(`${id} is not a system account`);
    const acct = found(this.accounts.get([unit, id]), `account ${id} (${unit})`);
    if (acct.floor === limits.floor && acct.ceiling === limits.ceiling) return;
    if (limits.floor > 0 || limits.ceiling < 0) throw refuse('limits-do-not-fit', `floor ${limits.floor} must be ≤ 0 ≤ ceiling ${limits.ceiling}`);
    this.accounts.put([unit, id], { ...acct, floor: limits.floor, ceiling: limits.ceiling });
    this.journal.append('limits', this.clock.now(), null, [], { account: id, unit, floor: limits.floor, ceiling: limits.ceiling });
  }

  // ── demurrage ───────────────────────────────────────────────────────────

  /**
   * Books the decay accrued on an account since it was last touched, moving
   * it to the community fund. Runs inside the caller's transaction.
   */
  private bringForwardInTxn(id: string, unit: Unit, now: number): void {
    const acct = this.accounts.get([unit, id]);
    if (!acct) return;
    const f = this.planForward(acct, now);
    if (f.next === acct) return;
    if (f.decay > 0) this.accounts.put([unit, FUND], this.bookDecay(f, now, this.requireAccount(FUND, unit)));
    this.accounts.put([unit, id], f.next);
  }

  /** The decay due on an account up to today, worked out without writing anything. */
  private planForward(acct: AccountState, now: number): Forward {
    const today = dayIndex(now);
    // Demurrage is charged for elapsed trusted time only: while the clock waits, nothing is booked,
    // and the days a jump skipped are charged at rate 0 (LedgerParams.demurrageRateBp).
    if (acct.demurrageDay >= today || !this.clock.trusted()) return { before: acct, next: acct, decay: 0, today: acct.demurrageDay };
    if (isSystemAccount(acct.id)) return { before: acct, next: { ...acct, demurrageDay: today }, decay: 0, today };
    const p = this.params();
    const { decay, carry } = decayOver(acct.balance, acct.demurrageCarry, acct.demurrageDay, today, (d) => p.demurrageRateBp(d));
    return { before: acct, next: { ...acct, balance: acct.balance - decay, demurrageDay: today, demurrageCarry: carry }, decay, today };
  }

  /** Journals a planned decay and returns the fund with it added; the caller writes both accounts. */
  private bookDecay(f: Forward, now: number, fund: AccountState): AccountState {
    if (f.decay === 0) return fund;
    const after = { ...fund, balance: fund.balance + f.decay };
    this.journal.append(
      'demurrage',
      now,
      null,
      [
        { account: f.before.id, unit: f.before.unit, delta: -f.decay, balance: f.next.balance },
        { account: FUND, unit: f.before.unit, delta: f.decay, balance: after.balance },
      ],
      { fromDay: f.before.demurrageDay, toDay: f.today },
    );
    return after;
  }

  /** Nightly: bring every account forward, in batches so no transaction grows large. */
  async materialiseDemurrage(): Promise<{ accounts: number; decayed: Record<Unit, number> }> {
    const keys = [...this.accounts.getKeys({})];
    const before = this.balanceOf(FUND);
    let count = 0;
    for (let i = 0; i < keys.length; i += 200) {
      const batch = keys.slice(i, i + 200);
      await this.store.write(() => {
        const now = this.clock.now();
        for (const [unit, id] of batch) this.bringForwardInTxn(id, unit, now);
      });
      count += batch.length;
    }
    this.history.catchUp();
    const after = this.balanceOf(FUND);
    const decayed = { credit: after.credit - before.credit, hour: after.hour - before.hour };
    this.log.info({ module: 'ledger', accounts: count, decayed }, 'demurrage materialised');
    return { accounts: count, decayed };
  }

  private balanceOf(id: string): Record<Unit, number> {
    return { credit: this.accounts.get(['credit', id])?.balance ?? 0, hour: this.accounts.get(['hour', id])?.balance ?? 0 };
  }

  // ── transfers ───────────────────────────────────────────────────────────

  async pay(input: PayInput): Promise<TransferResult> {
    const unit = input.unit ?? 'credit';
    const pay = { ...input, unit };
    // payInTxn checks everything before it writes, and so does the idempotency record.
    const result = await this.store.writeChecksFirst(() =>
      input.idempotencyKey
        ? this.withIdempotency(
            'transfer',
            input.actor,
            input.idempotencyKey,
            { op: 'pay', payer: input.payer, payee: input.payee, amount: input.amount, unit, memo: input.memo ?? null, category: input.category ?? null },
            () => this.payInTxn(pay, null),
          )
        : this.payInTxn(pay, null),
    );
    // Tens of thousands a second at peak: build the log record only when it will be written.
    if (this.log.isLevelEnabled('debug'))
      this.log.debug({ module: 'ledger', transfer: result.id, payer: result.payer, payee: result.payee, amount: result.amount, unit }, 'transfer committed');
    return result;
  }

  /**
   * A payment inside the caller's transaction, for modules that must move
   * money together with their own change (a loan and its deposit).
   */
  payInTxn(input: PayInput, requestId: string | null): TransferResult {
    const unit = input.unit ?? 'credit';
    const { payer, payee, amount } = input;
    validateAmount(amount);
    if (payer === payee) throw refuse('same-account', 'payer and payee must differ');
    if (unit === 'hour' && !this.params().timeBankEnabled) throw refuse('time-bank-is-off', 'this hub does not keep hours');
    const now = this.clock.now();
    // Touching an account books its demurrage first, so limits apply to
    // today's balance. Every check comes before the first write, so a refused
    // payment writes nothing (which lets pay() skip a child transaction).
    const fa = this.planForward(this.requireAccount(payer, unit), now);
    const fb = this.planForward(this.requireAccount(payee, unit), now);
    // The decay goes to the fund, which may itself be the payer or the payee.
    const gain = fa.decay + fb.decay;
    const a = payer === FUND ? { ...fa.next, balance: fa.next.balance + gain } : fa.next;
    const b = payee === FUND ? { ...fb.next, balance: fb.next.balance + gain } : fb.next;
    if (a.status !== 'open') throw refuse('payer-cannot-pay', `account ${payer} is frozen`);
    if (b.status !== 'open') throw refuse('payee-cannot-be-paid', `account ${payee} is frozen`);
    const la = this.limitsOf(a);
    const lb = this.limitsOf(b);
    const aAfter = a.balance - amount;
    const bAfter = b.balance + amount;
    if (aAfter < la.floor) {
      throw refuse('over-credit-limit', `this payment would take ${payer} to ${aAfter}, below the floor of ${la.floor}`, {
        balance: a.balance,
        floor: la.floor,
        available: Math.max(0, a.balance - la.floor),
      });
    }
    if (bAfter > lb.ceiling) {
      throw refuse('over-the-payee-s-ceiling', `this payment would take ${payee} to ${bAfter}, above the ceiling of ${lb.ceiling}`, {
        ceiling: lb.ceiling,
      });
    }
    const memo = input.memo ?? null;
    const category = input.category ?? null;
    const data: Record<string, unknown> = {};
    if (memo !== null) data.memo = memo;
    if (category !== null) data.category = category;
    if (requestId !== null) data.requestId = requestId;

    // ── writes only from here on ──
    if (gain > 0) {
      const fundBefore = payer === FUND ? fa.next : payee === FUND ? fb.next : this.requireAccount(FUND, unit);
      const fund = this.bookDecay(fb, now, this.bookDecay(fa, now, fundBefore));
      if (payer !== FUND && payee !== FUND) this.accounts.put([unit, FUND], fund);
    }
    const entry = this.journal.append(
      'transfer',
      now,
      input.actor,
      [
        { account: payer, unit, delta: -amount, balance: aAfter },
        { account: payee, unit, delta: amount, balance: bAfter },
      ],
      data,
    );
    // a and b are this call's own copies (decoded for it, or built above).
    a.balance = aAfter;
    b.balance = bAfter;
    this.accounts.put([unit, payer], a);
    this.accounts.put([unit, payee], b);
    // Between members only: a deposit back or a credit from the fund is told by the module that made it.
    if (requestId === null && !isSystemAccount(payer) && !isSystemAccount(payee))
      this.notifier.sendInTxn([payee], 'paid', { from: payer, amount, unit, memo }, { ref: `history/${unit}` });
    const warnings: string[] = [];
    if (!isSystemAccount(payer) && aAfter < Math.trunc(la.floor * this.params().warnRatio)) warnings.push('near-credit-limit');
    return {
      id: transferIdOf(entry.seq),
      seq: entry.seq,
      at: entry.at,
      payer,
      payee,
      amount,
      unit,
      memo,
      category,
      requestId,
      initiatedBy: input.actor,
      warnings,
    };
  }

  transfer(id: string): Transfer {
    const seq = seqOfTransferId(id);
    const entry = seq === undefined ? undefined : this.journal.get(seq);
    return found(entry && transferFromEntry(entry), `transfer ${id}`);
  }

  private requireAccount(id: string, unit: Unit): AccountState {
    const acct = this.accounts.get([unit, id]);
    if (!acct) throw refuse('no-such-account', `there is no ${unit} account for ${id}`, { account: id });
    return acct;
  }

  /**
   * Inside the caller's transaction: the same key with the same request
   * gives the first result again; with another request, a conflict. Other
   * modules that move money (inter-hub payments) use it too.
   */
  withIdempotency<T>(scope: string, actor: string | null, key: string | null | undefined, request: unknown, run: () => T): T {
    if (!key) return run();
    const fp = Idempotency.fingerprint(request);
    const prior = this.idem.replay<T>(scope, actor ?? '-', key, fp);
    if (prior !== undefined) return prior;
    const result = run();
    this.idem.remember(scope, actor ?? '-', key, fp, result, this.clock.now());
    return result;
  }

  // ── history ─────────────────────────────────────────────────────────────

  historyPage(account: string, unit: Unit, opts: Parameters<HistoryIndex['page']>[2] = {}): HistoryPage {
    return this.history.page(account, unit, opts);
  }

  allHistory(account: string, unit: Unit): Iterable<HistoryRow> {
    return this.history.all(account, unit);
  }

  // ── requests ────────────────────────────────────────────────────────────

  async request(input: RequestInput): Promise<PaymentRequest> {
    const unit = input.unit ?? 'credit';
    // The request's terms are also what a retried key must repeat.
    const terms = { payer: input.payer, payee: input.payee, amount: input.amount, unit, memo: input.memo ?? null, category: input.category ?? null };
    const fingerprint = { op: 'request', ...terms };
    const req = await this.store.write(() =>
      this.withIdempotency('request', input.actor, input.idempotencyKey, fingerprint, () => {
        validateAmount(input.amount);
        if (input.payer === input.payee) throw refuse('same-account', 'you cannot request a payment from yourself');
        if (unit === 'hour' && !this.params().timeBankEnabled) throw refuse('time-bank-is-off', 'this hub does not keep hours');
        const payer = this.requireAccount(input.payer, unit);
        this.requireAccount(input.payee, unit);
        if (payer.status !== 'open') throw refuse('payer-cannot-pay', `account ${input.payer} is frozen`);
        const now = this.clock.now();
        const r: PaymentRequest = {
          id: randomId('r_'),
          ...terms,
          status: 'open',
          createdAt: now,
          expiresAt: now + this.params().requestTtlMs,
          closedAt: null,
          transferId: null,
        };
        this.requests.put(r.id, r);
        this.requestsByMember.put([r.payer, r.id], r.id);
        this.requestsByMember.put([r.payee, r.id], r.id);
        this.journal.append('request.open', now, input.actor, [], { requestId: r.id, payer: r.payer, payee: r.payee, amount: r.amount, unit });
        this.notifier.sendInTxn([r.payer], 'payment-requested', { from: r.payee, amount: r.amount, unit, memo: r.memo, requestId: r.id }, { ref: 'home' });
        return r;
      }),
    );
    this.log.info({ module: 'ledger', request: req.id, payer: req.payer, payee: req.payee, amount: req.amount }, 'payment request opened');
    return req;
  }

  getRequest(id: string): PaymentRequest {
    const r = found(this.requests.get(id), `request ${id}`);
    return this.withLazyExpiry(r);
  }

  private withLazyExpiry(r: PaymentRequest): PaymentRequest {
    // Shown as expired at once; the nightly job books the change.
    return this.hasExpired(r) ? { ...r, status: 'expired' } : r;
  }

  /** Expiry acts on the clock only when it is trusted: a jump a year ahead must not expire every open request for good. */
  private hasExpired(r: PaymentRequest, now = this.clock.now()): boolean {
    return r.status === 'open' && r.expiresAt <= now && this.clock.trusted();
  }

  requestsOf(memberId: string, filter: { role?: 'payer' | 'payee'; status?: PaymentRequest['status'] } = {}): PaymentRequest[] {
    const out: PaymentRequest[] = [];
    for (const { value } of this.requestsByMember.getRange({ start: [memberId, ''], end: [memberId, '\uffff'] })) {
      const r = this.requests.get(value);
      if (!r) continue;
      const shown = this.withLazyExpiry(r);
      if (filter.role && shown[filter.role] !== memberId) continue;
      if (filter.status && shown.status !== filter.status) continue;
      out.push(shown);
    }
    return out.sort((x, y) => y.createdAt - x.createdAt);
  }

  /** The payer accepts: the transfer and the request's closing happen together. */
  async acceptRequest(id: string, actor: string, asSteward = false): Promise<{ request: PaymentRequest; transfer: TransferResult }> {
    const out = await this.store.write(() => {
      const r = this.openRequestInTxn(id);
      if (r.payer !== actor && !asSteward) throw HubError.forbidden('only the payer can accept a request');
      const transfer = this.payInTxn({ payer: r.payer, payee: r.payee, amount: r.amount, unit: r.unit, memo: r.memo, category: r.category, actor }, r.id);
      const closed: PaymentRequest = { ...r, status: 'accepted', closedAt: transfer.at, transferId: transfer.id };
      this.requests.put(id, closed);
      this.reliability.recordInTxn(r.payer, 'requestsHonoured');
      this.notifier.sendInTxn([r.payee], 'request-accepted', { by: r.payer, amount: r.amount, unit: r.unit, requestId: r.id }, { ref: `history/${r.unit}` });
      return { request: closed, transfer };
    });
    this.log.info({ module: 'ledger', request: id, transfer: out.transfer.id }, 'payment request accepted');
    return out;
  }

  async rejectRequest(id: string, actor: string, asSteward = false): Promise<PaymentRequest> {
    return this.closeRequest(id, actor, 'rejected', (r) => r.payer === actor || asSteward, 'only the payer can reject a request');
  }

  async cancelRequest(id: string, actor: string, asSteward = false): Promise<PaymentRequest> {
    return this.closeRequest(id, actor, 'cancelled', (r) => r.payee === actor || asSteward, 'only the member who asked can cancel a request');
  }

  private async closeRequest(
    id: string,
    actor: string,
    status: 'rejected' | 'cancelled',
    allowed: (r: PaymentRequest) => boolean,
    why: string,
  ): Promise<PaymentRequest> {
    const out = await this.store.write(() => {
      const r = this.openRequestInTxn(id);
      if (!allowed(r)) throw HubError.forbidden(why);
      const now = this.clock.now();
      const closed: PaymentRequest = { ...r, status, closedAt: now };
      this.requests.put(id, closed);
      this.journal.append(status === 'rejected' ? 'request.reject' : 'request.cancel', now, actor, [], { requestId: id });
      if (status === 'rejected') {
        this.reliability.recordInTxn(r.payer, 'requestsRejected');
        this.notifier.sendInTxn([r.payee], 'request-rejected', { by: r.payer, amount: r.amount, unit: r.unit, requestId: id });
      }
      return closed;
    });
    this.log.info({ module: 'ledger', request: id, status, actor }, 'payment request closed');
    return out;
  }

  private openRequestInTxn(id: string): PaymentRequest {
    const r = found(this.requests.get(id), `request ${id}`);
    if (this.hasExpired(r)) {
      // Refused without writing: a throw rolls the transaction back, and the nightly job books the expiry.
      throw refuse('request-expired', `request ${id} expired at ${new Date(r.expiresAt).toISOString()}`);
    }
    if (r.status !== 'open') throw refuse('request-closed', `request ${id} is already ${r.status}`);
    return r;
  }

  private expireInTxn(r: PaymentRequest): void {
    const now = this.clock.now();
    this.requests.put(r.id, { ...r, status: 'expired', closedAt: now });
    this.journal.append('request.expire', now, null, [], { requestId: r.id });
    this.notifier.sendInTxn([r.payee], 'request-expired', { payer: r.payer, amount: r.amount, unit: r.unit, requestId: r.id });
  }

  async expireRequests(): Promise<number> {
    const now = this.clock.now();
    const due = this.requests.where((r) => this.hasExpired(r, now));
    if (due.length === 0) return 0;
    await this.store.write(() => {
      for (const r of due) {
        const cur = this.requests.get(r.id);
        if (cur?.status === 'open') this.expireInTxn(cur);
      }
    });
    this.log.info({ module: 'ledger', expired: due.length }, 'payment requests expired');
    return due.length;
  }

  /**
   * Records another module's decision in the hash-chained journal, inside
   * that module's transaction (votes, proposal outcomes, parameter changes).
   */
  recordInTxn(actor: string | null, data: Record<string, unknown>): void {
    this.journal.append('governance', this.clock.now(), actor, [], data);
  }

  /** Records a jump of the wall clock in the journal, so its readers know why times step there. */
  recordClockJumpInTxn(jump: { fromWall: number; toWall: number; byMs: number }): void {
    this.journal.append('clock.jump', this.clock.now(), null, [], { from: jump.fromWall, to: jump.toWall, byMs: jump.byMs });
  }

  // ── clearing ────────────────────────────────────────────────────────────

  /** Open credit requests: the obligations multilateral clearing works on. */
  openObligations(): PaymentRequest[] {
    const now = this.clock.now();
    return this.requests.where((r) => r.status === 'open' && r.unit === 'credit' && r.expiresAt > now);
  }

  /**
   * Applies a set-off inside the caller's transaction: each named open
   * request is reduced by its amount, and closed as cleared at zero. No
   * balance moves, so every member's net position is what it was. Refuses if
   * any request changed since the set-off was computed.
   */
  setOffInTxn(setOffs: Array<{ requestId: string; amount: number; expected: number }>, actor: string | null): void {
    const now = this.clock.now();
    for (const s of setOffs) {
      const r = this.requests.get(s.requestId);
      if (!r || r.status !== 'open' || r.amount !== s.expected || r.expiresAt <= now) {
        throw HubError.conflict(`request ${s.requestId} changed since the clearing was computed; compute it again`);
      }
      if (!Number.isSafeInteger(s.amount) || s.amount <= 0 || s.amount > r.amount)
        throw HubError.badRequest(`set-off of ${s.amount} does not fit request ${s.requestId}`);
      const left = r.amount - s.amount;
      this.requests.put(r.id, {
        ...r,
        amount: left,
        setOff: (r.setOff ?? 0) + s.amount,
        status: left === 0 ? 'cleared' : 'open',
        closedAt: left === 0 ? now : null,
      });
    }
    this.journal.append('request.setoff', now, actor, [], { setOffs: setOffs.map(({ requestId, amount }) => ({ requestId, amount })) });
  }

  // ── export ──────────────────────────────────────────────────────────────

  exportAll(): { accounts: AccountState[]; transfers: Transfer[]; requests: PaymentRequest[]; journal: JournalEntry[] } {
    return {
      accounts: this.accounts.all(),
      transfers: [...this.storedTransfers()],
      requests: this.requests.all(),
      journal: [...this.journal.scan()],
    };
  }

  storedAccounts(): AccountState[] {
    return this.accounts.all();
  }

  *storedTransfers(): Iterable<Transfer> {
    for (const e of this.journal.scan()) {
      const t = transferFromEntry(e);
      if (t) yield t;
    }
  }
}

export function validateAmount(amount: number): void {
  if (!Number.isSafeInteger(amount) || amount <= 0 || amount > MAX_AMOUNT) {
    throw HubError.badRequest(`amount must be a whole number of minor units between 1 and ${MAX_AMOUNT}`);
  }
}
