import { found, HubError } from '../errors.js';
import { randomId } from '../ids.js';
import { CLEARING_PREFIX, isSystemAccount, FUND } from '../ledger/types.js';
import type { Envelope } from './envelope.js';
import type { Federation, Peer } from './federation.js';
import { refuse, type PaymentCurrency, type PaymentDirection, type PaymentStatus } from './contract.js';

/**
 * Payments between members of different hubs, in two phases over each link:
 *
 *   1. the payer's hub debits the payer into its clearing account for the
 *      next hub and sends a proposal, in one transaction;
 *   2. the next hub checks trust and either credits the payee from its
 *      clearing account for the sender (or, as an intermediary, passes the
 *      payment on over its own link, keeping the link's fee) and accepts,
 *      or rejects;
 *   3. on accept the sender completes; on reject it reverses.
 *
 * Each hub's ledger is zero-sum at every moment, and each side keeps the
 * other's view of the clearing balance (`owedTheirs`), so the mirror can be
 * checked exactly even after the rate has changed. In Credit Commons terms
 * this is the "credit" workflow: pending → completed, or pending → erased.
 */
export interface InterHubPayment {
  id: string;
  direction: PaymentDirection;
  /** The linked hub this leg runs over. */
  peer: string;
  /** The hub of the far end: the payee's for payments out, the payer's for payments in. */
  hub: string;
  payer: string;
  payee: string;
  /** In our minor units, and in the next hub's. */
  amountOurs: number;
  amountTheirs: number;
  /** What we kept for passing the payment on (intermediaries only). */
  fee: number;
  status: PaymentStatus;
  reason: string | null;
  createdAt: number;
  expiresAt: number;
  /** The proposal's place in the link's outbox, to tell "never delivered" from "not yet answered". */
  proposeSeq: number | null;
  /** When we are an intermediary: the leg that came in (on the leg out) and the leg that went out (on the leg in). */
  parent: string | null;
  child: string | null;
}

const MAX_HOPS = 4;
/** Clocks differ; a proposal is only given up on this long after it expired. */
const EXPIRY_GRACE_MS = 10 * 60_000;

export class InterHubPayments {
  private readonly payments;
  private readonly pending;

  constructor(
    private readonly fed: Federation,
    private readonly timeoutMs: number,
  ) {
    this.payments = fed.store.db<InterHubPayment, string>('fed-payments');
    this.pending = fed.store.db<true, string>('fed-payments-pending');
    fed.on('payment.propose', (peer, e) => this.proposedInTxn(peer, e));
    fed.on('payment.accept', (peer, e) => this.acceptedInTxn(peer, e));
    fed.on('payment.reject', (peer, e) => this.rejectedInTxn(peer, e));
    fed.every(async () => {
      await this.expire();
    });
  }

  /** Phase 1: debit the payer into the clearing account for the next hub, and propose, in one transaction. */
  async pay(
    actor: string,
    input: { payer: string; to: string; amount: number; currency: PaymentCurrency; memo?: string },
    idempotencyKey?: string | null,
  ): Promise<InterHubPayment> {
    const at = /^([^@/]+)@([a-z0-9]+)$/.exec(input.to);
    const slash = /^([a-z0-9]+)\/([^@/]+)$/.exec(input.to);
    const [payee, hub] = at ? [at[1], at[2]] : slash ? [slash[2], slash[1]] : [];
    if (!payee || !hub) throw HubError.badRequest('address a member of another hub as member@hub or hub/member');
    if (hub === this.fed.hubId) throw HubError.badRequest('that member is on this hub; pay them directly');
    if (!Number.isSafeInteger(input.amount) || input.amount <= 0) throw HubError.badRequest('amount is a whole number of minor units');
    const direct = this.fed.findPeer(hub);
    const next = direct ?? this.fed.findPeer(this.fed.signals.nextHopTo(hub) ?? '');
    if (!next) throw refuse('no-route', `this hub has no link to ${hub}, and no linked hub reaches it`);
    if (!direct && input.currency === 'theirs')
      throw HubError.badRequest('through an intermediary, give the amount in our currency: fees and rates along the way decide what arrives');
    const p = next;
    const ours = input.currency === 'ours' ? input.amount : Math.ceil((input.amount * p.rate.den) / p.rate.num);
    const theirs = input.currency === 'theirs' ? input.amount : Math.floor((input.amount * p.rate.num) / p.rate.den);
    if (theirs <= 0) throw HubError.badRequest('the amount is less than one minor unit in the other currency');
    // A retry after a lost answer, with the same Idempotency-Key, gets the first payment back instead of paying twice.
    const pay = await this.fed.store.write(() =>
      this.fed.ledger.withIdempotency('inter-hub-payment', actor, idempotencyKey, input, () => {
        const cur = this.fed.peer(p.hubId);
        this.checkOutInTxn(cur, ours);
        this.fed.ledger.payInTxn(
          { payer: input.payer, payee: CLEARING_PREFIX + p.hubId, amount: ours, memo: input.memo ?? `to ${input.to}`, category: 'inter-hub', actor },
          null,
        );
        const now = this.fed.clock.now();
        const payment: InterHubPayment = {
          id: randomId('ihp_'),
          direction: 'out',
          peer: p.hubId,
          hub,
          payer: input.payer,
          payee,
          amountOurs: ours,
          amountTheirs: theirs,
          fee: 0,
          status: 'pending',
          reason: null,
          createdAt: now,
          expiresAt: now + this.timeoutMs,
          proposeSeq: null,
          parent: null,
          child: null,
        };
        this.fed.updatePeerInTxn(p.hubId, { owedTheirs: cur.owedTheirs + theirs });
        const e = this.fed.sendInTxn(p.hubId, 'payment.propose', {
          paymentId: payment.id,
          payer: `${input.payer}@${this.fed.hubId}`,
          payee,
          hub,
          amount: theirs,
          amountSender: ours,
          memo: input.memo ?? null,
          expiresAt: payment.expiresAt,
          ttl: MAX_HOPS,
        });
        this.putInTxn({ ...payment, proposeSeq: e.seq });
        return this.payment(payment.id);
      }),
    );
    this.fed.log.info({ module: 'federation', payment: pay.id, via: direct ? null : p.hubId, to: hub, amount: ours }, 'inter-hub payment proposed');
    this.fed.kick();
    return pay;
  }

