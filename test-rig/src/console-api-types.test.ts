import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The console shares the API's types through a file generated from the
 * OpenAPI document the hub serves, never by importing device code. When a
 * route's schema changes, the file must be regenerated, or this fails.
 */
describe("the console's API types", () => {
  const script = fileURLToPath(new URL('../../console/scripts/api-types.mjs', import.meta.url));

  it("are what the hub's OpenAPI document describes now", () => {
    const r = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('matches the API');
  });

  it('come from the document, not from device code: the console imports nothing of the hub', () => {
    const generated = readFileSync(fileURLToPath(new URL('../../console/src/api-types.ts', import.meta.url)), 'utf8');
    expect(generated).toMatch(/"\/api\/v1\/ecology\/water-quote": \{/);
    const sources = spawnSync('grep', ['-rlE', "from '(@hyphae/device|\\.\\./\\.\\./device)", fileURLToPath(new URL('../../console/src/', import.meta.url))], {
      encoding: 'utf8',
    });
    expect(sources.stdout.trim()).toBe('');
  });
});
