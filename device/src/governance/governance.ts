import type { Logger } from 'pino';
import type { HubConfig } from '../config/schema.js';
import { DAY_MS, type Clock } from '../clock.js';
import { found, HubError } from '../errors.js';
import { randomId } from '../ids.js';
import type { Ledger } from '../ledger/ledger.js';
import { FUND, isSystemAccount } from '../ledger/types.js';
import { MAX_AMOUNT } from '../ledger/ledger.js';
import type { Members } from '../members/members.js';
import type { Store } from '../store/store.js';
import { Budgeting } from './budgeting.js';
import { silentNotifier, type Notifier } from '../notifications/kinds.js';
import type { AuditLog } from '../audit/audit.js';
import { Parameters, type ParamName, type ParamValue } from './parameters.js';
import { refuse, type DecisionMode, type ProposalStatus, type Choice } from './contract.js';

/**
 * Community decisions: proposals, votes (with liquid delegation), their
 * outcome by the community's own rules, and what follows from them. Every
 * proposal, vote, delegation and change of status is also written to the
 * ledger's hash-chained journal.
 */
export const PROPOSAL_KINDS = ['parameter', 'spend', 'admit', 'suspend', 'buy-tool', 'text', 'update', 'limits'] as const;
/**
 * Kinds that only the hub opens: an update proposal when a signed update file
 * arrives, a limits proposal when a steward puts a large limit change to the
 * community instead of asking a second steward.
 */
export const HUB_OPENED_KINDS: readonly ProposalKind[] = ['update', 'limits'];
export type ProposalKind = (typeof PROPOSAL_KINDS)[number];
export type { DecisionMode };
export type { Choice };
export type { ProposalStatus };

export interface Proposal {
  id: string;
  kind: ProposalKind;
  title: string;
  rationale: string;
  payload: Record<string, unknown>;
  mode: DecisionMode;
  createdBy: string;
  createdAt: number;
  /** Consensus: discussion, then a block period; other modes: voting until closesAt. */
  discussionEndsAt: number;
  closesAt: number;
  status: ProposalStatus;
  tally: Tally | null;
  decidedAt: number | null;
  outcomeNotes: Array<{ at: number; by: string; note: string }>;
}

export interface Tally {
  eligible: number;
  yes: number;
  no: number;
  abstain: number;
  blocks: number;
  /** Votes that came through delegation. */
  delegated: number;
  passed: boolean;
  reason: string;
}

export interface Vote {
  proposalId: string;
  memberId: string;
  choice: Choice;
  /** A block must cite one of the community's core values. */
  coreValue: string | null;
  reason: string | null;
  at: number;
}

/** One contribution to a proposal's discussion. */
export interface Comment {
  id: string;
  proposalId: string;
  memberId: string;
  text: string;
  at: number;
}

/** The key range of one proposal's comments, which are keyed [proposal, time, id]. */
const commentsOf = (proposalId: string) => ({ start: [proposalId, 0, ''], end: [proposalId, Number.MAX_SAFE_INTEGER, '\uffff'] });

/** The community's own rules for decisions, from the config's `governance` section. */
export type GovernanceRules = HubConfig['governance'];

export class Governance {
  private readonly proposals;
  private readonly votes;
  private readonly delegations;
  private readonly discussion;
  /** Participatory budgeting of the community fund. */
  readonly budgets: Budgeting;
  private told: Notifier = silentNotifier;

  constructor(
    private readonly store: Store,
    private readonly ledger: Ledger,
    private readonly members: Members,
    readonly parameters: Parameters,
    private readonly clock: Clock,
    private readonly rules: () => GovernanceRules,
    private readonly log: Logger,
    private readonly audit?: AuditLog,
  ) {
    this.proposals = store.collection<Proposal, string>('proposals', 'proposal');
    this.votes = store.collection<Vote, [string, string]>('votes', 'vote');
    this.delegations = store.db<string, [string, string]>('delegations');
    this.discussion = store.collection<Comment, [string, number, string]>('proposal-comments', 'comment');
    this.budgets = new Budgeting(store, ledger, members, clock, log, audit);
  }

