import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { found, HubError } from '../errors.js';
import { randomId, randomSecret } from '../ids.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Store } from '../store/store.js';
import { Idempotency } from '../store/idempotency.js';
import { decoyHash, hashPassword, MIN_PASSWORD_LENGTH, oneTimePassword, verifyPassword } from './passwords.js';
import { AccountBackoff, FailureRateLimiter } from './rate-limit.js';
import type { AuditLog } from '../audit/audit.js';
import { refuse, type MemberStatus, type JoinRoute } from './contract.js';

export const ROLES = ['resident', 'steward', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export type { MemberStatus };

export interface Member {
  id: string;
  name: string;
  email: string;
  role: Role;
  status: MemberStatus;
  passwordHash: string | null;
  createdAt: number;
  admittedAt: number | null;
  admittedBy: string | null;
  joinedVia: JoinRoute;
  note: string | null;
  /** Signed in with a one-time password (provisioned, or reset by a steward): the console asks for their own first. */
  mustChangePassword?: boolean;
}

export type PublicMember = Omit<Member, 'passwordHash'>;

export interface Session {
  memberId: string;
  csrfToken: string;
  createdAt: number;
  expiresAt: number;
}

export interface ApiToken {
  id: string;
  memberId: string;
  name: string;
  createdAt: number;
  revokedAt: number | null;
}

export interface Invite {
  code: string;
  createdBy: string;
  createdAt: number;
  expiresAt: number;
  note: string | null;
  usedBy: string | null;
  usedAt: number | null;
}

export interface MemberEvent {
  at: number;
  memberId: string;
  actor: string | null;
  event: 'created' | 'requested' | 'admitted' | 'suspended' | 'reinstated' | 'role' | 'password';
  detail: Record<string, unknown>;
}

export interface MembersParams {
  sessionTtlMs: number;
  inviteTtlMs: number;
  loginAttempts: number;
  loginWindowMs: number;
}

const roleRank: Record<Role, number> = { resident: 0, steward: 1, admin: 2 };
export function hasRole(member: Pick<Member, 'role'>, role: Role): boolean {
  return roleRank[member.role] >= roleRank[role];
}

export function publicMember(m: Member): PublicMember {
  const { passwordHash: _omit, ...rest } = m;
  return rest;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const normaliseEmail = (e: string) => e.trim().toLowerCase();
// Invite codes are read aloud and typed on phones: no 0/O or 1/I/L.
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

export interface NewMember {
  name: string;
  email: string;
  password?: string | null;
  role?: Role;
  note?: string | null;
  mustChangePassword?: boolean;
}

/**
 * Members, their roles and how they get in: added by a steward, joining with
 * a steward's invite, or asking to join and waiting to be admitted. Also the
 * ways of proving who you are: console sessions (with CSRF token) and bearer
 * tokens for scripts. A member's ledger accounts open when they are admitted
 * and freeze when they are suspended; nothing is deleted.
 */
export class Members {
  private readonly members;
  private readonly emails;
  private readonly sessions;
  private readonly tokens;
  private readonly invites;
  private readonly events;
  private readonly idem: Idempotency;
  readonly loginLimiter: FailureRateLimiter;
  /** Attempts to join, per address: every attempt counts, not only failures. */
  readonly joinLimiter: FailureRateLimiter;
  private readonly accountBackoff: AccountBackoff;
  /** Devices (hashed ids) that signed in to each member, in memory: a restart forgets them and the backoff alike. */
  private readonly knownDevices = new Map<string, Set<string>>();

  constructor(
    private readonly store: Store,
    private readonly ledger: Ledger,
    private readonly clock: Clock,
    private readonly params: MembersParams,
    private readonly log: Logger,
    private readonly audit?: AuditLog,
  ) {
    this.members = store.db<Member, string>('members');
    this.emails = store.db<string, string>('member-emails');
    this.sessions = store.db<Session, string>('sessions');
    this.tokens = store.collection<ApiToken & { hash: string }, string>('api-tokens', 'token');
    this.invites = store.collection<Invite, string>('invites', 'invite');
    this.events = store.db<MemberEvent, [string, number]>('member-events');
    this.idem = new Idempotency(store);
    this.loginLimiter = new FailureRateLimiter(params.loginAttempts, params.loginWindowMs, () => clock.now());
    this.joinLimiter = new FailureRateLimiter(10, 3_600_000, () => clock.now());
    this.accountBackoff = new AccountBackoff(params.loginAttempts, 1_000, params.loginWindowMs, () => clock.now());
  }

  // ── reading ─────────────────────────────────────────────────────────────

  get(id: string): Member {
    return found(this.members.get(id), `member ${id}`);
  }

  find(id: string): Member | undefined {
    return this.members.get(id);
  }

  byEmail(email: string): Member | undefined {
    const id = this.emails.get(normaliseEmail(email));
    return id ? this.members.get(id) : undefined;
  }

  list(filter: { status?: MemberStatus; q?: string } = {}): Member[] {
    const q = filter.q?.trim().toLowerCase();
    const out: Member[] = [];
    for (const { value } of this.members.getRange({})) {
      if (filter.status && value.status !== filter.status) continue;
      if (q && !value.name.toLowerCase().includes(q) && !value.email.includes(q)) continue;
      out.push(value);
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Active stewards and admins: whom the hub tells about itself (storage, backups, updates). */
  activeStewards(): Member[] {
    return this.list({ status: 'active' }).filter((m) => hasRole(m, 'steward'));
  }

  count(): number {
    return this.members.getCount();
  }

  eventsOf(memberId: string): MemberEvent[] {
    return [...this.events.getRange({ start: [memberId, 0], end: [memberId, Number.MAX_SAFE_INTEGER] })].map((e) => e.value);
  }

  // ── joining ─────────────────────────────────────────────────────────────

  /** A steward adds a member, who is active at once. */
  async create(input: NewMember & { passwordHash?: string }, actor: string | null, idempotencyKey?: string | null): Promise<Member> {
    // A hash comes only from the provisioning tool's hub.json (the first steward).
    const passwordHash = input.passwordHash ?? (await this.preparePassword(input.password));
    const fp = Idempotency.fingerprint({ op: 'member.create', name: input.name, email: normaliseEmail(input.email), role: input.role ?? 'resident' });
    const m = await this.store.write(() => {
      if (idempotencyKey) {
        const prior = this.idem.replay<Member>('member', actor ?? '-', idempotencyKey, fp);
        if (prior) return prior;
      }
      const created = this.insertInTxn(input, passwordHash, 'active', actor ? 'steward' : 'bootstrap', actor);
      if (idempotencyKey) this.idem.remember('member', actor ?? '-', idempotencyKey, fp, created, this.clock.now());
      return created;
    });
    this.log.info({ module: 'members', member: m.id, role: m.role, actor }, 'member added');
    return m;
  }

  /** Someone asks to join; a steward admits them later. */
  /**
   * Told, inside the same transaction, when someone tries to join with the
   * email of an existing member (wired by the composition root to a
   * notification), since the answer to the one who tried cannot say so.
   */
  joinAttemptHook: ((existing: Member) => void) | undefined;

  /**
   * Joining never reveals who is a member: for an email already in use the
   * answer looks like any other (a member record that is never stored), and
   * the member it belongs to is told instead.
   */
  private decoyInTxn(input: NewMember, status: MemberStatus): Member | null {
    const existingId = this.emails.get(normaliseEmail(input.email));
    if (!existingId) return null;
    const existing = this.get(existingId);
    this.joinAttemptHook?.(existing);
    this.log.info({ module: 'members', member: existing.id }, "someone tried to join with a member's email; they are told");
    const now = this.clock.now();
    return {
      id: randomId('m_', 6),
      name: input.name.trim(),
      email: normaliseEmail(input.email),
      role: 'resident',
      status,
      passwordHash: null,
      createdAt: now,
      admittedAt: status === 'active' ? now : null,
      admittedBy: null,
      joinedVia: status === 'active' ? 'invite' : 'request',
      note: null,
    };
  }

  async requestMembership(input: NewMember): Promise<Member> {
    const passwordHash = await this.hashNewPassword(input.password);
    const m = await this.store.write(
      () => this.decoyInTxn(input, 'pending') ?? this.insertInTxn({ ...input, role: 'resident' }, passwordHash, 'pending', 'request', null),
    );
    this.log.info({ module: 'members', member: m.id }, 'membership requested');
    return m;
  }

  /** A steward's invite is their admission: the member is active at once. */
  async joinWithInvite(code: string, input: NewMember): Promise<Member> {
    const passwordHash = await this.hashNewPassword(input.password);
    const m = await this.store.write(() => {
      const inv = this.invites.get(code.trim().toUpperCase());
      const now = this.clock.now();
      if (!inv) throw refuse('unknown-invite', 'that invite code does not exist');
      if (inv.usedBy) throw refuse('invite-used', 'that invite code has already been used');
      if (inv.expiresAt <= now) throw refuse('invite-expired', 'that invite code has expired; ask a steward for a new one');
      // The invite is used either way, so trying it again says nothing about the email either.
      const created = this.decoyInTxn(input, 'active') ?? this.insertInTxn({ ...input, role: 'resident' }, passwordHash, 'active', 'invite', inv.createdBy);
      this.invites.put(inv.code, { ...inv, usedBy: created.id, usedAt: now });
      return created;
    });
    this.log.info({ module: 'members', member: m.id }, 'member joined with an invite');
    return m;
  }

  async createInvite(actor: string, note: string | null = null): Promise<Invite> {
    const now = this.clock.now();
    const bytes = randomBytes(8);
    const code = [...bytes].map((b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');
    const inv: Invite = { code, createdBy: actor, createdAt: now, expiresAt: now + this.params.inviteTtlMs, note, usedBy: null, usedAt: null };
    await this.store.write(() => this.invites.put(code, inv));
    this.log.info({ module: 'members', actor }, 'invite created');
    return inv;
  }

  listInvites(): Invite[] {
    return this.invites.newest((x) => x.createdAt);
  }

  /** The hash of a new password, or null when none is given (the member gets one by invite or reset). */
  private async preparePassword(password: string | null | undefined): Promise<string | null> {
    return password == null || password === '' ? null : this.hashNewPassword(password);
  }

  /** The hash of a new password that must be given and long enough. */
  private async hashNewPassword(password: string | null | undefined): Promise<string> {
    if (password == null || password === '') throw HubError.badRequest(`a password of at least ${MIN_PASSWORD_LENGTH} characters is required`);
    if (password.length < MIN_PASSWORD_LENGTH) throw HubError.badRequest(`the password must have at least ${MIN_PASSWORD_LENGTH} characters`);
    return hashPassword(password);
  }

  private insertInTxn(input: NewMember, passwordHash: string | null, status: MemberStatus, via: Member['joinedVia'], actor: string | null): Member {
    const email = normaliseEmail(input.email);
    const name = input.name.trim();
    if (!name) throw HubError.badRequest('a name is required');
    if (this.emails.get(email)) throw refuse('email-in-use', `a member with the email ${email} already exists`);
    const now = this.clock.now();
    const m: Member = {
      id: randomId('m_', 6),
      name,
      email,
      role: input.role ?? 'resident',
      status,
      passwordHash,
      createdAt: now,
      admittedAt: status === 'active' ? now : null,
      admittedBy: status === 'active' ? actor : null,
      joinedVia: via,
      note: input.note ?? null,
    };
    if (input.mustChangePassword) m.mustChangePassword = true;
    this.members.put(m.id, m);
    this.emails.put(email, m.id);
    this.event(m.id, actor, status === 'pending' ? 'requested' : 'created', { via, role: m.role });
    if (status === 'active') this.ledger.openMemberAccountsInTxn(m.id, actor);
    return m;
  }

  private event(memberId: string, actor: string | null, event: MemberEvent['event'], detail: Record<string, unknown>) {
    const at = this.clock.now();
    // Keyed by member then a per-member counter, so events list in the order they happened.
    let n = 0;
    for (const key of this.events.getKeys({ start: [memberId, Number.MAX_SAFE_INTEGER], end: [memberId, -1], reverse: true, limit: 1 })) n = key[1] + 1;
    this.events.put([memberId, n], { at, memberId, actor, event, detail });
  }

  // ── stewardship ─────────────────────────────────────────────────────────

  async admit(id: string, actor: string): Promise<Member> {
    const m = await this.store.write(() => {
      const cur = this.get(id);
      if (cur.status !== 'pending') throw refuse('not-pending', `member ${id} is ${cur.status}, not waiting to be admitted`);
      const next: Member = { ...cur, status: 'active', admittedAt: this.clock.now(), admittedBy: actor };
      this.members.put(id, next);
      this.event(id, actor, 'admitted', {});
      this.ledger.openMemberAccountsInTxn(id, actor);
      return next;
    });
    this.log.info({ module: 'members', member: id, actor }, 'member admitted');
    return m;
  }

  /**
   * Stewards look after residents; only an admin acts on a steward or an
   * admin, so one steward cannot remove the others who would stop them.
   */
  private refuseUnlessOutranks(actorId: string, target: Member, what: string): void {
    const actor = this.find(actorId);
    if (target.role !== 'resident' && actor?.role !== 'admin') throw HubError.forbidden(`only an admin can ${what} a ${target.role}`);
  }

  /** The last active admin cannot leave the hub without one. */
  private refuseLastAdmin(target: Member, what: string): void {
    if (target.role !== 'admin' || target.status !== 'active') return;
    const admins = this.list().filter((m) => m.role === 'admin' && m.status === 'active').length;
    if (admins <= 1) throw refuse('the-last-admin', `the hub would have no admin left if ${target.name} were ${what}; make another admin first`);
  }

  async suspend(id: string, actor: string, reason: string | null): Promise<Member> {
    const m = await this.store.write(() => {
      const cur = this.get(id);
      if (cur.status === 'suspended') return cur;
      if (cur.id === actor) throw refuse('cannot-suspend-yourself', 'ask another steward');
      this.refuseUnlessOutranks(actor, cur, 'suspend');
      this.refuseLastAdmin(cur, 'suspended');
      const next: Member = { ...cur, status: 'suspended' };
      this.members.put(id, next);
      this.event(id, actor, 'suspended', { reason });
      this.audit?.recordInTxn(actor, 'suspend', id, { role: cur.role }, reason);
      this.ledger.setStatusInTxn(id, 'frozen', actor);
      return next;
    });
    await this.endSessionsOf(id);
    this.log.info({ module: 'members', member: id, actor, reason }, 'member suspended');
    return m;
  }

  async reinstate(id: string, actor: string): Promise<Member> {
    const m = await this.store.write(() => {
      const cur = this.get(id);
      if (cur.status !== 'suspended') throw refuse('not-suspended', `member ${id} is ${cur.status}`);
      this.refuseUnlessOutranks(actor, cur, 'reinstate');
      const next: Member = { ...cur, status: 'active' };
      this.members.put(id, next);
      this.event(id, actor, 'reinstated', {});
      this.audit?.recordInTxn(actor, 'reinstate', id, {});
      this.ledger.setStatusInTxn(id, 'open', actor);
      return next;
    });
    this.log.info({ module: 'members', member: id, actor }, 'member reinstated');
    return m;
  }

  async setRole(id: string, role: Role, actor: string): Promise<Member> {
    const m = await this.store.write(() => {
      const cur = this.get(id);
      this.refuseUnlessOutranks(actor, cur, 'change the role of');
      if (role !== 'admin') this.refuseLastAdmin(cur, 'demoted');
      const next: Member = { ...cur, role };
      this.members.put(id, next);
      this.event(id, actor, 'role', { from: cur.role, to: role });
      this.audit?.recordInTxn(actor, 'role', id, { from: cur.role, to: role });
      return next;
    });
    this.log.info({ module: 'members', member: id, role, actor }, 'member role changed');
    return m;
  }

  /**
   * A member chooses a new password, proving the current one. Wrong guesses
   * count against the same limit as signing in, so this is no side door for
   * guessing. Every other session of theirs ends; `keepSession` stays.
   */
  async changePassword(id: string, current: string, next: string, clientKey: string, keepSession?: string): Promise<Member> {
    const keys = [`ip:${clientKey}`, `member:${id}`];
    this.refuseWhileLimited(keys, clientKey);
    const m = this.get(id);
    if (!m.passwordHash || !(await verifyPassword(m.passwordHash, current))) {
      this.loginLimiter.fail(keys);
      this.log.info({ module: 'members', member: id, client: clientKey }, 'password change refused: wrong current password');
      throw refuse('wrong-password', 'the current password is not right');
    }
    if (next === current) throw HubError.badRequest('the new password must differ from the current one');
    this.loginLimiter.reset(keys);
    // Tokens made before the change may be in the hands of whoever made the owner change it.
    const updated = await this.putPassword(id, await this.hashNewPassword(next), { actor: id, keepSession, revokeTokens: true });
    this.log.info({ module: 'members', member: id }, 'password changed');
    return updated;
  }

  /**
   * A steward gives a member who has lost their password a one-time one,
   * shown once, to hand over in person; the member chooses their own at the
   * next sign-in. Only an admin may do this for a steward or an admin, so a
   * steward cannot take over a higher role. Their sessions end and their API
   * tokens are revoked, in case someone else has been using the account.
   */
  async resetPassword(id: string, actor: Member): Promise<{ member: Member; oneTimePassword: string }> {
    const target = this.get(id);
    if (target.id === actor.id) throw HubError.forbidden('change your own password with your current one');
    if (target.role !== 'resident' && actor.role !== 'admin') throw HubError.forbidden(`only an admin can reset the password of a ${target.role}`);
    const password = oneTimePassword();
    const member = await this.putPassword(id, await hashPassword(password), { oneTime: true, actor: actor.id, revokeTokens: true });
    this.log.info({ module: 'members', member: id, actor: actor.id }, 'password reset to a one-time password');
    return { member, oneTimePassword: password };
  }

  /** From the CLI, for a hub whose every admin is locked out; the password is one-time unless given. */
  async setPassword(id: string, password: string | null, actor: string | null): Promise<{ member: Member; oneTimePassword: string | null }> {
    const oneTime = password ? null : oneTimePassword();
    const hash = oneTime === null ? await this.hashNewPassword(password) : await hashPassword(oneTime);
    const member = await this.putPassword(id, hash, { oneTime: oneTime !== null, actor });
    this.log.info({ module: 'members', member: id }, 'password set from the command line');
    return { member, oneTimePassword: oneTime };
  }

  /**
   * The new hash, in one transaction with its consequences: a one-time
   * password must be changed at sign-in; the member's other sessions end
   * (all but `keepSession`); on a reset, their API tokens are revoked too.
   */
  private async putPassword(
    id: string,
    passwordHash: string,
    opts: { actor: string | null; oneTime?: boolean; keepSession?: string; revokeTokens?: boolean },
  ): Promise<Member> {
    const { actor, oneTime = false, keepSession, revokeTokens = false } = opts;
    const keep = keepSession ? sha256(keepSession) : null;
    return this.store.write(() => {
      const cur = this.get(id);
      const next: Member = { ...cur, passwordHash };
      if (oneTime) next.mustChangePassword = true;
      // A one-time password given by someone else is a privileged act; a member's own change is not.
      if (oneTime || actor !== id) this.audit?.recordInTxn(actor, 'one-time-password', id, { oneTime, revokedTokens: revokeTokens });
      else delete next.mustChangePassword;
      this.members.put(id, next);
      this.event(id, actor, 'password', { oneTime });
      // Whoever knew the old password is signed out everywhere else.
      for (const { key, value } of this.sessions.getRange({})) if (value.memberId === id && key !== keep) this.sessions.remove(key);
      if (revokeTokens)
        for (const { key, value } of this.tokens.getRange({}))
          if (value.memberId === id && !value.revokedAt) this.tokens.put(key, { ...value, revokedAt: this.clock.now() });
      return next;
    });
  }

  // ── sign-in ─────────────────────────────────────────────────────────────

  /**
   * Checks a password. Wrong guesses are limited per address and per account
   * on that address (a window), and slow the account as a whole (a backoff
   * that doubles); but the account's backoff never stops the right password
   * from a device that has signed in to it before (`device`, a cookie the
   * console keeps), so a neighbour guessing cannot lock a steward out.
   */
  async authenticate(email: string, password: string, clientKey: string, device?: string | null): Promise<Member> {
    const account = `email:${normaliseEmail(email)}`;
    const keys = [`ip:${clientKey}`, `${account}@${clientKey}`];
    this.refuseWhileLimited(keys, clientKey);
    const m = this.byEmail(email);
    const knownDevice = Boolean(m && device && this.knownDevices.get(m.id)?.has(sha256(device)));
    const wait = knownDevice ? 0 : this.accountBackoff.retryAfter(account);
    if (wait > 0) {
      this.log.warn({ module: 'members', client: clientKey }, 'sign-in refused: the account is slowed after wrong passwords');
      throw refuse(
        'too-many-sign-in-attempts',
        `this account had too many wrong passwords; try again in ${wait} seconds, or from a device that has signed in to it before`,
        { retryAfter: wait },
      );
    }
    const ok = m?.passwordHash ? await verifyPassword(m.passwordHash, password) : (await verifyPassword(await decoyHash(), password), false);
    if (!m || !ok) {
      this.loginLimiter.fail(keys);
      this.accountBackoff.fail(account);
      this.log.info({ module: 'members', client: clientKey }, 'sign-in failed');
      throw refuse('wrong-email-or-password', 'the email or password is wrong');
    }
    if (m.status === 'pending') throw refuse('membership-pending', 'your membership is waiting for a steward to admit you');
    if (m.status !== 'active') throw refuse('membership-suspended', 'your membership is suspended');
    this.loginLimiter.reset(keys);
    this.accountBackoff.reset(account);
    return m;
  }

  /** Remembers a device (a random id the console keeps in a cookie) as one that signed in to this member. */
  rememberDevice(memberId: string, device: string): void {
    let set = this.knownDevices.get(memberId);
    if (!set) this.knownDevices.set(memberId, (set = new Set()));
    set.add(sha256(device));
    // A handful per member is plenty; the oldest go first.
    for (const oldest of set) {
      if (set.size <= 20) break;
      set.delete(oldest);
    }
  }

  /** Too many wrong passwords from this address or for this account: refused until the window passes. */
  private refuseWhileLimited(keys: string[], clientKey: string): void {
    const wait = this.loginLimiter.retryAfter(keys);
    if (wait === 0) return;
    this.log.warn({ module: 'members', client: clientKey }, 'sign-in rate limit hit');
    throw refuse('too-many-sign-in-attempts', `try again in ${wait} seconds`, { retryAfter: wait });
  }

  async startSession(memberId: string): Promise<{ token: string; session: Session }> {
    const token = randomSecret();
    const now = this.clock.now();
    const session: Session = { memberId, csrfToken: randomSecret(18), createdAt: now, expiresAt: now + this.params.sessionTtlMs };
    await this.store.write(() => this.sessions.put(sha256(token), session));
    this.log.info({ module: 'members', member: memberId }, 'signed in');
    return { token, session };
  }

  session(token: string): Session | undefined {
    const s = this.sessions.get(sha256(token));
    if (!s || s.expiresAt <= this.clock.now()) return undefined;
    return s;
  }

  async endSession(token: string): Promise<void> {
    await this.store.write(() => this.sessions.remove(sha256(token)));
  }

  private async endSessionsOf(memberId: string): Promise<void> {
    await this.store.write(() => {
      for (const { key, value } of this.sessions.getRange({})) if (value.memberId === memberId) this.sessions.remove(key);
    });
  }

  async createToken(memberId: string, name: string): Promise<{ token: string; info: ApiToken }> {
    const token = 'hyp_' + randomSecret();
    const info: ApiToken = { id: randomId('k_', 6), memberId, name, createdAt: this.clock.now(), revokedAt: null };
    await this.store.write(() => {
      this.get(memberId);
      this.tokens.put(sha256(token), { ...info, hash: sha256(token) });
    });
    this.log.info({ module: 'members', member: memberId, token: info.id }, 'API token created');
    return { token, info };
  }

  tokenOwner(token: string): Member | undefined {
    const t = this.tokens.get(sha256(token));
    if (!t || t.revokedAt) return undefined;
    return this.members.get(t.memberId);
  }

  tokensOf(memberId: string): ApiToken[] {
    return this.tokens.where((t) => t.memberId === memberId).map(({ hash: _h, ...t }) => t);
  }

  async revokeToken(memberId: string, tokenId: string, asAdmin = false): Promise<void> {
    await this.store.write(() => {
      for (const { key, value } of this.tokens.getRange({})) {
        if (value.id !== tokenId) continue;
        if (value.memberId !== memberId && !asAdmin) throw HubError.forbidden('that token belongs to someone else');
        this.tokens.put(key, { ...value, revokedAt: this.clock.now() });
        return;
      }
      throw HubError.notFound(`token ${tokenId}`);
    });
  }

  csrfMatches(session: Session, presented: string | undefined): boolean {
    if (!presented) return false;
    const a = Buffer.from(session.csrfToken);
    const b = Buffer.from(presented);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}
