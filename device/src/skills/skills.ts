import type { Logger } from 'pino';
import { DAY_MS, type Clock } from '../clock.js';
import { found, HubError } from '../errors.js';
import { randomId } from '../ids.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Notifications } from '../notifications/notifications.js';
import type { Store } from '../store/store.js';
import { refuse, type OfferKind, type OfferStatus, type MentorshipStatus } from './contract.js';

/**
 * Who can do and teach what, the time-bank offers and needs board, the
 * community's list of skills it needs, and mentorship matching. A completed
 * exchange is paid in hours through the ledger.
 */
export interface MemberSkill {
  memberId: string;
  skill: string;
  level: number;
  primary: boolean;
  teach: boolean;
}

export type { OfferKind };
export type { OfferStatus };

export interface TimeOffer {
  id: string;
  kind: OfferKind;
  owner: string;
  title: string;
  category: string;
  tags: string[];
  /** Hundredths of an hour, as the ledger keeps hours. */
  hours: number;
  expiresAt: number;
  status: OfferStatus;
  takenBy: string | null;
  completedAt: number | null;
  transferId: string | null;
  createdAt: number;
  /**
   * Hours the owner says the exchange took, when that differs from what was
   * agreed to the taker's cost: they move only once the taker confirms.
   */
  proposedHours?: number | null;
}

export interface Mentorship {
  id: string;
  skill: string;
  learner: string;
  teacher: string;
  /** Availability the two share, e.g. ["sat-morning"]. */
  when: string[];
  status: MentorshipStatus;
  learnerAccepted: boolean;
  teacherAccepted: boolean;
  createdAt: number;
}

export const normaliseSkill = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ');

export class Skills {
  private readonly skills;
  private readonly learning;
  private readonly availability;
  private readonly needed;
  private readonly offers;
  private readonly mentorships;

  constructor(
    private readonly store: Store,
    private readonly ledger: Ledger,
    private readonly notifications: Notifications,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.skills = store.collection<MemberSkill, [string, string]>('skills', 'skill');
    this.learning = store.db<{ since: number }, [string, string]>('skills-learning');
    this.availability = store.db<string[], string>('member-availability');
    this.needed = store.db<{ markedBy: string; note: string | null; at: number }, string>('skills-needed');
    this.offers = store.collection<TimeOffer, string>('timebank-offers', 'offer');
    this.mentorships = store.collection<Mentorship, string>('mentorships', 'mentorship');
  }

  // ── skills ──────────────────────────────────────────────────────────────

  async setSkill(memberId: string, input: { skill: string; level: number; primary?: boolean; teach?: boolean }): Promise<MemberSkill> {
    const skill = normaliseSkill(input.skill);
    if (!skill) throw HubError.badRequest('name the skill');
    if (!Number.isInteger(input.level) || input.level < 1 || input.level > 5) throw HubError.badRequest('level is 1 (learning) to 5 (expert)');
    const s: MemberSkill = { memberId, skill, level: input.level, primary: input.primary ?? false, teach: input.teach ?? false };
    await this.store.write(() => {
      // One primary skill per member: setting a new one makes the old secondary.
      if (s.primary)
        for (const other of this.skillsOf(memberId))
          if (other.primary && other.skill !== skill) this.skills.put([memberId, other.skill], { ...other, primary: false });
      this.skills.put([memberId, skill], s);
    });
    return s;
  }

  async removeSkill(memberId: string, skill: string): Promise<void> {
    await this.store.write(() => this.skills.remove([memberId, normaliseSkill(skill)]));
  }

  skillsOf(memberId: string): MemberSkill[] {
    return [...this.skills.getRange({ start: [memberId, ''], end: [memberId, '\uffff'] })].map((e) => e.value);
  }

  allSkills(): MemberSkill[] {
    return this.skills.all();
  }

  holders(skill: string): MemberSkill[] {
    const s = normaliseSkill(skill);
    return this.allSkills().filter((x) => x.skill === s);
  }

  async setLearning(memberId: string, skill: string, learning: boolean): Promise<void> {
    const s = normaliseSkill(skill);
    await this.store.write(() => (learning ? this.learning.put([memberId, s], { since: this.clock.now() }) : this.learning.remove([memberId, s])));
  }

