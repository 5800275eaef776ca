import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HubError } from '../errors.js';
import { Store } from './store.js';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hyphae-collection-'));
  store = Store.open(dir);
});
afterEach(async () => {
  await store.root.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a collection', () => {
  it('lists, filters, pages the newest and answers a missing record with a 404 that names it', async () => {
    const runs = store.collection<{ id: string; at: number; ok: boolean }>('runs', 'clearing run');
    await store.write(() => {
      for (const [id, at, ok] of [
        ['r1', 30, true],
        ['r2', 10, false],
        ['r3', 20, true],
      ] as const)
        runs.put(id, { id, at, ok });
    });
    expect(runs.all().map((r) => r.id)).toEqual(['r1', 'r2', 'r3']);
    expect(runs.where((r) => r.ok).map((r) => r.id)).toEqual(['r1', 'r3']);
    expect(runs.newest((r) => r.at).map((r) => r.id)).toEqual(['r1', 'r3', 'r2']);
    expect(runs.newest((r) => r.at, { test: (r) => r.ok, limit: 1 }).map((r) => r.id)).toEqual(['r1']);
    expect(runs.need('r2')).toMatchObject({ at: 10 });
    const missing = (() => {
      try {
        runs.need('r9');
      } catch (e) {
        return e;
      }
    })();
    expect(missing).toBeInstanceOf(HubError);
    expect((missing as HubError).status).toBe(404);
    expect((missing as HubError).message).toContain('clearing run r9');
    // Still the lmdb database underneath: its own API is all there.
    expect(runs.getCount()).toBe(3);
  });
});
