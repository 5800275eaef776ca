import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Every call to the hub goes through the typed client: `get` for reads and
 * `send` for changes, each keyed by its path in the OpenAPI document, so a
 * path, a parameter, a body or an answer the hub does not have fails to
 * compile. The untyped `api()` underneath is for api.ts alone.
 */
const SRC = fileURLToPath(new URL('../../console/src/', import.meta.url));
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? files(join(dir, d.name)) : /\.(ts|tsx)$/.test(d.name) && !d.name.endsWith('.test.ts') ? [join(dir, d.name)] : [],
  );

describe('the typed client', () => {
  it('is the only way the pages reach the hub', () => {
    const untyped = files(SRC)
      .filter((f) => !f.endsWith('/api.ts') && !f.endsWith('/api-types.ts'))
      .flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/\bapi(<[^>]*>)?\(/g)].map(() => f.slice(SRC.length)));
    expect(untyped).toEqual([]);
  });
});
