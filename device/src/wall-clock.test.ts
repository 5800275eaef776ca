import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DAY_MS } from './clock.js';
import { caller, makeApp, makeCore, T0, withMembers, type TestCore } from './test-support.js';
import { decodeChunk } from './telemetry/chunk.js';

/**
 * Every module reads time from the hub's one clock (the time-keeper, which
 * knows whether the time can be trusted), never from the wall clock itself.
 * Here the wall clock says 1999 while the hub's clock says 2026: a module
 * that read Date.now() or new Date() would leave a 1999 time in what it
 * stored, and the scan of every sub-database below would find it.
 */
const WALL = Date.UTC(1999, 5, 1);
const YEAR = 365 * DAY_MS;

/** Every number in a stored key or value that reads as a time in ms since 1970 (1990–2100). */
function timesIn(x: unknown, out: number[] = []): number[] {
  if (typeof x === 'number' && x > Date.UTC(1990, 0, 1) && x < Date.UTC(2100, 0, 1)) out.push(x);
  else if (typeof x === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(x)) out.push(Date.parse(x));
  else if (Array.isArray(x)) for (const v of x) timesIn(v, out);
  else if (x && typeof x === 'object' && !(x instanceof Uint8Array)) for (const v of Object.values(x)) timesIn(v, out);
  return out;
}

let core: TestCore;
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(WALL);
  core = makeCore();
});
afterEach(async () => {
  await core.cleanup();
  vi.useRealTimers();
});

describe('the wall clock', () => {
  it('is read by no module: with the wall clock in 1999 and the hub clock in 2026, nothing stored carries a 1999 time', async () => {
    expect(Date.now()).toBe(WALL);
    const { id, tok } = await withMembers(core, { sam: 'steward', ana: 'resident', bo: 'resident' });
    const call = caller(makeApp(core), tok);
    const ok = async (r: Promise<{ status: number; json: any }>) => {
      const got = await r;
      expect(got.status, JSON.stringify(got.json)).toBeLessThan(300);
      return got.json;
    };

    // Members, sessions, invites; payments and requests; the library; skills, proposals and the board, over HTTP as phones call them.
    await core.members.startSession(id.ana!);
    await ok(call('sam', 'POST', '/api/v1/invites', {}));
    await ok(call('ana', 'POST', '/api/v1/transfers', { payer: id.ana, payee: id.bo, amount: 250, memo: 'apples' }));
    const ask = await ok(call('bo', 'POST', '/api/v1/requests', { payer: id.ana, payee: id.bo, amount: 100, memo: 'eggs' }));
    await ok(call('ana', 'POST', `/api/v1/requests/${ask.id}/accept`));
    const drill = await core.library.catalogue.addItem({ name: 'Drill', category: 'tools', deposit: 500 }, id.sam!);
    const steward = { id: id.sam!, steward: true };
    await core.library.bookings.reserve(drill.id, id.bo!, T0 + 3 * DAY_MS - (T0 % DAY_MS), T0 + 4 * DAY_MS - (T0 % DAY_MS), steward);
    const loan = await core.library.loans.checkOut(drill.id, id.ana!, steward, { days: 1 });
    await core.library.holds.joinHolds(drill.id, id.bo!);
    core.clock.advance(DAY_MS);
    await core.library.loans.checkIn(loan.id, steward, { condition: 'broken' });
    await core.library.loans.sendReminders();
    await core.skills.setSkill(id.ana!, { skill: 'pruning', level: 3, teach: true });
    await core.skills.postOffer(id.ana!, { kind: 'offer', title: 'Pruning', category: 'garden', hours: 150 });
    const p = await core.governance.propose(id.ana!, { kind: 'text', title: 'Bench by the pond', rationale: 'To sit' });
    await core.governance.vote(p.id, id.bo!, 'yes');
    await core.board.post(id.ana!, { kind: 'surplus', resource: 'food', quantity: 5 });
    await core.board.post(id.bo!, { kind: 'need', resource: 'food', quantity: 3 });
    await core.board.recompute();
    core.telemetry.write({ sensor: 'tank', metric: 'level', t: core.clock.now(), value: 0.5 });
    await core.telemetry.flush();
    core.clock.advance(20 * DAY_MS);
    await core.ledger.materialiseDemurrage();
    await core.governance.closeDue();
    await core.ledger.expireRequests();

    // What the hub says the time is, as monitors read it.
    expect((await ok(call('ana', 'GET', '/api/v1/health'))).time).toMatch(/^2026-/);

    // Every time stored is the hub clock's, which started in 2026.
    let scanned = 0;
    const wrong: string[] = [];
    for (const name of core.store.root.getKeys() as Iterable<string>) {
      if (typeof name !== 'string') continue;
      if (name === 'ts-chunks') {
        // Raw readings, packed per sensor (telemetry/chunk.ts): each reading's time is checked.
        for (const { key, value } of core.store.binaryDb<[string, number]>(name).getRange({})) {
          scanned++;
          for (const t of timesIn([key, decodeChunk(key[1], value)])) if (Math.abs(t - WALL) < 5 * YEAR) wrong.push(`${name}: ${new Date(t).toISOString()}`);
        }
        continue;
      }
      const db = core.store.db<unknown, any>(name);
      try {
        for (const { key, value } of db.getRange({})) {
          scanned++;
          for (const t of timesIn([key, value])) if (Math.abs(t - WALL) < 5 * YEAR) wrong.push(`${name}: ${new Date(t).toISOString()}`);
        }
      } catch {
        // a sub-database kept in another encoding (raw bytes) holds no records to scan
      }
    }
    expect(scanned).toBeGreaterThan(100);
    expect(wrong).toEqual([]);
  });
});
