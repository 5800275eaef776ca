import { randomBytes } from 'node:crypto';
import { silentNotifier, type Notifier } from '../notifications/kinds.js';
import type { Logger } from 'pino';
import { DAY_MS, type Clock } from '../clock.js';
import { found, HubError } from '../errors.js';
import type { Board } from '../flow/board.js';
import { hubIdFromPublicKey, type HubIdentity } from '../identity.js';
import { randomId } from '../ids.js';
import type { Ledger } from '../ledger/ledger.js';
import { CLEARING_PREFIX } from '../ledger/types.js';
import { qrSvg } from '../qr.js';
import type { Store } from '../store/store.js';
import { envelopeHash, GENESIS, seal, signatureValid, type Envelope } from './envelope.js';
import { bodyProblem } from './messages.js';
import { HubClearing } from './hub-clearing.js';
import { InterHubPayments } from './payments.js';
import { Signals } from './signals.js';
import { refuse, type LinkStatus, type TermsProposer } from './contract.js';

/**
 * Links to other hubs. Everything is store-and-forward: messages wait in an
 * LMDB outbox until the peer acknowledges them, and arrive through an inbox
 * that checks signature, sender, freshness, order and the hash chain before
 * anything is applied. What a message means is up to the module that
 * registered its type: payments, shared signals, clearing between hubs.
 * This class keeps the links themselves: peering, terms, pause and close.
 */
export type { LinkStatus };

export interface Rate {
  num: number;
  den: number;
}

export interface LinkTerms {
  /** Their minor units per one of ours, as a fraction. */
  rate: Rate;
  /** Most we may owe them (our clearing account's balance), and most they may owe us. */
  trustOut: number;
  trustIn: number;
  /** What we keep, in millionths, of a payment that arrives over this link and we pass on to another hub. */
  feePpm: number;
}

export interface Peer extends LinkTerms {
  hubId: string;
  publicKey: string;
  url: string;
  name: string;
  currency: { symbol: string; minorUnits: number };
  status: LinkStatus;
  /** What the other side last told us about its end of the link. */
  remoteStatus: LinkStatus;
  /** Our clearing balance for them as they count it, in their minor units: the mirror of their clearing balance for us. */
  owedTheirs: number;
  /** A change of terms waiting for the other side (proposedBy 'us') or for our steward ('them'). */
  pendingTerms: (LinkTerms & { id: string; proposedBy: TermsProposer; at: number }) | null;
  settlement: { plan: string; by: string | null; at: number } | null;
  outSeq: number;
  outHead: string;
  inSeq: number;
  inHead: string;
  lastContact: number | null;
  /** False while the address came from the peer's own hello and has not yet answered as that hub. */
  urlVerified?: boolean;
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
  /** A coarse place for shared signals (a district, not an address). */
  place?: { name: string; x: number; y: number } | null;
}

export interface FederationOptions {
  /** A payment the other hub has not answered by then is reversed. */
  paymentTimeoutMs?: number;
  /** The needs and surpluses board, for the summaries we share and the regional solve. */
  board?: Board;
  /** How often a summary goes out even when nothing changed. */
  summaryEveryMs?: number;
  /**
   * Asks an address which hub answers there (the hub process reads the
   * hubId of its /api/v1/health). A link made from a peer's hello has only
   * the address the peer claims: nothing is posted to it until it answers as
   * that hub, so a hello cannot turn this hub against someone else's address.
   */
  probe?: (url: string) => Promise<string | null>;
}

export type Transport = (url: string, envelopes: Envelope[]) => Promise<{ ackedSeq: number }>;

/** Runs inside the write transaction that records the message as received. */
export type Handler = (peer: Peer, e: Envelope) => void;

const REPLAY_WINDOW_MS = 7 * 24 * 3_600_000;

export const invert = (r: Rate): Rate => ({ num: r.den, den: r.num });

