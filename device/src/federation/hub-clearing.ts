import { HubError } from '../errors.js';
import { randomId } from '../ids.js';
import { CLEARING_PREFIX } from '../ledger/types.js';
import type { Envelope } from './envelope.js';
import type { Federation, Peer, Rate } from './federation.js';

/**
 * Multilateral clearing of the balances between hubs. When hub debts form a
 * cycle (we owe B, B owes C, C owes us) the same value can be taken off
 * every edge of it: each hub's debt to the next and the previous hub's debt
 * to it shrink by equal amounts in its own currency, so no hub's net
 * position changes. One hub proposes a cycle it can see from the balances
 * its links share; every hub on it must have a steward accept; then the
 * proposer tells them all to apply it. Each applies its two edges in one
 * transaction, unconditionally, since it promised to when it accepted.
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
  status: 'proposed' | 'committed' | 'declined';
  createdAt: number;
  appliedAt: number | null;
}

const MAX_CYCLE = 6;

const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? (a < 0n ? -a : a) : gcd(b, a % b));

export class HubClearing {
  private readonly runs;

  constructor(private readonly fed: Federation) {
    this.runs = fed.store.db<HubClearingRun, string>('fed-clearing-runs');
    fed.on('clearing.propose', (peer, e) => this.proposedInTxn(peer, e));
    fed.on('clearing.answer', (peer, e) => this.answerInTxn(peer.hubId, String(e.body.id), Boolean(e.body.accept)));
    fed.on('clearing.commit', (_peer, e) => this.applyInTxn(String(e.body.id)));
    fed.on('clearing.abort', (_peer, e) => this.abortInTxn(String(e.body.id)));
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
      if (!g.has(debtor)) g.set(debtor, new Map());
      g.get(debtor)!.set(creditor, { amount, rate });
    };
    for (const p of this.fed.allPeers()) {
      if (p.status === 'closed') continue;
      add(this.fed.hubId, p.hubId, this.fed.clearingBalance(p.hubId), p.rate);
      for (const pos of this.fed.signals.positionsOf(p.hubId) ?? []) add(p.hubId, pos.hubId, pos.balance, pos.rate);
    }
    return g;
  }

  /** Finds the cycle through us that clears the most, in our units, among hubs we are linked to. */
  findCycle(): { cycle: string[]; edges: ClearingEdge[] } | null {
    const g = this.debts();
    const self = this.fed.hubId;
    const linked = new Set(this.fed.allPeers().filter((p) => p.status !== 'closed').map((p) => p.hubId));
    const found: Array<{ cycle: string[]; edges: ClearingEdge[]; value: number }> = [];
    const walk = (path: string[]) => {
      const at = path[path.length - 1]!;
      for (const [next] of g.get(at) ?? []) {
        if (next === self && path.length >= 3) {
          const c = this.size(path, g);
          if (c) found.push({ cycle: [...path], edges: c.edges, value: c.value });
        } else if (next !== self && linked.has(next) && !path.includes(next) && path.length < MAX_CYCLE) walk([...path, next]);
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
    const hops = path.map((debtor, i) => ({ debtor, creditor: path[(i + 1) % path.length]!, ...g.get(debtor)!.get(path[(i + 1) % path.length]!)! }));
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
      this.fed.log.info({ module: 'federation', cycle: path }, 'a debt cycle whose rates do not multiply to one cannot clear without moving someone\'s position; skipped');
      return null;
    }
    const x = BigInt(Math.floor(cap / Number(step))) * step;
    if (x <= 0n) return null;
    const edges = hops.map((h, i) => {
      const amount = Number((x * into[i]!.num) / into[i]!.den);
      return { debtor: h.debtor, creditor: h.creditor, amount, amountCreditor: Math.floor((amount * h.rate.num) / h.rate.den) };
    });
    return { edges, value: Number(x) };
  }

  /** Proposes the best cycle to every hub on it; our steward's proposing counts as our acceptance. */
  async propose(steward: string): Promise<HubClearingRun> {
    const found = this.findCycle();
    if (!found) throw HubError.rule('rule-broken', 'Nothing to clear', 'no cycle of debts between linked hubs passes through this hub (balances are shared in the hubs\' summaries)');
    const run = await this.fed.store.write(() => {
      const r: HubClearingRun = { id: randomId('hc_', 8), initiator: this.fed.hubId, cycle: found.cycle, edges: found.edges, answers: { [this.fed.hubId]: true }, status: 'proposed', createdAt: this.fed.clock.now(), appliedAt: null };
      this.runs.put(r.id, r);
      for (const h of r.cycle) if (h !== this.fed.hubId) this.fed.sendInTxn(h, 'clearing.propose', r as unknown as Record<string, unknown>);
      this.fed.ledger.recordInTxn(steward, { event: 'hub-clearing.proposed', run: r.id, cycle: r.cycle, edges: r.edges });
      return r;
    });
    this.fed.log.info({ module: 'federation', run: run.id, cycle: run.cycle, amount: run.edges[0]!.amount }, 'clearing between hubs proposed');
    this.fed.kick();
    return run;
  }

  private proposedInTxn(peer: Peer, e: Envelope): void {
    const r = e.body as unknown as HubClearingRun;
    const ok = Array.isArray(r.cycle) && Array.isArray(r.edges) && r.initiator === peer.hubId && r.cycle.includes(this.fed.hubId) && r.edges.every((x) => Number.isSafeInteger(x.amount) && x.amount > 0 && Number.isSafeInteger(x.amountCreditor) && x.amountCreditor > 0);
    if (!ok) this.fed.refuse('malformed', 'not a clearing proposal', e.from);
    const mine = this.myEdges(r);
    // Our two edges must balance in our own units, or our net position would move.
    if (mine.in.amountCreditor !== mine.out.amount) this.fed.refuse('malformed', 'the clearing would change this hub\'s net position', e.from);
    for (const h of [mine.in.debtor, mine.out.creditor]) if (!this.fed.findPeer(h)) this.fed.refuse('malformed', `clearing through ${h}, which is not linked to us`, e.from);
    this.runs.put(r.id, { ...r, answers: { ...r.answers }, status: 'proposed', appliedAt: null, createdAt: this.fed.clock.now() });
    this.fed.log.info({ module: 'federation', run: r.id, from: peer.hubId }, 'a linked hub proposes clearing; waiting for a steward');
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
      if (cur.initiator === this.fed.hubId) return this.answerInTxn(this.fed.hubId, id, accept);
      this.fed.sendInTxn(cur.initiator, 'clearing.answer', { id, accept });
      const next = { ...cur, answers: { ...cur.answers, [this.fed.hubId]: accept } };
      this.runs.put(id, next);
      return next;
    });
    this.fed.kick();
    return r;
  }

  /** On the proposer: count the answers; all yes commits everywhere, any no aborts everywhere. */
  private answerInTxn(hubId: string, id: string, accept: boolean): HubClearingRun {
    const cur = this.runs.get(id);
    if (!cur || cur.initiator !== this.fed.hubId || cur.status !== 'proposed') return cur!;
    const answers = { ...cur.answers, [hubId]: accept };
    this.runs.put(id, { ...cur, answers });
    const others = cur.cycle.filter((h) => h !== this.fed.hubId);
    if (!accept) {
      this.runs.put(id, { ...cur, answers, status: 'declined' });
      for (const h of others) this.fed.sendInTxn(h, 'clearing.abort', { id });
      this.fed.log.info({ module: 'federation', run: id, declinedBy: hubId }, 'clearing between hubs declined');
    } else if (cur.cycle.every((h) => answers[h])) {
      this.applyInTxn(id);
      for (const h of others) this.fed.sendInTxn(h, 'clearing.commit', { id });
    }
    return this.runs.get(id)!;
  }

  /** Takes our two edges off, in one transaction: what we owe the next hub, and what the previous hub owes us. */
  private applyInTxn(id: string): void {
    const cur = this.runs.get(id);
    if (!cur || cur.status !== 'proposed') return;
    const { in: inEdge, out: outEdge } = this.myEdges(cur);
    this.fed.ledger.payInTxn({ payer: CLEARING_PREFIX + outEdge.creditor, payee: CLEARING_PREFIX + inEdge.debtor, amount: outEdge.amount, memo: `clearing between hubs ${id}`, category: 'hub-clearing', actor: null }, null);
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
    const r = this.runs.get(id);
    if (!r) throw HubError.notFound(`clearing run ${id}`);
    return r;
  }

  list(): HubClearingRun[] {
    return [...this.runs.getRange({})].map((x) => x.value).sort((a, b) => b.createdAt - a.createdAt);
  }
}