  /** Refuses what would take us over the link's trust limit, or away from zero on a closing link. */
  private checkOutInTxn(p: Peer, ours: number): void {
    const balance = this.fed.clearingBalance(p.hubId);
    if (p.status === 'closing') {
      if (!(balance < 0 && balance + ours <= 0))
        throw refuse(
          'link-closing',
          `the link with ${p.name} is closing under a settlement plan; only payments that bring its balance (${balance}) towards zero may cross it`,
        );
    } else {
      const why = this.fed.usable(p);
      if (why) throw refuse('link-not-open-for-payments', why);
    }
    if (balance + ours > p.trustOut)
      throw refuse('over-the-link-s-trust-limit', `this would make us owe ${p.name} ${balance + ours}, above the limit of ${p.trustOut}`);
  }

  private putInTxn(p: InterHubPayment): void {
    this.payments.put(p.id, p);
    if (p.status === 'pending') this.pending.put(p.id, true);
    else this.pending.remove(p.id);
  }

  private proposedInTxn(from: Peer, e: Envelope): void {
    const b = e.body;
    const id = String(b.paymentId);
    if (this.payments.get(id)) return;
    const amount = Number(b.amount);
    const amountSender = Number(b.amountSender ?? Math.ceil((amount * from.rate.num) / from.rate.den));
    const now = this.fed.clock.now();
    const incoming: InterHubPayment = {
      id,
      direction: 'in',
      peer: from.hubId,
      hub: String(b.hub ?? this.fed.hubId),
      payer: String(b.payer),
      payee: String(b.payee),
      amountOurs: amount,
      amountTheirs: amountSender,
      fee: 0,
      status: 'pending',
      reason: null,
      createdAt: now,
      expiresAt: Number(b.expiresAt ?? now + this.timeoutMs),
      proposeSeq: null,
      parent: null,
      child: null,
    };
    const reject = (reason: string) => {
      this.putInTxn({ ...incoming, status: 'rejected', reason });
      this.fed.sendInTxn(from.hubId, 'payment.reject', { paymentId: id, reason });
      this.fed.log.info({ module: 'federation', payment: id, from: from.hubId, reason }, 'inter-hub payment refused');
    };
    if (!Number.isSafeInteger(amount) || amount <= 0 || !Number.isSafeInteger(amountSender) || amountSender <= 0) return reject('bad amount');
    if (incoming.expiresAt < now) return reject('expired before it arrived');
    const balance = this.fed.clearingBalance(from.hubId);
    if (from.status === 'closing') {
      if (!(balance > 0 && balance - amount >= 0)) return reject('the link is closing; only payments towards a zero balance');
    } else if (from.status !== 'active') return reject(`link ${from.status}`);
    if (-(balance - amount) > from.trustIn) return reject('over the trust limit');
    const owedTheirs = this.fed.peer(from.hubId).owedTheirs - amountSender;

    if (incoming.hub === this.fed.hubId) {
      // Payments from other hubs reach members, never the community's own accounts.
      if (isSystemAccount(incoming.payee) || !this.fed.ledger.hasAccount(incoming.payee)) return reject('no such member');
      try {
        // payInTxn checks before it writes (only a due demurrage booking, itself complete, may precede a refusal).
        this.fed.ledger.payInTxn(
          {
            payer: CLEARING_PREFIX + from.hubId,
            payee: incoming.payee,
            amount,
            memo: `from ${incoming.payer}${b.memo ? `: ${String(b.memo)}` : ''}`,
            category: 'inter-hub',
            actor: null,
          },
          null,
        );
      } catch (err) {
        return reject((err as Error).message);
      }
      this.fed.updatePeerInTxn(from.hubId, { owedTheirs });
      this.putInTxn({ ...incoming, status: 'completed' });
      this.fed.sendInTxn(from.hubId, 'payment.accept', { paymentId: id });
      this.fed.settleCheckInTxn(from.hubId);
      return;
    }

    // We are an intermediary: pass it on over our own link, keeping the fee of the link it came in on.
    const ttl = Number(b.ttl ?? 0);
    if (ttl <= 1) return reject('too many hops');
    const nextId = this.fed.signals.nextHopTo(incoming.hub, from.hubId);
    const next = nextId ? this.fed.findPeer(nextId) : undefined;
    if (!next) return reject(`no route to ${incoming.hub}`);
    const fee = Math.floor((amount * from.feePpm) / 1_000_000);
    const forward = amount - fee;
    const forwardTheirs = Math.floor((forward * next.rate.num) / next.rate.den);
    if (forwardTheirs <= 0) return reject('too small to pass on');
    try {
      this.checkOutInTxn(next, forward);
      this.fed.ledger.payInTxn(
        {
          payer: CLEARING_PREFIX + from.hubId,
          payee: CLEARING_PREFIX + next.hubId,
          amount: forward,
          memo: `passing on ${incoming.payer} → ${incoming.payee}@${incoming.hub}`,
          category: 'inter-hub',
          actor: null,
        },
        null,
      );
      if (fee > 0)
        this.fed.ledger.payInTxn(
          { payer: CLEARING_PREFIX + from.hubId, payee: FUND, amount: fee, memo: `routing fee for ${id}`, category: 'inter-hub-fee', actor: null },
          null,
        );
    } catch (err) {
      return reject((err as Error).message);
    }
    this.fed.updatePeerInTxn(from.hubId, { owedTheirs });
    const child: InterHubPayment = {
      ...incoming,
      id: randomId('ihp_'),
      direction: 'out',
      peer: next.hubId,
      amountOurs: forward,
      amountTheirs: forwardTheirs,
      fee,
      parent: id,
      child: null,
      proposeSeq: null,
    };
    this.fed.updatePeerInTxn(next.hubId, { owedTheirs: this.fed.peer(next.hubId).owedTheirs + forwardTheirs });
    const sent = this.fed.sendInTxn(next.hubId, 'payment.propose', {
      paymentId: child.id,
      payer: incoming.payer,
      payee: incoming.payee,
      hub: incoming.hub,
      amount: forwardTheirs,
      amountSender: forward,
      memo: b.memo ?? null,
      expiresAt: incoming.expiresAt,
      ttl: ttl - 1,
    });
    this.putInTxn({ ...child, proposeSeq: sent.seq });
    this.putInTxn({ ...incoming, fee, child: child.id });
    this.fed.log.info({ module: 'federation', payment: id, from: from.hubId, to: next.hubId, fee }, 'inter-hub payment passed on');
  }

