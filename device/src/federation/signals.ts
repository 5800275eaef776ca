import { canonicalJson } from '../canonical-json.js';
import { found, HubError } from '../errors.js';
import { allocate, type Offer, type Want } from '../flow/allocate.js';
import { RESOURCES, type Board, type Resource } from '../flow/board.js';
import { randomId } from '../ids.js';
import type { Envelope } from './envelope.js';
import type { Federation, Peer, Rate } from './federation.js';
import type { RegionalStatus } from './contract.js';

/**
 * What hubs tell each other about themselves, and what they do with it.
 *
 * A summary carries, per resource, how much is needed and how much is spare
 * in which time window, the hub's coarse place, whether it has declared an
 * emergency, which hubs it can reach (a small distance-vector table that
 * payments use to find an intermediary), and its balances with its own
 * links (for clearing between hubs). Never a member's identity.
 *
 * From the summaries each hub solves the region as a min-cost flow over
 * hubs. A proposed movement across one of our links goes to both hubs'
 * stewards, and stands only when both consent.
 */
export interface Quantity {
  resource: Resource;
  quantity: number;
  from: number;
  to: number;
}

export interface Summary {
  at: number;
  place: { name: string; x: number; y: number } | null;
  needs: Quantity[];
  surpluses: Quantity[];
  crisis: { since: number; note: string } | null;
  /** Hubs this hub reaches, in how many hops (1 = its own links). */
  reach: Array<{ hubId: string; hops: number }>;
  /** Its clearing balance with each linked hub, in its own minor units, and the link's rate. */
  positions: Array<{ hubId: string; balance: number; rate: Rate /** The linked hub's name, so hubs further off can name it. */; name?: string }>;
}

export interface RegionalProposal {
  id: string;
  resource: Resource;
  supplierHub: string;
  receiverHub: string;
  quantity: number;
  /** Which of the two hubs' stewards have consented (hub id → yes/no). */
  consent: Record<string, boolean>;
  status: RegionalStatus;
  createdAt: number;
}

const MAX_HOPS = 4;
const CHANGE_MIN_INTERVAL_MS = 5_000;

export class Signals {
  private readonly received;
  private readonly proposals;
  private lastSent: { at: number; key: string; crisisSince: number | null } | null = null;

  constructor(
    private readonly fed: Federation,
    private readonly board: Board | undefined,
    private readonly heartbeatMs = 10 * 60_000,
  ) {
    this.received = fed.store.db<Summary & { receivedAt: number }, string>('fed-summaries');
    this.proposals = fed.store.collection<RegionalProposal, string>('fed-regional-proposals', 'regional proposal');
    fed.on('signals.summary', (peer, e) => this.summaryInTxn(peer, e));
    fed.on('region.propose', (peer, e) => this.regionalProposedInTxn(peer, e));
    fed.on('region.consent', (peer, e) => this.consentInTxn(peer.hubId, String(e.body.id), Boolean(e.body.accept)));
    fed.every(() => this.shareIfChanged());
  }

  /** Our own summary, as we would send it now. */
  ours(): Summary {
    const needs: Quantity[] = [];
    const surpluses: Quantity[] = [];
    if (this.board) {
      for (const res of Object.keys(RESOURCES) as Resource[]) {
        for (const kind of ['need', 'surplus'] as const) {
          const open = this.board.listPosts({ resource: res, kind, status: 'open' }).filter((p) => p.quantity - p.committed > 0);
          if (open.length === 0) continue;
          const q = {
            resource: res,
            quantity: open.reduce((a, p) => a + p.quantity - p.committed, 0),
            from: Math.min(...open.map((p) => p.from)),
            to: Math.max(...open.map((p) => p.to)),
          };
          (kind === 'need' ? needs : surpluses).push(q);
        }
      }
    }
    const crisis = this.board?.activeCrisis();
    return {
      at: this.fed.clock.now(),
      place: this.fed.self.place ?? null,
      needs,
      surpluses,
      crisis: crisis ? { since: crisis.declaredAt, note: crisis.note } : null,
      reach: this.reach(),
      positions: this.fed
        .allPeers()
        .filter((p) => p.status !== 'closed')
        .map((p) => ({ hubId: p.hubId, name: p.name, balance: this.fed.clearingBalance(p.hubId), rate: p.rate })),
    };
  }

  /** Our links, and what they reach, one hop further; a hub never routes back through itself. */
  reach(): Array<{ hubId: string; hops: number }> {
    const best = new Map<string, number>();
    for (const p of this.fed.allPeers()) {
      if (this.fed.usable(p)) continue;
      best.set(p.hubId, 1);
      const s = this.received.get(p.hubId);
      for (const r of s?.reach ?? []) {
        if (r.hubId === this.fed.hubId || r.hops + 1 > MAX_HOPS) continue;
        if ((best.get(r.hubId) ?? Infinity) > r.hops + 1) best.set(r.hubId, r.hops + 1);
      }
    }
    return [...best].map(([hubId, hops]) => ({ hubId, hops })).sort((a, b) => a.hubId.localeCompare(b.hubId));
  }

