import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLedger } from '../ledger/verify.js';
import { makeApp, makeCore, withMembers, type TestCore } from '../test-support.js';
import { cleanJsonText, MAX_JSON_DEPTH } from './json-text.js';
import type { App } from './context.js';

/**
 * Text the journal could not hash again: one request with a lone surrogate
 * used to leave `ledger verify` reporting tampering for good.
 */
let core: TestCore;
let app: App;
let tok: Record<string, string>;
let id: Record<string, string>;

beforeAll(async () => {
  core = makeCore();
  app = makeApp(core);
  ({ tok, id } = await withMembers(core, { ana: 'steward', bo: 'resident' }));
});
afterAll(() => core.cleanup());

const post = (who: string, path: string, text: string) =>
  app.request(path, { method: 'POST', headers: { authorization: `Bearer ${tok[who]}`, 'content-type': 'application/json' }, body: text });

describe('JSON text at the boundary', () => {
  it('refuses a lone surrogate in a memo with a 400 naming the field, and the journal still verifies', async () => {
    const res = await post('ana', '/api/v1/transfers', `{"payee":"${id.bo}","amount":5,"memo":"bad \\ud800 text"}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    const problem = (await res.json()) as { issues: Array<{ path: string }>; detail: string };
    expect(problem.issues[0]!.path).toBe('memo');
    expect(core.ledger.account(id.bo!).balance).toBe(0);
    // A well-formed memo goes through and the chain still verifies.
    expect((await post('ana', '/api/v1/transfers', JSON.stringify({ payee: id.bo, amount: 5, memo: 'ok' }))).status).toBe(201);
    expect(verifyLedger(core.ledger)).toMatchObject({ ok: true, problems: [] });
  });

  it('refuses a lone surrogate in an object key and in a proposal title', async () => {
    expect(
      (await post('bo', '/api/v1/proposals', `{"kind":"parameter","title":"x\\udc00","rationale":"r","payload":{"name":"demurrageRatePercent","value":3}}`))
        .status,
    ).toBe(400);
    expect((await post('bo', '/api/v1/proposals', `{"kind":"parameter","title":"x","rationale":"r","payload":{"\\ud800":1}}`)).status).toBe(400);
  });

  it("refuses ill-formed text in a peer hub's envelopes before they are checked or stored", async () => {
    const res = await app.request('/api/v1/federation/inbox', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '[{"v":1,"type":"payment.propose","body":{"memo":"\\ud800"}}]',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { issues: Array<{ path: string }> }).issues[0]!.path).toBe('0.body.memo');
  });

  it('answers 1e400 in a proposal payload with 400, not 500', async () => {
    const res = await post(
      'bo',
      '/api/v1/proposals',
      '{"kind":"parameter","title":"huge","rationale":"r","payload":{"name":"demurrageRatePercent","value":1e400}}',
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as { issues: Array<{ path: string }> }).issues[0]!.path).toBe('payload.value');
  });

  it('answers thousands of nested brackets with 400', async () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const res = await post('bo', '/api/v1/transfers', deep);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/nests deeper/);
  });

  it('stores text in NFC without bidi controls, and hashes what it stores', async () => {
    // "e" + combining acute, and a right-to-left override that would show "evil" as "live".
    const res = await post('ana', '/api/v1/transfers', JSON.stringify({ payee: id.bo, amount: 1, memo: 'cafe\u0301 \u202Elive\u202C' }));
    expect(res.status).toBe(201);
    const t = (await res.json()) as { memo: string };
    expect(t.memo).toBe('café live');
    expect(verifyLedger(core.ledger).ok).toBe(true);
  });
});

describe('cleanJsonText', () => {
  it('leaves clean text as it is, and passwords exactly as typed', () => {
    const clean = '{"a":"plain","n":[1,2.5,{"b":null}]}';
    expect(cleanJsonText(clean)).toBe(clean);
    expect(JSON.parse(cleanJsonText(JSON.stringify({ password: 'cafe\u0301\u202E', name: 'cafe\u0301' })))).toEqual({
      password: 'cafe\u0301\u202E',
      name: 'café',
    });
  });

  it('does not normalise where the text is signed by someone else, but still refuses what cannot be stored', () => {
    const signed = JSON.stringify([{ body: { memo: 'cafe\u0301' } }]);
    expect(cleanJsonText(signed, { normalise: false })).toBe(signed);
    expect(() => cleanJsonText('[{"body":{"memo":"\\ud800"}}]', { normalise: false })).toThrow(/well-formed/);
  });

  it('leaves an empty body for the route: a POST that carries none is not malformed JSON', () => {
    expect(cleanJsonText('')).toBe('');
    expect(cleanJsonText(' \n')).toBe(' \n');
  });

  it('counts depth outside strings only', () => {
    const inString = JSON.stringify({ s: '['.repeat(1000) });
    expect(cleanJsonText(inString)).toBe(inString);
    const ok = '['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH);
    expect(cleanJsonText(ok)).toBe(ok);
    expect(() => cleanJsonText('[' + ok + ']')).toThrow(/nests deeper/);
  });
});
