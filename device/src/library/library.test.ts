import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY_MS } from '../clock.js';
import { verifyLedger } from '../ledger/verify.js';
import { makeCore, T0, type TestCore } from '../test-support.js';
import { DEPOSIT_ESCROW, LIBRARY_POOL, type Actor } from './library.js';

let core: TestCore;
let ana: string;
let bo: string;
let steward: Actor;
const day = (n: number) => Math.floor(T0 / DAY_MS + n) * DAY_MS;

beforeEach(async () => {
  core = makeCore();
  ana = (await core.members.create({ name: 'Ana', email: 'ana@example.org' }, null)).id;
  bo = (await core.members.create({ name: 'Bo', email: 'bo@example.org' }, null)).id;
  steward = { id: (await core.members.create({ name: 'S', email: 's@example.org', role: 'steward' }, null)).id, steward: true };
});
afterEach(() => core.cleanup());

const drill = () =>
  core.library.catalogue.addItem({ name: 'Cordless drill', category: 'power tools', deposit: 5000, fee: 300, replacementValue: 120_000 }, steward.id);

describe('catalogue', () => {
  it('gives items label codes and finds them by text, category and availability', async () => {
    const d = await drill();
    const s = await core.library.catalogue.addItem({ kind: 'space', name: 'Community hall', category: 'spaces' }, steward.id);
    expect(d.code).toBe('T-0001');
    expect(s.code).toBe('S-0001');
    expect(s.slotMinutes).toBe(60);
    expect(core.library.catalogue.item('t-0001').id).toBe(d.id);
    expect(core.library.catalogue.search({ text: 'drill' }).map((i) => i.code)).toEqual(['T-0001']);
    expect(core.library.catalogue.search({ category: 'spaces' }).map((i) => i.code)).toEqual(['S-0001']);
    await core.library.bookings.reserve(d.id, ana, day(1), day(3), { id: ana, steward: false });
    expect(core.library.catalogue.search({ availableFrom: day(2), availableTo: day(4) }).map((i) => i.code)).toEqual(['S-0001']);
    await expect(core.library.catalogue.addItem({ code: 'T-0001', name: 'x', category: 'y' }, steward.id)).rejects.toMatchObject({ status: 409 });
  });

  it('stores small real images only, checked by decoding them', async () => {
    const d = await drill();
    const png = tinyPng();
    const { id, mime } = await core.library.catalogue.addPhoto(d.id, png, steward.id);
    expect(mime).toBe('image/png');
    expect(core.library.catalogue.photo(id).bytes.length).toBe(png.length);
    const other = await core.library.catalogue.addItem({ name: 'Ladder', category: 'access' }, steward.id);
    const jpg = jpeg.encode({ data: Buffer.alloc(8 * 8 * 4, 200), width: 8, height: 8 }, 80).data;
    expect((await core.library.catalogue.addPhoto(other.id, new Uint8Array(jpg), steward.id)).mime).toBe('image/jpeg');
    const webp = Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64');
    expect((await core.library.catalogue.addPhoto(other.id, new Uint8Array(webp), steward.id)).mime).toBe('image/webp');
    // The right first bytes are not enough: a PNG header followed by HTML, a cut JPEG, a WebP with something after it.
    const polyglot = new Uint8Array([...png.subarray(0, 8), ...new TextEncoder().encode('<html><script>alert(1)</script></html>')]);
    await expect(core.library.catalogue.addPhoto(d.id, polyglot, steward.id)).rejects.toMatchObject({ status: 400 });
    await expect(core.library.catalogue.addPhoto(d.id, new Uint8Array(jpg.subarray(0, 40)), steward.id)).rejects.toMatchObject({ status: 400 });
    await expect(core.library.catalogue.addPhoto(d.id, new Uint8Array([...webp, ...new TextEncoder().encode('<html>')]), steward.id)).rejects.toMatchObject({
      status: 400,
    });
    await expect(core.library.catalogue.addPhoto(d.id, new TextEncoder().encode('<svg onload=alert(1)>'), steward.id)).rejects.toMatchObject({ status: 400 });
    await expect(core.library.catalogue.addPhoto(d.id, new Uint8Array(600 * 1024).fill(0xff), steward.id)).rejects.toMatchObject({ status: 413 });
    expect(core.library.catalogue.item(d.id).photos).toEqual([id]);
  });
});

