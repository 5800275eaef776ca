import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** The console's first load must stay small for cheap phones on a slow mesh link. */
describe('console size budget', () => {
  it('ships at most 60 KiB gzip of JS and CSS on first load', async () => {
    const dist = fileURLToPath(new URL('../../console/dist/', import.meta.url));
    expect(existsSync(dist), 'build the console first (npm test does)').toBe(true);
    const { firstLoadBytes, BUDGET } = (await import(new URL('../../console/size-report.mjs', import.meta.url).href)) as {
      firstLoadBytes(d?: string): number;
      BUDGET: number;
    };
    const n = firstLoadBytes(dist);
    expect(BUDGET).toBe(60 * 1024);
    expect(n).toBeGreaterThan(1024); // something real was measured
    expect(n).toBeLessThanOrEqual(BUDGET);
  });
});
