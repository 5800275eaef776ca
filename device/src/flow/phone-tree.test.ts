import { afterEach, describe, expect, it } from 'vitest';
import { caller, makeApp, makeCore, withMembers, type TestCore } from '../test-support.js';

let core: TestCore | undefined;
afterEach(async () => {
  await core?.cleanup();
  core = undefined;
});

describe('the emergency phone tree', () => {
  it('stewards mark who is put first, how to reach them and who checks on them; residents see none of it', async () => {
    core = makeCore();
    const { id, tok } = await withMembers(core, { stew: 'steward', ana: 'resident', bo: 'resident', cy: 'resident' });
    const call = caller(makeApp(core), tok);
    expect(
      (await call('stew', 'PUT', `/api/v1/members/${id.ana}/vulnerable`, { vulnerable: true, contact: '070-123 45 67, door code 1234', checker: id.bo }))
        .status,
    ).toBe(200);
    expect((await call('stew', 'PUT', `/api/v1/members/${id.cy}/vulnerable`, { vulnerable: true })).status).toBe(200);
    // A later change keeps what it does not mention.
    await call('stew', 'PUT', `/api/v1/members/${id.ana}/vulnerable`, { vulnerable: true, checker: id.stew });
    const tree = await call('stew', 'GET', '/api/v1/crisis/phone-tree');
    expect(tree.json).toEqual([
      {
        member: { id: id.ana, name: 'ana', email: 'ana@example.org' },
        contact: '070-123 45 67, door code 1234',
        checker: { id: id.stew, name: 'stew', email: 'stew@example.org' },
      },
      { member: { id: id.cy, name: 'cy', email: 'cy@example.org' }, contact: null, checker: null },
    ]);
    expect((await call('ana', 'GET', '/api/v1/crisis/phone-tree')).status).toBe(403);
    const self = await call('stew', 'PUT', `/api/v1/members/${id.cy}/vulnerable`, { vulnerable: true, checker: id.cy });
    expect(self.status).toBe(400);
    expect(self.json.field).toBe('checker');
    expect((await call('stew', 'PUT', `/api/v1/members/${id.cy}/vulnerable`, { vulnerable: true, checker: 'm_nobody' })).status).toBe(404);
    // Still put first in matching, as before.
    expect(core.board.isVulnerable(id.ana!)).toBe(true);
    await call('stew', 'PUT', `/api/v1/members/${id.ana}/vulnerable`, { vulnerable: false });
    expect((await call('stew', 'GET', '/api/v1/crisis/phone-tree')).json.map((r: { member: { id: string } }) => r.member.id)).toEqual([id.cy]);
  });

  it('reads members marked before the phone tree existed (stored as true) as having no contact or checker', async () => {
    core = makeCore();
    const { id } = await withMembers(core, { ana: 'resident' });
    await core.store.write(() => core!.store.db<unknown, string>('vulnerable-members').put(id.ana!, true));
    expect(core.board.phoneTree()).toEqual([{ memberId: id.ana, contact: null, checker: null }]);
    expect(core.board.isVulnerable(id.ana!)).toBe(true);
  });
});