describe('reservations', () => {
  it('never double-books, even when two requests arrive at once', async () => {
    const d = await drill();
    const results = await Promise.allSettled([
      core.library.bookings.reserve(d.id, ana, day(1), day(3), { id: ana, steward: false }),
      core.library.bookings.reserve(d.id, bo, day(2), day(4), { id: bo, steward: false }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason.status).toBe(409);
    await expect(core.library.bookings.reserve(d.id, bo, day(3), day(5), { id: bo, steward: false })).resolves.toBeTruthy(); // adjacent is fine
  });

  it('books spaces by slots and refuses ragged times', async () => {
    const hall = await core.library.catalogue.addItem({ kind: 'space', name: 'Hall', category: 'spaces', slotMinutes: 30 }, steward.id);
    await core.library.bookings.reserve(hall.id, ana, day(1) + 18 * 3_600_000, day(1) + 20 * 3_600_000, { id: ana, steward: false });
    await expect(
      core.library.bookings.reserve(hall.id, bo, day(1) + 19 * 3_600_000, day(1) + 21 * 3_600_000, { id: bo, steward: false }),
    ).rejects.toMatchObject({
      status: 409,
    });
    await expect(
      core.library.bookings.reserve(hall.id, bo, day(1) + 20 * 3_600_000 + 60_000, day(1) + 21 * 3_600_000, { id: bo, steward: false }),
    ).rejects.toMatchObject({ status: 400 });
  });
});

describe('loans', () => {
  it('settles deposit and fee with the loan, refunds on return, and charges damage against the deposit', async () => {
    const d = await drill();
    const loan = await core.library.loans.checkOut(d.id, ana, steward);
    expect(core.ledger.account(ana).balance).toBe(-5300);
    expect(core.ledger.account(DEPOSIT_ESCROW).balance).toBe(5000);
    expect(core.ledger.account(LIBRARY_POOL).balance).toBe(300);
    expect(core.library.catalogue.item(d.id).status).toBe('on-loan');
    await expect(core.library.loans.checkOut(d.id, bo, steward)).rejects.toMatchObject({ status: 409 });
    await expect(core.library.loans.checkIn(loan.id, steward, { condition: 'fair', damage: 6000 })).rejects.toMatchObject({ status: 422 });
    const back = await core.library.loans.checkIn(loan.id, steward, { condition: 'fair', damage: 1200 });
    expect(back.damageCharged).toBe(1200);
    expect(core.ledger.account(ana).balance).toBe(-5300 + 3800);
    expect(core.ledger.account(DEPOSIT_ESCROW).balance).toBe(0);
    expect(core.ledger.account(LIBRARY_POOL).balance).toBe(1500);
    expect(core.reliability.get(ana).loansOnTime).toBe(1);
    expect(verifyLedger(core.ledger).ok).toBe(true);
    expect(core.library.catalogue.auditOf(d.id).map((a) => a.action)).toEqual(['added', 'checked out', 'checked in']);
  });

  it("refuses a deposit above the member's limit and changes nothing", async () => {
    const saw = await core.library.catalogue.addItem({ name: 'Table saw', category: 'power tools', deposit: 60_000 }, steward.id);
    await expect(core.library.loans.checkOut(saw.id, ana, steward)).rejects.toMatchObject({ status: 422, slug: 'over-credit-limit' });
    expect(core.library.catalogue.item(saw.id).status).toBe('available');
    expect(core.library.loans.loansOf()).toEqual([]);
    expect(core.ledger.account(ana).balance).toBe(0);
  });

  it('enforces steward desk, approval and induction', async () => {
    const d = await core.library.catalogue.addItem({ name: 'Chainsaw', category: 'garden', needsInduction: true }, steward.id);
    await expect(core.library.loans.checkOut(d.id, ana, { id: ana, steward: false })).rejects.toMatchObject({ status: 403 });
    await expect(core.library.loans.checkOut(d.id, ana, steward)).rejects.toMatchObject({ title: 'Induction needed' });
    await core.library.loans.recordInduction(ana, d.id, steward.id);
    await expect(core.library.loans.checkOut(d.id, ana, steward)).resolves.toBeTruthy();
  });

  it('renews up to the limit, never while someone else holds the item, and counts late returns', async () => {
    const d = await core.library.catalogue.addItem({ name: 'Ladder', category: 'building', maxRenewals: 1 }, steward.id);
    const loan = await core.library.loans.checkOut(d.id, ana, steward);
    const r1 = await core.library.loans.renew(loan.id, { id: ana, steward: false });
    expect(r1.dueAt).toBe(loan.dueAt + 7 * DAY_MS);
    await expect(core.library.loans.renew(loan.id, { id: ana, steward: false })).rejects.toMatchObject({ title: 'No more renewals' });
    const d2 = await core.library.catalogue.addItem({ name: 'Ladder 2', category: 'building' }, steward.id);
    const loan2 = await core.library.loans.checkOut(d2.id, ana, steward);
    await core.library.holds.joinHolds(d2.id, bo);
    await expect(core.library.loans.renew(loan2.id, { id: ana, steward: false })).rejects.toMatchObject({ title: 'Others are waiting' });
    core.clock.advance(20 * DAY_MS);
    expect(
      core.library.loans
        .overdue()
        .map((l) => l.id)
        .sort(),
    ).toEqual([loan.id, loan2.id].sort());
    const sent = await core.library.loans.sendReminders();
    expect(sent.overdue).toBe(2);
    expect((await core.library.loans.sendReminders()).overdue).toBe(0); // once a day
    expect(core.notifications.list(ana).filter((n) => n.kind === 'loan-overdue')).toHaveLength(2);
    await core.library.loans.checkIn(loan2.id, steward, { condition: 'good' });
    expect(core.reliability.get(ana).loansLate).toBe(1);
    // The returned ladder is ready for Bo, who was told.
    expect(core.library.holds.holdsOf(d2.id)[0]).toMatchObject({ memberId: bo });
    expect(core.library.holds.holdsOf(d2.id)[0]!.pickupBy).toBeGreaterThan(core.clock.now());
    expect(core.notifications.list(bo).map((n) => n.kind)).toContain('hold-ready');
  });
});

describe('holds queue', () => {
  it('passes a hold on when the pickup window ends, and lets stewards reorder and members defer', async () => {
    const d = await drill();
    const cy = (await core.members.create({ name: 'Cy', email: 'cy@example.org' }, null)).id;
    const loan = await core.library.loans.checkOut(d.id, ana, steward);
    await core.library.holds.joinHolds(d.id, bo);
    await core.library.holds.joinHolds(d.id, cy);
    await core.library.holds.reorderHolds(d.id, [cy, bo], steward.id);
    await core.library.holds.deferHold(d.id, cy);
    expect(core.library.holds.holdsOf(d.id).map((h) => h.memberId)).toEqual([bo, cy]);
    await core.library.loans.checkIn(loan.id, steward, { condition: 'good' });
    await expect(core.library.loans.checkOut(d.id, cy, steward)).rejects.toMatchObject({ status: 409 });
    core.clock.advance(8 * DAY_MS);
    expect((await core.library.loans.sendReminders()).holdsPassed).toBe(1);
    expect(core.library.holds.holdsOf(d.id).map((h) => h.memberId)).toEqual([cy]);
    await expect(core.library.loans.checkOut(d.id, cy, steward)).resolves.toMatchObject({ memberId: cy, waitedMs: expect.any(Number) });
  });
});

describe('maintenance', () => {
  it('takes an item out of circulation, tells those waiting, and returns it when resolved', async () => {
    const d = await drill();
    await core.library.bookings.reserve(d.id, bo, day(5), day(6), { id: bo, steward: false });
    const t = await core.library.maintenance.openTicket(d.id, 'chuck slips', steward.id);
    expect(core.library.catalogue.item(d.id).status).toBe('maintenance');
    expect(core.notifications.list(bo).map((n) => n.kind)).toContain('item-repair');
    await expect(core.library.loans.checkOut(d.id, ana, steward)).rejects.toMatchObject({ title: 'In maintenance' });
    await expect(core.library.bookings.reserve(d.id, ana, day(8), day(9), { id: ana, steward: false })).rejects.toMatchObject({ status: 422 });
    await expect(core.library.maintenance.advanceTicket(t.id, 'assess', steward.id)).rejects.toMatchObject({ status: 422 });
    await core.library.maintenance.advanceTicket(t.id, 'parts', steward.id, 'ordered a chuck');
    await core.library.maintenance.advanceTicket(t.id, 'repairing', steward.id);
    const done = await core.library.maintenance.advanceTicket(t.id, 'resolved', steward.id);
    expect(done.history.map((h) => h.state)).toEqual(['assess', 'parts', 'repairing', 'resolved']);
    expect(core.library.catalogue.item(d.id).status).toBe('available');
  });

  it('retiring voids bookings and holds, and nobody can hold a retired item', async () => {
    const d = await drill();
    await core.library.bookings.reserve(d.id, bo, day(5), day(6), { id: bo, steward: false });
    await core.library.holds.joinHolds(d.id, ana);
    const t = await core.library.maintenance.openTicket(d.id, 'motor burnt', steward.id);
    await core.library.maintenance.advanceTicket(t.id, 'retired', steward.id);
    expect(core.library.catalogue.item(d.id).status).toBe('retired');
    expect(core.library.holds.holdsOf(d.id)).toEqual([]);
    expect(core.library.bookings.reservationsOfMember(bo)[0]!.status).toBe('voided');
    await expect(core.library.holds.joinHolds(d.id, bo)).rejects.toMatchObject({ status: 422 });
    expect(core.notifications.list(ana).map((n) => n.kind)).toContain('item-retired');
  });

  it('opens tickets by itself from a maintenance plan', async () => {
    const saw = await core.library.catalogue.addItem({ name: 'Handsaw', category: 'hand tools', plan: { everyLoans: 2, task: 'sharpen' } }, steward.id);
    for (let i = 0; i < 2; i++) {
      const l = await core.library.loans.checkOut(saw.id, ana, steward);
      await core.library.loans.checkIn(l.id, steward, { condition: 'good' });
    }
    expect(core.library.maintenance.tickets({ itemId: saw.id, open: true }).map((t) => t.title)).toEqual(['sharpen (every 2 loans)']);
    expect(core.library.catalogue.item(saw.id).status).toBe('maintenance');
  });
});

describe('utilisation', () => {
  it('reports loans, days out and the idle and over-demanded', async () => {
    const d = await drill();
    const idle = await core.library.catalogue.addItem({ name: 'Sander', category: 'power tools' }, steward.id);
    const l = await core.library.loans.checkOut(d.id, ana, steward);
    core.clock.advance(6 * DAY_MS);
    await core.library.loans.checkIn(l.id, steward, { condition: 'good' });
    const u = core.library.reports.utilisation(T0, T0 + 10 * DAY_MS);
    const row = u.items.find((i) => i.code === d.code)!;
    expect(row.loans).toBe(1);
    expect(row.daysOut).toBe(6);
    expect(row.utilisation).toBe(60);
    expect(u.idle).toEqual([idle.code]);
    expect(u.overDemanded).toEqual([]);
    expect(u.categories).toEqual([{ category: 'power tools', items: 2, loans: 1, daysOut: 6, utilisation: 30 }]);
    expect(u.overTime).toEqual([]);
  });

  it('breaks use down over time, counting an item only from when it arrived', async () => {
    const d = await drill();
    await core.library.catalogue.addItem({ name: 'Sander', category: 'power tools' }, steward.id);
    const l = await core.library.loans.checkOut(d.id, ana, steward);
    core.clock.advance(6 * DAY_MS);
    await core.library.loans.checkIn(l.id, steward, { condition: 'good' });
    core.clock.advance(DAY_MS);
    // A new category arrives at day 7: it counts only in the second period, and only from then.
    const saw = await core.library.catalogue.addItem({ name: 'Saw', category: 'hand tools' }, steward.id);
    const l2 = await core.library.loans.checkOut(saw.id, ana, steward);
    core.clock.advance(DAY_MS);
    await core.library.loans.checkIn(l2.id, steward, { condition: 'good' });
    const u = core.library.reports.utilisation(T0, T0 + 10 * DAY_MS, 5);
    expect(u.overTime.map((p) => [p.from, p.to])).toEqual([
      [T0, T0 + 5 * DAY_MS],
      [T0 + 5 * DAY_MS, T0 + 10 * DAY_MS],
    ]);
    const [first, second] = u.overTime;
    // Days 0–5: the drill out all five days, the sander none.
    expect(first).toMatchObject({ loans: 1, daysOut: 5, utilisation: 50 });
    expect(first!.categories).toEqual([{ category: 'power tools', items: 2, loans: 1, daysOut: 5, avgWaitDays: 0, utilisation: 50 }]);
    // Days 5–10: the drill one more day (its loan began before), the saw one of its three days.
    expect(second!.categories).toEqual([
      { category: 'power tools', items: 2, loans: 0, daysOut: 1, avgWaitDays: 0, utilisation: 10 },
      { category: 'hand tools', items: 1, loans: 1, daysOut: 1, avgWaitDays: 0, utilisation: 33.3 },
    ]);
    expect(second).toMatchObject({ loans: 1, daysOut: 2, utilisation: 15.4 });
  });

  it('counts a space as used while it is booked, up to now', async () => {
    const hall = await core.library.catalogue.addItem({ kind: 'space', name: 'Hall', category: 'spaces' }, steward.id);
    // Booked 14:00–17:00 today and 18:00–20:00 tomorrow; only the first has happened by tomorrow noon.
    await core.library.bookings.reserve(hall.id, ana, T0 + 2 * 3_600_000, T0 + 5 * 3_600_000, { id: ana, steward: false });
    await core.library.bookings.reserve(hall.id, ana, T0 + 30 * 3_600_000, T0 + 32 * 3_600_000, { id: ana, steward: false });
    core.clock.advance(DAY_MS);
    const row = core.library.reports.utilisation(T0, T0 + DAY_MS).items.find((i) => i.code === hall.code)!;
    expect(row).toMatchObject({ loans: 1, daysOut: 0.1, utilisation: 12.5 });
    expect(core.library.reports.utilisation(T0, T0 + DAY_MS).idle).not.toContain(hall.code);
  });
});

/** A real 4 × 4 PNG, as a phone's browser makes one. */
function tinyPng(): Uint8Array {
  const png = new PNG({ width: 4, height: 4 });
  png.data.fill(128);
  return new Uint8Array(PNG.sync.write(png));
}
