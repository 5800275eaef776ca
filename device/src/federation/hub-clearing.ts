import { createPrivateKey, sign, verify } from 'node:crypto';
import { canonicalJson } from '../canonical-json.js';
import { found, HubError } from '../errors.js';
import { hubIdFromPublicKey } from '../identity.js';
import { randomId } from '../ids.js';
import { CLEARING_PREFIX } from '../ledger/types.js';
import { publicKeyFromRaw, type Envelope } from './envelope.js';
import type { Federation, Peer, Rate } from './federation.js';
import { refuse, type HubClearingStatus } from './contract.js';

/**
 * Multilateral clearing of the balances between hubs. When hub debts form a
 * cycle (we owe B, B owes C, C owes us) the same value can be taken off
 * every edge of it: each hub's debt to the next and the previous hub's debt
 * to it shrink by equal amounts in its own currency, so no hub's net
 * position changes. One hub proposes a cycle it can see from the balances
 * its links share (theirs with their own links, so a cycle may pass through
 * hubs it has no link with); every hub on it must have a steward accept;
 * then the proposer tells them all to apply it. Each applies its two edges
 * in one transaction, unconditionally, since it promised to when it accepted.
 *
 * Messages go round the cycle itself, hop by hop, since each hub on it is
 * linked to the next (they owe each other). The proposal and the decision
 * carry the proposer's signature, and each answer its hub's, with the
 * signer's public key, from which its hub id is derived: a hub in between
 * passes them on, and cannot make them up.
 */
export interface ClearingEdge {
  debtor: string;
  creditor: string;
  /** Taken off the debt, in the debtor's minor units and in the creditor's. */
  amount: number;
  amountCreditor: number;
}

export interface HubClearingRun {
  id: string;
  initiator: string;
  cycle: string[];
  edges: ClearingEdge[];
  answers: Record<string, boolean>;
  status: HubClearingStatus;
  createdAt: number;
  appliedAt: number | null;
  /** The proposer's signature over id, initiator, cycle, edges and createdAt, with its public key. */
  proof?: Signed;
  /** Names of the hubs on the cycle, as the proposer knows them (its links', and theirs from their summaries): for people, not signed. */
  names?: Record<string, string>;
}

/** A signature by the hub whose public key this is (base64url, raw Ed25519). */
interface Signed {
  key: string;
  sig: string;
}

const MAX_CYCLE = 6;
/** A run not every steward has answered within this long is called off by its proposer. */
export const CLEARING_RUN_TTL_MS = 14 * 24 * 3_600_000;

const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? (a < 0n ? -a : a) : gcd(b, a % b));

export class HubClearing {
  private readonly runs;

  constructor(private readonly fed: Federation) {
    this.runs = fed.store.collection<HubClearingRun, string>('fed-clearing-runs', 'clearing run');
    fed.on('clearing.propose', (peer, e) => this.proposedInTxn(peer, e));
    fed.on('clearing.answer', (_peer, e) => this.answeredInTxn(e));
    fed.on('clearing.commit', (_peer, e) => this.decidedInTxn(e, 'commit'));
    fed.on('clearing.abort', (_peer, e) => this.decidedInTxn(e, 'abort'));
    fed.every(() => this.callOffStale());
  }

  private lastStaleCheck = -Infinity;

  /** On the proposer: runs still waiting for an answer after CLEARING_RUN_TTL_MS are declined everywhere. */
  private async callOffStale(): Promise<void> {
    const now = this.fed.clock.now();
    if (now - this.lastStaleCheck < 60_000) return; // the federation ticks twice a second; once a minute is plenty
    this.lastStaleCheck = now;
    const stale = this.list().filter((r) => r.initiator === this.fed.hubId && r.status === 'proposed' && now - r.createdAt > CLEARING_RUN_TTL_MS);
    if (stale.length === 0) return;
    await this.fed.store.write(() => {
      for (const r of stale) {
        const cur = this.runs.get(r.id);
        if (cur?.status !== 'proposed') continue;
        this.runs.put(cur.id, { ...cur, status: 'declined' });
        this.decideInTxn(cur, 'abort');
        const waiting = cur.cycle.filter((h) => !(h in cur.answers));
        this.fed.log.info({ module: 'federation', run: cur.id, waitingFor: waiting }, 'clearing between hubs called off: not every steward answered in time');
      }
    });
    this.fed.kick();
  }