export class Federation {
  /** Stewards hear when a link opens, pauses, closes or the other side changes it; set by the hub. */
  notifier: Notifier = silentNotifier;
  private readonly peers;
  private readonly outbox;
  private readonly held;
  private readonly invites;
  private readonly handlers = new Map<string, Handler>();
  private readonly periodic: Array<() => Promise<void> | void> = [];
  private readonly backoff = new Map<string, { until: number; ms: number; since: number; attempts: number }>();
  private timer: NodeJS.Timeout | undefined;
  readonly rejected: Record<string, number> = {};
  readonly payments: InterHubPayments;
  readonly signals: Signals;
  readonly clearing: HubClearing;

  constructor(
    readonly store: Store,
    readonly ledger: Ledger,
    readonly self: FederationSelf,
    readonly clock: Clock,
    private readonly transport: Transport,
    readonly log: Logger,
    private readonly opts: FederationOptions = {},
  ) {
    this.peers = store.collection<Peer, string>('fed-peers', 'peer');
    this.outbox = store.db<Envelope, [string, number]>('fed-outbox');
    this.held = store.db<Envelope, [string, number]>('fed-held');
    this.invites = store.db<Invitation, string>('fed-invitations');
    this.on('link.hello', () => undefined);
    this.on('link.status', (peer, e) => this.remoteStatusInTxn(peer, e));
    this.on('terms.propose', (peer, e) => this.termsProposedInTxn(peer, e));
    this.on('terms.accept', (peer, e) => this.termsAcceptedInTxn(peer, e));
    this.on('terms.decline', (peer, e) => this.termsDeclinedInTxn(peer, e));
    this.payments = new InterHubPayments(this, opts.paymentTimeoutMs ?? 24 * 3_600_000);
    this.signals = new Signals(this, opts.board, opts.summaryEveryMs);
    this.clearing = new HubClearing(this);
  }

  get hubId(): string {
    return this.self.identity.hubId;
  }

  /** For the modules built on links: what to do when a message of this type arrives. */
  on(type: string, handler: Handler): void {
    this.handlers.set(type, handler);
  }

  /** Work to run on the federation's timer, after each flush (timeouts, periodic summaries). */
  every(task: () => Promise<void> | void): void {
    this.periodic.push(task);
  }

  // ── peering ─────────────────────────────────────────────────────────────

  /** A short token carrying our URL, id and key, for the other hub's steward, and the same as a QR code (SVG) to show on a phone. */
  async invite(steward: string, terms: { trustOut: number; trustIn: number }): Promise<{ token: string; qrSvg: string }> {
    const nonce = randomBytes(9).toString('base64url');
    const now = this.clock.now();
    await this.store.write(() =>
      this.invites.put(nonce, {
        nonce,
        createdBy: steward,
        createdAt: now,
        expiresAt: now + 7 * DAY_MS,
        trustOut: terms.trustOut,
        trustIn: terms.trustIn,
        usedBy: null,
      }),
    );
    const token = Buffer.from(
      JSON.stringify({ u: this.self.url, h: this.hubId, k: this.self.identity.publicKey, n: nonce, c: this.self.currency, name: this.self.name }),
    ).toString('base64url');
    return { token, qrSvg: await qrSvg(token) };
  }

  /** The other hub's steward accepts: we record them and introduce ourselves over the link. */
  async accept(steward: string, token: string, terms: { rate: Rate; trustOut: number; trustIn: number; feePpm?: number }): Promise<Peer> {
    let t: { u: string; h: string; k: string; n: string; c: Peer['currency']; name: string };
    try {
      t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    } catch {
      throw HubError.badRequest('that is not a link invitation');
    }
    if (typeof t?.k !== 'string' || typeof t.h !== 'string') throw HubError.badRequest('that is not a link invitation');
    if (hubIdFromPublicKey(Buffer.from(t.k, 'base64url')) !== t.h) throw HubError.badRequest("the invitation's id does not match its key");
    if (t.h === this.hubId) throw HubError.badRequest('a hub cannot link to itself');
    const feePpm = terms.feePpm ?? 0;
    const peer = await this.store.write(() => {
      const p = this.addPeerInTxn({
        hubId: t.h,
        publicKey: t.k,
        url: t.u,
        name: t.name,
        currency: t.c,
        rate: terms.rate,
        trustOut: terms.trustOut,
        trustIn: terms.trustIn,
        feePpm,
      });
      this.sendInTxn(p.hubId, 'link.hello', {
        nonce: t.n,
        url: this.self.url,
        publicKey: this.self.identity.publicKey,
        name: this.self.name,
        currency: this.self.currency,
        rate: invert(terms.rate),
      });
      this.ledger.recordInTxn(steward, { event: 'link.accepted', peer: t.h });
      return p;
    });
    this.log.info({ module: 'federation', peer: peer.hubId, url: peer.url }, 'link accepted; introducing ourselves');
    this.kick();
    return peer;
  }

