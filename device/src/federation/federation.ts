import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { HubError } from '../errors.js';
import { hubIdFromPublicKey, type HubIdentity } from '../identity.js';
import { randomId } from '../ids.js';
import type { Ledger } from '../ledger/ledger.js';
import { CLEARING_PREFIX } from '../ledger/types.js';
import type { Store } from '../store/store.js';
import { envelopeHash, GENESIS, seal, signatureValid, type Envelope } from './envelope.js';

/**
 * Links to other hubs. Everything is store-and-forward: messages wait in an
 * LMDB outbox until the peer acknowledges them, and arrive through an inbox
 * that checks signature, sender, freshness, order and the hash chain before
 * anything is applied. Inter-hub payments run in two phases through each
 * hub's clearing account for the other, so each ledger is zero-sum at every
 * moment and the two clearing accounts mirror each other at the agreed rate.
 */
export interface Peer {
  hubId: string;
  publicKey: string;
  url: string;
  name: string;
  currency: { symbol: string; minorUnits: number };
  /** Their minor units per one of ours, as a fraction. */
  rate: { num: number; den: number };
  /** Most we may owe them (our clearing account's balance), and most they may owe us. */
  trustOut: number;
  trustIn: number;
  status: 'active' | 'paused' | 'closed';
  outSeq: number;
  outHead: string;
  inSeq: number;
  inHead: string;
  lastContact: number | null;
}

export interface InterHubPayment {
  id: string;
  direction: 'out' | 'in';
  peer: string;
  payer: string;
  payee: string;
  /** In our minor units, and in theirs. */
  amountOurs: number;
  amountTheirs: number;
  status: 'pending' | 'completed' | 'reversed' | 'rejected';
  reason: string | null;
  createdAt: number;
}

interface Invitation {
  nonce: string;
  createdBy: string;
  createdAt: number;
  expiresAt: number;
  trustOut: number;
  trustIn: number;
  usedBy: string | null;
}

export interface FederationSelf {
  identity: HubIdentity;
  url: string;
  name: string;
  currency: { symbol: string; minorUnits: number };
}

export type Transport = (url: string, envelopes: Envelope[]) => Promise<{ ackedSeq: number }>;

const REPLAY_WINDOW_MS = 7 * 24 * 3_600_000;

export class Federation {
  private readonly peers;
  private readonly outbox;
  private readonly held;
  private readonly payments;
  private readonly invites;
  private readonly backoff = new Map<string, { until: number; ms: number; since: number; attempts: number }>();
  private timer: NodeJS.Timeout | undefined;
  readonly rejected: Record<string, number> = {};

  constructor(
    private readonly store: Store,
    private readonly ledger: Ledger,
    private readonly self: FederationSelf,
    private readonly clock: Clock,
    private readonly transport: Transport,
    private readonly log: Logger,
  ) {
    this.peers = store.db<Peer, string>('fed-peers');
    this.outbox = store.db<Envelope, [string, number]>('fed-outbox');
    this.held = store.db<Envelope, [string, number]>('fed-held');
    this.payments = store.db<InterHubPayment, string>('fed-payments');
    this.invites = store.db<Invitation, string>('fed-invitations');
  }

  get hubId(): string {
    return this.self.identity.hubId;
  }

  // ── peering ─────────────────────────────────────────────────────────────

  /** A short token carrying our URL, id and key, for the other hub's steward. */
  async invite(steward: string, terms: { trustOut: number; trustIn: number }): Promise<{ token: string }> {
    const nonce = randomBytes(9).toString('base64url');
    const now = this.clock.now();
    await this.store.write(() => this.invites.put(nonce, { nonce, createdBy: steward, createdAt: now, expiresAt: now + 7 * 86_400_000, trustOut: terms.trustOut, trustIn: terms.trustIn, usedBy: null }));
    const token = Buffer.from(JSON.stringify({ u: this.self.url, h: this.hubId, k: this.self.identity.publicKey, n: nonce, c: this.self.currency, name: this.self.name })).toString('base64url');
    return { token };
  }