  /** A payment is answered only by the hub it is pending with: any other linked hub's word on it is refused and logged. */
  private answerable(peer: Peer, e: Envelope): InterHubPayment | undefined {
    const p = this.payments.get(String(e.body.paymentId));
    if (!p || p.direction !== 'out') return undefined;
    if (p.peer !== peer.hubId) {
      this.fed.log.warn(
        { module: 'federation', payment: p.id, from: peer.hubId, pendingWith: p.peer, type: e.type },
        'a hub answered a payment that is not pending with it; ignored',
      );
      return undefined;
    }
    return p;
  }

  private acceptedInTxn(peer: Peer, e: Envelope): void {
    const p = this.answerable(peer, e);
    if (!p) return;
    if (p.status === 'reversed') return this.lateAcceptInTxn(p);
    if (p.status !== 'pending') return;
    this.putInTxn({ ...p, status: 'completed' });
    if (p.parent) {
      const up = this.payment(p.parent);
      this.putInTxn({ ...up, status: 'completed' });
      this.fed.sendInTxn(up.peer, 'payment.accept', { paymentId: up.id });
    }
    this.fed.settleCheckInTxn(p.peer);
  }

  private rejectedInTxn(peer: Peer, e: Envelope): void {
    const p = this.answerable(peer, e);
    if (p?.status !== 'pending') return;
    this.reverseInTxn(p, String(e.body.reason));
  }