  private addPeerInTxn(p: Pick<Peer, 'hubId' | 'publicKey' | 'url' | 'name' | 'currency' | 'rate' | 'trustOut' | 'trustIn' | 'feePpm'>): Peer {
    const existing = this.peers.get(p.hubId);
    if (existing) return existing;
    const peer: Peer = {
      ...p,
      status: 'active',
      remoteStatus: 'active',
      owedTheirs: 0,
      pendingTerms: null,
      settlement: null,
      outSeq: 0,
      outHead: GENESIS,
      inSeq: 0,
      inHead: GENESIS,
      lastContact: null,
    };
    this.peers.put(p.hubId, peer);
    this.notifier.sendInTxn('stewards', 'hub-link-changed', { hub: peer.name, status: 'active', side: 'ours' }, { ref: 'federation' });
    this.ledger.openAccountInTxn(CLEARING_PREFIX + p.hubId, 'credit', null);
    this.syncClearingLimitsInTxn(peer);
    return peer;
  }

  /** The clearing account's floor and ceiling are the link's trust limits, kept in step with its terms. */
  private syncClearingLimitsInTxn(p: Peer): void {
    this.ledger.setSystemLimitsInTxn(CLEARING_PREFIX + p.hubId, 'credit', { floor: -p.trustIn, ceiling: p.trustOut });
  }

  peer(hubId: string): Peer {
    return found(this.peers.get(hubId), `linked hub ${hubId}`);
  }

  findPeer(hubId: string): Peer | undefined {
    return this.peers.get(hubId);
  }

  /** Changes a peer's record inside the caller's write transaction. */
  updatePeerInTxn(hubId: string, patch: Partial<Peer>): Peer {
    const before = this.peer(hubId);
    const next = { ...before, ...patch };
    this.peers.put(hubId, next);
    // Either end's change is news to stewards: "paused" here, or "closing" from the other hub.
    if (next.status !== before.status)
      this.notifier.sendInTxn('stewards', 'hub-link-changed', { hub: next.name, status: next.status, side: 'ours' }, { ref: 'federation' });
    else if (next.remoteStatus !== before.remoteStatus)
      this.notifier.sendInTxn('stewards', 'hub-link-changed', { hub: next.name, status: next.remoteStatus, side: 'theirs' }, { ref: 'federation' });
    if (patch.trustIn !== undefined || patch.trustOut !== undefined) this.syncClearingLimitsInTxn(next);
    return next;
  }

  allPeers(): Peer[] {
    return this.peers.all();
  }

  listPeers(): Array<Peer & { queue: number; clearingBalance: number }> {
    return this.allPeers().map((p) => ({ ...p, queue: this.queued(p.hubId).length, clearingBalance: this.clearingBalance(p.hubId) }));
  }

  clearingBalance(hubId: string): number {
    return this.ledger.account(CLEARING_PREFIX + hubId).balance;
  }

  /** Whether new payments may cross this link now, and if not, why. */
  usable(p: Peer): string | null {
    if (p.status !== 'active') return `the link with ${p.name} is ${p.status}`;
    if (p.remoteStatus !== 'active') return `${p.name} has ${p.remoteStatus === 'paused' ? 'paused' : 'closed'} the link`;
    return null;
  }