  /** The other hub's steward accepts: we record them and introduce ourselves over the link. */
  async accept(steward: string, token: string, terms: { rate: { num: number; den: number }; trustOut: number; trustIn: number }): Promise<Peer> {
    let t: { u: string; h: string; k: string; n: string; c: Peer['currency']; name: string };
    try {
      t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    } catch {
      throw HubError.badRequest('that is not a link invitation');
    }
    if (hubIdFromPublicKey(Buffer.from(t.k, 'base64url')) !== t.h) throw HubError.badRequest('the invitation\'s id does not match its key');
    if (t.h === this.hubId) throw HubError.badRequest('a hub cannot link to itself');
    const peer = await this.store.write(() => {
      const p = this.addPeerInTxn({ hubId: t.h, publicKey: t.k, url: t.u, name: t.name, currency: t.c, rate: terms.rate, trustOut: terms.trustOut, trustIn: terms.trustIn });
      this.enqueueInTxn(p, 'link.hello', { nonce: t.n, url: this.self.url, publicKey: this.self.identity.publicKey, name: this.self.name, currency: this.self.currency, rate: { num: terms.rate.den, den: terms.rate.num } });
      this.ledger.recordInTxn(steward, { event: 'link.accepted', peer: t.h });
      return p;
    });
    this.log.info({ module: 'federation', peer: peer.hubId, url: peer.url }, 'link accepted; introducing ourselves');
    this.kick();
    return peer;
  }

  private addPeerInTxn(p: Pick<Peer, 'hubId' | 'publicKey' | 'url' | 'name' | 'currency' | 'rate' | 'trustOut' | 'trustIn'>): Peer {
    const existing = this.peers.get(p.hubId);
    if (existing) return existing;
    const peer: Peer = { ...p, status: 'active', outSeq: 0, outHead: GENESIS, inSeq: 0, inHead: GENESIS, lastContact: null };
    this.peers.put(p.hubId, peer);
    this.ledger.openAccountInTxn(CLEARING_PREFIX + p.hubId, 'credit', null);
    return peer;
  }

  peer(hubId: string): Peer {
    const p = this.peers.get(hubId);
    if (!p) throw HubError.notFound(`linked hub ${hubId}`);
    return p;
  }

  listPeers(): Array<Peer & { queue: number; clearingBalance: number }> {
    return [...this.peers.getRange({})].map(({ value }) => ({ ...value, queue: this.queued(value.hubId).length, clearingBalance: this.ledger.account(CLEARING_PREFIX + value.hubId).balance }));
  }

  async setStatus(hubId: string, status: 'active' | 'paused', steward: string): Promise<Peer> {
    return this.store.write(() => {
      const p = { ...this.peer(hubId), status };
      this.peers.put(hubId, p);
      this.ledger.recordInTxn(steward, { event: `link.${status}`, peer: hubId });
      return p;
    });
  }

  // ── transport ───────────────────────────────────────────────────────────

  private enqueueInTxn(p: Peer, type: string, body: Record<string, unknown>): Envelope {
    const cur = this.peers.get(p.hubId)!;
    const e = seal({ from: this.hubId, to: cur.hubId, seq: cur.outSeq + 1, ts: this.clock.now(), prev: cur.outHead, type, body }, this.self.identity.privateKeyPem);
    this.outbox.put([cur.hubId, e.seq], e);
    this.peers.put(cur.hubId, { ...cur, outSeq: e.seq, outHead: envelopeHash(e) });
    return e;
  }

  private queued(hubId: string): Envelope[] {
    return [...this.outbox.getRange({ start: [hubId, 0], end: [hubId, Number.MAX_SAFE_INTEGER] })].map((e) => e.value);
  }

  private flushing = false;
  private flushAgain = false;

  /**
   * Flushes soon, one flush at a time: a send to a dead link can take the
   * full fetch timeout, and two overlapping sends would each think they
   * were first (duplicate deliveries, a backoff forgotten).
   */
  private kick(): void {
    if (this.flushing) {
      this.flushAgain = true;
      return;
    }
    this.flushing = true;
    void this.flush().finally(() => {
      this.flushing = false;
      if (this.flushAgain) {
        this.flushAgain = false;
        this.kick();
      }
    });
  }