  learningOf(memberId: string): string[] {
    return [...this.learning.getKeys({ start: [memberId, ''], end: [memberId, '\uffff'] })].map((k) => k[1]);
  }

  async setAvailability(memberId: string, slots: string[]): Promise<string[]> {
    const clean = [...new Set(slots.map((x) => x.trim().toLowerCase()).filter(Boolean))].sort();
    await this.store.write(() => this.availability.put(memberId, clean));
    return clean;
  }

  availabilityOf(memberId: string): string[] {
    return this.availability.get(memberId) ?? [];
  }

  async markNeeded(skill: string, by: string, note: string | null, needed = true): Promise<void> {
    const s = normaliseSkill(skill);
    await this.store.write(() => (needed ? this.needed.put(s, { markedBy: by, note, at: this.clock.now() }) : this.needed.remove(s)));
  }

  neededSkills(): Array<{ skill: string; note: string | null }> {
    return [...this.needed.getRange({})].map(({ key, value }) => ({ skill: key, note: value.note }));
  }

  /**
   * Skills the community needs that nobody holds, and skills held by one
   * person only (succession risk), each with who is learning it or holds a
   * neighbouring skill at a low level and could learn.
   */
  gapReport(): {
    missing: Array<{ skill: string; couldLearn: string[] }>;
    singleHolder: Array<{ skill: string; holder: string; canTeach: boolean; couldLearn: string[] }>;
  } {
    const all = this.allSkills();
    const bySkill = new Map<string, MemberSkill[]>();
    for (const s of all) bySkill.set(s.skill, [...(bySkill.get(s.skill) ?? []), s]);
    const learners = new Map<string, string[]>();
    for (const k of this.learning.getKeys({})) learners.set(k[1], [...(learners.get(k[1]) ?? []), k[0]]);
    const couldLearn = (skill: string, exclude: string[] = []) => {
      const words = skill.split(/[\s-]+/);
      const related = all.filter((s) => s.skill !== skill && words.some((w) => w.length > 3 && s.skill.includes(w))).map((s) => s.memberId);
      return [...new Set([...(learners.get(skill) ?? []), ...related])].filter((m) => !exclude.includes(m)).sort();
    };
    const missing = this.neededSkills()
      .filter((n) => !bySkill.get(n.skill)?.length)
      .map((n) => ({ skill: n.skill, couldLearn: couldLearn(n.skill) }));
    const singleHolder = [...bySkill]
      .flatMap(([skill, holders]) => {
        const [h] = holders;
        return h && holders.length === 1 ? [{ skill, holder: h.memberId, canTeach: h.teach, couldLearn: couldLearn(skill, [h.memberId]) }] : [];
      })
      .sort((a, b) => a.skill.localeCompare(b.skill));
    return { missing, singleHolder };
  }

  // ── time-bank board ─────────────────────────────────────────────────────

  async postOffer(
    owner: string,
    input: { kind: OfferKind; title: string; category: string; tags?: string[]; hours: number; expiresInDays?: number },
  ): Promise<TimeOffer> {
    if (!Number.isSafeInteger(input.hours) || input.hours <= 0 || input.hours > 100_00)
      throw HubError.badRequest('hours are hundredths of an hour, between 1 and 10000');
    const now = this.clock.now();
    const o: TimeOffer = {
      id: randomId('o_', 6),
      kind: input.kind,
      owner,
      title: input.title,
      category: input.category,
      tags: (input.tags ?? []).map((t) => t.trim().toLowerCase()).filter(Boolean),
      hours: input.hours,
      expiresAt: now + (input.expiresInDays ?? 30) * DAY_MS,
      status: 'open',
      takenBy: null,
      completedAt: null,
      transferId: null,
      createdAt: now,
    };
    await this.store.write(() => this.offers.put(o.id, o));
    this.log.info({ module: 'skills', offer: o.id, kind: o.kind }, 'time-bank post added');
    return o;
  }

