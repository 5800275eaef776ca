import type { Logger } from 'pino';
import { silentNotifier, type Notifier } from '../notifications/kinds.js';
import { DAY_MS, type Clock } from '../clock.js';
import { found, HubError } from '../errors.js';
import { randomId } from '../ids.js';
import type { Ledger } from '../ledger/ledger.js';
import { FUND, isSystemAccount } from '../ledger/types.js';
import type { Members } from '../members/members.js';
import type { AuditLog } from '../audit/audit.js';
import type { Store } from '../store/store.js';
import { refuse, type RoundStatus } from './contract.js';

/**
 * Participatory budgeting of the community fund. A steward opens a round
 * with a budget from the fund; members put forward projects and spread
 * their points across them. With quadratic weighting a member's support for
 * a project counts as the square root of the points they put on it, so
 * spreading points goes further than piling them on one project, and a few
 * strong preferences cannot outweigh many moderate ones.
 *
 * At the close, projects are funded in order of support while the budget
 * lasts; a project that no longer fits is skipped and the next one that
 * does is funded. Payments come from the fund in one transaction, so the
 * ledger stays zero-sum.
 */
export interface BudgetProject {
  id: string;
  title: string;
  description: string;
  amount: number;
  /** The account paid if the project is funded. */
  to: string;
  proposedBy: string;
}

export interface BudgetRound {
  id: string;
  title: string;
  budget: number;
  pointsPerMember: number;
  quadratic: boolean;
  createdBy: string;
  createdAt: number;
  closesAt: number;
  status: RoundStatus;
  projects: BudgetProject[];
  result: BudgetResult | null;
}

export interface ProjectResult {
  projectId: string;
  title: string;
  amount: number;
  points: number;
  supporters: number;
  score: number;
  rank: number;
  funded: boolean;
  why: string;
}

export interface BudgetResult {
  closedAt: number;
  spent: number;
  projects: ProjectResult[];
  transferIds: string[];
}

export class Budgeting {
  private readonly rounds;
  private readonly allocations;
  /** Who hears of rounds opening and closing; set through Governance. */
  notifier: Notifier = silentNotifier;

  constructor(
    private readonly store: Store,
    private readonly ledger: Ledger,
    private readonly members: Members,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly audit?: AuditLog,
  ) {
    this.rounds = store.collection<BudgetRound, string>('budget-rounds', 'round');
    this.allocations = store.db<Record<string, number>, [string, string]>('budget-allocations');
  }

  private active(memberId: string): void {
    const m = this.members.find(memberId);
    if (!m || m.status !== 'active')
      throw HubError.forbidden(m?.status === 'suspended' ? 'a suspended member cannot take part in decisions' : 'only active members take part in decisions');
  }

  async open(steward: string, input: { title: string; budget: number; pointsPerMember?: number; quadratic?: boolean; days?: number }): Promise<BudgetRound> {
    if (!Number.isSafeInteger(input.budget) || input.budget <= 0) throw HubError.badRequest('the budget is a positive whole number of minor units');
    const fund = this.ledger.account(FUND).balance;
    if (input.budget > fund) throw refuse('more-than-the-fund-holds', `the community fund holds ${fund}; a round cannot promise ${input.budget}`, { fund });
    const now = this.clock.now();
    const round: BudgetRound = {
      id: randomId('pb_', 6),
      title: input.title,
      budget: input.budget,
      pointsPerMember: input.pointsPerMember ?? 100,
      quadratic: input.quadratic ?? true,
      createdBy: steward,
      createdAt: now,
      closesAt: now + (input.days ?? 14) * DAY_MS,
      status: 'open',
      projects: [],
      result: null,
    };
    await this.store.write(() => {
      this.rounds.put(round.id, round);
      this.ledger.recordInTxn(steward, {
        event: 'budget.opened',
        round: round.id,
        budget: round.budget,
        quadratic: round.quadratic,
        pointsPerMember: round.pointsPerMember,
      });
      this.notifier.sendInTxn(
        'everyone',
        'budget-round-opened',
        { roundId: round.id, title: round.title, closesAt: round.closesAt },
        { ref: `budgeting/${round.id}` },
      );
    });
    this.log.info({ module: 'governance', round: round.id, budget: round.budget, quadratic: round.quadratic }, 'participatory budgeting round opened');
    return round;
  }

