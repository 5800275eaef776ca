import { rmSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configSchema, openCore, silentLogger, verifyLedger } from '@hyphae/device';
import { seedDemo } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'hyphae-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('demo neighbourhood', () => {
  it('seeds about 30 members with a history, once', async () => {
    const config = configSchema.parse({});
    const first = await seedDemo({ dataDir: dir, config });
    expect(first.seeded).toBe(true);
    expect(first.members).toBeGreaterThanOrEqual(30);
    expect(first.transfers).toBeGreaterThan(200);
    const again = await seedDemo({ dataDir: dir, config });
    expect(again.seeded).toBe(false);

    const core = openCore(dir, config, silentLogger);
    try {
      const report = verifyLedger(core.ledger);
      expect(report.problems).toEqual([]);
      expect(report.transfers).toBe(first.transfers);
      expect(core.ledger.account('fund').balance).toBeGreaterThan(0); // demurrage went to the fund
      expect(core.members.list({ status: 'pending' })).toHaveLength(2);
      const ana = core.members.byEmail('ana.lindqvist@demo.hyphae')!;
      expect(core.ledger.requestsOf(ana.id, { role: 'payer', status: 'open' }).length).toBeGreaterThanOrEqual(2);
    } finally {
      await core.close();
    }
  });
});