  /** Sends the proposer's signed decision round the cycle. */
  private decideInTxn(r: HubClearingRun, decision: 'commit' | 'abort'): void {
    this.forwardInTxn(r, `clearing.${decision}`, { id: r.id, proof: this.signed({ id: r.id, decision }) }, this.fed.hubId);
  }

  // ── signatures and the way round the cycle ──────────────────────────────

  private signed(payload: unknown): Signed {
    const sig = sign(null, Buffer.from(canonicalJson(payload)), createPrivateKey(this.fed.self.identity.privateKeyPem)).toString('base64url');
    return { key: this.fed.self.identity.publicKey, sig };
  }

  /** True when `proof` is `hubId`'s signature over `payload`: the key must be the one the id derives from. */
  private signedBy(hubId: string, payload: unknown, proof: Partial<Signed> | undefined): boolean {
    if (typeof proof?.key !== 'string' || typeof proof.sig !== 'string') return false;
    try {
      return (
        hubIdFromPublicKey(Buffer.from(proof.key, 'base64url')) === hubId &&
        verify(null, Buffer.from(canonicalJson(payload)), publicKeyFromRaw(proof.key), Buffer.from(proof.sig, 'base64url'))
      );
    } catch {
      return false;
    }
  }

  private static proposal(r: HubClearingRun) {
    return { id: r.id, initiator: r.initiator, cycle: r.cycle, edges: r.edges, createdAt: r.createdAt };
  }

  /** The hub after `hub` on the cycle: the one it owes, and is linked to. */
  private static next(r: Pick<HubClearingRun, 'cycle'>, hub: string): string {
    const next = r.cycle[(r.cycle.indexOf(hub) + 1) % r.cycle.length];
    if (next === undefined) throw new Error('a clearing run with an empty cycle');
    return next;
  }

  /** Passes a message on round the cycle, unless the next hub is `stopAt`. */
  private forwardInTxn(r: Pick<HubClearingRun, 'cycle'>, type: string, body: Record<string, unknown>, stopAt: string): void {
    const to = HubClearing.next(r, this.fed.hubId);
    if (to !== stopAt) this.fed.sendInTxn(to, type, body);
  }

  /**
   * The debts we can see, as debtor → creditor → (amount in the debtor's
   * units, the debtor's rate for the creditor). Ours from our ledger; our
   * links' from their last summaries.
   */
  private debts(): Map<string, Map<string, { amount: number; rate: Rate }>> {
    const g = new Map<string, Map<string, { amount: number; rate: Rate }>>();
    const add = (debtor: string, creditor: string, amount: number, rate: Rate) => {
      if (amount <= 0) return;
      let owed = g.get(debtor);
      if (!owed) g.set(debtor, (owed = new Map()));
      owed.set(creditor, { amount, rate });
    };
    const open = this.fed.allPeers().filter((p) => p.status !== 'closed');
    // A link's summary tells us its balances with its own links. One owed to
    // it shows a debt of that hub's, seen from the creditor's side; the
    // debtor's own word, where we hear it, comes after and replaces it.
    for (const p of open) {
      for (const pos of this.fed.signals.positionsOf(p.hubId) ?? []) {
        if (pos.balance >= 0 || pos.rate.num <= 0 || pos.rate.den <= 0) continue;
        add(pos.hubId, p.hubId, Math.floor((-pos.balance * pos.rate.num) / pos.rate.den), { num: pos.rate.den, den: pos.rate.num });
      }
    }
    for (const p of open) {
      add(this.fed.hubId, p.hubId, this.fed.clearingBalance(p.hubId), p.rate);
      for (const pos of this.fed.signals.positionsOf(p.hubId) ?? []) add(p.hubId, pos.hubId, pos.balance, pos.rate);
    }
    return g;
  }