  start(everyMs = 500): void {
    this.timer = setInterval(() => this.kick(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Sends each peer what it has not acknowledged, in order; a failing link backs off exponentially. */
  async flush(): Promise<void> {
    for (const { value: p } of this.peers.getRange({})) {
      const q = this.queued(p.hubId);
      if (q.length === 0) continue;
      const b = this.backoff.get(p.hubId);
      if (b && b.until > Date.now()) continue;
      try {
        const { ackedSeq } = await this.transport(p.url, q.slice(0, 50));
        await this.store.write(() => {
          for (const e of q) if (e.seq <= ackedSeq) this.outbox.remove([p.hubId, e.seq]);
          const cur = this.peers.get(p.hubId)!;
          this.peers.put(p.hubId, { ...cur, lastContact: this.clock.now() });
        });
        this.backoff.delete(p.hubId);
        if (b) this.log.info({ module: 'federation', peer: p.hubId, downForMs: Date.now() - b.since, delivered: Math.min(q.length, 50), attempts: b.attempts }, 'link reachable again; held messages delivered');
      } catch (e) {
        const ms = Math.min(300_000, (b?.ms ?? 500) * 2);
        this.backoff.set(p.hubId, { until: Date.now() + ms, ms, since: b?.since ?? Date.now(), attempts: (b?.attempts ?? 0) + 1 });
        // Say it once at warn when a link goes down, then quietly retry.
        const level = b ? 'debug' : 'warn';
        this.log[level]({ module: 'federation', peer: p.hubId, url: p.url, err: (e as Error).message, held: q.length, retryInMs: ms }, 'link unreachable; messages held in the outbox');
      }
    }
  }

  private refuse(kind: string, detail: string, from: string | null): never {
    this.rejected[kind] = (this.rejected[kind] ?? 0) + 1;
    this.log.warn({ module: 'federation', kind, from, detail }, 'message refused');
    throw new HubError(kind === 'unknown-sender' ? 403 : 422, 'rule-broken', 'Message refused', `${kind}: ${detail}`, { kind });
  }

  /**
   * Takes envelopes from a peer. Each is checked before anything happens:
   * known sender (or a hello with a valid invitation), addressed to us, a
   * signature that matches, fresh, next in order with the right chain hash.
   * A repeated message is acknowledged and ignored; one from the future of
   * the chain is held until the gap fills.
   */
  async receive(envelopes: Envelope[]): Promise<{ ackedSeq: number }> {
    let acked = 0;
    for (const e of envelopes) acked = await this.receiveOne(e);
    return { ackedSeq: acked };
  }

  private async receiveOne(e: Envelope): Promise<number> {
    if (!e || e.v !== 1 || typeof e.from !== 'string' || typeof e.seq !== 'number') this.refuse('malformed', 'not an envelope', null);
    if (e.to !== this.hubId) this.refuse('misaddressed', `for ${e.to}`, e.from);
    let peer = this.peers.get(e.from);
    if (!peer) {
      if (e.type !== 'link.hello' || e.seq !== 1) this.refuse('unknown-sender', `no link with ${e.from}`, e.from);
      const key = String(e.body.publicKey);
      if (hubIdFromPublicKey(Buffer.from(key, 'base64url')) !== e.from || !signatureValid(e, key)) this.refuse('bad-signature', 'hello not signed by the hub it claims', e.from);
      const inv = this.invites.get(String(e.body.nonce));
      if (!inv || inv.usedBy || inv.expiresAt < this.clock.now()) this.refuse('unknown-sender', 'no valid invitation for this hello', e.from);
      await this.store.write(() => {
        this.addPeerInTxn({ hubId: e.from, publicKey: key, url: String(e.body.url), name: String(e.body.name ?? e.from), currency: e.body.currency as Peer['currency'], rate: e.body.rate as Peer['rate'], trustOut: inv!.trustOut, trustIn: inv!.trustIn });
        this.invites.put(inv!.nonce, { ...inv!, usedBy: e.from });
        this.ledger.recordInTxn(null, { event: 'link.established', peer: e.from });
      });
      peer = this.peers.get(e.from)!;
      this.log.info({ module: 'federation', peer: e.from }, 'new link established');
    }
    if (!signatureValid(e, peer.publicKey)) this.refuse('bad-signature', 'signature does not match the linked hub\'s key (forged or tampered)', e.from);
    if (Math.abs(e.ts - this.clock.now()) > REPLAY_WINDOW_MS) this.refuse('replay', 'outside the replay window', e.from);
    if (e.seq <= peer.inSeq) return peer.inSeq; // a duplicate: already done
    if (e.seq > peer.inSeq + 1) {
      await this.store.write(() => this.held.put([e.from, e.seq], e));
      return peer.inSeq;
    }
    if (e.prev !== peer.inHead) this.refuse('broken-chain', `message ${e.seq} does not follow ${peer.inSeq}`, e.from);
    await this.store.write(() => {
      this.applyInTxn(peer!, e);
      const cur = this.peers.get(e.from)!;
      this.peers.put(e.from, { ...cur, inSeq: e.seq, inHead: envelopeHash(e), lastContact: this.clock.now() });
      this.held.remove([e.from, e.seq]);
    });
    // Anything held that now follows, in order.
    const next = this.held.get([e.from, e.seq + 1]);
    return next ? this.receiveOne(next) : e.seq;
  }

  // ── payments ────────────────────────────────────────────────────────────

  /** Phase 1: the payer's side debits the payer into the clearing account and sends the proposal, in one transaction. */
  async pay(actor: string, input: { payer: string; to: string; amount: number; currency: 'ours' | 'theirs'; memo?: string }): Promise<InterHubPayment> {
    const m = /^([^@/]+)@([a-z0-9]+)$/.exec(input.to) ?? /^([a-z0-9]+)\/([^@/]+)$/.exec(input.to);
    if (!m) throw HubError.badRequest('address a member of another hub as member@hub or hub/member');
    const [payee, hub] = input.to.includes('@') ? [m[1]!, m[2]!] : [m[2]!, m[1]!];
    const p = this.peer(hub);
    if (p.status !== 'active') throw HubError.rule('rule-broken', 'Link paused', `the link with ${hub} is ${p.status}`);
    if (!Number.isSafeInteger(input.amount) || input.amount <= 0) throw HubError.badRequest('amount is a whole number of minor units');
    const ours = input.currency === 'ours' ? input.amount : Math.ceil((input.amount * p.rate.den) / p.rate.num);
    const theirs = input.currency === 'theirs' ? input.amount : Math.floor((input.amount * p.rate.num) / p.rate.den);
    const pay = await this.store.write(() => {
      const clearing = CLEARING_PREFIX + hub;
      const owed = this.ledger.account(clearing).balance + ours;
      if (owed > p.trustOut) throw HubError.rule('rule-broken', 'Over the link\'s trust limit', `this would make us owe ${hub} ${owed}, above the limit of ${p.trustOut}`);
      this.ledger.payInTxn({ payer: input.payer, payee: clearing, amount: ours, memo: input.memo ?? `to ${input.to}`, category: 'inter-hub', actor }, null);
      const payment: InterHubPayment = { id: randomId('ihp_'), direction: 'out', peer: hub, payer: input.payer, payee, amountOurs: ours, amountTheirs: theirs, status: 'pending', reason: null, createdAt: this.clock.now() };
      this.payments.put(payment.id, payment);
      this.enqueueInTxn(p, 'payment.propose', { paymentId: payment.id, payer: `${input.payer}@${this.hubId}`, payee, amount: theirs, memo: input.memo ?? null });
      return payment;
    });
    this.kick();
    return pay;
  }

  private applyInTxn(peer: Peer, e: Envelope): void {
    const clearing = CLEARING_PREFIX + peer.hubId;
    switch (e.type) {
      case 'link.hello':
        return;
      case 'payment.propose': {
        // Phase 2 on the payee's side: trust, then the payee, then credit from the clearing account.
        const amount = Number(e.body.amount);
        const id = String(e.body.paymentId);
        if (this.payments.get(id)) return;
        const reject = (reason: string) => {
          this.payments.put(id, { id, direction: 'in', peer: peer.hubId, payer: String(e.body.payer), payee: String(e.body.payee), amountOurs: amount, amountTheirs: 0, status: 'rejected', reason, createdAt: this.clock.now() });
          this.enqueueInTxn(peer, 'payment.reject', { paymentId: id, reason });
        };
        if (peer.status !== 'active') return reject('link paused');
        if (!Number.isSafeInteger(amount) || amount <= 0) return reject('bad amount');
        if (-(this.ledger.account(clearing).balance - amount) > peer.trustIn) return reject('over the trust limit');
        if (!this.ledger.hasAccount(String(e.body.payee))) return reject('no such member');
        try {
          // payInTxn checks before it writes (only a due demurrage booking, itself complete, may precede a refusal).
          this.ledger.payInTxn({ payer: clearing, payee: String(e.body.payee), amount, memo: `from ${String(e.body.payer)}${e.body.memo ? `: ${String(e.body.memo)}` : ''}`, category: 'inter-hub', actor: null }, null);
        } catch (err) {
          return reject((err as Error).message);
        }
        this.payments.put(id, { id, direction: 'in', peer: peer.hubId, payer: String(e.body.payer), payee: String(e.body.payee), amountOurs: amount, amountTheirs: 0, status: 'completed', reason: null, createdAt: this.clock.now() });
        this.enqueueInTxn(peer, 'payment.accept', { paymentId: id });
        return;
      }
      case 'payment.accept': {
        const p = this.payments.get(String(e.body.paymentId));
        if (p?.status === 'pending') this.payments.put(p.id, { ...p, status: 'completed' });
        return;
      }
      case 'payment.reject': {
        // Phase 3 on the payer's side: a refusal reverses the debit, through the same clearing account.
        const p = this.payments.get(String(e.body.paymentId));
        if (p?.status !== 'pending') return;
        this.ledger.payInTxn({ payer: clearing, payee: p.payer, amount: p.amountOurs, memo: `reversed: ${String(e.body.reason)}`, category: 'inter-hub', actor: null }, null);
        this.payments.put(p.id, { ...p, status: 'reversed', reason: String(e.body.reason) });
        return;
      }
      default:
        this.refuse('unknown-type', e.type, e.from);
    }
  }

  payment(id: string): InterHubPayment {
    const p = this.payments.get(id);
    if (!p) throw HubError.notFound(`payment ${id}`);
    return p;
  }
}
