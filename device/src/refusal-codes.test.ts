import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GENERAL_REFUSALS, HubError, type Refusal, type Refusals, refusals, STATUS_OF_TYPE } from './errors.js';
import { LEDGER_REFUSALS } from './ledger/contract.js';
import { STORE_REFUSALS } from './store/contract.js';
import { FLOW_REFUSALS } from './flow/contract.js';
import { REFUSAL_CODES, REFUSAL_TABLES, REFUSALS } from './refusal-codes.js';
import { SKILLS_REFUSALS } from './skills/contract.js';
import { caller, makeApp, makeCore, withMembers } from './test-support.js';

const SRC = fileURLToPath(new URL('.', import.meta.url));

describe('refusal codes', () => {
  it('every module with a contract has its table in the registry, and a code means one thing wherever it is listed', async () => {
    const modules = readdirSync(SRC).filter((d) => statSync(join(SRC, d)).isDirectory() && readdirSync(join(SRC, d)).includes('contract.ts'));
    expect(modules.length).toBeGreaterThan(10);
    expect(Object.keys(REFUSAL_TABLES).length).toBeGreaterThan(10);
    const registered = new Set<Refusals>(Object.values(REFUSAL_TABLES));
    for (const m of modules) {
      const contract = (await import(/* @vite-ignore */ pathToFileURL(join(SRC, m, 'contract.ts')).href)) as Record<string, unknown>;
      // A module that refuses nothing of its own (sensing, time) has a contract of values only.
      const tables = Object.entries(contract).filter(([name]) => name.endsWith('_REFUSALS'));
      expect(tables.length, m).toBeLessThanOrEqual(1);
      for (const [, table] of tables) expect(registered.has(table as Refusals), `${m}'s table is not in refusal-codes.ts`).toBe(true);
    }
    for (const table of Object.values(REFUSAL_TABLES)) {
      for (const [code, r] of Object.entries(table)) {
        expect(code).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
        expect(REFUSALS.get(code as never), code).toEqual(r);
        expect(r.status >= 400 && r.status < 600, code).toBe(true);
      }
    }
    expect(new Set(REFUSAL_CODES).size).toBe(REFUSAL_CODES.length);
  });

  it('a table gives each code the status of its problem type and a title worded from the code, not the other way round', () => {
    // Three codes that were all titled "Not open" once, and shared one translation; now each says what is not open.
    expect([FLOW_REFUSALS['allocation-not-open'].title, FLOW_REFUSALS['clearing-not-open'].title, SKILLS_REFUSALS['post-not-open'].title]).toEqual([
      'Allocation not open',
      'Clearing not open',
      'Post not open',
    ]);
    expect(FLOW_REFUSALS['allocation-not-open']).toEqual({ status: 422, type: 'rule-broken', title: 'Allocation not open' });
    const a = HubError.from(FLOW_REFUSALS, 'allocation-not-open', 'x');
    const b = HubError.from(SKILLS_REFUSALS, 'post-not-open', 'y');
    expect([a.toProblem().reason, b.toProblem().reason]).toEqual(['allocation-not-open', 'post-not-open']);
    // A title the code cannot spell is given beside it; the status still follows from the type.
    expect(LEDGER_REFUSALS['over-the-payee-s-ceiling']).toEqual({ status: 422, type: 'over-ceiling', title: "Over the payee's ceiling" });
    expect(STORE_REFUSALS['storage-full']).toEqual({ status: 507, type: 'insufficient-storage', title: 'Storage full' });
    // Every module's table (the general one is written out by hand, with its own titles).
    for (const table of Object.values(REFUSAL_TABLES).filter((t) => t !== GENERAL_REFUSALS)) {
      for (const r of Object.values(table) as Refusal[]) expect(r.status, r.title).toBe(STATUS_OF_TYPE[r.type]);
    }
    expect(() => refusals({ conflict: ['same'], 'rule-broken': ['same'] })).toThrow(/listed twice/);
  });

  it('a refusal over HTTP carries its code as `reason`, one the OpenAPI document lists', async () => {
    const core = makeCore();
    try {
      const app = makeApp(core);
      const { id, tok } = await withMembers(core, { ana: 'resident' });
      const call = caller(app, tok);
      const same = await call('ana', 'POST', '/api/v1/transfers', { payee: id.ana, amount: 100 });
      expect(same.status).toBe(422);
      expect(same.json).toMatchObject({ reason: 'same-account', title: 'Same account', type: 'urn:hyphae:problem:rule-broken' });
      const doc = (await (await app.request('/api/v1/openapi.json')).json()) as { components: { schemas: Record<string, { enum?: string[] }> } };
      expect(doc.components.schemas.RefusalCode?.enum).toEqual(REFUSAL_CODES);
      expect(REFUSAL_CODES).toContain(same.json.reason);
    } finally {
      await core.cleanup();
    }
  });
});
