import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY_MS } from '../clock.js';
import { HubError } from '../errors.js';
import { FUND } from '../ledger/types.js';
import { verifyLedger } from '../ledger/verify.js';
import { caller, makeApp, makeCore, T0, tokensFor, type TestCore } from '../test-support.js';

const HOUR = 3_600_000;
let core: TestCore;
let steward: string;
let ana: string;

/** A month of synthetic readings, one an hour: 10 kWh solar a day, 5 kWh imported and 2 exported, 800 L of water, soil in range 3 hours in 4. */
async function month(from: number, to: number) {
  const ts = core.telemetry;
  for (let t = from, i = 0; t < to; t += HOUR, i++) {
    const d = (t - from) / DAY_MS;
    ts.write({ sensor: 'inverter', metric: 'WH', t, value: 10_000 * d });
    ts.write({ sensor: 'inverter', metric: 'meter.TotWhImp', t, value: 5_000 * d });
    ts.write({ sensor: 'inverter', metric: 'meter.TotWhExp', t, value: 2_000 * d });
    ts.write({ sensor: 'kitchen-meter', metric: 'volume', t, value: 800 * d });
    ts.write({ sensor: 'allotment-probe', metric: 'soilMoisture', t, value: i % 4 === 3 ? 50 : 30 });
    ts.write({ sensor: 'allotment-probe', metric: 'soilTemperature', t, value: 12 });
    ts.write({ sensor: 'allotment-probe', metric: 'soilConductivity', t, value: i % 2 ? 50 : 500 }); // half the hours too salt-poor
  }
  await ts.flush();
}

beforeEach(async () => {
  core = makeCore({ ledger: { demurrageRatePercent: 0 } });
  steward = (await core.members.create({ name: 'S', email: 's@example.org', role: 'steward' }, null)).id;
  ana = (await core.members.create({ name: 'Ana', email: 'ana@example.org' }, null)).id;
});
afterEach(() => core.cleanup());