  get(id: string): BudgetRound {
    return found(this.rounds.get(id), `budgeting round ${id}`);
  }

  list(): BudgetRound[] {
    return this.rounds.newest((x) => x.createdAt);
  }

  private openRound(id: string): BudgetRound {
    const r = this.get(id);
    if (r.status !== 'open' || r.closesAt <= this.clock.now()) throw refuse('round-closed', 'this budgeting round is closed');
    return r;
  }

  async addProject(memberId: string, roundId: string, input: { title: string; description?: string; amount: number; to?: string }): Promise<BudgetProject> {
    this.active(memberId);
    if (!Number.isSafeInteger(input.amount) || input.amount <= 0) throw HubError.badRequest('a project asks for a positive whole number of minor units');
    const to = input.to ?? memberId;
    // Checked now, not at closing: a project that could never be paid would otherwise fail the whole round.
    if (isSystemAccount(to) || this.members.find(to)?.status !== 'active')
      throw HubError.badRequest(`a project is paid to an active member, and ${to} is not one`);
    return this.store.write(() => {
      const r = this.openRound(roundId);
      if (input.amount > r.budget) throw refuse('more-than-the-budget', `the round's whole budget is ${r.budget}`);
      const p: BudgetProject = {
        id: randomId('pp_', 6),
        title: input.title,
        description: input.description ?? '',
        amount: input.amount,
        to,
        proposedBy: memberId,
      };
      this.rounds.put(r.id, { ...r, projects: [...r.projects, p] });
      this.ledger.recordInTxn(memberId, { event: 'budget.project', round: r.id, project: p.id, amount: p.amount, to });
      return p;
    });
  }

  /** A member's points across projects; a new allocation replaces their earlier one until the round closes. */
  async allocate(memberId: string, roundId: string, points: Record<string, number>): Promise<Record<string, number>> {
    this.active(memberId);
    return this.store.write(() => {
      const r = this.openRound(roundId);
      let total = 0;
      const clean: Record<string, number> = {};
      for (const [projectId, n] of Object.entries(points)) {
        if (!r.projects.some((p) => p.id === projectId)) throw HubError.badRequest(`no project ${projectId} in this round`);
        if (!Number.isSafeInteger(n) || n < 0) throw HubError.badRequest('points are whole numbers, zero or more');
        if (n > 0) clean[projectId] = n;
        total += n;
      }
      if (total > r.pointsPerMember)
        throw refuse('too-many-points', `you have ${r.pointsPerMember} points to spread; this spends ${total}`, {
          pointsPerMember: r.pointsPerMember,
          spent: total,
        });
      this.allocations.put([roundId, memberId], clean);
      this.ledger.recordInTxn(memberId, { event: 'budget.allocation', round: roundId, points: clean });
      return clean;
    });
  }

  allocationOf(roundId: string, memberId: string): Record<string, number> {
    return this.allocations.get([roundId, memberId]) ?? {};
  }