  private active(memberId: string): void {
    const m = this.members.find(memberId);
    if (!m || m.status !== 'active')
      throw HubError.forbidden(m?.status === 'suspended' ? 'a suspended member cannot take part in decisions' : 'only active members take part in decisions');
  }

  private readonly decidedListeners: Array<(p: Proposal) => void | Promise<void>> = [];

  /** Called after each proposal is decided, outside its transaction (updates stage their file here). */
  onDecided(listener: (p: Proposal) => void | Promise<void>): void {
    this.decidedListeners.push(listener);
  }

  // ── proposals ───────────────────────────────────────────────────────────

  async propose(
    actor: string,
    input: { kind: ProposalKind; title: string; rationale: string; payload?: Record<string, unknown>; effectiveAt?: number },
    opts: { byHub?: boolean } = {},
  ): Promise<Proposal> {
    this.active(actor);
    if (HUB_OPENED_KINDS.includes(input.kind) && !opts.byHub) {
      throw HubError.badRequest(
        input.kind === 'update'
          ? "an update proposal opens by itself when a signed update file reaches the hub (upload it on the stewards' page)"
          : "a limits proposal opens from a limit change waiting for approval (put it to the community on the stewards' page)",
      );
    }
    const r = this.rules();
    const payload = { ...(input.payload ?? {}) };
    if (input.kind === 'parameter') {
      const name = String(payload.name);
      payload.value = Parameters.validate(name, payload.value);
      if (payload.effectiveAt !== undefined && typeof payload.effectiveAt !== 'number') throw HubError.badRequest('effectiveAt is a time in ms');
    }
    if (input.kind === 'spend' || input.kind === 'buy-tool') this.checkSpend(input.kind, payload);
    if ((input.kind === 'admit' || input.kind === 'suspend') && typeof payload.memberId !== 'string')
      throw HubError.badRequest(`an ${input.kind} proposal needs {memberId}`);
    const now = this.clock.now();
    const mode = r.modes[input.kind];
    const p: Proposal = {
      id: randomId('pr_', 6),
      kind: input.kind,
      title: input.title,
      rationale: input.rationale,
      payload,
      mode,
      createdBy: actor,
      createdAt: now,
      discussionEndsAt: mode === 'consensus' ? now + r.discussionDays * DAY_MS : now,
      closesAt: now + (mode === 'consensus' ? r.discussionDays + r.votingDays : r.votingDays) * DAY_MS,
      status: 'open',
      tally: null,
      decidedAt: null,
      outcomeNotes: [],
    };
    await this.store.write(() => {
      this.proposals.put(p.id, p);
      this.ledger.recordInTxn(actor, { event: 'proposal', proposal: p.id, kind: p.kind, mode, title: p.title, payload });
      this.told.sendInTxn('everyone', 'proposal-opened', { proposalId: p.id, title: p.title, closesAt: p.closesAt }, { ref: `proposals/${p.id}` });
    });
    this.log.info({ module: 'governance', proposal: p.id, kind: p.kind, mode }, 'proposal opened');
    return p;
  }

  /**
   * A proposal that spends the fund is checked when it is made: it pays an
   * active member a whole amount the fund could pay now. One that cannot be
   * carried out is refused at once, not found out at closing.
   */
  private checkSpend(kind: ProposalKind, payload: Record<string, unknown>): void {
    const { to, amount } = payload;
    if (typeof to !== 'string' || !Number.isSafeInteger(amount) || (amount as number) <= 0 || (amount as number) > MAX_AMOUNT)
      throw HubError.badRequest(`a ${kind} proposal needs {to, amount}: a member and a positive whole number of minor units`);
    if (isSystemAccount(to) || this.members.find(to)?.status !== 'active')
      throw HubError.badRequest(`a ${kind} proposal pays an active member, and ${to} is not one`);
    const fund = this.ledger.account(FUND);
    if ((amount as number) > fund.available)
      throw refuse('more-than-the-fund-has', `the fund can pay at most ${fund.available} now`, { available: fund.available });
  }

  get(id: string): Proposal {
    return found(this.proposals.get(id), `proposal ${id}`);
  }

