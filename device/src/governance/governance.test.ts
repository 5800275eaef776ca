import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY_MS } from '../clock.js';
import { FUND } from '../ledger/types.js';
import { verifyLedger } from '../ledger/verify.js';
import { caller, makeApp, makeCore, makeMembers, tokensFor, type TestCore } from '../test-support.js';

let core: TestCore;
const m: Record<string, string> = {};
beforeEach(async () => {
  core = makeCore({ ledger: { demurrageRatePercent: 0 } });
  Object.assign(m, await makeMembers(core, { ana: 'steward', bo: 'resident', cy: 'resident', di: 'resident', ed: 'resident' }));
});
afterEach(() => core.cleanup());

const g = () => core.governance;

describe('proposals and votes', () => {
  it('a passed demurrage change alters the nightly decay from its effective date, and not before', async () => {
    await core.ledger.pay({ payer: m.bo!, payee: m.ana!, amount: 40_000, actor: m.bo! });
    const effectiveAt = Math.floor(core.clock.now() / DAY_MS + 10) * DAY_MS;
    const p = await g().propose(m.ana!, {
      kind: 'parameter',
      title: 'Demurrage 36.5%',
      rationale: 'keep credit moving',
      payload: { name: 'demurrageRatePercent', value: 36.5, effectiveAt },
    });
    for (const who of ['ana', 'bo', 'cy', 'di']) await g().vote(p.id, m[who]!, 'yes');
    core.clock.advance(8 * DAY_MS);
    const decided = await g().closeDue();
    expect(decided.map((d) => d.status)).toEqual(['executed']);
    expect(g().parameters.valueAt('demurrageRatePercent')).toBe(0); // decided, not yet in force
    // Nights before the effective date take nothing.
    core.clock.advance(1 * DAY_MS);
    await core.ledger.materialiseDemurrage();
    expect(core.ledger.account(FUND).balance).toBe(0);
    // From the effective date, 0.1% a day.
    core.clock.set(effectiveAt + 2 * DAY_MS + 3_600_000);
    await core.ledger.materialiseDemurrage();
    // Two days at 0.1%: 40 on 40,000, then 39 on 39,960 (the 0.96 carries to the next day).
    expect(core.ledger.account(FUND).balance).toBe(40 + 39);
    expect(verifyLedger(core.ledger).ok).toBe(true);
    expect(
      g()
        .parameters.list()
        .find((x) => x.name === 'demurrageRatePercent'),
    ).toMatchObject({ value: 36.5, source: p.id });
  });

  it('refuses a vote after close, a second vote, a parameter out of range, and a suspended voter', async () => {
    await expect(
      g().propose(m.bo!, { kind: 'parameter', title: 'x', rationale: 'x', payload: { name: 'demurrageRatePercent', value: 90 } }),
    ).rejects.toMatchObject({ status: 422 });
    await expect(g().propose(m.bo!, { kind: 'parameter', title: 'x', rationale: 'x', payload: { name: 'nonsense', value: 1 } })).rejects.toMatchObject({
      status: 400,
    });
    const p = await g().propose(m.bo!, { kind: 'text', title: 'Plant a hedge', rationale: 'birds' });
    await g().vote(p.id, m.cy!, 'yes');
    await expect(g().vote(p.id, m.cy!, 'no')).rejects.toMatchObject({ status: 409 });
    await core.members.suspend(m.ed!, m.ana!, 'test');
    await expect(g().vote(p.id, m.ed!, 'yes')).rejects.toMatchObject({ status: 403 });
    core.clock.advance(8 * DAY_MS);
    await expect(g().vote(p.id, m.di!, 'yes')).rejects.toMatchObject({ title: 'Voting has closed' });
    const [done] = await g().closeDue();
    expect(done).toMatchObject({ status: 'executed', tally: { yes: 1, no: 0, eligible: 4 } });
  });

  it('a blocked consensus proposal fails; a block must cite a core value and wait for the block period', async () => {
    const p = await g().propose(m.ana!, { kind: 'suspend', title: 'Suspend ed', rationale: 'left the area', payload: { memberId: m.ed } });
    expect(p.mode).toBe('consensus');
    await expect(g().vote(p.id, m.bo!, 'block', { coreValue: 'care for people' })).rejects.toMatchObject({ title: 'Still in discussion' });
    core.clock.advance(6 * DAY_MS);
    await expect(g().vote(p.id, m.bo!, 'block', { coreValue: 'because' })).rejects.toMatchObject({ title: 'A block cites a core value' });
    await g().vote(p.id, m.bo!, 'block', { coreValue: 'care for people', reason: 'talk to ed first' });
    for (const who of ['ana', 'cy', 'di']) await g().vote(p.id, m[who]!, 'yes');
    core.clock.advance(7 * DAY_MS);
    const [done] = await g().closeDue();
    expect(done).toMatchObject({ status: 'failed', tally: { blocks: 1 } });
    expect(core.members.get(m.ed!).status).toBe('active');
  });

  it('spends from the community fund when a spend proposal passes', async () => {
    const p = await g().propose(m.ana!, { kind: 'spend', title: 'Seeds for the allotments', rationale: 'spring', payload: { to: m.cy, amount: 4_000 } });
    // Two of five vote: the quorum (30 %) is met, so the majority decides.
    await g().vote(p.id, m.bo!, 'yes');
    await g().vote(p.id, m.di!, 'yes');
    core.clock.advance(8 * DAY_MS);
    await g().closeDue();
    expect(core.ledger.account(m.cy!).balance).toBe(4_000);
    expect(core.ledger.account(FUND).balance).toBe(-4_000);
    // Money leaving the fund by decision is on the audit log, in the same transaction.
    expect([...core.audit.all()]).toContainEqual(
      expect.objectContaining({ actor: null, action: 'fund-spent', subject: m.cy, detail: expect.objectContaining({ amount: 4_000, proposal: p.id }) }),
    );
    expect(verifyLedger(core.ledger).ok).toBe(true);
  });
});