  // ── pause, close ────────────────────────────────────────────────────────

  async setStatus(hubId: string, status: 'active' | 'paused', steward: string): Promise<Peer> {
    const p = await this.store.write(() => {
      const cur = this.peer(hubId);
      if (cur.status === 'closed' || cur.status === 'closing')
        throw HubError.conflict(`the link is ${cur.status}; it cannot be ${status === 'active' ? 'resumed' : 'paused'}`);
      const next = this.updatePeerInTxn(hubId, { status });
      this.sendInTxn(hubId, 'link.status', { status });
      this.ledger.recordInTxn(steward, { event: `link.${status === 'active' ? 'resumed' : 'paused'}`, peer: hubId });
      return next;
    });
    this.log.info({ module: 'federation', peer: hubId, status, steward }, status === 'paused' ? 'link paused: no new payments either way' : 'link resumed');
    this.kick();
    return p;
  }

  /**
   * Closes a link. At a zero balance with nothing in flight it closes now.
   * Otherwise only with a settlement plan: the link is then "closing", only
   * payments that bring the balance towards zero may cross it, and it
   * closes by itself when the balance reaches zero.
   */
  async close(hubId: string, steward: string, settlement?: string): Promise<Peer> {
    const p = await this.store.write(() => {
      const cur = this.peer(hubId);
      if (cur.status === 'closed') throw HubError.conflict('the link is already closed');
      const settled = this.settledInTxn(cur);
      if (!settled && !settlement) {
        throw refuse(
          'balance-not-settled',
          `the link with ${cur.name} has a balance of ${this.clearingBalance(hubId)} and ${this.payments.pendingWith(hubId)} payment(s) in flight; settle it first or give a settlement plan`,
          { balance: this.clearingBalance(hubId) },
        );
      }
      const status: LinkStatus = settled ? 'closed' : 'closing';
      const next = this.updatePeerInTxn(hubId, { status, settlement: settlement ? { plan: settlement, by: steward, at: this.clock.now() } : cur.settlement });
      this.sendInTxn(hubId, 'link.status', { status, plan: settlement ?? null });
      this.ledger.recordInTxn(steward, { event: `link.${status}`, peer: hubId, plan: settlement ?? null });
      return next;
    });
    this.log.info(
      { module: 'federation', peer: hubId, status: p.status, plan: p.settlement?.plan ?? null },
      p.status === 'closed' ? 'link closed' : 'link closing under a settlement plan',
    );
    this.kick();
    return p;
  }

  private settledInTxn(p: Peer): boolean {
    return this.clearingBalance(p.hubId) === 0 && this.payments.pendingWith(p.hubId) === 0;
  }

  /**
   * Called after anything that moves a clearing balance: a closing link
   * whose balance has reached zero closes, on both sides.
   */
  settleCheckInTxn(hubId: string): void {
    const p = this.peers.get(hubId);
    if (!p || p.status !== 'closing' || !this.settledInTxn(p)) return;
    this.updatePeerInTxn(hubId, { status: 'closed' });
    this.sendInTxn(hubId, 'link.status', { status: 'closed', plan: null });
    this.ledger.recordInTxn(null, { event: 'link.closed', peer: hubId, reason: 'settled' });
    this.log.info({ module: 'federation', peer: hubId }, 'link settled to zero and closed');
  }

  private remoteStatusInTxn(peer: Peer, e: Envelope): void {
    const status = String(e.body.status) as LinkStatus;
    if (!['active', 'paused', 'closing', 'closed'].includes(status)) this.refuse('malformed', `link status ${status}`, e.from);
    const patch: Partial<Peer> = { remoteStatus: status };
    // A close on one side closes the other: a settlement plan applies to both.
    if ((status === 'closing' || status === 'closed') && peer.status !== 'closed') {
      patch.status = status === 'closed' && this.settledInTxn(peer) ? 'closed' : 'closing';
      if (e.body.plan) patch.settlement = { plan: String(e.body.plan), by: null, at: this.clock.now() };
    }
    this.updatePeerInTxn(peer.hubId, patch);
    this.ledger.recordInTxn(null, { event: `link.remote-${status}`, peer: peer.hubId });
    this.log.info({ module: 'federation', peer: peer.hubId, remoteStatus: status }, `the other hub set the link ${status}`);
  }

