import type { Logger } from 'pino';
import { silentNotifier, type Notifier } from '../notifications/kinds.js';
import { DAY_MS, type Clock } from '../clock.js';
import { found, HubError } from '../errors.js';
import { randomId } from '../ids.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Reliability } from '../reliability/reliability.js';
import type { Store } from '../store/store.js';
import { tradeCycles, type Allocation, type AllocationOptions, type Offer, type Point, type Want } from './allocate.js';
import { SolverThread, type Solver } from './solver-thread.js';
import { refuse, type PostKind, type PostStatus, type ProposalStatus, type ClearingRunStatus } from './contract.js';

/**
 * The needs and surpluses board and the engine that matches them. Posts and
 * proposals live here; the matching itself is the pure `allocate`. Nothing
 * moves without consent: a proposal becomes a pledge when both sides accept
 * (or, below a size the community chose, at once).
 */
export const RESOURCES = {
  food: 'kg',
  water: 'L',
  power: 'kWh',
  labour: 'h',
  tool: 'item',
  medical: 'item',
} as const;
export type Resource = keyof typeof RESOURCES;

export type { PostKind };
export type { PostStatus };

export interface Place extends Point {
  name: string;
}

export interface Post {
  id: string;
  kind: PostKind;
  resource: Resource;
  /** What is asked for or offered, in words (e.g. the named tool). */
  title: string;
  quantity: number;
  owner: string;
  /** Posted for a household or for the hub rather than the member alone. */
  onBehalfOf: string | null;
  place: Place | null;
  from: number;
  to: number;
  status: PostStatus;
  createdAt: number;
  /**
   * A device that hands the surplus out (a tank's valve, a pump's plug):
   * when a match of this post becomes a pledge, the hub sends it `object`,
   * with the pledge's quantity and unit added, through its codec. Set by
   * stewards; absent on posts from before.
   */
  actuator?: Actuator | null;
}

export interface Actuator {
  devEui: string;
  object: Record<string, unknown>;
}

export type { ProposalStatus };

export interface Proposal extends Allocation {
  id: string;
  resource: Resource;
  status: ProposalStatus;
  supplierAccepted: boolean;
  receiverAccepted: boolean;
  createdAt: number;
  closedAt: number | null;
  transferId: string | null;
}

/** Who checks on a member put first in an emergency, and how to reach that member (a phone number, a door). */
export interface CareEntry {
  contact: string | null;
  checker: string | null;
}

export interface Crisis {
  id: string;
  declaredBy: string;
  declaredAt: number;
  endedAt: number | null;
  note: string;
  /** Needs at these places, or from these members, get priority. */
  places: string[];
  members: string[];
}

export interface ClearingRun {
  id: string;
  createdAt: number;
  createdBy: string | null;
  status: ClearingRunStatus;
  totalBefore: number;
  cleared: number;
  setOffs: Array<{ requestId: string; amount: number; expected: number; payer: string; payee: string }>;
  affected: string[];
  accepted: string[];
}

export interface BoardParams {
  allocation: AllocationOptions;
  /** Proposals of at most this many units are pledged at once; 0 turns it off. */
  autoAcceptBelow: number;
  crisisPriority: number;
  vulnerablePriority: number;
  clearingAutomatic: boolean;
}

export interface NewPost {
  kind: PostKind;
  resource: Resource;
  title?: string;
  quantity: number;
  place?: Place | null;
  from?: number;
  to?: number;
  onBehalfOf?: string | null;
  actuator?: Actuator | null;
}

export class Board {
  /** Who hears of allocations and emergencies; set by the composition root. */
  notifier: Notifier = silentNotifier;
  private readonly crisisListeners: Array<(c: Crisis) => void> = [];
  private readonly pledgeListeners: Array<(pr: Proposal, offer: Post) => void> = [];
  private readonly posts;
  private readonly proposals;
  private readonly crises;
  private readonly vulnerable;
  private readonly runs;

  constructor(
    private readonly store: Store,
    private readonly ledger: Ledger,
    private readonly reliability: Reliability,
    private readonly clock: Clock,
    readonly params: () => BoardParams,
    private readonly log: Logger,
    /** Where allocations and clearings are solved: a thread of their own, so the hub keeps answering meanwhile. */
    readonly solver: Solver = new SolverThread(log),
  ) {
    this.posts = store.db<Post, string>('board-posts');
    this.proposals = store.collection<Proposal, string>('board-proposals', 'proposal');
    this.crises = store.db<Crisis, string>('crises');
    // `true` from hubs before the phone tree; a care entry since.
    this.vulnerable = store.db<true | CareEntry, string>('vulnerable-members');
    this.runs = store.collection<ClearingRun, string>('clearing-runs', 'clearing run');
  }