  list(status?: ProposalStatus): Proposal[] {
    return this.proposals.where((p) => !status || p.status === status).sort((a, b) => b.createdAt - a.createdAt);
  }

  /** One vote per member per proposal: a second is refused, not overwritten. */
  async vote(proposalId: string, memberId: string, choice: Choice, opts: { coreValue?: string; reason?: string } = {}): Promise<Vote> {
    this.active(memberId);
    const v = await this.store.write(() => {
      const p = this.get(proposalId);
      const now = this.clock.now();
      if (p.status !== 'open' || now >= p.closesAt) throw refuse('voting-has-closed', `proposal ${p.id} closed at ${new Date(p.closesAt).toISOString()}`);
      if (this.votes.get([proposalId, memberId])) throw refuse('already-voted', 'you have already voted on this proposal');
      if (choice === 'block') {
        if (p.mode !== 'consensus') throw refuse('no-blocks-here', 'only consensus proposals can be blocked');
        if (now < p.discussionEndsAt) throw refuse('still-in-discussion', `the block period starts ${new Date(p.discussionEndsAt).toISOString()}`);
        if (!opts.coreValue || !this.rules().coreValues.includes(opts.coreValue))
          throw refuse('a-block-cites-a-core-value', `name one of: ${this.rules().coreValues.join(', ')}`);
      }
      const vote: Vote = { proposalId, memberId, choice, coreValue: opts.coreValue ?? null, reason: opts.reason ?? null, at: now };
      this.votes.put([proposalId, memberId], vote);
      this.ledger.recordInTxn(memberId, { event: 'vote', proposal: proposalId, choice, coreValue: vote.coreValue });
      return vote;
    });
    return v;
  }

  /** This member's own vote on a proposal, if they cast one. */
  voteOf(proposalId: string, memberId: string): Vote | null {
    return this.votes.get([proposalId, memberId]) ?? null;
  }

  // ── discussion ──────────────────────────────────────────────────────────

  /**
   * Members discuss a proposal while it is open: under consensus that is
   * what the discussion period is for, and a block is best raised there
   * first. Words, not decisions, so they stay out of the journal.
   */
  async comment(proposalId: string, memberId: string, text: string): Promise<Comment> {
    this.active(memberId);
    const body = text.trim();
    if (body.length === 0) throw HubError.badRequest('a comment needs some words');
    const c = await this.store.write(() => {
      const p = this.get(proposalId);
      const now = this.clock.now();
      if (p.status !== 'open' || now >= p.closesAt) throw refuse('discussion-has-closed', `proposal ${p.id} closed at ${new Date(p.closesAt).toISOString()}`);
      const comment: Comment = { id: randomId('pc_', 6), proposalId, memberId, text: body, at: now };
      this.discussion.put([proposalId, now, comment.id], comment);
      return comment;
    });
    this.log.info({ module: 'governance', proposal: proposalId, member: memberId, comment: c.id }, 'proposal discussed');
    return c;
  }

  /** A proposal's discussion, oldest first. */
  comments(proposalId: string): Comment[] {
    this.get(proposalId);
    return [...this.discussion.getRange(commentsOf(proposalId))].map((e) => e.value);
  }

  commentCount(proposalId: string): number {
    return this.discussion.getKeysCount(commentsOf(proposalId));
  }

  /** Everything decided and said, for the community's data export. */
  exportAll() {
    return {
      proposals: this.list(),
      votes: this.votes.all(),
      delegations: [...this.delegations.getRange({})].map((e) => ({ from: e.key[0], topic: e.key[1], to: e.value })),
      comments: this.discussion.all(),
      decisionLog: this.decisionLog(),
      budgetRounds: this.budgets.list(),
    };
  }

  votesOn(proposalId: string): Vote[] {
    return [...this.votes.getRange({ start: [proposalId, ''], end: [proposalId, '\uffff'] })].map((e) => e.value);
  }

  // ── delegation ──────────────────────────────────────────────────────────