describe('ecological multiplier', () => {
  it('turns a known month of solar, water and soil data into the hand-computed multiplier', async () => {
    await month(T0 - 30 * DAY_MS, T0);
    const r = await core.ecology.report(ana, { kind: 'trees', quantity: 2, note: 'two apple trees' });
    await core.ecology.verify(r.id, steward, true);
    const ind = core.ecology.indicators(T0);
    expect(ind.solar.value).toBeCloseTo(10 / 13, 3); // 10 kWh made ÷ (10 + 5 − 2) kWh used
    expect(ind.water.value).toBeCloseTo(0.8, 3); // 800 L a day ÷ 1,000 L safe
    expect(ind.soil.value).toBe(0.75);
    // Temperature and conductivity stand beside moisture in the soil indicator's explanation.
    expect(ind.soil.inputs).toMatchObject({ temperatureMean: 12, temperatureInRange: 1 });
    expect(ind.soil.inputs.conductivityInRange).toBeCloseTo(0.5, 1);
    expect(ind.work.value).toBe(0.2); // 2 units ÷ target 10
    // R = 0.4·10/13 + 0.4·0.75 + 0.2·0.2 = 0.647692; E = 0.5·0.8 + 0.5 = 0.9; R ÷ E = 0.719658.
    const expectedRaw = (0.4 * (10 / 13) + 0.4 * 0.75 + 0.2 * 0.2) / (0.5 * 0.8 + 0.5);
    const seen: number[] = [];
    for (let day = 0; day < 7; day++) seen.push((await core.ecology.recompute(T0 + day * DAY_MS)).multiplier);
    // Smoothed: it moves at most 0.05 a day from 1.0 towards the raw value.
    expect(seen.slice(0, 5)).toEqual([0.95, 0.9, 0.85, 0.8, 0.75]);
    expect(seen[5]).toBeCloseTo(expectedRaw, 3);
    expect(seen[6]).toBeCloseTo(expectedRaw, 3);
    expect(core.ecology.history(T0 - 1, T0 + 7 * DAY_MS)).toHaveLength(7);
  });

  it('moves at most the daily step in any day, however often it is recomputed', async () => {
    await month(T0 - 30 * DAY_MS, T0);
    const seen: Array<{ at: number; m: number }> = [];
    for (let h = 0; h <= 72; h++) seen.push({ at: T0 + h * HOUR, m: (await core.ecology.recompute(T0 + h * HOUR)).multiplier });
    for (const a of seen) for (const b of seen) if (b.at > a.at && b.at - a.at <= DAY_MS) expect(Math.abs(b.m - a.m)).toBeLessThanOrEqual(0.05 + 1e-9);
    // Still it gets there: a step a day from 1.0 towards the raw value (the first step at the first recompute).
    expect(seen.map((s) => s.m).filter((m, i, all) => m !== all[i - 1])).toEqual([0.95, 0.9, 0.85, 0.8]);
    // A raw value that swings back cannot buy a second step within the day either.
    await core.governance.emergencyChange(steward, 'weightWater', 0, 'test: extraction drops, raw jumps up');
    const up = await core.ecology.recompute(T0 + 72 * HOUR + 1);
    expect(up.raw).toBeGreaterThan(1);
    expect(up.multiplier).toBeCloseTo(Math.min(...seen.filter((s) => s.at > T0 + 48 * HOUR - 1).map((s) => s.m)) + 0.05, 4);
  });

  it("reads the formula's weights from the community's parameters", async () => {
    await month(T0 - 30 * DAY_MS, T0);
    const before = await core.ecology.recompute(T0);
    // The community weighs water use more heavily (here by a steward's emergency change).
    await core.governance.emergencyChange(steward, 'weightWater', 0.75, 'drought year');
    const after = await core.ecology.recompute(T0 + HOUR);
    const R = 0.4 * (10 / 13) + 0.4 * 0.75;
    expect(before.raw).toBeCloseTo(R / (0.5 * 0.8 + 0.5), 3);
    expect(after.extraction).toBeCloseTo(0.75 * 0.8 + 0.5, 4);
    expect(after.raw).toBeCloseTo(R / (0.75 * 0.8 + 0.5), 3);
  });

  it('keeps the last good value with a stale flag when sensors fall silent; never zero', async () => {
    await month(T0 - 30 * DAY_MS, T0);
    const before = await core.ecology.recompute(T0);
    core.clock.set(T0 + 40 * DAY_MS); // a month and more of silence
    const ind = core.ecology.indicators();
    expect(ind.solar).toMatchObject({ stale: true, value: before.indicators.solar.value });
    expect(ind.water.stale).toBe(true);
    expect(ind.soil).toMatchObject({ stale: true, value: 0.75 });
    const after = await core.ecology.recompute();
    expect(after.multiplier).toBeGreaterThan(0.5);
    expect(after.raw).toBeCloseTo(before.raw, 6);
  });

  it('prices scarce water steeply near the boundary, capped', async () => {
    await month(T0 - 30 * DAY_MS, T0);
    await core.ecology.recompute(T0);
    // base 10 × 0.8² = 6.4 → 6
    expect(core.ecology.waterPrice(T0)).toMatchObject({ price: 6, base: 10, capped: false });
    const s = (await core.members.create({ name: 'S2', email: 's2@example.org', role: 'steward' }, null)).id;
    await core.governance.emergencyChange(s, 'waterSafeLitresPerDay', 200, 'drought');
    await core.ecology.recompute(T0 + HOUR);
    // 800 ÷ 200 = 4 → 10 × 16 = 160, capped at 5 × base = 50.
    expect(core.ecology.waterPrice(T0 + HOUR)).toMatchObject({ price: 50, capped: true });
  });
});

