import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FUND } from '../ledger/types.js';
import { verifyLedger } from '../ledger/verify.js';
import { caller, makeApp, makeCore, withMembers, type TestCore } from '../test-support.js';
import { DAY_MS } from '../clock.js';

let core: TestCore;
let people: Awaited<ReturnType<typeof withMembers>>;
let call: ReturnType<typeof caller>;

beforeEach(async () => {
  core = makeCore({ ledger: { demurrageRatePercent: 0 } });
  people = await withMembers(core, { sam: 'steward', whale: 'resident', a: 'resident', b: 'resident', c: 'resident', d: 'resident' });
  call = caller(makeApp(core), people.tok);
  // The fund holds 10,000, as demurrage would have left it.
  await core.ledger.pay({ payer: people.id.sam!, payee: FUND, amount: 10_000, actor: people.id.sam! });
});
afterEach(() => core.cleanup());

const b = () => core.governance.budgets;

async function roundWith(quadratic: boolean, budget = 8_000) {
  const r = await b().open(people.id.sam!, { title: 'Spring budget', budget, quadratic });
  const garden = await b().addProject(people.id.a!, r.id, { title: 'Community garden beds', amount: 5_000 });
  const bikes = await b().addProject(people.id.b!, r.id, { title: 'Bike repair stand', amount: 4_000 });
  const mural = await b().addProject(people.id.c!, r.id, { title: 'Mural', amount: 2_000 });
  // One member piles all 100 points on the bike stand; four members give the garden 25 each.
  await b().allocate(people.id.whale!, r.id, { [bikes.id]: 100 });
  for (const m of ['a', 'b', 'c', 'd']) await b().allocate(people.id[m]!, r.id, { [garden.id]: 25, [mural.id]: 5 });
  return { r, garden, bikes, mural };
}

describe('participatory budgeting', () => {
  it('with quadratic weighting many moderate preferences outweigh one strong one', async () => {
    const { r, garden, bikes, mural } = await roundWith(true);
    const s = b().standings(r.id);
    // Garden: 4 × √25 = 20; mural: 4 × √5 ≈ 8.944; bikes: √100 = 10.
    expect(s.map((x) => [x.projectId, x.score])).toEqual([
      [garden.id, 20],
      [bikes.id, 10],
      [mural.id, 8.944],
    ]);
    const closed = await b().close(r.id, people.id.sam!);
    // 8,000: the garden (5,000) fits; the bikes (4,000) no longer do and are skipped; the mural (2,000) fits.
    expect(closed.result!.projects.map((p) => [p.projectId, p.funded])).toEqual([
      [garden.id, true],
      [bikes.id, false],
      [mural.id, true],
    ]);
    expect(closed.result!.projects[1]!.why).toBe('ranked 2; asked 4000, 3000 left of the budget');
    expect(closed.result!.spent).toBe(7_000);
    expect(core.ledger.account(people.id.a!).balance).toBe(5_000);
    expect(core.ledger.account(people.id.c!).balance).toBe(2_000);
    expect(core.ledger.account(FUND).balance).toBe(3_000);
    expect(verifyLedger(core.ledger)).toMatchObject({ ok: true, totals: { credit: 0 } });
  });

  it('without it, points count one for one and the strong preference ties the garden', async () => {
    const { r, garden, bikes } = await roundWith(false);
    const s = b().standings(r.id);
    expect(s.slice(0, 2).map((x) => x.score)).toEqual([100, 100]);
    // Ties go to the cheaper project, so more of the budget can be spent.
    expect(s[0]!.projectId).toBe(bikes.id);
    expect(s[1]!.projectId).toBe(garden.id);
  });

  it('refuses bad input and changes nothing: too many points, an unknown project, a suspended member, a closed round, more than the fund', async () => {
    const { r, garden } = await roundWith(true);
    const before = b().allocationOf(r.id, people.id.a!);
    const over = await call('a', 'PUT', `/api/v1/budgets/${r.id}/allocation`, { points: { [garden.id]: 101 } });
    expect(over).toMatchObject({ status: 422, type: 'application/problem+json', json: { title: 'Too many points', pointsPerMember: 100, spent: 101 } });
    expect((await call('a', 'PUT', `/api/v1/budgets/${r.id}/allocation`, { points: { pp_nothing: 1 } })).status).toBe(400);
    expect(b().allocationOf(r.id, people.id.a!)).toEqual(before);

    await core.members.suspend(people.id.whale!, people.id.sam!, 'test');
    expect((await call('whale', 'PUT', `/api/v1/budgets/${r.id}/allocation`, { points: {} })).json).toMatchObject({
      status: 403,
      detail: 'your membership is suspended',
    });
    await expect(b().allocate(people.id.whale!, r.id, {})).rejects.toMatchObject({ status: 403, detail: 'a suspended member cannot take part in decisions' });
    // The suspended member's earlier points no longer count.
    expect(
      b()
        .standings(r.id)
        .find((x) => x.title === 'Bike repair stand')!.score,
    ).toBe(0);

    expect((await call('sam', 'POST', '/api/v1/budgets', { title: 'Too big', budget: 1_000_000 })).json).toMatchObject({ title: 'More than the fund holds' });
    expect((await call('a', 'POST', '/api/v1/budgets', { title: 'Not a steward', budget: 10 })).status).toBe(403);
    await call('sam', 'POST', `/api/v1/budgets/${r.id}/close`);
    expect((await call('a', 'PUT', `/api/v1/budgets/${r.id}/allocation`, { points: { [garden.id]: 1 } })).status).toBe(409);
    expect((await call('sam', 'POST', `/api/v1/budgets/${r.id}/close`)).status).toBe(409);
  });

  it('shows a member their allocation and the standings, closes by itself when due, and journals every step', async () => {
    const { r, garden } = await roundWith(true);
    const view = await call('a', 'GET', `/api/v1/budgets/${r.id}`);
    expect(view.json.mine).toEqual({ [garden.id]: 25, [view.json.round.projects[2].id]: 5 });
    expect(view.json.standings[0]).toMatchObject({ projectId: garden.id, supporters: 4, points: 100 });
    core.clock.advance(15 * DAY_MS);
    const closed = await b().closeDue();
    expect(closed.map((x) => x.id)).toEqual([r.id]);
    const events = core.ledger
      .exportAll()
      .journal.map((j) => (j.data as { event?: string }).event)
      .filter((e) => e?.startsWith('budget.'));
    expect(events).toEqual(['budget.opened', 'budget.project', 'budget.project', 'budget.project', ...Array(5).fill('budget.allocation'), 'budget.closed']);
  });
});
