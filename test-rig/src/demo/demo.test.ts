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
      expect(report.transfers).toBeGreaterThan(first.transfers); // plus deposits and fees at the tool desk
      // Demurrage went to the fund (which has since paid for a drill and for regeneration work).
      expect([...core.ledger.journal.scan()].filter((e) => e.kind === 'demurrage').length).toBeGreaterThan(100);
      expect(core.members.list({ status: 'pending' })).toHaveLength(2);
      const ana = core.members.byEmail('ana.lindqvist@demo.hyphae')!;
      expect(core.ledger.requestsOf(ana.id, { role: 'payer', status: 'open' }).length).toBeGreaterThanOrEqual(2);
      // The tool library: about 40 items in several categories, with loans, a queue and a ticket.
      expect(core.library.catalogue.search().length).toBeGreaterThanOrEqual(40);
      expect(core.library.catalogue.categories().length).toBeGreaterThanOrEqual(8);
      expect(core.library.loans.loansOf().length).toBeGreaterThan(30);
      expect(core.library.loans.loansOf({ open: true }).length).toBeGreaterThan(0);
      // Exactly two waiting for the drill, whoever the random history lent it to.
      expect(core.library.holds.holdsOf('T-0001').length).toBe(2);
      // And it is out, so they wait (the console's journeys queue for it).
      expect(core.library.catalogue.item('T-0001').status).toBe('on-loan');
      expect(core.library.holds.holdsOf('T-0001').every((h) => h.readyAt === null)).toBe(true);
      expect(core.library.maintenance.tickets({ open: true }).length).toBeGreaterThan(0);
      // Skills with gaps.
      const gaps = core.skills.gapReport();
      expect(gaps.missing.map((g) => g.skill)).toContain('welding');
      expect(gaps.singleHolder.length).toBeGreaterThan(3);
      expect(core.board.listPosts({ status: 'open' }).length).toBeGreaterThanOrEqual(4);
      // A month of sensor history.
      expect(core.devices.list('lorawan').length).toBeGreaterThanOrEqual(5);
      const series = core.telemetry.listSeries();
      expect(series.some((s) => s.metric === 'soilMoisture' && s.last - s.first > 29 * 86_400_000)).toBe(true);
      // Ecology and governance: multipliers driven by the sensors, work awaiting a steward, an open proposal, a decision log.
      const snap = core.ecology.current()!;
      expect(snap.indicators.solar.value).toBeGreaterThan(0);
      expect(snap.indicators.water.value).toBeGreaterThan(0);
      expect(snap.indicators.soil.value).not.toBeNull();
      expect(core.ecology.history(0, Date.now() + 1).length).toBeGreaterThanOrEqual(8);
      expect(core.ecology.listReports('reported')).toHaveLength(1);
      // Two open proposals; the policy by consensus is in its block period, with a discussion.
      const open = core.governance.list('open');
      expect(open).toHaveLength(2);
      const quiet = open.find((p) => p.mode === 'consensus')!;
      expect(quiet.discussionEndsAt).toBeLessThan(Date.now());
      expect(quiet.closesAt).toBeGreaterThan(Date.now());
      expect(core.governance.comments(quiet.id)).toHaveLength(2);
      expect(core.governance.decisionLog().length).toBe(2);
      const [round] = core.governance.budgets.list();
      expect(round).toMatchObject({ status: 'open', quadratic: true });
      expect(core.governance.budgets.standings(round!.id).map((s) => s.supporters)).toEqual([8, 8, 8]);
    } finally {
      await core.close();
    }
  });
});