  /**
   * Support per project as it stands: points, supporters and the score
   * (sum of √points with quadratic weighting, or of points), ranked.
   * Allocations of members suspended since are not counted.
   */
  standings(roundId: string): Array<Omit<ProjectResult, 'funded' | 'why'>> {
    const r = this.get(roundId);
    const per = new Map(r.projects.map((p) => [p.id, { project: p, points: 0, supporters: 0, score: 0 }]));
    for (const { key, value } of this.allocations.getRange({ start: [roundId, ''], end: [roundId, '\uffff'] })) {
      const member = this.members.find(key[1]);
      if (!member || member.status !== 'active') continue;
      for (const [projectId, n] of Object.entries(value)) {
        const s = per.get(projectId);
        if (!s) continue;
        s.points += n;
        s.supporters += 1;
        s.score += r.quadratic ? Math.sqrt(n) : n;
      }
    }
    return [...per.values()]
      .map(({ project: p, points, supporters, score }) => ({
        projectId: p.id,
        title: p.title,
        amount: p.amount,
        points,
        supporters,
        score: Math.round(score * 1000) / 1000,
      }))
      .sort((a, b) => b.score - a.score || a.amount - b.amount || a.projectId.localeCompare(b.projectId))
      .map((x, i) => ({ ...x, rank: i + 1 }));
  }

  /** Funds projects in order of support while the budget (and the fund) lasts, in one transaction. */
  async close(roundId: string, actor: string | null): Promise<BudgetRound> {
    const standings = this.standings(roundId);
    const closed = await this.store.write(() => {
      const r = this.get(roundId);
      if (r.status !== 'open') throw refuse('round-closed', 'this budgeting round is already closed');
      // The fund may have paid out since the round opened: never promise more than it holds now.
      const available = Math.min(r.budget, Math.max(0, this.ledger.account(FUND).balance));
      let left = available;
      const transferIds: string[] = [];
      const projects: ProjectResult[] = standings.map((s) => {
        const p = r.projects.find((x) => x.id === s.projectId);
        if (!p) throw new Error(`project ${s.projectId} is not in round ${r.id}`);
        if (s.score === 0) return { ...s, funded: false, why: 'no support' };
        if (p.amount > left) return { ...s, funded: false, why: `ranked ${s.rank}; asked ${p.amount}, ${left} left of the budget` };
        // One project that cannot be paid (its member left since) is passed over; the round still closes.
        let t;
        try {
          t = this.store.nestedInTxn(() =>
            this.ledger.payInTxn(
              { payer: FUND, payee: p.to, amount: p.amount, memo: `participatory budget: ${p.title}`, category: 'community fund', actor },
              null,
            ),
          );
        } catch (e) {
          return { ...s, funded: false, why: `ranked ${s.rank}; could not be paid: ${(e as Error).message}` };
        }
        transferIds.push(t.id);
        this.audit?.recordInTxn(actor, 'fund-spent', p.to, { amount: p.amount, round: r.id, project: p.id }, `participatory budget: ${p.title}`);
        left -= p.amount;
        return { ...s, funded: true, why: `ranked ${s.rank} with a score of ${s.score}; funded, ${left} left` };
      });
      const result = { closedAt: this.clock.now(), spent: available - left, projects, transferIds };
      const next: BudgetRound = { ...r, status: 'closed', result };
      this.rounds.put(r.id, next);
      this.ledger.recordInTxn(actor, {
        event: 'budget.closed',
        round: r.id,
        spent: available - left,
        funded: projects.filter((p) => p.funded).map((p) => p.projectId),
      });
      this.notifier.sendInTxn(
        'everyone',
        'budget-round-closed',
        { roundId: r.id, title: r.title, funded: projects.filter((p) => p.funded).length },
        { ref: `budgeting/${r.id}` },
      );
      return { next, result };
    });
    this.log.info(
      { module: 'governance', round: roundId, spent: closed.result.spent, funded: closed.result.projects.filter((p) => p.funded).length },
      'participatory budgeting round closed',
    );
    return closed.next;
  }

  async closeDue(): Promise<BudgetRound[]> {
    const now = this.clock.now();
    const out: BudgetRound[] = [];
    if (!this.clock.trusted()) return out; // closing waits for trusted time
    for (const r of this.list()) if (r.status === 'open' && r.closesAt <= now) out.push(await this.close(r.id, null));
    return out;
  }
}
