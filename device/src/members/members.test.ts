import { describe, expect } from 'vitest';
import { itWithCore as it } from '../test-support.js';
import { FailureRateLimiter } from './rate-limit.js';

describe('joining', () => {
  it('stores argon2id hashes, never passwords', async ({ core }) => {
    const m = await core.members.create({ name: 'Ana', email: 'Ana@Example.org', password: 'correct horse' }, null);
    expect(m.email).toBe('ana@example.org');
    expect(m.passwordHash).toMatch(/^\$argon2id\$/);
    expect(JSON.stringify(core.exportData())).not.toContain('argon2');
  });

  it('admits a membership request only when a steward does, and opens accounts then', async ({ core }) => {
    const steward = await core.members.create({ name: 'Steward', email: 's@example.org', role: 'steward' }, null);
    const m = await core.members.requestMembership({ name: 'New', email: 'new@example.org', password: 'longenough' });
    expect(m.status).toBe('pending');
    expect(core.ledger.hasAccount(m.id)).toBe(false);
    await expect(core.members.authenticate('new@example.org', 'longenough', 'ip')).rejects.toMatchObject({ status: 403 });
    const admitted = await core.members.admit(m.id, steward.id);
    expect(admitted.status).toBe('active');
    expect(admitted.admittedBy).toBe(steward.id);
    expect(core.ledger.hasAccount(m.id)).toBe(true);
    await expect(core.members.authenticate('new@example.org', 'longenough', 'ip')).resolves.toMatchObject({ id: m.id });
    await expect(core.members.admit(m.id, steward.id)).rejects.toMatchObject({ status: 422 });
  });

  it('lets an invite be used once, before it expires', async ({ core }) => {
    const s = await core.members.create({ name: 'S', email: 's@example.org', role: 'steward' }, null);
    const inv = await core.members.createInvite(s.id);
    expect(inv.code).toMatch(/^[A-HJ-NP-Z2-9]{8}$/);
    const m = await core.members.joinWithInvite(inv.code.toLowerCase(), { name: 'Invited', email: 'i@example.org', password: 'longenough' });
    expect(m.status).toBe('active');
    expect(m.joinedVia).toBe('invite');
    await expect(core.members.joinWithInvite(inv.code, { name: 'Again', email: 'a@example.org', password: 'longenough' })).rejects.toMatchObject({
      title: 'Invite used',
    });
    const late = await core.members.createInvite(s.id);
    core.clock.advance(15 * 24 * 3_600_000);
    await expect(core.members.joinWithInvite(late.code, { name: 'Late', email: 'l@example.org', password: 'longenough' })).rejects.toMatchObject({
      title: 'Invite expired',
    });
    expect(core.members.byEmail('l@example.org')).toBeUndefined();
  });

  it('refuses a second member with the same email', async ({ core }) => {
    await core.members.create({ name: 'A', email: 'a@example.org' }, null);
    await expect(core.members.create({ name: 'B', email: 'A@example.org' }, null)).rejects.toMatchObject({ status: 409 });
  });
});

describe('sign-in', () => {
  it('limits wrong guesses per address, and no neighbour can lock an account out', async ({ core }) => {
    await core.members.create({ name: 'A', email: 'a@example.org', password: 'right-password' }, null);
    for (let i = 0; i < 5; i++) await expect(core.members.authenticate('a@example.org', 'wrong', '10.0.0.9')).rejects.toMatchObject({ status: 401 });
    const e = await core.members.authenticate('a@example.org', 'right-password', '10.0.0.9').catch((x) => x);
    expect(e.status).toBe(429);
    expect(e.extensions.retryAfter).toBeGreaterThan(0);
    // The guesser's address is held off; the member at the desk is not.
    await expect(core.members.authenticate('a@example.org', 'right-password', '10.0.0.10')).resolves.toBeTruthy();
  });

  it('slows an account guessed at from many addresses, but lets in a device that signed in before', async ({ core }) => {
    const a = await core.members.create({ name: 'A', email: 'a@example.org', password: 'right-password' }, null);
    await core.members.authenticate('a@example.org', 'right-password', '10.0.0.2');
    core.members.rememberDevice(a.id, 'the-desk-tablet-0001');
    // A patient guesser on twelve addresses, each waiting out the account's backoff before the next guess.
    for (let i = 0; i < 12; i++) {
      core.clock.advance(65_000);
      await expect(core.members.authenticate('a@example.org', 'wrong', `10.0.1.${i}`)).rejects.toMatchObject({ status: 401 });
    }
    // A new device, even with the right password, waits: the backoff has doubled past a minute.
    const slowed = await core.members.authenticate('a@example.org', 'right-password', '10.0.2.1').catch((x) => x);
    expect(slowed.status).toBe(429);
    expect(slowed.extensions.retryAfter).toBeGreaterThanOrEqual(64);
    // The steward's own tablet still gets in, from any address.
    await expect(core.members.authenticate('a@example.org', 'right-password', '10.0.2.2', 'the-desk-tablet-0001')).resolves.toMatchObject({ id: a.id });
    // Once the wait is over, any device may try again.
    core.clock.advance(slowed.extensions.retryAfter * 1000);
    await expect(core.members.authenticate('a@example.org', 'right-password', '10.0.2.1')).resolves.toBeTruthy();
  });

  it('ends sessions on suspension and refuses revoked tokens', async ({ core }) => {
    const s = await core.members.create({ name: 'S', email: 's@example.org', role: 'steward' }, null);
    const m = await core.members.create({ name: 'M', email: 'm@example.org', password: 'longenough' }, null);
    const { token } = await core.members.startSession(m.id);
    expect(core.members.session(token)?.memberId).toBe(m.id);
    const api = await core.members.createToken(m.id, 'script');
    expect(core.members.tokenOwner(api.token)?.id).toBe(m.id);
    await core.members.suspend(m.id, s.id, 'test');
    expect(core.members.session(token)).toBeUndefined();
    await core.members.revokeToken(m.id, api.info.id);
    expect(core.members.tokenOwner(api.token)).toBeUndefined();
    expect(core.members.eventsOf(m.id).map((e) => e.event)).toEqual(['created', 'suspended']);
  });

  it('expires sessions', async ({ core }) => {
    const m = await core.members.create({ name: 'M', email: 'm@example.org' }, null);
    const { token } = await core.members.startSession(m.id);
    core.clock.advance(31 * 24 * 3_600_000);
    expect(core.members.session(token)).toBeUndefined();
  });
});

