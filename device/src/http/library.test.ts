import { PNG } from 'pngjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY_MS } from '../clock.js';
import { caller, makeApp, makeCore, T0, withMembers, type TestCore } from '../test-support.js';
import type { App } from './context.js';

let core: TestCore;
let app: App;
let id: Record<string, string>;
let tok: Record<string, string>;
let call: ReturnType<typeof caller>;
const day = (n: number) => Math.floor(T0 / DAY_MS + n) * DAY_MS;

beforeEach(async () => {
  core = makeCore();
  app = makeApp(core);
  const m = await withMembers(core, { ana: 'resident', bo: 'resident', steward: 'steward' });
  id = m.id;
  tok = m.tok;
  call = caller(app, m.tok);
});
afterEach(() => core.cleanup());

describe('library over HTTP', () => {
  it("prints labels for stewards: each item's code, name and a QR code of its page", async () => {
    const a = (await call('steward', 'POST', '/api/v1/library/items', { name: 'Ladder', category: 'garden' })).json;
    const b = (await call('steward', 'POST', '/api/v1/library/items', { name: 'Drill', category: 'power tools' })).json;
    expect((await call('ana', 'GET', '/api/v1/library/labels')).status).toBe(403);
    const all = (await call('steward', 'GET', '/api/v1/library/labels')).json as Array<{ code: string; name: string; url: string; qrSvg: string }>;
    expect(all.map((l) => l.name)).toEqual(['Ladder', 'Drill']);
    expect(all[0]!.url).toMatch(new RegExp(`/#/library/${a.code}$`));
    expect(all[0]!.qrSvg).toMatch(/^<svg[^>]*viewBox/);
    const one = (await call('steward', 'GET', `/api/v1/library/labels?items=${b.code}`)).json;
    expect(one.map((l: { code: string }) => l.code)).toEqual([b.code]);
    const missing = await call('steward', 'GET', '/api/v1/library/labels?items=T-9999');
    expect(missing.status).toBe(404);
    expect(missing.type).toContain('application/problem+json');
  });

  it('runs reserve → steward check-out → return, and refuses bad input with problems that change nothing', async () => {
    const item = await call('steward', 'POST', '/api/v1/library/items', { name: 'Drill', category: 'power tools', deposit: 2000 });
    expect(item.status).toBe(201);
    const code = item.json.code;
    expect((await call('ana', 'POST', '/api/v1/library/items', { name: 'x', category: 'y' })).status).toBe(403);
    const r = await call('ana', 'POST', `/api/v1/library/items/${code}/reservations`, { from: day(0), to: day(2) });
    expect(r.status).toBe(201);
    const clash = await call('bo', 'POST', `/api/v1/library/items/${code}/reservations`, { from: day(1), to: day(3) });
    expect(clash.status).toBe(409);
    expect(clash.type).toContain('application/problem+json');
    const out = await call('steward', 'POST', `/api/v1/library/items/${code}/checkout`, { memberId: id.ana, condition: 'good' });
    expect(out.status).toBe(201);
    expect(core.ledger.account(id.ana!).balance).toBe(-2000);
    // The catalogue says when an item out on loan is due back, and nothing for one that is not out.
    const listed = (await call('bo', 'GET', '/api/v1/library/items')).json as Array<{ code: string; dueBack: number | null }>;
    expect(listed.find((i) => i.code === code)?.dueBack).toBe(out.json.dueAt);
    expect((await call('ana', 'POST', `/api/v1/library/items/${code}/holds/join`)).status).toBe(422);
    expect((await call('bo', 'POST', `/api/v1/library/items/${code}/holds/join`)).json).toHaveLength(1);
    const renew = await call('ana', 'POST', `/api/v1/library/loans/${out.json.id}/renew`);
    expect(renew.status).toBe(422);
    expect(renew.json.title).toBe('Others are waiting');
    const back = await call('steward', 'POST', `/api/v1/library/loans/${out.json.id}/checkin`, { condition: 'good' });
    expect(back.json.returnedAt).not.toBeNull();
    expect(core.ledger.account(id.ana!).balance).toBe(0);
    expect(
      ((await call('bo', 'GET', '/api/v1/library/items')).json as Array<{ code: string; dueBack: number | null }>).find((i) => i.code === code)?.dueBack,
    ).toBeNull();
    // Bo is told it is ready, with the facts beside the English so the console can say it in Bo's language.
    const [ready] = (await call('bo', 'GET', '/api/v1/notifications?unread=true')).json;
    expect(ready).toMatchObject({
      kind: 'hold-ready',
      read: false,
      params: { code, name: 'Drill', date: core.library.holds.holdsOf(item.json.id)[0]!.pickupBy },
    });
    // Marking read: only one's own (Ana's ids would be ignored), once.
    expect((await call('ana', 'POST', '/api/v1/notifications/read', { ids: [ready.id] })).json).toEqual({ marked: 0 });
    expect((await call('bo', 'POST', '/api/v1/notifications/read', { ids: [ready.id] })).json).toEqual({ marked: 1 });
    expect((await call('bo', 'GET', '/api/v1/notifications?unread=true')).json).toEqual([]);
    expect((await call('bo', 'POST', '/api/v1/notifications/read', { ids: [] })).status).toBe(400);
    const ticket = await call('bo', 'POST', `/api/v1/library/items/${code}/tickets`, { title: 'battery will not charge' });
    expect(ticket.status).toBe(201);
    const inRepair = await call('steward', 'POST', `/api/v1/library/items/${code}/checkout`, { memberId: id.bo });
    expect(inRepair.status).toBe(422);
    expect(inRepair.json.title).toBe('In maintenance');
    expect((await call('steward', 'GET', `/api/v1/library/items/${code}/audit`)).json.map((a: any) => a.action)).toContain('ticket opened');
  });

  it('refuses photos that are too large or not images, and serves stored ones', async () => {
    const item = await call('steward', 'POST', '/api/v1/library/items', { name: 'Saw', category: 'hand tools' });
    const img = new PNG({ width: 2, height: 2 });
    img.data.fill(90);
    const png = new Uint8Array(PNG.sync.write(img));
    const ok = await call('steward', 'POST', `/api/v1/library/items/${item.json.id}/photos`, png, { 'content-type': 'image/png' });
    expect(ok.status).toBe(201);
    const got = await app.request(`/api/v1/library/photos/${ok.json.id}`, { headers: { authorization: `Bearer ${tok.ana}` } });
    expect(got.headers.get('content-type')).toBe('image/png');
    const fake = await call('steward', 'POST', `/api/v1/library/items/${item.json.id}/photos`, new TextEncoder().encode('GIF89a not really'), {
      'content-type': 'image/png',
    });
    expect(fake.status).toBe(400);
    const big = await call('steward', 'POST', `/api/v1/library/items/${item.json.id}/photos`, new Uint8Array(700 * 1024), { 'content-type': 'image/jpeg' });
    expect(big.status).toBe(413);
  });

  it('exports the catalogue and the skills as CSV', async () => {
    await call('steward', 'POST', '/api/v1/library/items', { name: 'Wheelbarrow', category: 'garden' });
    const csv = await call('ana', 'GET', '/api/v1/library/export?what=catalogue&format=csv');
    expect(csv.type).toContain('text/csv');
    expect(csv.json.split('\r\n')[1]).toMatch(/^T-0001,tool,Wheelbarrow,garden/);
    expect((await call('ana', 'GET', '/api/v1/library/export?what=loans')).status).toBe(403);
    await call('ana', 'PUT', `/api/v1/members/${id.ana}/skills`, { skill: 'Welding', level: 3, teach: true });
    expect((await call('bo', 'PUT', `/api/v1/members/${id.ana}/skills`, { skill: 'x', level: 1 })).status).toBe(403);
    const skills = await call('bo', 'GET', '/api/v1/skills?format=csv');
    expect(skills.json).toContain(`${id.ana},welding,3,false,true`);
  });

  it('reports use over time in periods, and refuses a report of too many periods', async () => {
    const item = await call('steward', 'POST', '/api/v1/library/items', { name: 'Wheelbarrow', category: 'garden' });
    const out = await call('steward', 'POST', `/api/v1/library/items/${item.json.code}/checkout`, { memberId: id.ana, condition: 'good' });
    core.clock.advance(3 * DAY_MS);
    expect((await call('steward', 'POST', `/api/v1/library/loans/${out.json.id}/checkin`, { condition: 'good' })).status).toBe(200);
    const u = await call('ana', 'GET', '/api/v1/library/utilisation?days=14&bucketDays=7');
    expect(u.status).toBe(200);
    // The first week is before the wheelbarrow arrived; in the second it was out every day it existed.
    expect(u.json.overTime.map((p: { categories: unknown[] }) => p.categories.length)).toEqual([0, 1]);
    expect(u.json.overTime[1]).toMatchObject({ loans: 1, daysOut: 3, utilisation: 100 });
    const tooMany = await call('ana', 'GET', '/api/v1/library/utilisation?days=3650&bucketDays=1');
    expect(tooMany.status).toBe(400);
    expect(tooMany.type).toContain('application/problem+json');
  });

  it('lists the library, skills and time-bank paths in the OpenAPI document', async () => {
    const doc = await call('ana', 'GET', '/api/v1/openapi.json');
    for (const p of [
      '/api/v1/library/items',
      '/api/v1/library/items/{item}/checkout',
      '/api/v1/library/loans/{id}/renew',
      '/api/v1/skills/gaps',
      '/api/v1/timebank',
      '/api/v1/mentorships',
    ])
      expect(Object.keys(doc.json.paths)).toContain(p);
  });
});
