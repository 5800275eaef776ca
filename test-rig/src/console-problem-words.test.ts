import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The console words the hub's refusals from their reason codes (the title in
// kebab case) or their type. A key for a reason the hub no longer gives would
// quietly never show, so every key must name one the hub's source can throw.
const DEVICE = fileURLToPath(new URL('../../device/src/', import.meta.url));
const I18N = fileURLToPath(new URL('../../console/src/i18n/en.ts', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [join(dir, e.name)] : []));
}

const reason = (title: string) => title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

describe('the console\'s words for the hub\'s refusals', () => {
  it('name only reasons and types the hub can give', () => {
    const text = sources(DEVICE).map((f) => readFileSync(f, 'utf8')).join('\n');
    const codes = new Set<string>();
    for (const m of text.matchAll(/HubError\.rule\('([a-z-]+)', '((?:[^'\\]|\\.)+)'/g)) codes.add(m[1]!).add(reason(m[2]!.replace(/\\'/g, "'")));
    for (const m of text.matchAll(/new HubError\(\d+, '([a-z-]+)', '((?:[^'\\]|\\.)+)'/g)) codes.add(m[1]!).add(reason(m[2]!));
    for (const m of text.matchAll(/HubError\.conflict\([^;]*?, '([^']+)'\)/g)) codes.add(reason(m[1]!));
    for (const m of readFileSync(join(DEVICE, 'errors.ts'), 'utf8').matchAll(/\| '([a-z-]+)'/g)) codes.add(m[1]!);
    expect(codes.size).toBeGreaterThan(40);
    const i18n = readFileSync(I18N, 'utf8');
    const english = i18n.slice(i18n.indexOf('export const en = {'), i18n.indexOf('\n};', i18n.indexOf('export const en = {')));
    const keys = [...english.matchAll(/^ {2}(err_[a-z0-9_]+):/gm)].map((m) => m[1]!).filter((k) => k !== 'err_over_credit_limit_available');
    expect(keys.length).toBeGreaterThan(40);
    const stale = keys.filter((k) => !codes.has(k.slice(4).replace(/_/g, '-')));
    expect(stale).toEqual([]);
  });
});