  /** Delegate a topic (a proposal kind, or "*" for all) to another member; refuses cycles. */
  async delegate(memberId: string, topic: ProposalKind | '*', to: string | null): Promise<void> {
    this.active(memberId);
    if (to) this.active(to);
    await this.store.write(() => {
      if (to === null) {
        // Taking back a delegation on one kind lets the member's delegation on every kind ('*') apply to it again:
        // that must not close a cycle either.
        const fallback = topic !== '*' ? this.delegations.get([memberId, '*']) : undefined;
        if (fallback)
          this.refuseCycle(
            memberId,
            fallback,
            [topic as ProposalKind],
            `taking back this delegation would hand ${topic} votes to ${fallback} again, and make a cycle; take back the delegation on every kind first`,
          );
        this.delegations.remove([memberId, topic]);
      } else {
        if (to === memberId) throw refuse('delegation-cycle', 'you cannot delegate to yourself');
        const kinds = topic === '*' ? PROPOSAL_KINDS.filter((k) => !this.delegations.get([memberId, k])) : [topic];
        this.refuseCycle(memberId, to, kinds, null);
        this.delegations.put([memberId, topic], to);
      }
      this.ledger.recordInTxn(memberId, { event: 'delegation', topic, to });
    });
  }

  /** For every kind given, following the chain from `to` must never come back to `memberId`. */
  private refuseCycle(memberId: string, to: string, kinds: ProposalKind[], detail: string | null): void {
    for (const k of kinds) {
      const seen = new Set([memberId]);
      for (let cur: string | undefined = to; cur; cur = this.delegateOf(cur, k)) {
        if (seen.has(cur)) throw refuse('delegation-cycle', detail ?? `delegating to ${to} would make a cycle on ${k} proposals`);
        seen.add(cur);
      }
    }
  }

  private delegateOf(memberId: string, topic: ProposalKind | '*'): string | undefined {
    return this.delegations.get([memberId, topic]) ?? (topic !== '*' ? this.delegations.get([memberId, '*']) : undefined);
  }

  /** Who has handed their vote to this member, and on what. */
  delegatorsOf(memberId: string): Array<{ topic: string; from: string }> {
    return [...this.delegations.getRange({})].filter((e) => e.value === memberId).map((e) => ({ topic: e.key[1], from: e.key[0] }));
  }

  /** The community's rules, for showing: modes per kind, core values, periods. */
  get currentRules(): GovernanceRules {
    return this.rules();
  }

  delegationsOf(memberId: string): Array<{ topic: string; to: string }> {
    return [...this.delegations.getRange({ start: [memberId, ''], end: [memberId, '\uffff'] })].map((e) => ({ topic: e.key[1], to: e.value }));
  }

  // ── tally and outcome ───────────────────────────────────────────────────

  /**
   * Counts the votes: each active member's own vote, or else the vote of the
   * first member down their delegation chain who voted. Direct votes always
   * override delegation.
   */
  tally(p: Proposal): Tally {
    const direct = new Map(this.votesOn(p.id).map((v) => [v.memberId, v]));
    const eligible = this.members.list({ status: 'active' });
    let yes = 0;
    let no = 0;
    let abstain = 0;
    let blocks = 0;
    let delegated = 0;
    for (const m of eligible) {
      let v = direct.get(m.id);
      if (!v) {
        const seen = new Set([m.id]);
        for (let cur = this.delegateOf(m.id, p.kind); cur && !seen.has(cur); cur = this.delegateOf(cur, p.kind)) {
          seen.add(cur);
          const dv = direct.get(cur);
          if (dv) {
            v = dv;
            delegated++;
            break;
          }
        }
      }
      if (!v) continue;
      // A block is personal: it is never cast on someone's behalf.
      if (v.choice === 'block') {
        if (direct.get(m.id) === v) blocks++;
        continue;
      }
      if (v.choice === 'yes') yes++;
      else if (v.choice === 'no') no++;
      else abstain++;
    }
    const r = this.rules();
    const turnout = eligible.length ? (yes + no + abstain) / eligible.length : 0;
    let passed: boolean;
    let reason: string;
    if (p.mode === 'consensus') {
      passed = blocks === 0;
      reason = blocks ? `blocked by ${blocks} member${blocks > 1 ? 's' : ''}` : 'no blocks in the block period';
    } else if (p.mode === 'supermajority') {
      const share = yes + no ? yes / (yes + no) : 0;
      passed = turnout >= r.quorum && share >= r.supermajority;
      reason =
        turnout < r.quorum
          ? `turnout ${(turnout * 100).toFixed(0)}% below the quorum of ${(r.quorum * 100).toFixed(0)}%`
          : `${(share * 100).toFixed(0)}% yes (needs ${(r.supermajority * 100).toFixed(0)}%)`;
    } else if (p.kind === 'spend' || p.kind === 'buy-tool') {
      // Money leaves the fund only with the community's quorum: a single yes must not spend it.
      passed = turnout >= r.quorum && yes > no;
      reason = turnout < r.quorum ? `turnout ${(turnout * 100).toFixed(0)}% below the quorum of ${(r.quorum * 100).toFixed(0)}%` : `${yes} yes, ${no} no`;
    } else {
      passed = yes > no;
      reason = `${yes} yes, ${no} no`;
    }
    return { eligible: eligible.length, yes, no, abstain, blocks, delegated, passed, reason };
  }

