import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY_MS } from '../clock.js';
import { FUND } from '../ledger/types.js';
import { runNightly } from '../jobs/schedule.js';
import { silentLogger } from '../log.js';
import { makeCore, makeMembers, type TestCore } from '../test-support.js';

/** The decision machinery cannot be used to move money nobody agreed to, or to stall the hub. */
let core: TestCore;
const m: Record<string, string> = {};
beforeEach(async () => {
  core = makeCore({ ledger: { demurrageRatePercent: 0, fundFloor: -10_000 } });
  Object.assign(m, await makeMembers(core, { ana: 'steward', bo: 'resident', cy: 'resident', di: 'resident', ed: 'resident' }));
});
afterEach(() => core.cleanup());
const g = () => core.governance;

describe('proposals that spend the fund', () => {
  it('are checked when made: an impossible payee or amount is refused at once', async () => {
    const spend = (payload: Record<string, unknown>, kind: 'spend' | 'buy-tool' = 'spend') => g().propose(m.bo!, { kind, title: 't', rationale: 'r', payload });
    await expect(spend({ to: 'fund', amount: 100 })).rejects.toMatchObject({ status: 400 });
    await expect(spend({ to: 'pool:library', amount: 100 })).rejects.toMatchObject({ status: 400 });
    await expect(spend({ to: 'm_nobody', amount: 100 })).rejects.toMatchObject({ status: 400 });
    await expect(spend({ to: m.cy, amount: 1.5 })).rejects.toMatchObject({ status: 400 });
    await expect(spend({ to: m.cy, amount: 10_001 })).rejects.toMatchObject({ status: 422, title: 'More than the fund has' });
    await expect(spend({ amount: 100 }, 'buy-tool')).rejects.toMatchObject({ status: 400 });
    await expect(spend({ to: m.cy, amount: 10_000 })).resolves.toMatchObject({ status: 'open' });
  });

  it('need the quorum in majority mode: a single yes does not spend the fund', async () => {
    const p = await g().propose(m.bo!, { kind: 'spend', title: 'Seeds', rationale: 'spring', payload: { to: m.bo, amount: 1_000 } });
    expect(p.mode).toBe('majority');
    await g().vote(p.id, m.bo!, 'yes');
    core.clock.advance(8 * DAY_MS);
    const [done] = await g().closeDue();
    expect(done).toMatchObject({ status: 'failed', tally: { yes: 1, reason: expect.stringMatching(/below the quorum/) } });
    expect(core.ledger.account(m.bo!).balance).toBe(0);
  });

  it('close as failed, with the reason on record, when they pass but can no longer be carried out', async () => {
    const p = await g().propose(m.ana!, { kind: 'spend', title: 'Greenhouse glass', rationale: 'storm', payload: { to: m.cy, amount: 8_000 } });
    for (const who of ['bo', 'cy', 'di']) await g().vote(p.id, m[who]!, 'yes');
    // Meanwhile the fund paid out most of what it could.
    await core.store.write(() => core.ledger.payInTxn({ payer: FUND, payee: m.di!, amount: 5_000, actor: null }, null));
    core.clock.advance(8 * DAY_MS);
    const [done] = await g().closeDue();
    expect(done!.status).toBe('failed');
    expect(done!.tally!.reason).toMatch(/passed, but could not be carried out/);
    expect(done!.outcomeNotes.at(-1)).toMatchObject({ by: 'hub', note: expect.stringMatching(/could not be carried out/) });
    expect(g().list('open')).toEqual([]);
    expect(core.ledger.account(m.cy!).balance).toBe(0);
  });
});

describe('budget rounds', () => {
  it('refuse a project paid to the fund or another system account, and close even when a project can no longer be paid', async () => {
    await core.store.write(() => core.ledger.payInTxn({ payer: m.ed!, payee: FUND, amount: 5_000, actor: m.ed! }, null)); // gifts to the fund
    const round = await g().budgets.open(m.ana!, { title: 'Spring', budget: 5_000, days: 7 });
    await expect(g().budgets.addProject(m.bo!, round.id, { title: 'Loop', amount: 1_000, to: FUND })).rejects.toMatchObject({ status: 400 });
    await expect(g().budgets.addProject(m.bo!, round.id, { title: 'Loop', amount: 1_000, to: 'escrow:library' })).rejects.toMatchObject({ status: 400 });
    const a = await g().budgets.addProject(m.bo!, round.id, { title: 'Benches', amount: 1_000 });
    const b = await g().budgets.addProject(m.cy!, round.id, { title: 'Compost', amount: 1_000 });
    await g().budgets.allocate(m.di!, round.id, { [a.id]: 4, [b.id]: 4 });
    await core.members.suspend(m.cy!, m.ana!, 'moved away'); // Compost can no longer be paid
    core.clock.advance(8 * DAY_MS);
    const reports = await runNightly(core, silentLogger);
    expect(reports.every((r) => r.ok)).toBe(true);
    const closed = g().budgets.get(round.id);
    expect(closed.status).toBe('closed');
    expect(closed.result!.projects.find((x) => x.projectId === a.id)).toMatchObject({ funded: true });
    expect(closed.result!.projects.find((x) => x.projectId === b.id)).toMatchObject({ funded: false, why: expect.stringMatching(/could not be paid/) });
  });
});

describe('delegation', () => {
  it('never forms a cycle, whatever order delegations are added and removed in', async () => {
    await g().delegate(m.ana!, '*', m.bo!);
    await g().delegate(m.ana!, 'spend', m.cy!);
    // While ana's spend votes go to cy, bo may hand his to ana.
    await g().delegate(m.bo!, 'spend', m.ana!);
    // Taking back ana's spend delegation would send them to bo again: ana → bo → ana. Refused.
    await expect(g().delegate(m.ana!, 'spend', null)).rejects.toMatchObject({ status: 422, title: 'Delegation cycle' });
    // Once bo takes his back, ana may.
    await g().delegate(m.bo!, 'spend', null);
    await expect(g().delegate(m.ana!, 'spend', null)).resolves.toBeUndefined();
  });
});