  // ── posts ───────────────────────────────────────────────────────────────

  async post(owner: string, input: NewPost): Promise<Post> {
    if (!(input.resource in RESOURCES)) throw HubError.badRequest(`unknown resource ${input.resource}`);
    if (!Number.isSafeInteger(input.quantity) || input.quantity <= 0) throw HubError.badRequest('quantity must be a positive whole number');
    if (input.actuator && input.kind !== 'surplus') throw HubError.badRequest('actuator: only a surplus is handed out by a device');
    const now = this.clock.now();
    const post: Post = {
      id: randomId('p_', 6),
      kind: input.kind,
      resource: input.resource,
      title: input.title ?? input.resource,
      quantity: input.quantity,
      owner,
      onBehalfOf: input.onBehalfOf ?? null,
      place: input.place ?? null,
      from: input.from ?? now,
      to: input.to ?? now + 14 * DAY_MS,
      status: 'open',
      createdAt: now,
      actuator: input.actuator ?? null,
    };
    if (post.to <= post.from) throw HubError.badRequest('the time window must end after it starts');
    await this.store.write(() => this.posts.put(post.id, post));
    this.log.info({ module: 'flow', post: post.id, kind: post.kind, resource: post.resource, quantity: post.quantity }, 'board post added');
    await this.recompute(post.resource);
    return post;
  }

  getPost(id: string): Post {
    return found(this.posts.get(id), `post ${id}`);
  }

  listPosts(filter: { resource?: Resource; kind?: PostKind; status?: PostStatus; owner?: string } = {}): Array<Post & { committed: number }> {
    const now = this.clock.now();
    const out: Array<Post & { committed: number }> = [];
    for (const { value } of this.posts.getRange({})) {
      const p = value.status === 'open' && value.to <= now ? { ...value, status: 'expired' as const } : value;
      if (filter.resource && p.resource !== filter.resource) continue;
      if (filter.kind && p.kind !== filter.kind) continue;
      if (filter.status && p.status !== filter.status) continue;
      if (filter.owner && p.owner !== filter.owner) continue;
      out.push({ ...p, committed: this.committed(p) });
    }
    return out.sort((a, b) => b.createdAt - a.createdAt);
  }

  async closePost(id: string, actor: string, asSteward: boolean): Promise<Post> {
    const closed = await this.store.write(() => {
      const p = this.getPost(id);
      if (p.owner !== actor && !asSteward) throw HubError.forbidden('only who posted it, or a steward, can close a post');
      const next = { ...p, status: 'closed' as const };
      this.posts.put(id, next);
      for (const pr of this.proposalsOfPost(id))
        if (pr.status === 'proposed') this.proposals.put(pr.id, { ...pr, status: 'withdrawn', closedAt: this.clock.now() });
      return next;
    });
    await this.recompute(closed.resource);
    return closed;
  }

  /** Units of a post already promised in pledges or delivered. */
  private committed(p: Post): number {
    let sum = 0;
    for (const pr of this.proposalsOfPost(p.id)) if (pr.status === 'pledged' || pr.status === 'fulfilled') sum += pr.quantity;
    return sum;
  }

  private proposalsOfPost(postId: string): Proposal[] {
    return this.proposals.where((pr) => pr.offerId === postId || pr.wantId === postId);
  }

  // ── the engine ──────────────────────────────────────────────────────────

