import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { makeApp, makeCore } from '../test-support.js';
import { accessOfHandler, accessTable, routeAccess } from './access.js';

const SECURITY_MD = fileURLToPath(new URL('../../../SECURITY.md', import.meta.url));
const START = '<!-- routes:start -->\n';
const END = '<!-- routes:end -->';

const core = makeCore();
afterAll(() => core.cleanup());

describe('SECURITY.md', () => {
  it('carries the role table of the routes as they are', () => {
    const app = makeApp(core);
    const table = accessTable(app);
    const doc = readFileSync(SECURITY_MD, 'utf8');
    const at = doc.indexOf(START);
    const end = doc.indexOf(END);
    expect(at, 'SECURITY.md has the routes markers').toBeGreaterThan(0);
    const written = doc.slice(at + START.length, end).trimEnd();
    if (process.env.UPDATE_SECURITY_MD && written !== table) writeFileSync(SECURITY_MD, doc.slice(0, at + START.length) + table + '\n' + doc.slice(end));
    else expect(written, 'run UPDATE_SECURITY_MD=1 npx vitest run device/src/http/security-doc.test.ts').toBe(table);
  });

  it('reads the gates right', () => {
    const access = new Map(routeAccess(makeApp(core)).map((r) => [`${r.method} ${r.path}`, r.access]));
    expect(access.get('PUT /api/v1/members/{id}/role')).toBe('admin');
    expect(access.get('GET /api/v1/backup')).toBe('admin');
    expect(access.get('GET /api/v1/audit')).toBe('steward');
    expect(access.get('POST /api/v1/transfers')).toBe('member');
    expect(access.get('GET /api/v1/health')).toBe('anyone');
    expect(access.size).toBeGreaterThan(120);
    expect(accessOfHandler("(c) => { const s = requireRole(c, 'steward'); }")).toBe('steward');
  });
});