describe('liquid delegation', () => {
  it('counts delegated votes through chains, lets direct votes override, and refuses cycles', async () => {
    await g().delegate(m.bo!, '*', m.cy!); // bo → cy
    await g().delegate(m.cy!, 'parameter', m.di!); // cy → di on parameters
    // di → bo → cy → di on parameter proposals.
    await expect(g().delegate(m.di!, '*', m.bo!)).rejects.toMatchObject({ title: 'Delegation cycle' });
    await expect(g().delegate(m.di!, '*', m.di!)).rejects.toMatchObject({ title: 'Delegation cycle' });
    const p = await g().propose(m.ana!, { kind: 'parameter', title: 'Floor −600', rationale: 'more room', payload: { name: 'creditFloor', value: -60_000 } });
    await g().vote(p.id, m.di!, 'yes'); // carries cy and bo through the chain
    await g().vote(p.id, m.ed!, 'no');
    let t = g().tally(g().get(p.id));
    expect(t).toMatchObject({ yes: 3, no: 1, delegated: 2 });
    await g().vote(p.id, m.bo!, 'no'); // bo takes their vote back by voting
    t = g().tally(g().get(p.id));
    expect(t).toMatchObject({ yes: 2, no: 2, delegated: 1 });
    await g().delegate(m.cy!, 'parameter', null); // cy withdraws; cy's own '*' delegation does not exist
    expect(g().tally(g().get(p.id))).toMatchObject({ yes: 1, no: 2, delegated: 0 });
  });
});