  /**
   * Solves one resource (or all) again and replaces the proposals nobody has
   * accepted yet. Pledges stand: their units are no longer on offer.
   */
  async recompute(resource?: Resource): Promise<{ proposals: number; unmet: number }> {
    const resources = resource ? [resource] : (Object.keys(RESOURCES) as Resource[]);
    let created = 0;
    let unmet = 0;
    for (const res of resources) {
      const now = this.clock.now();
      const open = this.listPosts({ resource: res, status: 'open' }).filter((p) => p.quantity - p.committed > 0);
      const crisis = this.activeCrisis();
      const p = this.params();
      // What is still open of a post, where and when: the same for both sides.
      const side = (x: (typeof open)[number]) => ({ id: x.id, party: x.owner, quantity: x.quantity - x.committed, place: x.place, from: x.from, to: x.to });
      const offers: Offer[] = open.filter((x) => x.kind === 'surplus').map((x) => ({ ...side(x), resistance: this.reliability.resistance(x.owner) }));
      const wants: Want[] = open.filter((x) => x.kind === 'need').map((x) => ({ ...side(x), resistance: 0, priority: this.priorityOf(x, crisis, p) }));
      const result =
        offers.length && wants.length
          ? await this.solver.allocate(offers, wants, p.allocation)
          : { allocations: [], unmet: wants.map((w) => ({ wantId: w.id, quantity: w.quantity })) };
      unmet += result.unmet.reduce((a, u) => a + u.quantity, 0);
      const auto: string[] = [];
      await this.store.write(() => {
        for (const { value } of this.proposals.getRange({})) {
          if (value.resource === res && value.status === 'proposed') this.proposals.put(value.id, { ...value, status: 'withdrawn', closedAt: now });
        }
        // A large solve runs on the solver thread while members go on posting and closing:
        // a match on a post closed meanwhile is not proposed (the closing recomputes anyway).
        const stillOpen = (id: string) => this.posts.get(id)?.status === 'open';
        for (const a of result.allocations) {
          if (!stillOpen(a.offerId) || !stillOpen(a.wantId)) continue;
          const pr: Proposal = {
            ...a,
            id: randomId('a_', 6),
            resource: res,
            status: 'proposed',
            supplierAccepted: false,
            receiverAccepted: false,
            createdAt: now,
            closedAt: null,
            transferId: null,
          };
          if (p.autoAcceptBelow > 0 && a.quantity <= p.autoAcceptBelow) {
            pr.status = 'pledged';
            pr.supplierAccepted = pr.receiverAccepted = true;
            auto.push(pr.id);
          }
          this.proposals.put(pr.id, pr);
          created++;
          // Recomputing replaces proposals with equal ones: the same match between the same posts is told once.
          const key = `alloc:${a.offerId}:${a.wantId}:${a.quantity}`;
          const common = { resource: res, quantity: a.quantity, unit: RESOURCES[res], allocationId: pr.id };
          this.notifier.sendInTxn([a.supplier], 'flow-allocation', { ...common, role: 'give', with: a.receiver }, { ref: `flow/${pr.id}`, key });
          this.notifier.sendInTxn([a.receiver], 'flow-allocation', { ...common, role: 'receive', with: a.supplier }, { ref: `flow/${pr.id}`, key });
        }
      });
      this.log.info(
        { module: 'flow', resource: res, proposals: result.allocations.length, autoPledged: auto.length, crisis: crisis?.id ?? null },
        'allocation recomputed',
      );
      for (const id of auto) this.pledged(this.getProposal(id));
    }
    return { proposals: created, unmet };
  }

  private priorityOf(post: Post, crisis: Crisis | undefined, p: BoardParams): number {
    let prio = 1;
    if (crisis && (crisis.members.includes(post.owner) || (post.place && crisis.places.includes(post.place.name)))) prio = p.crisisPriority;
    if (crisis && this.vulnerable.get(post.owner)) prio = Math.max(prio, p.vulnerablePriority);
    return prio;
  }

  proposalsFor(memberId: string | null, filter: { status?: ProposalStatus; resource?: Resource } = {}): Proposal[] {
    return this.proposals
      .where(
        (pr) =>
          (memberId === null || pr.supplier === memberId || pr.receiver === memberId) &&
          (!filter.status || pr.status === filter.status) &&
          (!filter.resource || pr.resource === filter.resource),
      )
      .sort((a, b) => b.createdAt - a.createdAt);
  }

  getProposal(id: string): Proposal {
    return found(this.proposals.get(id), `proposal ${id}`);
  }

  /** Either side accepts; with both, the proposal is a pledge. */
  async accept(id: string, actor: string): Promise<Proposal> {
    const pr = await this.answer(id, actor, 'accept', (cur) => {
      const next = {
        ...cur,
        supplierAccepted: cur.supplierAccepted || actor === cur.supplier,
        receiverAccepted: cur.receiverAccepted || actor === cur.receiver,
      };
      if (next.supplierAccepted && next.receiverAccepted) next.status = 'pledged';
      return next;
    });
    this.log.info({ module: 'flow', proposal: id, actor, status: pr.status }, 'allocation accepted');
    if (pr.status === 'pledged') this.pledged(pr);
    return pr;
  }

  async reject(id: string, actor: string): Promise<Proposal> {
    const pr = await this.answer(id, actor, 'reject', (cur) => ({ ...cur, status: 'rejected' as const, closedAt: this.clock.now() }));
    this.log.info({ module: 'flow', proposal: id, actor }, 'allocation rejected');
    return pr;
  }

