import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { caller, makeApp, makeCore, withMembers, type TestCore } from '../test-support.js';

/**
 * The neighbourhood page's data in one answer: every plot at the resolution
 * it is drawn, worked out on the hub (energy from an inverter's counters,
 * water a day against the safe level) rather than by a dozen requests from a
 * phone.
 */
let core: TestCore;
let call: ReturnType<typeof caller>;
const H = 3_600_000;
const DAY = 24 * H;

beforeEach(async () => {
  core = makeCore();
  const m = await withMembers(core, { ana: 'resident' });
  call = caller(makeApp(core), m.tok);
  await core.devices.register({
    kind: 'modbus',
    id: 'inverter',
    name: 'Inverter',
    place: 'Community centre',
    profile: 'sunspec',
    modbus: { host: '127.0.0.1', port: 1502, unit: 1, pollSeconds: 15, timeoutMs: 1000, retries: 1 },
  });
  await core.devices.register({
    kind: 'lorawan',
    name: 'Kitchen meter',
    place: 'Community kitchen',
    profile: 'milesight-em300',
    otaa: { devEui: '24e1240000000001', appKey: '000102030405060708090a0b0c0d0e0f' },
  });
});
afterEach(() => core.cleanup());

describe('GET /api/v1/neighbourhood', () => {
  it('sends the multiplier, budgets and every plot at its resolution in one answer', async () => {
    const now = core.clock.now();
    const start = now - 3 * DAY - (now % H);
    // An inverter's counters every hour: it makes 2 kWh an hour, the site buys 1 kWh and sells 0.5 kWh.
    for (let i = 0; i <= 72; i++) {
      const t = start + i * H;
      core.telemetry.write({ sensor: 'inverter', metric: 'WH', t, value: 10_000 + 2_000 * i });
      core.telemetry.write({ sensor: 'inverter', metric: 'meter.TotWhImp', t, value: 5_000 + 1_000 * i });
      core.telemetry.write({ sensor: 'inverter', metric: 'meter.TotWhExp', t, value: 700 + 500 * i });
    }
    // A water meter's counter: 400 L a day.
    for (let d = 0; d <= 5; d++) core.telemetry.write({ sensor: '24e1240000000001', metric: 'volume', t: now - (5 - d) * DAY - 2 * H, value: 1_000 + 400 * d });
    core.telemetry.write({ sensor: '24e1240000000001', metric: 'soilMoisture', t: now - H, value: 31.256 });
    await core.telemetry.flush();

    const r = await call('ana', 'GET', '/api/v1/neighbourhood');
    expect(r.status).toBe(200);
    expect(r.json.ecology).toMatchObject({ budgets: expect.any(Array), waterBudget: expect.any(Object) });
    const byKind: Record<string, any> = Object.fromEntries((r.json.plots as Array<{ kind: string }>).map((p) => [p.kind, p]));
    expect(Object.keys(byKind)).toEqual(['energy', 'water', 'soil']);
    // Energy: made and used (made + bought − sold) per whole hour, named by role for the console to word.
    const energy = byKind.energy as { place: string; series: Array<{ role: string; t: number[]; v: number[] }> };
    expect(energy.place).toBe('Community centre');
    expect(energy.series.map((s) => s.role)).toEqual(['generated', 'used']);
    expect(new Set(energy.series[0]!.v)).toEqual(new Set([2_000]));
    expect(new Set(energy.series[1]!.v)).toEqual(new Set([2_500]));
    expect(energy.series[0]!.t.every((t) => t % H === start % H && t + H <= now)).toBe(true);
    // Water: litres a day per meter on one axis, and the community's safe level beside it.
    const water = byKind.water as { series: Array<{ label: string | null; role: string | null; v: Array<number | null> }> };
    expect(water.series[0]).toMatchObject({ label: 'Community kitchen', role: null });
    expect(water.series[0]!.v.filter((v) => v !== null).every((v) => v === 400)).toBe(true);
    expect(water.series.at(-1)!.role).toBe('safe-level');
    // Soil by the hour, as drawn (two decimals).
    expect((byKind.soil as { series: Array<{ v: number[] }> }).series[0]!.v).toEqual([31.26]);
  });

  it("brings the water card's price and the member's own regeneration reports with it", async () => {
    const m = await withMembers(core, { bo: 'resident' });
    const as = caller(makeApp(core), m.tok);
    const anaId = core.members.byEmail('ana@example.org')!.id;
    await core.ecology.report(m.id.bo!, { kind: 'trees', quantity: 3, note: 'three oaks' });
    await core.ecology.report(anaId, { kind: 'compost', quantity: 1, note: 'one bin' });
    const r = await as('bo', 'GET', '/api/v1/neighbourhood');
    expect(r.json.waterQuote).toEqual(core.ecology.waterQuote(100));
    expect(r.json.regeneration.creditPerUnit).toBe(500);
    // Only Bo's own reports, not his neighbours'.
    expect(r.json.regeneration.mine.map((x: { note: string; memberId: string }) => [x.note, x.memberId])).toEqual([['three oaks', m.id.bo]]);
  });
});