describe('credit capacity and regeneration credits', () => {
  it('sets the floor from capacity × multiplier when the community turns it on; lowering it only stops new spending', async () => {
    await core.ecology.setCapacity(ana, 100_000);
    expect(core.ledger.account(ana).floor).toBe(-50_000); // off by default
    await core.governance.emergencyChange(steward, 'ecologyLimitsEnabled', true, 'trial');
    expect(core.ledger.account(ana).floor).toBe(-100_000); // multiplier 1 before the first recompute
    await core.ledger.pay({ payer: ana, payee: steward, amount: 90_000, actor: ana });
    await month(T0 - 30 * DAY_MS, T0);
    for (let i = 0; i < 6; i++) {
      core.clock.set(T0 + i * HOUR);
      await core.ecology.recompute();
    }
    const floor = core.ledger.account(ana).floor;
    expect(floor).toBe(-Math.round(100_000 * core.ecology.current()!.multiplier));
    expect(core.ledger.account(ana).balance).toBe(-90_000); // below the new floor, untouched
    await expect(core.ledger.pay({ payer: ana, payee: steward, amount: 1, actor: ana })).rejects.toMatchObject({ slug: 'over-credit-limit' });
    await core.ledger.pay({ payer: steward, payee: ana, amount: 500, actor: steward });
    const why = core.ecology.explainLimit(ana);
    expect(why.explanation.join(' ')).toContain(`= ${floor}`);
    const m = core.ecology.current()!;
    expect(why).toMatchObject({ source: 'ecology', capacity: 100_000, multiplier: m.multiplier, stale: [] });
    expect(why.derivation).toMatchObject({
      regeneration: m.regeneration,
      extraction: m.extraction,
      raw: m.raw,
      multiplierMin: 0.5,
      multiplierMax: 1.5,
      maxStepPerDay: 0.05,
    });
    // Sensors fall silent: the floor holds on the last good values, and the answer names them.
    core.clock.set(T0 + 3 * DAY_MS);
    await core.ecology.recompute();
    const silent = core.ecology.explainLimit(ana);
    expect(silent.stale.map((x) => x.indicator).sort()).toEqual(['soil', 'solar', 'water']);
    expect(silent.floor).toBe(-Math.round(100_000 * core.ecology.current()!.multiplier));
    expect(silent.explanation.join(' ')).toMatch(/water sensors are silent; their last good value from 20\d\d-/);
    // A steward's floor for this member alone wins over the community's rule, and the answer says so.
    await core.ledger.setLimits(ana, 'credit', { floor: -120_000 }, steward);
    expect(core.ecology.explainLimit(ana)).toMatchObject({ source: 'set-by-steward', floor: -120_000 });
  });

  it('mints verified work from the community fund; nobody verifies their own', async () => {
    const r = await core.ecology.report(steward, { kind: 'compost', quantity: 3, note: 'three bins' });
    await expect(core.ecology.verify(r.id, steward, true)).rejects.toMatchObject({ title: 'Not your own work' });
    const other = (await core.members.create({ name: 'S2', email: 's2@example.org', role: 'steward' }, null)).id;
    const v = await core.ecology.verify(r.id, other, true);
    expect(v.credited).toBe(1_500);
    expect(core.ledger.account(steward).balance).toBe(1_500);
    expect(core.ledger.account(FUND).balance).toBe(-1_500);
    // The member hears of it, with the facts for a console to word in their language.
    expect(
      core.notifications
        .list(steward)
        .filter((n) => n.kind === 'regeneration-verified')
        .map((n) => n.params),
    ).toEqual([{ kind: 'compost', quantity: 3, amount: 1_500 }]);
  });

  it('stays zero-sum across minting, payments and demurrage', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.record({ k: fc.constant('mint' as const), q: fc.integer({ min: 1, max: 20 }) }),
            fc.record({ k: fc.constant('pay' as const), a: fc.integer({ min: 1, max: 20_000 }) }),
            fc.record({ k: fc.constant('days' as const), n: fc.integer({ min: 1, max: 30 }) }),
          ),
          { maxLength: 25 },
        ),
        async (ops) => {
          const c = makeCore({ ledger: { demurrageRatePercent: 12 } });
          try {
            const s1 = (await c.members.create({ name: 'A', email: 'a@example.org', role: 'steward' }, null)).id;
            const s2 = (await c.members.create({ name: 'B', email: 'b@example.org', role: 'steward' }, null)).id;
            for (const o of ops) {
              try {
                if (o.k === 'mint') await c.ecology.verify((await c.ecology.report(s1, { kind: 'trees', quantity: o.q, note: '' })).id, s2, true);
                else if (o.k === 'pay') await c.ledger.pay({ payer: s1, payee: s2, amount: o.a, actor: s1 });
                else {
                  c.clock.advance(o.n * DAY_MS);
                  await c.ledger.materialiseDemurrage();
                }
              } catch (e) {
                if (!(e instanceof HubError)) throw e;
              }
              const r = verifyLedger(c.ledger);
              expect(r.problems).toEqual([]);
              expect(r.totals.credit).toBe(0);
            }
          } finally {
            await c.cleanup();
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('ecology over HTTP', () => {
  it('explains a limit, refuses self-verification and shows the water price', async () => {
    const call = caller(makeApp(core), await tokensFor(core, { [steward]: steward, [ana]: ana }));
    await month(T0 - 30 * DAY_MS, T0);
    expect((await call(steward, 'POST', '/api/v1/ecology/recompute')).json.multiplier).toBe(0.95);
    const now = await call(ana, 'GET', '/api/v1/ecology');
    expect(now.json.waterPrice).toMatchObject({ base: 10 });
    expect(now.json.indicators.soil.value).toBe(0.75);
    expect((await call(ana, 'GET', `/api/v1/accounts/${ana}/limit-explanation`)).json.explanation[0]).toMatch(/Ecological limits are off/);
    expect((await call(ana, 'GET', `/api/v1/accounts/${steward}/limit-explanation`)).status).toBe(403);
    const rep = await call(steward, 'POST', '/api/v1/regeneration', { kind: 'land', quantity: 1, note: 'cleared brambles' });
    expect((await call(steward, 'POST', `/api/v1/regeneration/${rep.json.id}/verify`, { accept: true })).status).toBe(422);
    expect((await call(ana, 'POST', `/api/v1/regeneration/${rep.json.id}/verify`, { accept: true })).status).toBe(403);
  });
});

describe('paying for water at the scarcity price', () => {
  it('quotes, charges into the fund at the price shown, and refuses a price that moved since', async () => {
    const asAna = caller(makeApp(core), await tokensFor(core, { ana }));
    const call = (method: string, path: string, body?: unknown, key?: string) => asAna('ana', method, path, body, key ? { 'idempotency-key': key } : {});
    // No readings yet: the base price, 10 per 100 L.
    expect((await call('GET', '/api/v1/ecology/water-quote?litres=250')).json).toMatchObject({ litres: 250, pricePer100Litres: 10, ratio: null, amount: 25 });
    await month(T0 - 30 * DAY_MS, T0);
    await core.ecology.recompute(T0);
    // 800 L a day against 1,000 safe: 10 × 0.8² = 6.4 → 6 per 100 L; 250 L → 15.
    const q = (await call('GET', '/api/v1/ecology/water-quote?litres=250')).json;
    expect(q).toMatchObject({ pricePer100Litres: 6, ratio: 0.8, amount: 15, capped: false });
    const fundBefore = core.ledger.account(FUND).balance;
    const paid = await call('POST', '/api/v1/ecology/water-payments', { litres: 250, amount: 15 }, 'water-1');
    expect(paid.status).toBe(201);
    expect(paid.json.quote.amount).toBe(15);
    expect(core.ledger.account(ana).balance).toBe(-15);
    expect(core.ledger.account(FUND).balance).toBe(fundBefore + 15);
    // The same request again (a retried tap) is not charged twice.
    expect((await call('POST', '/api/v1/ecology/water-payments', { litres: 250, amount: 15 }, 'water-1')).json.transferId).toBe(paid.json.transferId);
    expect(core.ledger.account(ana).balance).toBe(-15);
    // A drought: the safe level drops, the price jumps; the amount once shown is refused, and nothing is charged.
    await core.governance.emergencyChange(steward, 'waterSafeLitresPerDay', 400, 'drought');
    core.clock.set(T0 + HOUR);
    await core.ecology.recompute();
    const stale = await call('POST', '/api/v1/ecology/water-payments', { litres: 250, amount: 15 });
    expect(stale.status).toBe(409);
    expect(stale.type).toMatch(/application\/problem\+json/);
    expect(stale.json).toMatchObject({ type: 'urn:hyphae:problem:price-changed', quote: { pricePer100Litres: 40, amount: 100, ratio: 2 } });
    expect(core.ledger.account(ana).balance).toBe(-15);
    expect((await call('GET', '/api/v1/ecology/water-quote?litres=0')).status).toBe(400);
    expect(verifyLedger(core.ledger).ok).toBe(true);
  });
});

describe('budgets and places', () => {
  it('counts CO₂e from grid imports against the monthly budget, with a warning from 80 % and the reason', async () => {
    // From the 1st of the month: 5 kWh a day imported.
    const monthStart = Date.UTC(2026, 0, 1);
    await month(monthStart, monthStart + 20 * DAY_MS);
    const now = monthStart + 20 * DAY_MS - HOUR;
    const [water, co2e] = core.ecology.budgets(now);
    // Water: 800 L a day for 20 days (less the last hour) against 1,000 L × 31 days.
    expect(water).toMatchObject({ boundary: 'water', unit: 'L', period: '2026-01', budget: 31_000, warning: false });
    expect(water!.used).toBeCloseTo(800 * (20 - 2 / 24), 0);
    // CO₂e: ~99.6 kWh × 250 g = ~24.9 kg of a 1,000 kg budget.
    const kwh = 5 * (20 - 2 / 24);
    expect(co2e).toMatchObject({ boundary: 'co2e', unit: 'kg', budget: 1_000, warning: false });
    expect(co2e!.used).toBeCloseTo(kwh * 0.25, 1);
    expect(co2e!.why).toMatch(/kWh bought from the grid × 250 g CO₂e per kWh/);
    // A steward tightens the budget below what is used (an emergency change, in force for two weeks): the warning shows.
    core.clock.set(now - DAY_MS);
    await core.governance.emergencyChange(steward, 'co2eBudgetKgPerMonth', 30, 'testing the warning');
    expect(core.ecology.budgets(now)[1]).toMatchObject({ budget: 30, warning: true });
    expect(core.ecology.budgets(now)[1]!.share).toBeCloseTo((kwh * 0.25) / 30, 3);
  });

  it('works out indicators per household or place from the sensors mapped to it', async () => {
    const ts = core.telemetry;
    const sensors = [
      ['roof-a', 'Roof A inverter', 'Holm household'],
      ['meter-a', 'Holm water', 'Holm household'],
      ['probe-b', 'Allotment probe', 'Allotments'],
    ] as const;
    for (const [unit, [id, name, place]] of sensors.entries()) {
      await core.devices.register({ kind: 'modbus', id, name, place, modbus: { host: '127.0.0.1', port: 502, unit: unit + 1 } as never });
    }
    const from = T0 - 10 * DAY_MS;
    for (let t = from, i = 0; t <= T0; t += HOUR, i++) {
      const d = (t - from) / DAY_MS;
      ts.write({ sensor: 'roof-a', metric: 'WH', t, value: 6_000 * d }); // 6 kWh a day made
      ts.write({ sensor: 'roof-a', metric: 'meter.TotWhImp', t, value: 4_000 * d }); // 4 bought
      ts.write({ sensor: 'roof-a', metric: 'meter.TotWhExp', t, value: 2_000 * d }); // 2 sold: 8 used
      ts.write({ sensor: 'meter-a', metric: 'volume', t, value: 300 * d });
      ts.write({ sensor: 'probe-b', metric: 'soilMoisture', t, value: i % 2 ? 25 : 45 });
      ts.write({ sensor: 'stray', metric: 'volume', t, value: 50 * d });
    }
    await ts.flush();
    const places = core.ecology.byPlace(T0);
    expect(places.map((p) => p.place)).toEqual(['Allotments', 'Holm household', 'unassigned']);
    const [allot, holm, stray] = places;
    expect(holm).toMatchObject({ solar: 0.75, soil: null, sensors: ['meter-a', 'roof-a'] }); // 6 ÷ (6 + 4 − 2)
    expect(holm!.litresPerDay).toBeCloseTo(300, 3);
    expect(allot).toMatchObject({ solar: null, litresPerDay: null, soil: 0.5 });
    expect(stray!.litresPerDay).toBeCloseTo(50, 3);
  });
});