describe('emergency changes and the decision log', () => {
  it('an emergency change is logged and lapses unless ratified', async () => {
    await g().emergencyChange(m.ana!, 'creditFloor', -10_000, 'a run on credit');
    expect(core.ledger.account(m.bo!).floor).toBe(-10_000);
    core.clock.advance(15 * DAY_MS);
    expect(core.ledger.account(m.bo!).floor).toBe(-50_000);
    expect([...core.ledger.journal.scan()].some((e) => e.kind === 'governance' && e.data.event === 'emergency-change')).toBe(true);
  });

  it('keeps a decision log with the tally and outcome notes', async () => {
    const p = await g().propose(m.ana!, { kind: 'buy-tool', title: 'Buy a second drill', rationale: 'always booked', payload: { to: m.ana, amount: 15_000 } });
    await g().vote(p.id, m.bo!, 'yes');
    await g().vote(p.id, m.cy!, 'no');
    await g().vote(p.id, m.di!, 'yes');
    core.clock.advance(8 * DAY_MS);
    await g().closeDue();
    await g().addOutcomeNote(p.id, m.ana!, 'bought from the hardware shop on Main St');
    const [row] = g().decisionLog();
    expect(row).toMatchObject({ title: 'Buy a second drill', decision: 'adopted', yes: 2, no: 1, notes: 'bought from the hardware shop on Main St' });
    const votesInJournal = [...core.ledger.journal.scan()].filter((e) => e.kind === 'governance' && e.data.event === 'vote');
    expect(votesInJournal).toHaveLength(3);
  });
});

describe('governance over HTTP', () => {
  it('proposes, votes, decides and exports the decision log as CSV', async () => {
    const call = caller(makeApp(core), await tokensFor(core, m));
    const p = await call('bo', 'POST', '/api/v1/proposals', { kind: 'text', title: 'Repair café monthly', rationale: 'people asked' });
    expect(p.status).toBe(201);
    expect((await call('cy', 'POST', `/api/v1/proposals/${p.json.id}/votes`, { choice: 'yes' })).status).toBe(201);
    expect((await call('cy', 'POST', `/api/v1/proposals/${p.json.id}/votes`, { choice: 'no' })).status).toBe(409);
    expect((await call('di', 'PUT', '/api/v1/delegations', { topic: '*', to: m.di })).status).toBe(422);
    expect((await call('bo', 'POST', '/api/v1/parameters/emergency', { name: 'creditFloor', value: -1, reason: 'x' })).status).toBe(403);
    // A floor above zero is outside the parameter's range: a rule broken, nothing changed.
    expect((await call('ana', 'POST', '/api/v1/parameters/emergency', { name: 'creditFloor', value: 5, reason: 'x' })).status).toBe(422);
    expect(core.governance.parameters.valueAt('creditFloor')).toBe(-50_000);
    core.clock.advance(8 * DAY_MS);
    expect((await call('ana', 'POST', '/api/v1/proposals/close-due')).json).toHaveLength(1);
    const csv = await call('bo', 'GET', '/api/v1/decisions?format=csv');
    expect(csv.json.split('\r\n')[0]).toBe('date,proposal,kind,title,decision,rationale,yes,no,abstain,blocks,delegated,why,notes');
    expect(csv.json).toContain('Repair café monthly,adopted');
    expect((await call('bo', 'GET', '/api/v1/parameters')).json.find((x: { name: string }) => x.name === 'demurrageRatePercent')).toMatchObject({
      source: 'config',
    });
  });
});

