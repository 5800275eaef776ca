import { afterEach, describe, expect, it } from 'vitest';
import { DAY_MS } from '../clock.js';
import { makeApp, makeCore, caller, withMembers, type TestCore } from '../test-support.js';
import { emailOutbox } from './mailer.js';
import { NOTIFICATION_KINDS, type NotificationKind } from './kinds.js';

let core: TestCore | undefined;
afterEach(async () => {
  await core?.cleanup();
  core = undefined;
});

const email = { enabled: true, host: '127.0.0.1', port: 2525, secure: false, user: '', password: '', from: 'hub@riverside.example', kinds: ['loan-due'] };
const kindsOf = (c: TestCore, id: string) => c.notifications.list(id).map((n) => n.kind);
const outbox = (c: TestCore) => [...emailOutbox(c.store).getRange({})].map((e) => e.value);

async function people(c: TestCore) {
  const [ana, bo, cy] = await Promise.all(
    ['Ana', 'Bo', 'Cy'].map((name) => c.members.create({ name, email: `${name.toLowerCase()}@riverside.example` }, null)),
  );
  return { ana: ana!.id, bo: bo!.id, cy: cy!.id };
}

describe('every event that matters to a member notifies them', () => {
  it('a payment tells the payee, with the facts the console words and English for email', async () => {
    core = makeCore();
    const { ana, bo } = await people(core);
    await core.ledger.pay({ payer: ana, payee: bo, amount: 1250, memo: 'soup', actor: ana });
    const [n] = core.notifications.list(bo);
    expect(n).toMatchObject({ kind: 'paid', params: { from: ana, amount: 1250, unit: 'credit', memo: 'soup' }, read: false });
    expect(n!.text).toBe('You were paid 12.50 HC by Ana: soup');
    expect(core.notifications.list(ana)).toEqual([]);
    expect(core.notifications.unreadCount(bo)).toBe(1);
  });

  it('requests: asked to pay, then accepted, rejected or expired, each to the member it concerns', async () => {
    core = makeCore();
    const { ana, bo } = await people(core);
    const r1 = await core.ledger.request({ payer: ana, payee: bo, amount: 500, actor: bo });
    expect(core.notifications.list(ana)[0]).toMatchObject({ kind: 'payment-requested', params: { from: bo, amount: 500, requestId: r1.id } });
    await core.ledger.acceptRequest(r1.id, ana);
    // The payee hears "your request was paid", not also "you were paid".
    expect(kindsOf(core, bo)).toEqual(['request-accepted']);
    const r2 = await core.ledger.request({ payer: ana, payee: bo, amount: 300, actor: bo });
    await core.ledger.rejectRequest(r2.id, ana);
    expect(kindsOf(core, bo)[0]).toBe('request-rejected');
    await core.ledger.request({ payer: ana, payee: bo, amount: 200, actor: bo });
    core.clock.advance(core.config.ledger.requestTtlHours * 3_600_000 + 1);
    expect(await core.ledger.expireRequests()).toBe(1);
    expect(core.notifications.list(bo)[0]).toMatchObject({ kind: 'request-expired', params: { payer: ana, amount: 200 } });
  });

  it('an emergency reaches every member, by email too, even one who chose the inbox only', async () => {
    core = makeCore({ email });
    const { ana, bo, cy } = await people(core);
    await core.notifications.setPreferences(bo, { 'emergency-declared': 'inbox', paid: 'inbox' });
    const steward = (await core.members.create({ name: 'Stew', email: 'stew@riverside.example', role: 'steward' }, null)).id;
    const c = await core.board.declareCrisis(steward, { note: 'flood on Mill Lane', places: ['Mill Lane'] });
    for (const m of [ana, bo, cy, steward])
      expect(core.notifications.list(m)[0]).toMatchObject({
        kind: 'emergency-declared',
        params: { emergencyId: c.id, note: 'flood on Mill Lane', places: ['Mill Lane'] },
      });
    const mails = outbox(core).filter((m) => m.kind === 'emergency-declared');
    expect(mails.map((m) => m.to).sort()).toEqual(['ana@riverside.example', 'bo@riverside.example', 'cy@riverside.example', 'stew@riverside.example']);
    expect(mails[0]!.subject).toContain('Emergency declared for Mill Lane');
    expect(core.notifications.preferencesOf(bo).find((p) => p.kind === 'emergency-declared')).toMatchObject({ channel: 'email', mandatory: true });
    await core.board.endCrisis(c.id, steward);
    expect(kindsOf(core, bo)[0]).toBe('emergency-ended');
  });

  it('each member chooses per kind: inbox only, email now, or the daily digest', async () => {
    core = makeCore({ email });
    const { ana, bo, cy } = await people(core);
    await core.notifications.setPreferences(bo, { paid: 'digest' });
    await core.notifications.setPreferences(cy, { paid: 'email' });
    await core.ledger.pay({ payer: ana, payee: bo, amount: 100, actor: ana });
    await core.ledger.pay({ payer: ana, payee: bo, amount: 200, actor: ana });
    await core.ledger.pay({ payer: ana, payee: cy, amount: 300, actor: ana });
    await core.ledger.pay({ payer: cy, payee: ana, amount: 50, actor: cy }); // Ana kept the default: inbox only for "paid"
    expect(outbox(core).map((m) => m.to)).toEqual(['cy@riverside.example']);
    expect(kindsOf(core, bo)).toEqual(['paid', 'paid']);
    expect(await core.notifications.sendDigests()).toBe(1);
    const digest = outbox(core).find((m) => m.kind === 'digest')!;
    expect(digest.to).toBe('bo@riverside.example');
    expect(digest.subject).toBe('Riverside: 2 notifications today'.replace('Riverside', core.config.hub.name));
    expect(digest.text).toContain('You were paid 1.00 HC by Ana');
    expect(digest.text).toContain('You were paid 2.00 HC by Ana');
    expect(await core.notifications.sendDigests()).toBe(0); // sent once
  });

  it('proposals: opened to everyone, a reminder a day before closing to those who have not voted (once), and the decision', async () => {
    core = makeCore();
    const { ana, bo, cy } = await people(core);
    const p = await core.governance.propose(ana, { kind: 'text', title: 'Plant a hedge', rationale: 'birds' });
    for (const m of [ana, bo, cy]) expect(kindsOf(core, m)).toEqual(['proposal-opened']);
    await core.governance.vote(p.id, bo, 'yes');
    core.clock.set(p.closesAt - DAY_MS / 2);
    expect(await core.governance.remindClosing()).toBe(2);
    expect(await core.governance.remindClosing()).toBe(0);
    expect(kindsOf(core, bo)).toEqual(['proposal-opened']);
    expect(core.notifications.list(cy)[0]).toMatchObject({ kind: 'proposal-closing', params: { proposalId: p.id, title: 'Plant a hedge' } });
    core.clock.set(p.closesAt + 1);
    await core.governance.closeDue();
    expect(core.notifications.list(cy)[0]).toMatchObject({ kind: 'proposal-decided', params: { proposalId: p.id } });
  });

  it('a flow allocation tells the giver and the receiver once, however often the board recomputes', async () => {
    core = makeCore();
    const { ana, bo } = await people(core);
    await core.board.post(ana, { kind: 'surplus', resource: 'food', quantity: 5 });
    await core.board.post(bo, { kind: 'need', resource: 'food', quantity: 3 });
    await core.board.recompute('food');
    await core.board.recompute('food');
    expect(core.notifications.list(ana).map((n) => n.params)).toEqual([expect.objectContaining({ role: 'give', with: bo, quantity: 3, resource: 'food' })]);
    expect(core.notifications.list(bo).map((n) => n.params)).toEqual([expect.objectContaining({ role: 'receive', with: ana, quantity: 3 })]);
  });

  it('the library: a return, a booking starting tomorrow, and a lapsed hold now carries its item', async () => {
    core = makeCore();
    const { ana, bo } = await people(core);
    const steward = (await core.members.create({ name: 'Stew', email: 'stew@riverside.example', role: 'steward' }, null)).id;
    const it = await core.library.catalogue.addItem({ name: 'Ladder', category: 'garden', deposit: 0 }, steward);
    const loan = await core.library.loans.checkOut(it.id, ana, { id: steward, steward: true });
    await core.library.loans.checkIn(loan.id, { id: steward, steward: true }, { condition: 'good' });
    expect(core.notifications.list(ana)[0]).toMatchObject({ kind: 'loan-returned', params: { code: it.code, name: 'Ladder', depositBack: 0 } });
    const from = core.clock.now() + DAY_MS / 2;
    await core.library.bookings.reserve(it.id, bo, from, from + DAY_MS, { id: bo, steward: false });
    expect((await core.library.loans.sendReminders()).bookings).toBe(1);
    expect((await core.library.loans.sendReminders()).bookings).toBe(0);
    expect(core.notifications.list(bo)[0]).toMatchObject({ kind: 'booking-reminder', params: { code: it.code, from } });
  });

  it('every kind has typed params and English wording; unknown and mandatory choices are not stored', async () => {
    core = makeCore();
    const { ana } = await people(core);
    for (const k of Object.keys(NOTIFICATION_KINDS) as NotificationKind[]) expect(NOTIFICATION_KINDS[k].params).toBeDefined();
    await core.notifications.setPreferences(ana, { 'emergency-declared': 'inbox', nonsense: 'email' } as never);
    expect(core.notifications.preferencesOf(ana).find((p) => p.kind === 'emergency-declared')!.channel).toBe('email');
  });
});

