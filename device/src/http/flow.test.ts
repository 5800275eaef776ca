import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { caller, makeApp, makeCore, withMembers, type TestCore } from '../test-support.js';
import type { App } from './context.js';

let core: TestCore;
let app: App;
let id: Record<string, string>;
let call: ReturnType<typeof caller>;

beforeEach(async () => {
  core = makeCore();
  app = makeApp(core);
  const m = await withMembers(core, { ana: 'resident', bo: 'resident', steward: 'steward' });
  id = m.id;
  call = caller(app, m.tok);
});
afterEach(() => core.cleanup());

describe('flow over HTTP', () => {
  it('posts, proposes, pledges and fulfils', async () => {
    expect((await call('ana', 'POST', '/api/v1/board/posts', { kind: 'surplus', resource: 'food', quantity: 12, title: 'apples' })).status).toBe(201);
    expect((await call('bo', 'POST', '/api/v1/board/posts', { kind: 'need', resource: 'food', quantity: 8 })).status).toBe(201);
    const mine = await call('bo', 'GET', '/api/v1/flow/proposals?status=proposed');
    expect(mine.json).toHaveLength(1);
    const pid = mine.json[0].id;
    await call('ana', 'POST', `/api/v1/flow/proposals/${pid}/accept`);
    expect((await call('bo', 'POST', `/api/v1/flow/proposals/${pid}/accept`)).json.status).toBe('pledged');
    const done = await call('bo', 'POST', `/api/v1/flow/proposals/${pid}/fulfil`, { payment: 400 });
    expect(done.json).toMatchObject({ status: 'fulfilled' });
    expect(core.ledger.account(id.ana!).balance).toBe(400);
  });

  it('refuses bad posts and lets only stewards declare emergencies', async () => {
    expect((await call('ana', 'POST', '/api/v1/board/posts', { kind: 'need', resource: 'gold', quantity: 1 })).status).toBe(400);
    expect((await call('ana', 'POST', '/api/v1/board/posts', { kind: 'need', resource: 'food', quantity: -1 })).status).toBe(400);
    expect((await call('ana', 'POST', '/api/v1/crisis', { note: 'flood' })).status).toBe(403);
    const c = await call('steward', 'POST', '/api/v1/crisis', { note: 'flood', places: ['river street'] });
    expect(c.status).toBe(201);
    expect((await call('ana', 'GET', '/api/v1/crisis')).json.active.note).toBe('flood');
    expect((await call('steward', 'POST', '/api/v1/crisis', { note: 'again' })).status).toBe(409);
    expect((await call('ana', 'PUT', `/api/v1/members/${id.bo}/vulnerable`, { vulnerable: true })).status).toBe(403);
    expect((await call('steward', 'PUT', `/api/v1/members/${id.bo}/vulnerable`, { vulnerable: true })).status).toBe(200);
    // Only stewards see who is put first.
    expect((await call('ana', 'GET', '/api/v1/crisis/vulnerable')).status).toBe(403);
    expect((await call('steward', 'GET', '/api/v1/crisis/vulnerable')).json).toEqual([id.bo]);
  });

  it('runs a clearing that members accept', async () => {
    await core.ledger.request({ payee: id.bo!, payer: id.ana!, amount: 300, actor: id.bo! });
    await core.ledger.request({ payee: id.ana!, payer: id.bo!, amount: 200, actor: id.ana! });
    const run = await call('steward', 'POST', '/api/v1/clearing/runs');
    expect(run.json).toMatchObject({ status: 'proposed', cleared: 400 });
    await call('ana', 'POST', `/api/v1/clearing/runs/${run.json.id}/accept`);
    expect((await call('bo', 'POST', `/api/v1/clearing/runs/${run.json.id}/accept`)).json.status).toBe('applied');
    expect(core.ledger.openObligations().map((r) => r.amount)).toEqual([100]);
  });
});