  /** A side's answer to an open proposal, in one transaction: only its giver or receiver may give one. */
  private answer(id: string, actor: string, verb: 'accept' | 'reject', change: (cur: Proposal) => Proposal): Promise<Proposal> {
    return this.store.write(() => {
      const cur = this.getProposal(id);
      if (cur.status !== 'proposed') throw refuse('allocation-not-open', `proposal ${id} is ${cur.status}`);
      if (actor !== cur.supplier && actor !== cur.receiver) throw HubError.forbidden(`only the giver or the receiver can ${verb}`);
      const next = change(cur);
      this.proposals.put(id, next);
      return next;
    });
  }

  /**
   * The receiver confirms delivery of a pledge, optionally paying for it;
   * the payment and the pledge's closing are one transaction, and the
   * giver's reliability counts it.
   */
  async fulfil(id: string, actor: string, payment: number | null): Promise<Proposal> {
    const pr = await this.store.write(() => {
      const cur = this.getProposal(id);
      if (cur.status !== 'pledged') throw refuse('not-pledged', `proposal ${id} is ${cur.status}`);
      if (actor !== cur.receiver) throw HubError.forbidden('the receiver confirms delivery');
      let transferId: string | null = null;
      if (payment) {
        transferId = this.ledger.payInTxn(
          {
            payer: cur.receiver,
            payee: cur.supplier,
            amount: payment,
            memo: `${cur.quantity} ${RESOURCES[cur.resource]} ${cur.resource}`,
            category: 'flow',
            actor,
          },
          null,
        ).id;
      }
      this.reliability.recordInTxn(cur.supplier, 'pledgesFulfilled');
      const next = { ...cur, status: 'fulfilled' as const, closedAt: this.clock.now(), transferId };
      this.proposals.put(id, next);
      return next;
    });
    this.log.info({ module: 'flow', proposal: id, payment }, 'pledge fulfilled');
    return pr;
  }

  /** Barter rings among the current proposals and pledges. */
  cycles(): Proposal[][] {
    const live = this.proposalsFor(null).filter((p) => p.status === 'proposed' || p.status === 'pledged');
    return tradeCycles(live) as Proposal[][];
  }

  // ── crisis ──────────────────────────────────────────────────────────────

  /** Called after a match has become a pledge (both sides, or at once below the community's size), with the post that offered it. */
  onPledge(listener: (pr: Proposal, offer: Post) => void): void {
    this.pledgeListeners.push(listener);
  }

  private pledged(pr: Proposal): void {
    const offer = this.posts.get(pr.offerId);
    if (!offer) return;
    for (const l of this.pledgeListeners) {
      try {
        l(pr, offer);
      } catch (err) {
        this.log.error({ module: 'flow', proposal: pr.id, err: (err as Error).message }, 'a pledge listener failed');
      }
    }
  }

  /** Called after an emergency is declared or ended has committed (the MQTT crisis topic). */
  onCrisisChange(listener: (c: Crisis) => void): void {
    this.crisisListeners.push(listener);
  }

  activeCrisis(): Crisis | undefined {
    for (const { value } of this.crises.getRange({})) if (value.endedAt === null) return value;
    return undefined;
  }

  async declareCrisis(actor: string, input: { note: string; places?: string[]; members?: string[] }): Promise<Crisis> {
    const c: Crisis = {
      id: randomId('c_', 6),
      declaredBy: actor,
      declaredAt: this.clock.now(),
      endedAt: null,
      note: input.note,
      places: input.places ?? [],
      members: input.members ?? [],
    };
    await this.store.write(() => {
      if (this.activeCrisis()) throw HubError.conflict('an emergency is already declared; end it first');
      this.crises.put(c.id, c);
      this.notifier.sendInTxn('everyone', 'emergency-declared', { emergencyId: c.id, note: c.note, places: c.places }, { ref: 'flow' });
    });
    this.log.warn({ module: 'flow', crisis: c.id, places: c.places, members: c.members.length }, 'emergency declared');
    for (const l of this.crisisListeners) l(c);
    await this.recompute();
    return c;
  }

  async endCrisis(id: string, actor: string): Promise<Crisis> {
    const c = await this.store.write(() => {
      const cur = found(this.crises.get(id), `emergency ${id}`);
      if (cur.endedAt !== null) return cur;
      const next = { ...cur, endedAt: this.clock.now() };
      this.crises.put(id, next);
      this.notifier.sendInTxn('everyone', 'emergency-ended', { emergencyId: id, note: cur.note }, { ref: 'flow' });
      return next;
    });
    this.log.warn({ module: 'flow', crisis: id, actor }, 'emergency ended');
    for (const l of this.crisisListeners) l(c);
    await this.recompute();
    return c;
  }