  /** Who hears of proposals (and budget rounds); set by the composition root. */
  set notifier(n: Notifier) {
    this.told = n;
    this.budgets.notifier = n;
  }

  /**
   * A day before voting closes, members who have not voted hear of it once
   * (hourly job). Waits for trusted time, as closing does.
   */
  async remindClosing(withinMs = DAY_MS): Promise<number> {
    if (!this.clock.trusted()) return 0;
    const now = this.clock.now();
    const due = this.list('open').filter((p) => p.closesAt > now && p.closesAt - now <= withinMs && now >= p.discussionEndsAt);
    if (due.length === 0) return 0;
    const active = this.members.list({ status: 'active' });
    return this.store.write(() => {
      let sent = 0;
      for (const p of due) {
        const notVoted = active.filter((m) => !this.votes.get([p.id, m.id])).map((m) => m.id);
        sent += this.told.sendInTxn(
          notVoted,
          'proposal-closing',
          { proposalId: p.id, title: p.title, closesAt: p.closesAt },
          { ref: `proposals/${p.id}`, key: `closing:${p.id}` },
        );
      }
      return sent;
    });
  }

  /** Closes every proposal whose time is up and carries out the passed ones (the nightly job; also on request). */
  async closeDue(): Promise<Proposal[]> {
    const now = this.clock.now();
    const out: Proposal[] = [];
    // A clock that jumped ahead would close open proposals as failed: wait until the time is trusted.
    if (!this.clock.trusted()) return out;
    for (const p of this.list('open')) if (p.closesAt <= now) out.push(await this.close(p.id));
    return out;
  }

  async close(id: string): Promise<Proposal> {
    const p = this.get(id);
    if (p.status !== 'open') return p;
    const tally = this.tally(p);
    const decided = await this.store.write(() => {
      const now = this.clock.now();
      let next: Proposal = { ...p, tally, decidedAt: now, status: tally.passed ? 'passed' : 'failed' };
      if (tally.passed) {
        // A passed proposal that cannot be carried out (the fund ran low since) closes as failed, and says why; it is never left open.
        try {
          this.store.nestedInTxn(() => this.executeInTxn(next));
          next = { ...next, status: 'executed' };
        } catch (e) {
          const why = `passed, but could not be carried out: ${(e as Error).message}`;
          next = { ...next, status: 'failed', tally: { ...tally, reason: why }, outcomeNotes: [...next.outcomeNotes, { at: now, by: 'hub', note: why }] };
        }
      }
      this.proposals.put(id, next);
      this.ledger.recordInTxn(null, { event: 'decision', proposal: id, status: next.status, tally });
      this.told.sendInTxn('everyone', 'proposal-decided', { proposalId: id, title: next.title, outcome: next.status }, { ref: `proposals/${id}` });
      return next;
    });
    // Admissions and suspensions run through the members module's own transactions.
    if (decided.status === 'executed' && decided.kind === 'admit')
      await this.members
        .admit(String(decided.payload.memberId), decided.createdBy)
        .catch((e: Error) => this.log.warn({ module: 'governance', err: e.message }, 'admission failed'));
    if (decided.status === 'executed' && decided.kind === 'suspend')
      await this.members
        .suspend(String(decided.payload.memberId), decided.createdBy, decided.title)
        .catch((e: Error) => this.log.warn({ module: 'governance', err: e.message }, 'suspension failed'));
    this.log.info({ module: 'governance', proposal: id, status: decided.status, reason: tally.reason }, 'proposal decided');
    for (const listener of this.decidedListeners) {
      await Promise.resolve(listener(decided)).catch((e: Error) =>
        this.log.warn({ module: 'governance', proposal: id, err: e.message }, 'a follow-up of a decision failed'),
      );
    }
    return decided;
  }