describe('the inbox over HTTP', () => {
  it('counts unread, marks all read, and refuses a preference for a kind that does not exist', async () => {
    core = makeCore({ email });
    const { id, tok } = await withMembers(core, { ana: 'resident', bo: 'resident' });
    const call = caller(makeApp(core), tok);
    await core.ledger.pay({ payer: id.ana!, payee: id.bo!, amount: 100, actor: id.ana! });
    await core.ledger.pay({ payer: id.ana!, payee: id.bo!, amount: 100, actor: id.ana! });
    expect((await call('bo', 'GET', '/api/v1/notifications/unread-count')).json).toEqual({ unread: 2 });
    expect((await call('bo', 'POST', '/api/v1/notifications/read', { all: true })).json).toEqual({ marked: 2 });
    expect((await call('bo', 'GET', '/api/v1/notifications/unread-count')).json).toEqual({ unread: 0 });
    const bad = await call('bo', 'PUT', '/api/v1/notifications/preferences', { channels: { nonsense: 'email' } });
    expect(bad.status).toBe(400);
    expect(bad.type).toContain('application/problem+json');
    const ok = await call('bo', 'PUT', '/api/v1/notifications/preferences', { channels: { paid: 'digest' } });
    expect(ok.status).toBe(200);
    expect(ok.json.emailAvailable).toBe(true);
    expect(ok.json.kinds.find((k: { kind: string }) => k.kind === 'paid').channel).toBe('digest');
  });
});