  /** Finds the cycle through us that clears the most, in our units, among the debts we can see. */
  findCycle(): { cycle: string[]; edges: ClearingEdge[] } | null {
    const g = this.debts();
    const self = this.fed.hubId;
    const found: Array<{ cycle: string[]; edges: ClearingEdge[]; value: number }> = [];
    const walk = (path: string[]) => {
      const at = path.at(-1) ?? self;
      for (const [next] of g.get(at) ?? []) {
        if (next === self && path.length >= 3) {
          const c = this.size(path, g);
          if (c) found.push({ cycle: [...path], edges: c.edges, value: c.value });
        } else if (next !== self && !path.includes(next) && path.length < MAX_CYCLE) walk([...path, next]);
      }
    };
    walk([self]);
    // The first of the largest, as walked: the same choice as before, without a variable the closure narrows away.
    const best = found.reduce<(typeof found)[number] | null>((b, c) => (!b || c.value > b.value ? c : b), null);
    return best ? { cycle: best.cycle, edges: best.edges } : null;
  }

  /**
   * How much the cycle can clear. Around it, value is carried through each
   * link's rate; the cycle clears without moving anyone's net position only
   * if the rates multiply to exactly one, and only in amounts that convert
   * to whole minor units at every step.
   */
  private size(path: string[], g: ReturnType<HubClearing['debts']>): { edges: ClearingEdge[]; value: number } | null {
    const hops = path.map((debtor, i) => {
      const creditor = path[(i + 1) % path.length] ?? debtor;
      const debt = g.get(debtor)?.get(creditor);
      if (!debt) throw new Error(`no debt from ${debtor} to ${creditor} on a cycle walked through it`);
      return { debtor, creditor, ...debt };
    });
    // Cumulative rate from our units into each debtor's units.
    let num = 1n;
    let den = 1n;
    const into: Array<{ num: bigint; den: bigint }> = [];
    let step = 1n;
    let cap = Infinity;
    for (const h of hops) {
      into.push({ num, den });
      step = (step * den) / gcd(step, den); // x must make x·num/den whole at every hop
      cap = Math.min(cap, Math.floor((h.amount * Number(den)) / Number(num)));
      num *= BigInt(h.rate.num);
      den *= BigInt(h.rate.den);
      const k = gcd(num, den);
      num /= k;
      den /= k;
    }
    if (num !== den) {
      this.fed.log.info(
        { module: 'federation', cycle: path },
        "a debt cycle whose rates do not multiply to one cannot clear without moving someone's position; skipped",
      );
      return null;
    }
    const x = BigInt(Math.floor(cap / Number(step))) * step;
    if (x <= 0n) return null;
    const edges = hops.map((h, i) => {
      const rate = into[i] ?? { num: 1n, den: 1n };
      const amount = Number((x * rate.num) / rate.den);
      return { debtor: h.debtor, creditor: h.creditor, amount, amountCreditor: Math.floor((amount * h.rate.num) / h.rate.den) };
    });
    return { edges, value: Number(x) };
  }

  /** What we call the hubs on a cycle: ourselves, our links, and theirs as their summaries name them. */
  private namesOf(cycle: string[]): Record<string, string> {
    const names: Record<string, string> = { [this.fed.hubId]: this.fed.self.name };
    for (const p of this.fed.allPeers()) {
      names[p.hubId] ??= p.name;
      for (const pos of this.fed.signals.positionsOf(p.hubId) ?? []) if (typeof pos.name === 'string') names[pos.hubId] ??= pos.name.slice(0, 80);
    }
    return Object.fromEntries(cycle.flatMap((h) => (names[h] === undefined ? [] : [[h, names[h]]])));
  }

  /** Proposes the best cycle to every hub on it; our steward's proposing counts as our acceptance. */
  async propose(steward: string): Promise<HubClearingRun> {
    const found = this.findCycle();
    if (!found) throw refuse('nothing-to-clear', "no cycle of debts between linked hubs passes through this hub (balances are shared in the hubs' summaries)");
    const run = await this.fed.store.write(() => {
      const r: HubClearingRun = {
        id: randomId('hc_', 8),
        initiator: this.fed.hubId,
        cycle: found.cycle,
        edges: found.edges,
        answers: { [this.fed.hubId]: true },
        status: 'proposed',
        createdAt: this.fed.clock.now(),
        appliedAt: null,
        names: this.namesOf(found.cycle),
      };
      r.proof = this.signed(HubClearing.proposal(r));
      this.runs.put(r.id, r);
      this.forwardInTxn(r, 'clearing.propose', r as unknown as Record<string, unknown>, this.fed.hubId);
      this.fed.ledger.recordInTxn(steward, { event: 'hub-clearing.proposed', run: r.id, cycle: r.cycle, edges: r.edges });
      return r;
    });
    this.fed.log.info({ module: 'federation', run: run.id, cycle: run.cycle, amount: run.edges[0]?.amount }, 'clearing between hubs proposed');
    this.fed.kick();
    return run;
  }