describe("discussion, the community's own rules, and delegations both ways", () => {
  it('takes comments while a proposal is open, from active members only, and shows each member their own vote', async () => {
    const call = caller(makeApp(core), await tokensFor(core, m));
    const p = (await call('bo', 'POST', '/api/v1/proposals', { kind: 'spend', title: 'Seeds', rationale: 'spring', payload: { to: m.cy, amount: 1_000 } }))
      .json;
    expect((await call('cy', 'POST', `/api/v1/proposals/${p.id}/comments`, { text: '  Which seeds? Heirloom ones keep.  ' })).json).toMatchObject({
      text: 'Which seeds? Heirloom ones keep.',
      name: 'cy',
      memberId: m.cy,
    });
    core.clock.advance(1_000);
    await call('bo', 'POST', `/api/v1/proposals/${p.id}/comments`, { text: 'Heirloom, from the seed library.' });
    expect((await call('di', 'POST', `/api/v1/proposals/${p.id}/comments`, { text: '   ' })).status).toBe(400);
    expect((await call('di', 'POST', `/api/v1/proposals/${p.id}/comments`, { text: '' })).status).toBe(400);
    expect((await call('di', 'POST', '/api/v1/proposals/pr_nope/comments', { text: 'hello' })).status).toBe(404);
    await core.members.suspend(m.ed!, m.ana!, 'test');
    expect((await call('ed', 'POST', `/api/v1/proposals/${p.id}/comments`, { text: 'let me in' })).status).toBe(403);
    // The community's data export carries the discussion beside the proposals, votes and delegations.
    await g().delegate(m.di!, 'spend', m.bo!);
    const exported = g().exportAll();
    expect((core.exportData() as { governance: typeof exported }).governance.comments).toEqual(exported.comments);
    expect(exported.comments.map((c) => c.text)).toEqual(['Which seeds? Heirloom ones keep.', 'Heirloom, from the seed library.']);
    expect(exported.delegations).toEqual([{ from: m.di, topic: 'spend', to: m.bo }]);
    expect(exported.proposals.map((x) => x.id)).toContain(p.id);
    expect((await call('di', 'GET', `/api/v1/proposals/${p.id}/comments`)).json.map((c: { name: string; text: string }) => `${c.name}: ${c.text}`)).toEqual([
      'cy: Which seeds? Heirloom ones keep.',
      'bo: Heirloom, from the seed library.',
    ]);
    await call('cy', 'POST', `/api/v1/proposals/${p.id}/votes`, { choice: 'yes' });
    expect(g().exportAll().votes).toEqual([expect.objectContaining({ proposalId: p.id, memberId: m.cy, choice: 'yes' })]);
    const seen = async (who: string) => (await call(who, 'GET', '/api/v1/proposals')).json.find((x: { id: string }) => x.id === p.id);
    expect(await seen('cy')).toMatchObject({ comments: 2, myVote: { choice: 'yes', coreValue: null } });
    expect(await seen('di')).toMatchObject({ comments: 2, myVote: null });
    core.clock.advance(8 * DAY_MS);
    const late = await call('cy', 'POST', `/api/v1/proposals/${p.id}/comments`, { text: 'one more thing' });
    expect(late).toMatchObject({ status: 422, json: { title: 'Discussion has closed' } });
    expect(g().comments(p.id)).toHaveLength(2);
  });

  it('decides each kind of proposal by the mode the community chose, and blocks cite its own values', async () => {
    const own = makeCore({ governance: { modes: { text: 'consensus' }, discussionDays: 2, coreValues: ['no one left behind'] } });
    try {
      const [a, b] = [
        (await own.members.create({ name: 'A', email: 'a@example.org', role: 'steward' }, null)).id,
        (await own.members.create({ name: 'B', email: 'b@example.org' }, null)).id,
      ];
      const p = await own.governance.propose(a, { kind: 'text', title: 'Quiet hours at the tool shed', rationale: 'neighbours sleep' });
      expect(p).toMatchObject({ mode: 'consensus', discussionEndsAt: p.createdAt + 2 * DAY_MS, closesAt: p.createdAt + 9 * DAY_MS });
      own.clock.advance(2 * DAY_MS);
      await expect(own.governance.vote(p.id, b, 'block', { coreValue: 'care for people' })).rejects.toMatchObject({ title: 'A block cites a core value' });
      await own.governance.vote(p.id, b, 'block', { coreValue: 'no one left behind' });
      expect(own.governance.currentRules).toMatchObject({ coreValues: ['no one left behind'], modes: { text: 'consensus', parameter: 'supermajority' } });
    } finally {
      await own.cleanup();
    }
  });

  it('shows who I handed my vote to and who handed theirs to me', async () => {
    const call = caller(makeApp(core), await tokensFor(core, m));
    const get = async (who: string) => (await call(who, 'GET', '/api/v1/delegations')).json;
    await g().delegate(m.bo!, 'parameter', m.cy!);
    await g().delegate(m.di!, '*', m.cy!);
    expect(await get('bo')).toEqual({ mine: [{ topic: 'parameter', to: m.cy, name: 'cy' }], toMe: [] });
    expect((await get('cy')).toMe).toEqual(
      expect.arrayContaining([
        { topic: 'parameter', from: m.bo, name: 'bo' },
        { topic: '*', from: m.di, name: 'di' },
      ]),
    );
  });
});