  /** The linked hub to hand a payment for `dest` to: the one reaching it in the fewest hops, never the one it came from. */
  nextHopTo(dest: string, cameFrom?: string): string | null {
    let choice: { hubId: string; hops: number } | null = null;
    for (const p of this.fed.allPeers()) {
      if (p.hubId === cameFrom || this.fed.usable(p)) continue;
      const hops = p.hubId === dest ? 0 : (this.received.get(p.hubId)?.reach.find((r) => r.hubId === dest)?.hops ?? Infinity);
      if (hops < MAX_HOPS && (!choice || hops < choice.hops)) choice = { hubId: p.hubId, hops };
    }
    return choice?.hubId ?? null;
  }

  /** Sends our summary to every open link now. */
  async share(): Promise<Summary> {
    const s = this.ours();
    await this.fed.store.write(() => {
      for (const p of this.fed.allPeers()) if (p.status !== 'closed') this.fed.sendInTxn(p.hubId, 'signals.summary', s as unknown as Record<string, unknown>);
    });
    // Monotonic: an interval, which a wall clock stepped by chrony would stretch or cut.
    this.lastSent = { at: performance.now(), key: this.changeKey(s), crisisSince: s.crisis?.since ?? null };
    this.fed.kick();
    return s;
  }

  /** What makes a summary worth sending before the heartbeat: needs, surpluses, emergency, reach, place. Balances alone are not. */
  private changeKey(s: Summary): string {
    return canonicalJson({
      n: s.needs.map((q) => [q.resource, q.quantity]),
      s: s.surpluses.map((q) => [q.resource, q.quantity]),
      c: s.crisis,
      r: s.reach,
      p: s.place,
      links: this.fed.allPeers().length,
    });
  }

  private async shareIfChanged(): Promise<void> {
    if (this.fed.allPeers().length === 0) return;
    const since = this.lastSent ? performance.now() - this.lastSent.at : Infinity;
    const crisisChanged = this.lastSent !== null && (this.board?.activeCrisis()?.declaredAt ?? null) !== this.lastSent.crisisSince;
    // This runs on every tick of the federation's timer: build the summary only when it could go out.
    if (since < CHANGE_MIN_INTERVAL_MS && !crisisChanged) return;
    const s = this.ours();
    if (since >= this.heartbeatMs || this.changeKey(s) !== this.lastSent?.key) {
      if (crisisChanged)
        this.fed.log.warn(
          { module: 'federation', crisis: s.crisis },
          s.crisis ? 'telling linked hubs about our emergency' : 'telling linked hubs our emergency is over',
        );
      await this.share();
    }
  }

  private summaryInTxn(peer: Peer, e: Envelope): void {
    const s = e.body as unknown as Summary;
    if (!Array.isArray(s.needs) || !Array.isArray(s.surpluses) || !Array.isArray(s.reach) || !Array.isArray(s.positions))
      this.fed.refuse('malformed', 'not a summary', e.from);
    const before = this.received.get(peer.hubId);
    if (s.crisis && !before?.crisis)
      this.fed.log.warn(
        { module: 'federation', peer: peer.hubId, name: peer.name, note: s.crisis.note },
        'a linked hub declared an emergency; its needs now come first in our regional solve',
      );
    this.received.put(peer.hubId, { ...s, receivedAt: this.fed.clock.now() });
  }

  /** Every hub's summary we know, ours first. */
  region(): Array<{ hubId: string; name: string; self: boolean; summary: Summary; receivedAt: number | null }> {
    const out: Array<{ hubId: string; name: string; self: boolean; summary: Summary; receivedAt: number | null }> = [
      { hubId: this.fed.hubId, name: this.fed.self.name, self: true, summary: this.ours(), receivedAt: null },
    ];
    for (const p of this.fed.allPeers()) {
      const s = this.received.get(p.hubId);
      if (s) out.push({ hubId: p.hubId, name: p.name, self: false, summary: s, receivedAt: s.receivedAt });
    }
    return out;
  }

  /** What linked hubs told us about their balances with each other, for clearing. */
  positionsOf(hubId: string): Summary['positions'] | undefined {
    return this.received.get(hubId)?.positions;
  }

  // ── the regional solve ──────────────────────────────────────────────────