  private proposedInTxn(peer: Peer, e: Envelope): void {
    const r = e.body as unknown as HubClearingRun;
    const ok =
      typeof r.id === 'string' &&
      typeof r.initiator === 'string' &&
      Array.isArray(r.cycle) &&
      Array.isArray(r.edges) &&
      r.cycle.includes(this.fed.hubId) &&
      r.cycle.includes(peer.hubId) &&
      r.edges.every((x) => Number.isSafeInteger(x.amount) && x.amount > 0 && Number.isSafeInteger(x.amountCreditor) && x.amountCreditor > 0);
    if (!ok) this.fed.refuse('malformed', 'not a clearing proposal', e.from);
    if (!this.signedBy(r.initiator, HubClearing.proposal(r), r.proof))
      this.fed.refuse('bad-signature', `a clearing proposal not signed by ${r.initiator}, who it says proposed it`, e.from);
    if (this.runs.get(r.id)) return; // seen it already
    const mine = this.myEdges(r);
    // Our two edges must balance in our own units, or our net position would move.
    if (mine.in.amountCreditor !== mine.out.amount) this.fed.refuse('malformed', "the clearing would change this hub's net position", e.from);
    for (const h of [mine.in.debtor, mine.out.creditor])
      if (!this.fed.findPeer(h)) this.fed.refuse('malformed', `clearing through ${h}, which is not linked to us`, e.from);
    this.runs.put(r.id, { ...r, answers: { ...r.answers }, status: 'proposed', appliedAt: null });
    this.forwardInTxn(r, 'clearing.propose', r as unknown as Record<string, unknown>, r.initiator);
    this.fed.log.info(
      { module: 'federation', run: r.id, initiator: r.initiator, from: peer.hubId },
      'a clearing between hubs is proposed; waiting for a steward',
    );
  }

  private myEdges(r: HubClearingRun): { in: ClearingEdge; out: ClearingEdge } {
    const self = this.fed.hubId;
    const inEdge = r.edges.find((x) => x.creditor === self);
    const outEdge = r.edges.find((x) => x.debtor === self);
    if (!inEdge || !outEdge) throw HubError.badRequest('this hub is not on that cycle');
    return { in: inEdge, out: outEdge };
  }

  /** Our steward accepts or declines a clearing run we are on. */
  async answer(id: string, accept: boolean, steward: string): Promise<HubClearingRun> {
    const r = await this.fed.store.write(() => {
      const cur = this.run(id);
      if (cur.status !== 'proposed') throw HubError.conflict(`the clearing run is ${cur.status}`);
      if (this.fed.hubId in cur.answers) throw HubError.conflict('this hub has already answered');
      this.fed.ledger.recordInTxn(steward, { event: accept ? 'hub-clearing.accepted' : 'hub-clearing.declined', run: id });
      if (cur.initiator === this.fed.hubId) return this.answerInTxn(cur, this.fed.hubId, accept);
      const answer = { id, hub: this.fed.hubId, accept };
      this.forwardInTxn(cur, 'clearing.answer', { ...answer, proof: this.signed(answer) }, '');
      const next = { ...cur, answers: { ...cur.answers, [this.fed.hubId]: accept } };
      this.runs.put(id, next);
      return next;
    });
    this.fed.kick();
    return r;
  }