  // ── terms ───────────────────────────────────────────────────────────────

  /** Proposes new terms (rate, trust limits, fee); they take effect only when the other hub's steward accepts. */
  async proposeTerms(hubId: string, steward: string, terms: Partial<LinkTerms>): Promise<Peer> {
    const p = await this.store.write(() => {
      const cur = this.peer(hubId);
      if (cur.status === 'closed') throw HubError.conflict('the link is closed');
      const next: LinkTerms = {
        rate: terms.rate ?? cur.rate,
        trustOut: terms.trustOut ?? cur.trustOut,
        trustIn: terms.trustIn ?? cur.trustIn,
        feePpm: terms.feePpm ?? cur.feePpm,
      };
      const id = randomId('terms_');
      const updated = this.updatePeerInTxn(hubId, { pendingTerms: { ...next, id, proposedBy: 'us', at: this.clock.now() } });
      // Sent as the other side will hold them: the rate inverted, in and out swapped.
      this.sendInTxn(hubId, 'terms.propose', { id, rate: invert(next.rate), trustOut: next.trustIn, trustIn: next.trustOut, feePpm: next.feePpm });
      this.ledger.recordInTxn(steward, { event: 'link.terms-proposed', peer: hubId, terms: next });
      return updated;
    });
    this.kick();
    return p;
  }

  /** Our steward answers the other hub's proposed terms. Accepting applies them here at once and tells the other side. */
  async answerTerms(hubId: string, steward: string, accept: boolean): Promise<Peer> {
    const p = await this.store.write(() => {
      const cur = this.peer(hubId);
      const t = cur.pendingTerms;
      if (!t || t.proposedBy !== 'them') throw HubError.conflict(`no terms from ${cur.name} are waiting for an answer`);
      const { id: _id, proposedBy: _by, at: _at, ...terms } = t;
      const updated = this.updatePeerInTxn(hubId, accept ? { ...terms, pendingTerms: null } : { pendingTerms: null });
      this.sendInTxn(hubId, accept ? 'terms.accept' : 'terms.decline', { id: t.id });
      this.ledger.recordInTxn(steward, { event: accept ? 'link.terms-accepted' : 'link.terms-declined', peer: hubId, terms });
      return updated;
    });
    this.log.info({ module: 'federation', peer: hubId, accepted: accept, rate: p.rate }, accept ? 'new link terms in effect' : 'new link terms declined');
    this.kick();
    return p;
  }

  private termsProposedInTxn(peer: Peer, e: Envelope): void {
    const b = e.body as { id: string; rate: Rate; trustOut: number; trustIn: number; feePpm: number };
    const ok = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0;
    if (!ok(b.rate?.num) || !ok(b.rate?.den) || b.rate.num === 0 || b.rate.den === 0 || !ok(b.trustOut) || !ok(b.trustIn) || !ok(b.feePpm))
      this.refuse('malformed', 'terms out of range', e.from);
    // Crossing proposals: the later one wins on both sides, since each side sees it last.
    this.updatePeerInTxn(peer.hubId, {
      pendingTerms: { rate: b.rate, trustOut: b.trustOut, trustIn: b.trustIn, feePpm: b.feePpm, id: b.id, proposedBy: 'them', at: this.clock.now() },
    });
    this.log.info({ module: 'federation', peer: peer.hubId, rate: b.rate }, 'the other hub proposes new link terms; waiting for a steward');
  }

  private termsAcceptedInTxn(peer: Peer, e: Envelope): void {
    const t = peer.pendingTerms;
    if (!t || t.proposedBy !== 'us' || t.id !== e.body.id) return;
    const { id: _id, proposedBy: _by, at: _at, ...terms } = t;
    this.updatePeerInTxn(peer.hubId, { ...terms, pendingTerms: null });
    this.ledger.recordInTxn(null, { event: 'link.terms-in-effect', peer: peer.hubId, terms });
    this.log.info({ module: 'federation', peer: peer.hubId, rate: terms.rate }, 'the other hub accepted our terms; in effect');
  }