  listOffers(filter: { kind?: OfferKind; category?: string; tag?: string; status?: OfferStatus; owner?: string } = {}): TimeOffer[] {
    const now = this.clock.now();
    return this.offers
      .all()
      .map((o) => (o.status === 'open' && o.expiresAt <= now ? { ...o, status: 'expired' as const } : o))
      .filter(
        (o) =>
          (!filter.kind || o.kind === filter.kind) &&
          (!filter.category || o.category === filter.category) &&
          (!filter.tag || o.tags.includes(filter.tag)) &&
          (!filter.status || o.status === filter.status) &&
          (!filter.owner || o.owner === filter.owner),
      )
      .sort((a, b) => b.createdAt - a.createdAt);
  }

  private offer(id: string): TimeOffer {
    return found(this.offers.get(id), `time-bank post ${id}`);
  }

  async takeOffer(id: string, memberId: string): Promise<TimeOffer> {
    return this.store.write(() => {
      const o = this.offer(id);
      if (o.status !== 'open' || o.expiresAt <= this.clock.now())
        throw refuse('post-not-open', `this post is ${o.expiresAt <= this.clock.now() ? 'expired' : o.status}`);
      if (o.owner === memberId) throw refuse('your-own-post', 'someone else has to take it');
      const next = { ...o, status: 'taken' as const, takenBy: memberId };
      this.offers.put(id, next);
      this.notifications.sendInTxn([o.owner], 'timebank-taken', { title: o.title }, { ref: `timebank/${o.id}` });
      return next;
    });
  }

  /**
   * The owner confirms the exchange happened: the hours move in the same
   * transaction. Whoever received the help pays. The hours were agreed when
   * the post was taken: the owner may book fewer at their own cost, but
   * anything that costs the taker more (more hours from a taker who pays,
   * fewer to a taker who is paid) waits for the taker's word (confirmHours).
   */
  async complete(id: string, memberId: string, hours?: number): Promise<TimeOffer> {
    const done = await this.store.write(() => {
      const o = this.offer(id);
      if (o.status !== 'taken' || !o.takenBy) throw refuse('not-taken', `this post is ${o.status}`);
      if (o.owner !== memberId) throw HubError.forbidden('the member who posted it confirms the exchange');
      const amount = hours ?? o.hours;
      const costsTaker = o.kind === 'offer' ? amount > o.hours : amount < o.hours;
      if (costsTaker) {
        const next = { ...o, proposedHours: amount };
        this.offers.put(id, next);
        this.notifications.sendInTxn([o.takenBy], 'timebank-hours-proposed', { title: o.title, hours: amount, agreed: o.hours }, { ref: `timebank/${o.id}` });
        return next;
      }
      return this.settleInTxn(o, amount, memberId);
    });
    this.log.info(
      { module: 'skills', offer: id, hours: done.hours, proposedHours: done.proposedHours ?? null },
      done.status === 'completed' ? 'time-bank exchange completed' : 'time-bank hours proposed; the taker confirms',
    );
    return done;
  }

  /** The taker agrees to the hours the owner proposed, and they move. */
  async confirmHours(id: string, memberId: string): Promise<TimeOffer> {
    return this.store.write(() => {
      const o = this.offer(id);
      if (o.status !== 'taken' || !o.takenBy || o.proposedHours == null) throw refuse('no-hours-to-confirm', `this post is ${o.status} with no hours proposed`);
      if (o.takenBy !== memberId) throw HubError.forbidden('the member who took it confirms the hours');
      return this.settleInTxn(o, o.proposedHours, memberId);
    });
  }

  private settleInTxn(o: TimeOffer, amount: number, actor: string): TimeOffer {
    if (!o.takenBy) throw new Error(`time-bank post ${o.id} is settled with no taker`);
    const [payer, payee] = o.kind === 'offer' ? [o.takenBy, o.owner] : [o.owner, o.takenBy];
    const t = this.ledger.payInTxn({ payer, payee, amount, unit: 'hour', memo: o.title, category: o.category, actor }, null);
    const next = { ...o, status: 'completed' as const, completedAt: this.clock.now(), transferId: t.id, hours: amount, proposedHours: null };
    this.offers.put(o.id, next);
    return next;
  }