  /** An answer on its way round to the proposer: counted there, passed on elsewhere. */
  private answeredInTxn(e: Envelope): void {
    const { id, hub, accept, proof } = e.body as { id?: unknown; hub?: unknown; accept?: unknown; proof?: Signed };
    if (typeof id !== 'string' || typeof hub !== 'string' || typeof accept !== 'boolean') return this.fed.refuse('malformed', 'not a clearing answer', e.from);
    const cur = this.runs.get(id);
    if (!cur || !cur.cycle.includes(hub))
      return this.fed.refuse('malformed', `an answer for clearing run ${String(id)}, which is not one this hub is on`, e.from);
    if (!this.signedBy(hub, { id, hub, accept }, proof)) this.fed.refuse('bad-signature', `a clearing answer not signed by ${String(hub)}`, e.from);
    if (cur.initiator === this.fed.hubId) this.answerInTxn(cur, hub, accept);
    else this.forwardInTxn(cur, 'clearing.answer', e.body, '');
  }

  /** The proposer's decision, on its way round: applied (or dropped) here and passed on. */
  private decidedInTxn(e: Envelope, decision: 'commit' | 'abort'): void {
    const { id, proof } = e.body as { id?: unknown; proof?: Signed };
    const cur = typeof id === 'string' ? this.runs.get(id) : undefined;
    if (!cur) return this.fed.refuse('malformed', `a decision on clearing run ${String(id)}, which is not one this hub is on`, e.from);
    if (!this.signedBy(cur.initiator, { id, decision }, proof))
      this.fed.refuse('bad-signature', `a clearing decision not signed by its proposer ${cur.initiator}`, e.from);
    if (decision === 'commit') this.applyInTxn(cur.id);
    else this.abortInTxn(cur.id);
    this.forwardInTxn(cur, `clearing.${decision}`, e.body, cur.initiator);
  }

  /** On the proposer: count the answers; all yes commits everywhere, any no aborts everywhere. */
  private answerInTxn(cur: HubClearingRun, hubId: string, accept: boolean): HubClearingRun {
    const { id } = cur;
    if (cur.initiator !== this.fed.hubId || cur.status !== 'proposed') return cur;
    const answers = { ...cur.answers, [hubId]: accept };
    this.runs.put(id, { ...cur, answers });
    if (!accept) {
      this.runs.put(id, { ...cur, answers, status: 'declined' });
      this.decideInTxn(cur, 'abort');
      this.fed.log.info({ module: 'federation', run: id, declinedBy: hubId }, 'clearing between hubs declined');
    } else if (cur.cycle.every((h) => answers[h])) {
      this.applyInTxn(id);
      this.decideInTxn(cur, 'commit');
    }
    return this.run(id);
  }

  /** Takes our two edges off, in one transaction: what we owe the next hub, and what the previous hub owes us. */
  private applyInTxn(id: string): void {
    const cur = this.runs.get(id);
    if (!cur || cur.status !== 'proposed') return;
    const { in: inEdge, out: outEdge } = this.myEdges(cur);
    this.fed.ledger.payInTxn(
      {
        payer: CLEARING_PREFIX + outEdge.creditor,
        payee: CLEARING_PREFIX + inEdge.debtor,
        amount: outEdge.amount,
        memo: `clearing between hubs ${id}`,
        category: 'hub-clearing',
        actor: null,
      },
      null,
    );
    this.fed.updatePeerInTxn(outEdge.creditor, { owedTheirs: this.fed.peer(outEdge.creditor).owedTheirs - outEdge.amountCreditor });
    this.fed.updatePeerInTxn(inEdge.debtor, { owedTheirs: this.fed.peer(inEdge.debtor).owedTheirs + inEdge.amount });
    this.runs.put(id, { ...cur, status: 'committed', appliedAt: this.fed.clock.now() });
    this.fed.settleCheckInTxn(outEdge.creditor);
    this.fed.settleCheckInTxn(inEdge.debtor);
    this.fed.log.info({ module: 'federation', run: id, paidDown: outEdge.amount, to: outEdge.creditor, from: inEdge.debtor }, 'clearing between hubs applied');
  }

  private abortInTxn(id: string): void {
    const cur = this.runs.get(id);
    if (cur?.status === 'proposed') this.runs.put(id, { ...cur, status: 'declined' });
  }

  run(id: string): HubClearingRun {
    return found(this.runs.get(id), `clearing run ${id}`);
  }

  list(): HubClearingRun[] {
    return this.runs.newest((x) => x.createdAt);
  }
}