  /**
   * Marks a member as put first in an emergency, with how to reach them and
   * who checks on them (another member): the stewards' printable phone tree.
   */
  async setVulnerable(memberId: string, vulnerable: boolean, care: Partial<CareEntry> = {}): Promise<void> {
    if (care.checker === memberId) throw HubError.badRequest('checker: someone else checks on a member', { field: 'checker' });
    await this.store.write(() => {
      if (!vulnerable) return void this.vulnerable.remove(memberId);
      const cur = this.careOf(memberId);
      this.vulnerable.put(memberId, {
        contact: care.contact !== undefined ? care.contact : (cur?.contact ?? null),
        checker: care.checker !== undefined ? care.checker : (cur?.checker ?? null),
      });
    });
  }

  isVulnerable(memberId: string): boolean {
    return this.vulnerable.get(memberId) !== undefined;
  }

  careOf(memberId: string): CareEntry | null {
    const v = this.vulnerable.get(memberId);
    return v === undefined ? null : v === true ? { contact: null, checker: null } : v;
  }

  /** Every member put first, with how to reach them and who checks on them; for stewards' eyes only. */
  phoneTree(): Array<{ memberId: string } & CareEntry> {
    return [...this.vulnerable.getKeys({})].map((memberId) => ({ memberId, ...this.careOf(memberId)! }));
  }

  /** Who is put first in an emergency; for stewards' eyes only. */
  vulnerableMembers(): string[] {
    return [...this.vulnerable.getKeys({})];
  }

  // ── clearing ────────────────────────────────────────────────────────────

  /** Computes a set-off of open requests and asks the affected members to agree (or applies it, if the community chose that). */
  async proposeClearing(actor: string | null): Promise<ClearingRun> {
    const obligations = this.ledger.openObligations();
    const result = await this.solver.clear(obligations.map((r) => ({ debtor: r.payer, creditor: r.payee, amount: r.amount })));
    const setOffs = obligations
      .map((r, k) => ({ requestId: r.id, amount: result.setOff[k]!, expected: r.amount, payer: r.payer, payee: r.payee }))
      .filter((s) => s.amount > 0);
    const affected = [...new Set(setOffs.flatMap((s) => [s.payer, s.payee]))].sort();
    const run: ClearingRun = {
      id: randomId('cr_', 6),
      createdAt: this.clock.now(),
      createdBy: actor,
      status: setOffs.length ? 'proposed' : 'empty',
      totalBefore: result.totalBefore,
      cleared: result.cleared,
      setOffs,
      affected,
      accepted: [],
    };
    await this.store.write(() => this.runs.put(run.id, run));
    this.log.info({ module: 'flow', run: run.id, cleared: run.cleared, affected: affected.length }, 'clearing proposed');
    if (run.status === 'proposed' && this.params().clearingAutomatic) return this.applyClearing(run.id, null);
    return run;
  }

  getClearingRun(id: string): ClearingRun {
    return found(this.runs.get(id), `clearing run ${id}`);
  }

  listClearingRuns(): ClearingRun[] {
    return this.runs.newest((x) => x.createdAt);
  }

  async acceptClearing(id: string, memberId: string): Promise<ClearingRun> {
    const run = await this.store.write(() => {
      const cur = this.getClearingRun(id);
      if (cur.status !== 'proposed') throw refuse('clearing-not-open', `clearing run ${id} is ${cur.status}`);
      if (!cur.affected.includes(memberId)) throw HubError.forbidden('only members the clearing touches accept it');
      const next = { ...cur, accepted: [...new Set([...cur.accepted, memberId])].sort() };
      this.runs.put(id, next);
      return next;
    });
    if (run.affected.every((m) => run.accepted.includes(m))) return this.applyClearing(id, memberId);
    return run;
  }

  /** One transaction: every set-off or none. */
  private async applyClearing(id: string, actor: string | null): Promise<ClearingRun> {
    try {
      const run = await this.store.write(() => {
        const cur = this.getClearingRun(id);
        this.ledger.setOffInTxn(cur.setOffs, actor);
        const next = { ...cur, status: 'applied' as const };
        this.runs.put(id, next);
        return next;
      });
      this.log.info({ module: 'flow', run: id, cleared: run.cleared }, 'clearing applied');
      return run;
    } catch (e) {
      if (e instanceof HubError && e.status === 409) {
        await this.store.write(() => this.runs.put(id, { ...this.getClearingRun(id), status: 'stale' }));
      }
      throw e;
    }
  }
}