  /**
   * Solves each resource over the hubs we know: each hub is one supplier and
   * one receiver, with its spare and needed quantities; a hub in an
   * emergency gets the community's crisis priority. Movements between us
   * and a linked hub become proposals to both hubs' stewards; earlier ones
   * nobody answered are replaced.
   */
  async solve(): Promise<RegionalProposal[]> {
    const region = this.region();
    const crisisPriority = this.board?.params().crisisPriority ?? 10;
    const allocation = this.board?.params().allocation;
    const created: RegionalProposal[] = [];
    const now = this.fed.clock.now();
    const solved: Array<{ resource: Resource; supplierHub: string; receiverHub: string; quantity: number }> = [];
    for (const resource of Object.keys(RESOURCES) as Resource[]) {
      const offers: Offer[] = [];
      const wants: Want[] = [];
      for (const h of region) {
        const place = h.summary.place ? { x: h.summary.place.x, y: h.summary.place.y } : null;
        for (const q of h.summary.surpluses.filter((x) => x.resource === resource))
          offers.push({ id: `s:${h.hubId}`, party: h.hubId, quantity: q.quantity, place, from: q.from, to: q.to, resistance: 0 });
        for (const q of h.summary.needs.filter((x) => x.resource === resource))
          wants.push({
            id: `n:${h.hubId}`,
            party: h.hubId,
            quantity: q.quantity,
            place,
            from: q.from,
            to: q.to,
            resistance: 0,
            priority: h.summary.crisis ? crisisPriority : 1,
          });
      }
      if (!offers.length || !wants.length) continue;
      // A hub meets its own needs from its own surplus first, on its own board; the region only sees what is left.
      const own = new Map<string, number>();
      for (const h of region) {
        const s = h.summary.surpluses.find((x) => x.resource === resource)?.quantity ?? 0;
        const n = h.summary.needs.find((x) => x.resource === resource)?.quantity ?? 0;
        own.set(h.hubId, Math.min(s, n));
      }
      const o2 = offers.map((o) => ({ ...o, quantity: o.quantity - (own.get(o.party) ?? 0) })).filter((o) => o.quantity > 0);
      const w2 = wants.map((w) => ({ ...w, quantity: w.quantity - (own.get(w.party) ?? 0) })).filter((w) => w.quantity > 0);
      if (!o2.length || !w2.length) continue;
      const result = allocate(o2, w2, allocation);
      for (const a of result.allocations)
        if (a.supplier !== a.receiver) solved.push({ resource, supplierHub: a.supplier, receiverHub: a.receiver, quantity: a.quantity });
    }
    await this.fed.store.write(() => {
      for (const { value } of this.proposals.getRange({}))
        if (value.status === 'proposed' && Object.keys(value.consent).length === 0) this.proposals.remove(value.id);
      for (const m of solved) {
        const other = m.supplierHub === this.fed.hubId ? m.receiverHub : m.receiverHub === this.fed.hubId ? m.supplierHub : null;
        if (!other || (this.fed.findPeer(other)?.status ?? 'closed') === 'closed') continue;
        const p: RegionalProposal = { ...m, id: randomId('rp_', 8), consent: {}, status: 'proposed', createdAt: now };
        this.proposals.put(p.id, p);
        this.fed.sendInTxn(other, 'region.propose', p as unknown as Record<string, unknown>);
        created.push(p);
      }
    });
    this.fed.log.info({ module: 'federation', proposals: created.length }, 'regional flow solved');
    this.fed.kick();
    return created;
  }

  private regionalProposedInTxn(peer: Peer, e: Envelope): void {
    const p = e.body as unknown as RegionalProposal;
    if (
      !(p.resource in RESOURCES) ||
      !Number.isSafeInteger(p.quantity) ||
      p.quantity <= 0 ||
      ![p.supplierHub, p.receiverHub].includes(this.fed.hubId) ||
      ![p.supplierHub, p.receiverHub].includes(peer.hubId)
    )
      this.fed.refuse('malformed', 'not a regional proposal between us', e.from);
    this.proposals.put(p.id, { ...p, consent: {}, status: 'proposed', createdAt: this.fed.clock.now() });
  }

  /** Our steward's answer to a proposal that crosses one of our links; it stands only with both hubs' consent. */
  async consent(id: string, accept: boolean, steward: string): Promise<RegionalProposal> {
    const p = await this.fed.store.write(() => {
      const cur = this.proposal(id);
      if (cur.status !== 'proposed') throw HubError.conflict(`the proposal is already ${cur.status}`);
      if (this.fed.hubId in cur.consent) throw HubError.conflict('this hub has already answered');
      const other = cur.supplierHub === this.fed.hubId ? cur.receiverHub : cur.supplierHub;
      this.fed.sendInTxn(other, 'region.consent', { id, accept });
      this.fed.ledger.recordInTxn(steward, { event: 'region.consent', proposal: id, accept });
      return this.consentInTxn(this.fed.hubId, id, accept);
    });
    this.fed.kick();
    return p;
  }

  private consentInTxn(hubId: string, id: string, accept: boolean): RegionalProposal {
    const cur = this.proposals.get(id);
    if (!cur) return undefined as unknown as RegionalProposal; // withdrawn here before the answer came
    const consent = { ...cur.consent, [hubId]: accept };
    const status: RegionalProposal['status'] = Object.values(consent).includes(false) ? 'declined' : Object.keys(consent).length === 2 ? 'agreed' : 'proposed';
    const next = { ...cur, consent, status };
    this.proposals.put(id, next);
    if (status !== 'proposed')
      this.fed.log.info({ module: 'federation', proposal: id, status, resource: cur.resource, quantity: cur.quantity }, `regional proposal ${status}`);
    return next;
  }

  proposal(id: string): RegionalProposal {
    return found(this.proposals.get(id), `regional proposal ${id}`);
  }

  listProposals(): RegionalProposal[] {
    return this.proposals.newest((x) => x.createdAt);
  }
}