  async withdraw(id: string, memberId: string): Promise<TimeOffer> {
    return this.store.write(() => {
      const o = this.offer(id);
      if (o.owner !== memberId) throw HubError.forbidden('not your post');
      if (o.status === 'completed') throw refuse('completed', 'a completed exchange stays');
      const next = { ...o, status: 'withdrawn' as const };
      this.offers.put(id, next);
      return next;
    });
  }

  /** Daily: remind owners two days before a post expires, and mark expired ones. */
  async remindExpiring(): Promise<{ reminded: number; expired: number }> {
    const now = this.clock.now();
    let reminded = 0;
    let expired = 0;
    await this.store.write(() => {
      for (const { value: o } of this.offers.getRange({})) {
        if (o.status !== 'open') continue;
        if (o.expiresAt <= now) {
          this.offers.put(o.id, { ...o, status: 'expired' });
          expired++;
        } else if (o.expiresAt - now <= 2 * DAY_MS) {
          if (
            this.notifications.sendInTxn(
              [o.owner],
              'timebank-expiring',
              { title: o.title, date: o.expiresAt },
              { ref: `timebank/${o.id}`, key: `expiring:${o.id}` },
            )
          )
            reminded++;
        }
      }
    });
    return { reminded, expired };
  }

  // ── mentorship ──────────────────────────────────────────────────────────

  /** Pairs each learner with a willing teacher of the skill whose availability overlaps, as proposals. */
  async matchMentors(): Promise<Mentorship[]> {
    const created: Mentorship[] = [];
    const existing = this.mentorshipsOf(null);
    await this.store.write(() => {
      for (const key of this.learning.getKeys({})) {
        const [learner, skill] = key;
        if (existing.some((m) => m.learner === learner && m.skill === skill && m.status !== 'declined')) continue;
        const mine = this.availabilityOf(learner);
        const declined = new Set(existing.filter((m) => m.learner === learner && m.skill === skill).map((m) => m.teacher));
        const teachers = this.holders(skill)
          .filter((h) => h.teach && h.memberId !== learner && !declined.has(h.memberId))
          .map((h) => ({ h, when: this.availabilityOf(h.memberId).filter((x) => mine.includes(x)) }))
          .filter((t) => t.when.length > 0)
          .sort((a, b) => b.h.level - a.h.level || b.when.length - a.when.length);
        const best = teachers[0];
        if (!best) continue;
        const m: Mentorship = {
          id: randomId('mt_', 6),
          skill,
          learner,
          teacher: best.h.memberId,
          when: best.when,
          status: 'proposed',
          learnerAccepted: false,
          teacherAccepted: false,
          createdAt: this.clock.now(),
        };
        this.mentorships.put(m.id, m);
        this.notifications.sendInTxn([learner], 'mentorship', { skill, role: 'learner' }, { ref: `mentorship/${m.id}` });
        this.notifications.sendInTxn([best.h.memberId], 'mentorship', { skill, role: 'teacher' }, { ref: `mentorship/${m.id}` });
        created.push(m);
      }
    });
    return created;
  }

  mentorshipsOf(memberId: string | null): Mentorship[] {
    return this.mentorships.where((m) => memberId === null || m.learner === memberId || m.teacher === memberId);
  }

  async answerMentorship(id: string, memberId: string, accept: boolean): Promise<Mentorship> {
    return this.store.write(() => {
      const m = found(this.mentorships.get(id), `mentorship ${id}`);
      if (m.learner !== memberId && m.teacher !== memberId) throw HubError.forbidden('not your mentorship');
      if (m.status !== 'proposed') throw refuse('already-answered', `this mentorship is ${m.status}`);
      const next = { ...m };
      if (!accept) next.status = 'declined';
      else {
        if (memberId === m.learner) next.learnerAccepted = true;
        if (memberId === m.teacher) next.teacherAccepted = true;
        if (next.learnerAccepted && next.teacherAccepted) next.status = 'accepted';
      }
      this.mentorships.put(id, next);
      return next;
    });
  }

  exportAll() {
    return {
      skills: this.allSkills(),
      learning: [...this.learning.getKeys({})].map(([memberId, skill]) => ({ memberId, skill })),
      needed: this.neededSkills(),
      offers: this.listOffers(),
      mentorships: this.mentorshipsOf(null),
    };
  }
}