describe('passwords', () => {
  it('lets a member change their own password only with the current one, and signs out their other sessions', async ({ core }) => {
    const m = await core.members.create({ name: 'M', email: 'm@example.org', password: 'first-password' }, null);
    const here = await core.members.startSession(m.id);
    const elsewhere = await core.members.startSession(m.id);
    await expect(core.members.changePassword(m.id, 'not-it', 'second-password', 'ip', here.token)).rejects.toMatchObject({
      status: 403,
      reason: 'wrong-password',
    });
    await expect(core.members.changePassword(m.id, 'first-password', 'short', 'ip', here.token)).rejects.toMatchObject({ status: 400 });
    await expect(core.members.changePassword(m.id, 'first-password', 'first-password', 'ip', here.token)).rejects.toMatchObject({ status: 400 });
    // Nothing changed so far.
    await expect(core.members.authenticate('m@example.org', 'first-password', 'ip')).resolves.toMatchObject({ id: m.id });
    expect(core.members.session(elsewhere.token)).toBeDefined();

    await core.members.changePassword(m.id, 'first-password', 'second-password', 'ip', here.token);
    await expect(core.members.authenticate('m@example.org', 'first-password', 'ip2')).rejects.toMatchObject({ status: 401 });
    await expect(core.members.authenticate('m@example.org', 'second-password', 'ip3')).resolves.toMatchObject({ id: m.id });
    expect(core.members.session(here.token)?.memberId).toBe(m.id);
    expect(core.members.session(elsewhere.token)).toBeUndefined();
    expect(core.members.eventsOf(m.id).map((e) => e.event)).toEqual(['created', 'password']);
  });

  it('counts wrong current passwords against the sign-in limit', async ({ core }) => {
    const m = await core.members.create({ name: 'M', email: 'm@example.org', password: 'first-password' }, null);
    for (let i = 0; i < 5; i++)
      await expect(core.members.changePassword(m.id, `guess-${i}`, 'second-password', '10.0.0.9')).rejects.toMatchObject({ status: 403 });
    await expect(core.members.changePassword(m.id, 'first-password', 'second-password', '10.0.0.9')).rejects.toMatchObject({ status: 429 });
    // From another address too: the limit is per member as well.
    await expect(core.members.changePassword(m.id, 'first-password', 'second-password', '10.0.0.10')).rejects.toMatchObject({ status: 429 });
    await expect(core.members.authenticate('m@example.org', 'first-password', '10.0.0.11')).resolves.toBeTruthy();
  });

  it("lets a steward give a resident a one-time password, which must then be changed; not a steward's, unless an admin does it", async ({ core }) => {
    const admin = await core.members.create({ name: 'A', email: 'a@example.org', role: 'admin' }, null);
    const steward = await core.members.create({ name: 'S', email: 's@example.org', role: 'steward', password: 'steward-password' }, null);
    const other = await core.members.create({ name: 'S2', email: 's2@example.org', role: 'steward' }, null);
    const m = await core.members.create({ name: 'M', email: 'm@example.org', password: 'forgotten-one' }, null);
    const old = await core.members.startSession(m.id);
    const script = await core.members.createToken(m.id, 'script');

    const { oneTimePassword, member } = await core.members.resetPassword(m.id, steward);
    expect(oneTimePassword).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    expect(member.mustChangePassword).toBe(true);
    expect(core.members.session(old.token)).toBeUndefined();
    expect(core.members.tokenOwner(script.token)).toBeUndefined();
    await expect(core.members.authenticate('m@example.org', 'forgotten-one', 'ip')).rejects.toMatchObject({ status: 401 });
    await expect(core.members.authenticate('m@example.org', oneTimePassword, 'ip')).resolves.toMatchObject({ mustChangePassword: true });
    const changed = await core.members.changePassword(m.id, oneTimePassword, 'my-own-password', 'ip');
    expect(changed.mustChangePassword).toBeUndefined();

    await expect(core.members.resetPassword(other.id, steward)).rejects.toMatchObject({ status: 403 });
    await expect(core.members.resetPassword(admin.id, steward)).rejects.toMatchObject({ status: 403 });
    await expect(core.members.resetPassword(steward.id, steward)).rejects.toMatchObject({ status: 403 });
    await expect(core.members.authenticate('s@example.org', 'steward-password', 'ip')).resolves.toBeTruthy();
    await expect(core.members.resetPassword(other.id, admin)).resolves.toMatchObject({ member: { mustChangePassword: true } });
  });
});

describe('FailureRateLimiter', () => {
  it('forgets failures outside the window', () => {
    let t = 0;
    const l = new FailureRateLimiter(2, 1000, () => t);
    l.fail(['k']);
    l.fail(['k']);
    expect(l.retryAfter(['k'])).toBe(1);
    t = 1001;
    expect(l.retryAfter(['k'])).toBe(0);
  });
});