  private termsDeclinedInTxn(peer: Peer, e: Envelope): void {
    if (peer.pendingTerms?.proposedBy === 'us' && peer.pendingTerms.id === e.body.id) this.updatePeerInTxn(peer.hubId, { pendingTerms: null });
  }

  // ── transport ───────────────────────────────────────────────────────────

  /** Seals the next message on the link and puts it in the outbox, inside the caller's write transaction. */
  sendInTxn(hubId: string, type: string, body: Record<string, unknown>): Envelope {
    const cur = this.peer(hubId);
    const e = seal(
      { from: this.hubId, to: cur.hubId, seq: cur.outSeq + 1, ts: this.clock.now(), prev: cur.outHead, type, body },
      this.self.identity.privateKeyPem,
    );
    this.outbox.put([cur.hubId, e.seq], e);
    this.peers.put(cur.hubId, { ...cur, outSeq: e.seq, outHead: envelopeHash(e) });
    return e;
  }

  /** Whether this message still waits in our outbox, unacknowledged. */
  isQueued(hubId: string, seq: number): boolean {
    return this.outbox.get([hubId, seq]) !== undefined;
  }

  private queued(hubId: string): Envelope[] {
    return [...this.outbox.getRange({ start: [hubId, 0], end: [hubId, Number.MAX_SAFE_INTEGER] })].map((e) => e.value);
  }

  private flushing = false;
  private flushAgain = false;
  private stopped = false;
  /** True while a message's handler runs, so a failure there is told apart from a refusal before it. */
  private applying = false;
  private inflight: Promise<void> | null = null;

  /**
   * Flushes soon, one flush at a time: a send to a dead link can take the
   * full fetch timeout, and two overlapping sends would each think they
   * were first (duplicate deliveries, a backoff forgotten).
   */
  kick(): void {
    if (this.stopped) return;
    if (this.flushing) {
      this.flushAgain = true;
      return;
    }
    this.flushing = true;
    this.inflight = this.flush().finally(() => {
      this.flushing = false;
      if (this.flushAgain) {
        this.flushAgain = false;
        this.kick();
      }
    });
  }

