import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeCore, type TestCore } from '../test-support.js';
import { FailureRateLimiter } from './rate-limit.js';

let core: TestCore;
beforeEach(() => {
  core = makeCore();
});
afterEach(() => core.cleanup());

describe('joining', () => {
  it('stores argon2id hashes, never passwords', async () => {
    const m = await core.members.create({ name: 'Ana', email: 'Ana@Example.org', password: 'correct horse' }, null);
    expect(m.email).toBe('ana@example.org');
    expect(m.passwordHash).toMatch(/^\$argon2id\$/);
    expect(JSON.stringify(core.exportData())).not.toContain('argon2');
  });

  it('admits a membership request only when a steward does, and opens accounts then', async () => {
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

  it('lets an invite be used once, before it expires', async () => {
    const s = await core.members.create({ name: 'S', email: 's@example.org', role: 'steward' }, null);
    const inv = await core.members.createInvite(s.id);
    expect(inv.code).toMatch(/^[A-HJ-NP-Z2-9]{8}$/);
    const m = await core.members.joinWithInvite(inv.code.toLowerCase(), { name: 'Invited', email: 'i@example.org', password: 'longenough' });
    expect(m.status).toBe('active');
    expect(m.joinedVia).toBe('invite');
    await expect(core.members.joinWithInvite(inv.code, { name: 'Again', email: 'a@example.org', password: 'longenough' })).rejects.toMatchObject({ title: 'Invite used' });
    const late = await core.members.createInvite(s.id);
    core.clock.advance(15 * 24 * 3_600_000);
    await expect(core.members.joinWithInvite(late.code, { name: 'Late', email: 'l@example.org', password: 'longenough' })).rejects.toMatchObject({ title: 'Invite expired' });
    expect(core.members.byEmail('l@example.org')).toBeUndefined();
  });

  it('refuses a second member with the same email', async () => {
    await core.members.create({ name: 'A', email: 'a@example.org' }, null);
    await expect(core.members.create({ name: 'B', email: 'A@example.org' }, null)).rejects.toMatchObject({ status: 409 });
  });
});

describe('sign-in', () => {
  it('rate-limits failed attempts per address and per email', async () => {
    await core.members.create({ name: 'A', email: 'a@example.org', password: 'right-password' }, null);
    for (let i = 0; i < 5; i++) await expect(core.members.authenticate('a@example.org', 'wrong', '10.0.0.9')).rejects.toMatchObject({ status: 401 });
    const e = await core.members.authenticate('a@example.org', 'right-password', '10.0.0.9').catch((x) => x);
    expect(e.status).toBe(429);
    expect(e.extensions.retryAfter).toBeGreaterThan(0);
    // Another address is still blocked for this email.
    await expect(core.members.authenticate('a@example.org', 'right-password', '10.0.0.10')).rejects.toMatchObject({ status: 429 });
    core.clock.advance(15 * 60_000 + 1);
    await expect(core.members.authenticate('a@example.org', 'right-password', '10.0.0.10')).resolves.toBeTruthy();
  });

  it('ends sessions on suspension and refuses revoked tokens', async () => {
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

  it('expires sessions', async () => {
    const m = await core.members.create({ name: 'M', email: 'm@example.org' }, null);
    const { token } = await core.members.startSession(m.id);
    core.clock.advance(31 * 24 * 3_600_000);
    expect(core.members.session(token)).toBeUndefined();
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