  /** Phase 3 on a refusal: the debit goes back through the same clearing account(s). */
  private reverseInTxn(p: InterHubPayment, reason: string): void {
    const clearing = CLEARING_PREFIX + p.peer;
    this.fed.updatePeerInTxn(p.peer, { owedTheirs: this.fed.peer(p.peer).owedTheirs - p.amountTheirs });
    if (p.parent) {
      const up = this.payment(p.parent);
      this.fed.ledger.payInTxn(
        { payer: clearing, payee: CLEARING_PREFIX + up.peer, amount: p.amountOurs, memo: `reversed: ${reason}`, category: 'inter-hub', actor: null },
        null,
      );
      if (up.fee > 0)
        this.fed.ledger.payInTxn(
          { payer: FUND, payee: CLEARING_PREFIX + up.peer, amount: up.fee, memo: `routing fee returned for ${up.id}`, category: 'inter-hub-fee', actor: null },
          null,
        );
      this.fed.updatePeerInTxn(up.peer, { owedTheirs: this.fed.peer(up.peer).owedTheirs + up.amountTheirs });
      this.putInTxn({ ...up, status: 'rejected', reason });
      this.fed.sendInTxn(up.peer, 'payment.reject', { paymentId: up.id, reason });
      this.fed.settleCheckInTxn(up.peer);
    } else {
      this.fed.ledger.payInTxn(
        { payer: clearing, payee: p.payer, amount: p.amountOurs, memo: `reversed: ${reason}`, category: 'inter-hub', actor: null },
        null,
      );
    }
    this.putInTxn({ ...p, status: 'reversed', reason });
    this.fed.settleCheckInTxn(p.peer);
  }

  /**
   * An acceptance for a payment we reversed after its proposal went
   * undelivered past its expiry: the proposal did arrive, and only the
   * acknowledgement was lost. The other hub has paid, so we book the debit
   * again, from the payer if their limit allows, or else from the community
   * fund, and say so loudly for the stewards.
   */
  private lateAcceptInTxn(p: InterHubPayment): void {
    const clearing = CLEARING_PREFIX + p.peer;
    let from = p.parent ? CLEARING_PREFIX + this.payment(p.parent).peer : p.payer;
    try {
      this.fed.ledger.payInTxn(
        { payer: from, payee: clearing, amount: p.amountOurs, memo: `completed late: ${p.id}`, category: 'inter-hub', actor: null },
        null,
      );
    } catch {
      from = FUND;
      this.fed.ledger.payInTxn(
        { payer: FUND, payee: clearing, amount: p.amountOurs, memo: `completed late, paid by the fund: ${p.id}`, category: 'inter-hub', actor: null },
        null,
      );
    }
    this.fed.updatePeerInTxn(p.peer, { owedTheirs: this.fed.peer(p.peer).owedTheirs + p.amountTheirs });
    this.putInTxn({ ...p, status: 'completed', reason: `completed after it was given up; debited ${from}` });
    this.fed.log.error({ module: 'federation', payment: p.id, debited: from }, 'a payment given up as undelivered was accepted after all; booked again');
  }

  /**
   * Gives up on proposals that never left our outbox by their expiry (the
   * other hub refuses them if they arrive later). A proposal that was
   * delivered waits for its answer, however long the way back is down.
   */
  async expire(): Promise<number> {
    const now = this.fed.clock.now();
    if (!this.fed.clock.trusted()) return 0; // expiry waits for trusted time
    const due = [...this.pending.getKeys({})]
      .flatMap((id) => this.payments.get(id) ?? [])
      .filter((p) => p.direction === 'out' && p.expiresAt + EXPIRY_GRACE_MS < now && p.proposeSeq !== null && this.fed.isQueued(p.peer, p.proposeSeq));
    if (due.length === 0) return 0;
    await this.fed.store.write(() => {
      for (const p of due) if (this.payments.get(p.id)?.status === 'pending') this.reverseInTxn(p, 'timed out: the other hub did not receive it in time');
    });
    this.fed.log.warn({ module: 'federation', payments: due.map((p) => p.id) }, 'inter-hub payments timed out undelivered and were reversed');
    this.fed.kick();
    return due.length;
  }

  pendingWith(hubId: string): number {
    let n = 0;
    for (const id of this.pending.getKeys({})) if (this.payments.get(id)?.peer === hubId) n++;
    return n;
  }

  payment(id: string): InterHubPayment {
    return found(this.payments.get(id), `payment ${id}`);
  }

  list(filter: { peer?: string; status?: InterHubPayment['status'] } = {}, limit = 100): InterHubPayment[] {
    const out: InterHubPayment[] = [];
    for (const { value } of this.payments.getRange({})) {
      if (filter.peer && value.peer !== filter.peer) continue;
      if (filter.status && value.status !== filter.status) continue;
      out.push(value);
    }
    return out.sort((a, b) => b.createdAt - a.createdAt).slice(0, limit);
  }
}