  start(everyMs = 500): void {
    // Links made before clearing accounts carried their trust limits get them now (idempotent).
    const peers = this.allPeers();
    try {
      if (peers.length > 0) this.store.writeSync(() => peers.forEach((p) => this.syncClearingLimitsInTxn(p)));
    } catch (err) {
      // A full disk must not stop the hub starting; the limits are set at the next start or change of terms.
      this.log.warn({ module: 'federation', err: (err as Error).message }, 'clearing limits not brought up to date');
    }
    this.timer = setInterval(() => {
      this.kick();
      void this.tick();
    }, everyMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for a flush under way, so nothing touches the store after it closes. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.inflight?.catch(() => undefined);
  }

  /** The periodic work of the modules; one failing task is logged and does not stop the others. */
  async tick(): Promise<void> {
    for (const task of this.periodic) {
      try {
        await task();
      } catch (e) {
        this.log.error({ module: 'federation', err: (e as Error).message }, 'periodic federation task failed');
      }
    }
  }

  /** Sends each peer what it has not acknowledged, in order; a failing link backs off exponentially. */
  async flush(): Promise<void> {
    for (const { value: p } of this.peers.getRange({})) {
      const q = this.queued(p.hubId);
      if (q.length === 0) continue;
      const b = this.backoff.get(p.hubId);
      // Backoff times are monotonic: a wall clock stepped by chrony would stretch or cut them.
      if (b && b.until > performance.now()) continue;
      try {
        if (p.urlVerified === false) await this.verifyUrl(p);
        const { ackedSeq } = await this.transport(p.url, q.slice(0, 50));
        await this.store.write(() => {
          for (const e of q) if (e.seq <= ackedSeq) this.outbox.remove([p.hubId, e.seq]);
          const cur = this.peer(p.hubId);
          this.peers.put(p.hubId, { ...cur, lastContact: this.clock.now() });
        });
        this.backoff.delete(p.hubId);
        if (b)
          this.log.info(
            {
              module: 'federation',
              peer: p.hubId,
              downForMs: Math.round(performance.now() - b.since),
              delivered: Math.min(q.length, 50),
              attempts: b.attempts,
            },
            'link reachable again; held messages delivered',
          );
      } catch (e) {
        const ms = Math.min(300_000, (b?.ms ?? 500) * 2);
        this.backoff.set(p.hubId, { until: performance.now() + ms, ms, since: b?.since ?? performance.now(), attempts: (b?.attempts ?? 0) + 1 });
        // Say it once at warn when a link goes down, then quietly retry.
        const level = b ? 'debug' : 'warn';
        this.log[level](
          { module: 'federation', peer: p.hubId, url: p.url, err: (e as Error).message, held: q.length, retryInMs: ms },
          'link unreachable; messages held in the outbox',
        );
      }
    }
  }

  /** The peer's address, once it has answered as that hub (asked now if it has not yet): other exchanges (backups) go only there. */
  async confirmedUrl(hubId: string): Promise<string> {
    const p = this.peer(hubId);
    if (p.urlVerified === false) await this.verifyUrl(p);
    return p.url;
  }

  private async verifyUrl(p: Peer): Promise<void> {
    // Addresses are marked unconfirmed only when there is a probe to confirm them with.
    const probe = this.opts.probe;
    if (!probe) return;
    const answering = await probe(p.url).catch(() => null);
    if (answering !== p.hubId) {
      this.log.warn(
        { module: 'federation', peer: p.hubId, url: p.url, answering },
        "a peer's claimed address does not answer as that hub; nothing is sent there",
      );
      throw new Error(`${p.url} does not answer as ${p.hubId}`);
    }
    await this.store.write(() => {
      const cur = this.peers.get(p.hubId);
      if (cur) this.peers.put(p.hubId, { ...cur, urlVerified: true });
    });
    this.log.info({ module: 'federation', peer: p.hubId, url: p.url }, 'peer address confirmed: it answers as that hub');
  }

  /** Forgets every link's backoff, so the next flush tries at once (tests, and a steward's "retry now"). */
  retryNow(): void {
    this.backoff.clear();
  }

  refuse(kind: string, detail: string, from: string | null): never {
    this.rejected[kind] = (this.rejected[kind] ?? 0) + 1;
    this.log.warn({ module: 'federation', kind, from, detail }, 'message refused');
    throw refuse(kind === 'unknown-sender' ? 'unknown-sender' : 'message-refused', `${kind}: ${detail}`, { kind });
  }

  /**
   * Takes envelopes from a peer. Each is checked before anything happens:
   * known sender (or a hello with a valid invitation), addressed to us, a
   * signature that matches, fresh, next in order with the right chain hash.
   * A repeated message is acknowledged and ignored; one from the future of
   * the chain is held until the gap fills.
   */
  async receive(envelopes: Envelope[]): Promise<{ ackedSeq: number }> {
    let refusal: unknown = null;
    let acked = 0;
    try {
      // One transaction for the whole batch: a message refused stops the batch, and what came before it stands.
      acked = await this.store.write(() => {
        let ack = 0;
        for (const e of envelopes) {
          try {
            ack = this.receiveInTxn(e);
          } catch (err) {
            // A handler that fails part-way must not leave half its writes: that undoes the whole batch.
            if (this.applying) throw err;
            refusal = err;
            break;
          }
        }
        return ack;
      });
    } finally {
      this.applying = false;
      // Answers (acceptances, refusals) go back now rather than on the next tick.
      this.kick();
    }
    if (refusal) throw refusal;
    return { ackedSeq: acked };
  }

  private receiveInTxn(e: Envelope): number {
    if (!e || e.v !== 1 || typeof e.from !== 'string' || typeof e.seq !== 'number' || typeof e.body !== 'object' || e.body === null)
      this.refuse('malformed', 'not an envelope', null);
    if (e.to !== this.hubId) this.refuse('misaddressed', `for ${e.to}`, e.from);
    let peer = this.peers.get(e.from);
    if (!peer) {
      if (e.type !== 'link.hello' || e.seq !== 1) this.refuse('unknown-sender', `no link with ${e.from}`, e.from);
      const problem = bodyProblem(e.type, e.body);
      if (problem) this.refuse('malformed', `link.hello: ${problem}`, e.from);
      const key = String(e.body.publicKey);
      if (hubIdFromPublicKey(Buffer.from(key, 'base64url')) !== e.from || !signatureValid(e, key))
        this.refuse('bad-signature', 'hello not signed by the hub it claims', e.from);
      const inv = this.invites.get(String(e.body.nonce));
      if (!inv || inv.usedBy || inv.expiresAt < this.clock.now()) this.refuse('unknown-sender', 'no valid invitation for this hello', e.from);
      peer = this.addPeerInTxn({
        hubId: e.from,
        publicKey: key,
        url: String(e.body.url),
        name: String(e.body.name ?? e.from),
        currency: e.body.currency as Peer['currency'],
        rate: e.body.rate as Rate,
        trustOut: inv.trustOut,
        trustIn: inv.trustIn,
        feePpm: 0,
      });
      // The address is only what the peer says: checked before anything is posted to it (flush).
      if (this.opts.probe) {
        peer = { ...peer, urlVerified: false };
        this.peers.put(peer.hubId, peer);
      }
      this.invites.put(inv.nonce, { ...inv, usedBy: e.from });
      this.ledger.recordInTxn(null, { event: 'link.established', peer: e.from });
      this.log.info({ module: 'federation', peer: e.from }, 'new link established');
    }
    if (!signatureValid(e, peer.publicKey)) this.refuse('bad-signature', "signature does not match the linked hub's key (forged or tampered)", e.from);
    if (Math.abs(e.ts - this.clock.now()) > REPLAY_WINDOW_MS) this.refuse('replay', 'outside the replay window', e.from);
    if (e.seq <= peer.inSeq) return peer.inSeq; // a duplicate: already done
    if (e.seq > peer.inSeq + 1) {
      this.held.put([e.from, e.seq], e);
      return peer.inSeq;
    }
    // Apply this one, then anything held that now follows, in order.
    let next: Envelope | undefined = e;
    let acked = peer.inSeq;
    while (next) {
      const cur: Peer = this.peer(next.from);
      if (next.prev !== cur.inHead) this.refuse('broken-chain', `message ${next.seq} does not follow ${cur.inSeq}`, next.from);
      const handler = this.handlers.get(next.type);
      if (!handler) this.refuse('unknown-type', next.type, next.from);
      // The envelope is authentic and in order. If the handler refuses what it says, its writes
      // alone are undone and the message still counts as received (refuse() counted and logged
      // it): one bad message from a linked hub must not hold up every later one on the link.
      // Any other failure undoes the whole batch, to be tried again.
      const msg = next;
      this.applying = true;
      try {
        this.store.nestedInTxn(() => {
          // Every body is checked against its type before anything acts on it (messages.ts).
          const problem = bodyProblem(msg.type, msg.body);
          if (problem) this.refuse('malformed', `${msg.type}: ${problem}`, msg.from);
          handler(cur, msg);
        });
      } catch (err) {
        if (!(err instanceof HubError && typeof err.extensions.kind === 'string')) throw err;
      }
      this.applying = false;
      const after = this.peer(next.from);
      this.peers.put(next.from, { ...after, inSeq: next.seq, inHead: envelopeHash(next), lastContact: this.clock.now() });
      this.held.remove([next.from, next.seq]);
      acked = next.seq;
      next = this.held.get([next.from, next.seq + 1]);
    }
    return acked;
  }
}
