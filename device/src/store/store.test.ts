import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeCore } from '../test-support.js';

const MIB = 1024 ** 2;

describe('the store', () => {
  it('maps the database once, as large as storage.maxDatabaseMiB lets it grow, without making the file that large', async () => {
    const core = makeCore({ storage: { maxDatabaseMiB: 2048 } });
    try {
      const { mapSize } = core.store.root.getStats() as { mapSize: number };
      // Growing a small map maps the file again, and the pages read through the old map stay resident (store.ts).
      if (process.arch.endsWith('64')) expect(mapSize).toBeGreaterThanOrEqual(2048 * MIB);
      // Address space only: the file holds what was written.
      expect(statSync(core.store.dataFile).size).toBeLessThan(64 * MIB);
    } finally {
      await core.cleanup();
    }
  });
});