  private executeInTxn(p: Proposal): void {
    if (p.kind === 'parameter') {
      const name = p.payload.name as ParamName;
      const effectiveFrom = typeof p.payload.effectiveAt === 'number' ? Math.max(p.payload.effectiveAt, this.clock.now()) : this.clock.now();
      this.parameters.scheduleInTxn({ name, value: p.payload.value as ParamValue, effectiveFrom, source: p.id, expiresAt: null });
      if (typeof p.payload.ratifies === 'string') this.parameters.ratifyInTxn(name, p.payload.ratifies);
    } else if (p.kind === 'spend' || p.kind === 'buy-tool') {
      if (typeof p.payload.to === 'string' && Number.isSafeInteger(p.payload.amount)) {
        this.ledger.payInTxn(
          { payer: FUND, payee: p.payload.to, amount: p.payload.amount as number, memo: p.title, category: 'community fund', actor: null },
          null,
        );
        this.audit?.recordInTxn(null, 'fund-spent', p.payload.to, { amount: p.payload.amount, proposal: p.id, kind: p.kind }, p.title);
      }
    }
  }

  /** A steward's emergency change: in force now, logged, and lapsing unless a proposal ratifies it. */
  async emergencyChange(steward: string, name: ParamName, value: ParamValue, reason: string): Promise<void> {
    const now = this.clock.now();
    const source = `emergency:${steward}:${now}`;
    await this.store.write(() => {
      this.parameters.scheduleInTxn({ name, value, effectiveFrom: now, source, expiresAt: now + this.rules().emergencyDays * DAY_MS });
      this.ledger.recordInTxn(steward, { event: 'emergency-change', name, value, reason, source });
      this.audit?.recordInTxn(steward, 'emergency-change', name, { value, expiresAt: now + this.rules().emergencyDays * DAY_MS }, reason);
    });
    this.log.warn({ module: 'governance', steward, name, value, reason }, 'emergency parameter change');
  }

  async addOutcomeNote(id: string, by: string, note: string): Promise<Proposal> {
    return this.store.write(() => {
      const p = this.get(id);
      const next = { ...p, outcomeNotes: [...p.outcomeNotes, { at: this.clock.now(), by, note }] };
      this.proposals.put(id, next);
      return next;
    });
  }

  /** The decision log: date, decision, rationale, who approved (the tally) and outcome notes. */
  decisionLog(): Array<{
    date: string;
    proposal: string;
    kind: string;
    title: string;
    decision: string;
    rationale: string;
    yes: number;
    no: number;
    abstain: number;
    blocks: number;
    delegated: number;
    why: string;
    notes: string;
  }> {
    return this.list().flatMap(({ decidedAt, tally, ...p }) =>
      decidedAt === null || !tally
        ? []
        : {
            date: new Date(decidedAt).toISOString(),
            proposal: p.id,
            kind: p.kind,
            title: p.title,
            decision: p.status === 'failed' ? 'rejected' : 'adopted',
            rationale: p.rationale,
            yes: tally.yes,
            no: tally.no,
            abstain: tally.abstain,
            blocks: tally.blocks,
            delegated: tally.delegated,
            why: tally.reason,
            notes: p.outcomeNotes.map((n) => n.note).join(' | '),
          },
    );
  }
}
