import type { Logger } from 'pino';
import type { AuditLog } from '../audit/audit.js';
import { DAY_MS, type Clock } from '../clock.js';
import { found, HubError } from '../errors.js';
import type { Parameters } from '../governance/parameters.js';
import { randomId } from '../ids.js';
import type { Ledger } from '../ledger/ledger.js';
import { FUND } from '../ledger/types.js';
import type { Notifications } from '../notifications/notifications.js';
import type { Devices } from '../sensing/devices.js';
import type { Store } from '../store/store.js';
import type { TelemetryStore } from '../telemetry/store.js';
import { refuse, type ReportStatus, type CapacitySource, type RegenerationKind, type Boundary } from './contract.js';

/**
 * Readings become ecological multipliers. Indicators come from the
 * time-series store over a window; the multiplier is regeneration over
 * extraction, bounded by the community's limits and smoothed so it cannot
 * jump from one day to the next. Stale sensors never zero anything: the last
 * good value holds, flagged, until a steward acts.
 *
 *   regeneration R = wSolar·S + wSoil·T + wWork·W
 *     S = min(1, generation ÷ consumption)        solar self-sufficiency
 *     T = share of soil-moisture readings in the target range
 *     W = min(1, verified regeneration units ÷ work target)
 *   extraction E = wWater·min(2, water use ÷ safe use) + wBase
 *   multiplier = clamp(R ÷ E, min, max), within maxStep of every value in force over the past day
 */
export interface EcologySettings {
  windowDays: number;
  soilTarget: [number, number];
  /** °C and µS/cm: what healthy growing soil sits between. */
  soilTemperatureTarget: [number, number];
  soilConductivityTarget: [number, number];
  workTarget: number;
  maxStepPerDay: number;
  staleHours: number;
}

export const DEFAULT_ECOLOGY: EcologySettings = {
  windowDays: 30,
  soilTarget: [20, 40],
  soilTemperatureTarget: [5, 30],
  soilConductivityTarget: [100, 2_000],
  workTarget: 10,
  maxStepPerDay: 0.05,
  staleHours: 24,
};

export interface Indicator {
  value: number | null;
  stale: boolean;
  /** The numbers behind it, for explanations. */
  inputs: Record<string, number | null>;
  asOf: number | null;
}

export interface Snapshot {
  at: number;
  indicators: { solar: Indicator; water: Indicator; soil: Indicator; work: Indicator };
  raw: number;
  multiplier: number;
  previous: number;
  regeneration: number;
  extraction: number;
}

/** Where a member's floor comes from, with the numbers behind it. */
export interface LimitExplanation {
  floor: number;
  /** A steward's floor for this member wins; else the default when ecological limits are off or no capacity is recorded; else capacity × multiplier. */
  source: CapacitySource;
  capacity: number | null;
  enabled: boolean;
  multiplier: number;
  /** How the multiplier in force was reached; null before the first recompute. */
  derivation: {
    regeneration: number;
    extraction: number;
    raw: number;
    previous: number;
    maxStepPerDay: number;
    at: number;
    multiplierMin: number;
    multiplierMax: number;
  } | null;
  /** Indicators whose sensors fell silent, standing on their last good value. */
  stale: Array<{ indicator: keyof Snapshot['indicators']; asOf: number | null }>;
  indicators: Snapshot['indicators'] | null;
  parameters: { multiplierMin: number; multiplierMax: number };
  explanation: string[];
}

/** What drawing water from the commons costs now; prices in minor units per 100 litres. */
export interface WaterQuote {
  litres: number;
  pricePer100Litres: number;
  basePer100Litres: number;
  /** Use ÷ the safe level over the water window; null before there are readings (then the base price applies). */
  ratio: number | null;
  capped: boolean;
  /** The curve the price follows, for showing it: base × ratio^elasticity, never above the cap. */
  elasticity: number;
  capPer100Litres: number;
  /** What the member pays, rounded up to a whole minor unit. */
  amount: number;
}

export interface WorkReport {
  id: string;
  memberId: string;
  kind: RegenerationKind;
  quantity: number;
  note: string;
  at: number;
  status: ReportStatus;
  verifiedBy: string | null;
  credited: number;
  transferId: string | null;
}

export class Ecology {
  private readonly snapshots;
  private readonly lastGood;
  private readonly reports;
  private readonly capacity;

  constructor(
    private readonly store: Store,
    private readonly telemetry: TelemetryStore,
    private readonly devices: Devices,
    private readonly ledger: Ledger,
    private readonly params: Parameters,
    private readonly clock: Clock,
    private readonly settings: EcologySettings,
    private readonly log: Logger,
    private readonly notifications?: Notifications,
    private readonly audit?: AuditLog,
  ) {
    this.snapshots = store.db<Snapshot, number>('ecology-snapshots');
    this.lastGood = store.db<Indicator, string>('ecology-last-good');
    this.reports = store.collection<WorkReport, string>('regeneration-reports', 'report');
    this.capacity = store.db<number, string>('productive-capacity');
  }

  // ── indicators ──────────────────────────────────────────────────────────

  private seriesOf(metric: string): string[] {
    return this.telemetry
      .listSeries()
      .filter((s) => s.metric === metric)
      .map((s) => s.sensor);
  }

  /** Growth of an accumulating series (Wh, litres) over [from, to): last minus first reading. */
  private growth(sensor: string, metric: string, from: number, to: number): { value: number; last: number; spanMs: number } | null {
    const pts = this.telemetry.query(sensor, metric, from, to, to - from > 2 * DAY_MS ? '1h' : '5m').points;
    const first = pts[0];
    const last = pts.at(-1);
    if (pts.length < 2 || !first || !last) return null;
    return { value: Math.max(0, last.max - first.min), last: last.t, spanMs: last.t - first.t };
  }

  private fresh(asOf: number | null, now: number): boolean {
    return asOf !== null && now - asOf <= this.settings.staleHours * 3_600_000;
  }

  /** The last good value holds when a sensor goes quiet, flagged as stale. */
  private holdIfStale(name: string, computed: Indicator, now: number): Indicator {
    if (computed.value !== null && this.fresh(computed.asOf, now)) return computed;
    const prev = this.lastGood.get(name);
    return prev ? { ...prev, stale: true } : { ...computed, stale: computed.value === null || !this.fresh(computed.asOf, now) };
  }

  indicators(now = this.clock.now()): Snapshot['indicators'] {
    const from = now - this.settings.windowDays * DAY_MS;
    // Solar: generation from inverters' WH; consumption = generation + import − export where a meter says so.
    let gen = 0;
    let imp = 0;
    let exp = 0;
    let solarAsOf: number | null = null;
    let haveMeter = false;
    for (const s of this.seriesOf('WH')) {
      const g = this.growth(s, 'WH', from, now);
      if (g) {
        gen += g.value;
        solarAsOf = Math.max(solarAsOf ?? 0, g.last);
      }
    }
    for (const s of this.seriesOf('meter.TotWhImp')) {
      const i = this.growth(s, 'meter.TotWhImp', from, now);
      const e = this.growth(s, 'meter.TotWhExp', from, now);
      if (i) {
        haveMeter = true;
        imp += i.value;
        exp += e?.value ?? 0;
      }
    }
    const consumption = haveMeter ? gen + imp - exp : null;
    const solar: Indicator = {
      value: consumption && consumption > 0 ? Math.min(1, gen / consumption) : null,
      stale: false,
      inputs: { generationWh: gen, importWh: haveMeter ? imp : null, exportWh: haveMeter ? exp : null, consumptionWh: consumption },
      asOf: solarAsOf,
    };

    // Water: litres a day over the window against the safe use per day.
    // Each meter's use per day over the time its readings cover, summed over meters.
    let perDay: number | null = null;
    let waterAsOf: number | null = null;
    for (const s of this.seriesOf('volume')) {
      const g = this.growth(s, 'volume', from, now);
      if (g && g.spanMs > 0) {
        perDay = (perDay ?? 0) + g.value / (g.spanMs / DAY_MS);
        waterAsOf = Math.max(waterAsOf ?? 0, g.last);
      }
    }
    const safe = this.params.number('waterSafeLitresPerDay', now);
    const water: Indicator = {
      value: perDay === null ? null : perDay / safe,
      stale: false,
      inputs: { litresPerDay: perDay, safeLitresPerDay: safe },
      asOf: waterAsOf,
    };

    // Soil: share of moisture readings inside the target range.
    let inRange = 0;
    let total = 0;
    let soilAsOf: number | null = null;
    const [lo, hi] = this.settings.soilTarget;
    for (const s of this.seriesOf('soilMoisture')) {
      for (const p of this.telemetry.query(s, 'soilMoisture', from, now, 'raw').points) {
        total++;
        if (p.mean >= lo && p.mean <= hi) inRange++;
        soilAsOf = Math.max(soilAsOf ?? 0, p.t);
      }
    }
    // Temperature and conductivity are part of soil health too: shown beside the moisture share,
    // with how often they sat in their own target ranges.
    const alsoInRange = (metric: string, [tlo, thi]: [number, number]) => {
      let n = 0;
      let ok = 0;
      let sum = 0;
      for (const sensor of this.seriesOf(metric)) {
        for (const p of this.telemetry.query(sensor, metric, from, now, '1h').points) {
          n++;
          sum += p.mean;
          if (p.mean >= tlo && p.mean <= thi) ok++;
        }
      }
      return n ? { mean: round4(sum / n), share: round4(ok / n) } : { mean: null, share: null };
    };
    const temp = alsoInRange('soilTemperature', this.settings.soilTemperatureTarget);
    const ec = alsoInRange('soilConductivity', this.settings.soilConductivityTarget);
    const soil: Indicator = {
      value: total ? inRange / total : null,
      stale: false,
      inputs: {
        readings: total,
        inRange,
        targetLow: lo,
        targetHigh: hi,
        temperatureMean: temp.mean,
        temperatureInRange: temp.share,
        conductivityMean: ec.mean,
        conductivityInRange: ec.share,
      },
      asOf: soilAsOf,
    };

    // Regeneration work verified in the window.
    const units = this.listReports()
      .filter((r) => r.status === 'verified' && r.at >= from)
      .reduce((a, r) => a + r.quantity, 0);
    const work: Indicator = {
      value: Math.min(1, units / this.settings.workTarget),
      stale: false,
      inputs: { verifiedUnits: units, target: this.settings.workTarget },
      asOf: now,
    };

    return {
      solar: this.holdIfStale('solar', solar, now),
      water: this.holdIfStale('water', water, now),
      soil: this.holdIfStale('soil', soil, now),
      work,
    };
  }

  /** Computes today's multiplier, stores it (and the indicators' last good values), and writes it as a series. */
  async recompute(now = this.clock.now()): Promise<Snapshot> {
    const ind = this.indicators(now);
    // The weights are the community's parameters: changed only by a decision, read as of this moment.
    const w = {
      solar: this.params.number('weightSolar', now),
      soil: this.params.number('weightSoil', now),
      work: this.params.number('weightWork', now),
      water: this.params.number('weightWater', now),
      base: this.params.number('weightBase', now),
    };
    const S = ind.solar.value ?? 0.5;
    const T = ind.soil.value ?? 0.5;
    const W = ind.work.value ?? 0;
    const ratio = Math.min(2, ind.water.value ?? 1);
    const regeneration = w.solar * S + w.soil * T + w.work * W;
    const extraction = w.water * ratio + w.base;
    const min = this.params.number('multiplierMin', now);
    const max = this.params.number('multiplierMax', now);
    const raw = Math.min(max, Math.max(min, regeneration / extraction));
    const { previous, lo, hi } = this.smoothingBand(now);
    const multiplier = round4(Math.min(hi, Math.max(lo, raw)));
    const snap: Snapshot = {
      at: now,
      indicators: ind,
      raw: round4(raw),
      multiplier,
      previous,
      regeneration: round4(regeneration),
      extraction: round4(extraction),
    };
    await this.store.write(() => {
      this.snapshots.put(now, snap);
      for (const [k, v] of Object.entries(ind)) if (!v.stale && v.value !== null) this.lastGood.put(k, v);
    });
    this.telemetry.write({ sensor: 'ecology', metric: 'multiplier', t: now, value: multiplier });
    const price = this.waterPrice(now);
    if (price.price !== null) this.telemetry.write({ sensor: 'ecology', metric: 'price.water', t: now, value: price.price });
    this.log.info(
      {
        module: 'ecology',
        multiplier,
        raw: snap.raw,
        stale: Object.entries(ind)
          .filter(([, v]) => v.stale)
          .map(([k]) => k),
      },
      'ecological multiplier recomputed',
    );
    return snap;
  }

  /**
   * How far the multiplier may move at `now`. The job recomputes every hour
   * and a steward may recompute at any time, so the limit cannot be per
   * recompute: the new value stays within maxStepPerDay of every value in
   * force during the past day. Then no two values a day apart or less differ
   * by more than the step, however often it is recomputed.
   */
  private smoothingBand(now: number): { previous: number; lo: number; hi: number } {
    const inForce: number[] = [];
    for (const { value } of this.snapshots.getRange({ start: now - DAY_MS, reverse: true, limit: 1 })) inForce.push(value.multiplier);
    for (const { value } of this.snapshots.getRange({ start: now - DAY_MS + 1, end: now })) inForce.push(value.multiplier);
    if (inForce.length === 0) inForce.push(1);
    const previous = inForce.at(-1) ?? 1;
    const step = this.settings.maxStepPerDay;
    const lo = Math.max(...inForce) - step;
    const hi = Math.min(...inForce) + step;
    // Only if the step itself was narrowed can the past day already span more than it: then hold.
    return lo <= hi ? { previous, lo, hi } : { previous, lo: previous, hi: previous };
  }

  /**
   * The snapshot in force at `now`: the newest taken at or before it. Not
   * simply the newest: one taken while the clock had jumped ahead would
   * otherwise stay "newest" and freeze the multiplier until real time caught up.
   */
  current(now = this.clock.now()): Snapshot | undefined {
    for (const { value } of this.snapshots.getRange({ start: now, reverse: true, limit: 1 })) return value;
    return undefined;
  }

  history(from: number, to: number): Array<{ at: number; multiplier: number; raw: number }> {
    return [...this.snapshots.getRange({ start: from, end: to })].map(({ value }) => ({ at: value.at, multiplier: value.multiplier, raw: value.raw }));
  }

  // ── credit capacity ─────────────────────────────────────────────────────

  async setCapacity(memberId: string, minor: number, actor: string | null = null): Promise<void> {
    if (!Number.isSafeInteger(minor) || minor < 0) throw HubError.badRequest('capacity is a whole number of minor units ≥ 0');
    await this.store.write(() => {
      this.audit?.recordInTxn(actor, 'capacity', memberId, { capacity: minor, before: this.capacity.get(memberId) ?? null });
      this.capacity.put(memberId, minor);
    });
  }

  /** The floor the ledger uses when the community turned ecological limits on; null means the default. */
  floorFor(memberId: string): number | null {
    if (!this.params.valueAt('ecologyLimitsEnabled')) return null;
    const cap = this.capacity.get(memberId);
    if (cap === undefined) return null;
    return -Math.round(cap * (this.current()?.multiplier ?? 1));
  }

  /**
   * "Why is my limit this?" Where the floor comes from, with every number
   * behind it, so a console can say it in the member's language; the English
   * sentences are for API users and logs.
   */
  explainLimit(memberId: string): LimitExplanation {
    const acct = this.ledger.account(memberId);
    const snap = this.current();
    const enabled = Boolean(this.params.valueAt('ecologyLimitsEnabled'));
    const cap = this.capacity.get(memberId) ?? null;
    const bounds = { multiplierMin: this.params.number('multiplierMin'), multiplierMax: this.params.number('multiplierMax') };
    const source: LimitExplanation['source'] =
      this.ledger.floorSetFor(memberId) !== null ? 'set-by-steward' : !enabled ? 'default' : cap === null ? 'no-capacity' : 'ecology';
    const multiplier = snap?.multiplier ?? 1;
    const derivation = snap
      ? {
          regeneration: snap.regeneration,
          extraction: snap.extraction,
          raw: snap.raw,
          previous: snap.previous,
          maxStepPerDay: this.settings.maxStepPerDay,
          at: snap.at,
          ...bounds,
        }
      : null;
    const stale = snap
      ? (Object.entries(snap.indicators) as Array<[keyof Snapshot['indicators'], Indicator]>)
          .filter(([, v]) => v.stale)
          .map(([k, v]) => ({ indicator: k, asOf: v.asOf }))
      : [];
    const lines: string[] = [];
    if (source === 'set-by-steward') lines.push(`A steward set your floor to ${acct.floor} for you alone; it stands until they change it.`);
    else if (source === 'default') lines.push(`Ecological limits are off; the community default floor of ${acct.floor} applies.`);
    else if (source === 'no-capacity') lines.push(`No productive capacity is recorded for you yet, so the community default floor of ${acct.floor} applies.`);
    else {
      lines.push(`Your productive capacity is ${cap}, set by the stewards from your skills, time and tools.`);
      lines.push(`So your floor is −${cap} × ${multiplier} = ${acct.floor}.`);
    }
    if (derivation) {
      lines.push(
        `The ecological multiplier is ${multiplier}: regeneration ${derivation.regeneration} over extraction ${derivation.extraction} gives ${derivation.raw} within the community's bounds ${bounds.multiplierMin}–${bounds.multiplierMax}, ` +
          `and it moves at most ${derivation.maxStepPerDay} a day.`,
      );
    }
    for (const s of stale)
      lines.push(
        `The ${s.indicator} sensors are silent; their last good value${s.asOf === null ? '' : ` from ${new Date(s.asOf).toISOString()}`} still counts.`,
      );
    return {
      floor: acct.floor,
      source,
      capacity: cap,
      enabled,
      multiplier,
      derivation,
      stale,
      indicators: snap?.indicators ?? null,
      parameters: bounds,
      explanation: lines,
    };
  }

  // ── scarcity pricing ────────────────────────────────────────────────────

  /** The community's price curve for water at time `now`: base per 100 L, elasticity, and the cap. */
  private priceCurve(now: number): { base: number; elasticity: number; cap: number } {
    const base = this.params.number('waterBasePrice', now);
    return { base, elasticity: this.params.number('scarcityElasticity', now), cap: this.params.number('scarcityPriceCap', now) * base };
  }

  /** base × (use ÷ safe)^elasticity, capped; steep near the boundary. Shown before anyone commits. */
  waterPrice(now = this.clock.now()): { price: number | null; base: number; ratio: number | null; capped: boolean } {
    return this.priceAt(now, this.priceCurve(now));
  }

  private priceAt(
    now: number,
    { base, elasticity, cap }: { base: number; elasticity: number; cap: number },
  ): { price: number | null; base: number; ratio: number | null; capped: boolean } {
    const ratio = this.current(now)?.indicators.water.value ?? this.indicators(now).water.value;
    if (ratio === null) return { price: null, base, ratio: null, capped: false };
    const p = base * Math.pow(ratio, elasticity);
    return { price: Math.round(Math.min(cap, p)), base, ratio: round4(ratio), capped: p > cap };
  }

  /** The price of `litres` now: waterBasePrice is per 100 litres at the safe level of use. */
  waterQuote(litres: number, now = this.clock.now()): WaterQuote {
    if (!Number.isSafeInteger(litres) || litres <= 0) throw HubError.badRequest(`litres must be a whole number above 0, got ${litres}`);
    const curve = this.priceCurve(now);
    const p = this.priceAt(now, curve);
    const per100 = p.price ?? p.base;
    return {
      litres,
      pricePer100Litres: per100,
      basePer100Litres: p.base,
      ratio: p.ratio,
      capped: p.capped,
      elasticity: curve.elasticity,
      capPer100Litres: curve.cap,
      amount: Math.ceil((litres * per100) / 100),
    };
  }

  /**
   * A member pays for water drawn from the commons, into the community fund,
   * at the amount they were shown. If the price moved in between, nothing is
   * charged and the new quote comes back: a price is only ever paid once seen.
   */
  async payForWater(
    memberId: string,
    litres: number,
    shownAmount: number,
    idempotencyKey: string | null = null,
  ): Promise<{ quote: WaterQuote; transferId: string | null }> {
    const paid = await this.store.write(() =>
      this.ledger.withIdempotency('water', memberId, idempotencyKey, { litres, shownAmount }, () => {
        const quote = this.waterQuote(litres);
        if (quote.amount !== shownAmount) {
          throw refuse('price-changed', `${litres} L now cost ${quote.amount}, not ${shownAmount}; look at the new price and confirm again`, { quote });
        }
        const memo = `water: ${litres} L at ${quote.pricePer100Litres} per 100 L${quote.ratio === null ? '' : ` (use at ${Math.round(quote.ratio * 100)}% of the safe level)`}`;
        const t =
          quote.amount > 0
            ? this.ledger.payInTxn({ payer: memberId, payee: FUND, amount: quote.amount, memo, category: 'water', actor: memberId }, null)
            : null;
        return { quote, transferId: t?.id ?? null };
      }),
    );
    this.log.info(
      { module: 'ecology', member: memberId, litres, amount: paid.quote.amount, pricePer100Litres: paid.quote.pricePer100Litres, transfer: paid.transferId },
      'water paid for',
    );
    return paid;
  }

  // ── regeneration work ───────────────────────────────────────────────────

  async report(memberId: string, input: { kind: WorkReport['kind']; quantity: number; note: string }): Promise<WorkReport> {
    if (!Number.isSafeInteger(input.quantity) || input.quantity <= 0) throw HubError.badRequest('quantity is a whole number above 0');
    const r: WorkReport = {
      id: randomId('rw_', 6),
      memberId,
      kind: input.kind,
      quantity: input.quantity,
      note: input.note,
      at: this.clock.now(),
      status: 'reported',
      verifiedBy: null,
      credited: 0,
      transferId: null,
    };
    await this.store.write(() => this.reports.put(r.id, r));
    return r;
  }

  /** A steward other than the reporter verifies; the credits come from the community fund in the same transaction. */
  async verify(id: string, steward: string, accept: boolean): Promise<WorkReport> {
    return this.store.write(() => {
      const r = found(this.reports.get(id), `report ${id}`);
      if (r.status !== 'reported') throw refuse('already-decided', `this report is ${r.status}`);
      if (r.memberId === steward) throw refuse('not-your-own-work', 'another steward must verify work you reported');
      if (!accept) {
        const next = { ...r, status: 'rejected' as const, verifiedBy: steward };
        this.reports.put(id, next);
        return next;
      }
      const amount = this.params.number('regenerationCreditPerUnit') * r.quantity;
      const t =
        amount > 0
          ? this.ledger.payInTxn(
              { payer: FUND, payee: r.memberId, amount, memo: `regeneration: ${r.quantity} ${r.kind}`, category: 'regeneration', actor: steward },
              null,
            )
          : null;
      const next = { ...r, status: 'verified' as const, verifiedBy: steward, credited: amount, transferId: t?.id ?? null };
      this.reports.put(id, next);
      // The member hears of it in the same transaction, with the facts for their console to word.
      this.notifications?.sendInTxn(
        [r.memberId],
        'regeneration-verified',
        { kind: r.kind, quantity: r.quantity, amount },
        { ref: `regeneration/${id}`, key: `regeneration-verified:${id}` },
      );
      return next;
    });
  }

  /** What a verified report earns per unit (a tree, a compost bin, a square metre), in minor units. */
  regenerationCreditPerUnit(): number {
    return this.params.number('regenerationCreditPerUnit');
  }

  /** A member's own latest reports, newest first. */
  reportsOf(memberId: string, limit: number): WorkReport[] {
    return this.reports.newest((r) => r.at, { test: (r) => r.memberId === memberId, limit });
  }

  listReports(status?: WorkReport['status']): WorkReport[] {
    return this.reports.where((r) => !status || r.status === status).sort((a, b) => b.at - a.at);
  }

  /** Water budget for the current month: share used and a warning near the limit. */
  budget(now = this.clock.now()): { period: string; budgetLitres: number; usedLitres: number | null; share: number | null; warning: boolean } {
    const w = this.budgets(now).find((b) => b.boundary === 'water');
    if (!w) throw new Error('the budgets have no water line');
    return { period: w.period, budgetLitres: w.budget, usedLitres: w.used, share: w.share, warning: w.warning };
  }

  /**
   * Every boundary's budget for the current month: water in litres against
   * the safe use, and CO₂e in kg from power bought from the grid (import
   * meters × the grid's carbon intensity). A warning from 80 % used, and
   * an explanation of each figure.
   */
  budgets(now = this.clock.now()): Array<{
    boundary: Boundary;
    unit: string;
    period: string;
    budget: number;
    used: number | null;
    share: number | null;
    warning: boolean;
    why: string;
    inputs: Record<string, number | null>;
  }> {
    const d = new Date(now);
    const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    const end = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    const period = d.toISOString().slice(0, 7);
    const sum = (metric: string) => {
      let used: number | null = null;
      for (const s of this.seriesOf(metric)) {
        const g = this.growth(s, metric, start, now);
        if (g) used = (used ?? 0) + g.value;
      }
      return used;
    };
    // `why` for logs and scripts; `inputs` so the console can say it in the resident's language.
    const entry = (boundary: Boundary, unit: string, budget: number, used: number | null, why: string, inputs: Record<string, number | null>) => {
      const share = used === null ? null : used / budget;
      return {
        boundary,
        unit,
        period,
        budget,
        used: used === null ? null : round4(used),
        share: share === null ? null : round4(share),
        warning: share !== null && share >= 0.8,
        why,
        inputs,
      };
    };
    const safe = this.params.number('waterSafeLitresPerDay', now);
    const days = Math.round((end - start) / DAY_MS);
    const litres = sum('volume');
    const importedWh = sum('meter.TotWhImp');
    const g = this.params.number('co2eGramsPerKwh', now);
    const kg = importedWh === null ? null : (importedWh / 1000) * (g / 1000);
    return [
      entry(
        'water',
        'L',
        safe * days,
        litres,
        `${safe} L a day safe use × ${days} days; ${litres === null ? 'no water meter has reported this month' : `meters show ${Math.round(litres)} L used since the 1st`}`,
        { safeLitresPerDay: safe, days },
      ),
      entry(
        'co2e',
        'kg',
        this.params.number('co2eBudgetKgPerMonth', now),
        kg,
        `${importedWh === null ? 'no import meter has reported this month' : `${round4(importedWh / 1000)} kWh bought from the grid`} × ${g} g CO₂e per kWh`,
        { importedKwh: importedWh === null ? null : round4(importedWh / 1000), gramsPerKwh: g },
      ),
    ];
  }

  /**
   * The indicators per place (a household, the allotments, the school),
   * from the sensors mapped to it. Places without a sensor for an
   * indicator show null for it; sensors with no place count as "unassigned".
   */
  byPlace(now = this.clock.now()): Array<{ place: string; solar: number | null; litresPerDay: number | null; soil: number | null; sensors: string[] }> {
    const from = now - this.settings.windowDays * DAY_MS;
    const placeOf = new Map(this.devices.list().map((dev) => [dev.id, dev.place ?? 'unassigned']));
    const acc = new Map<
      string,
      {
        gen: number;
        imp: number;
        exp: number;
        meter: boolean;
        solar: boolean;
        litresPerDay: number | null;
        inRange: number;
        total: number;
        sensors: Set<string>;
      }
    >();
    const at = (sensor: string) => {
      const place = placeOf.get(sensor) ?? 'unassigned';
      let a = acc.get(place);
      if (!a) acc.set(place, (a = { gen: 0, imp: 0, exp: 0, meter: false, solar: false, litresPerDay: null, inRange: 0, total: 0, sensors: new Set() }));
      a.sensors.add(sensor);
      return a;
    };
    for (const s of this.seriesOf('WH')) {
      const gr = this.growth(s, 'WH', from, now);
      if (gr) {
        const a = at(s);
        a.gen += gr.value;
        a.solar = true;
      }
    }
    for (const s of this.seriesOf('meter.TotWhImp')) {
      const i = this.growth(s, 'meter.TotWhImp', from, now);
      if (i) {
        const a = at(s);
        a.meter = true;
        a.imp += i.value;
        a.exp += this.growth(s, 'meter.TotWhExp', from, now)?.value ?? 0;
      }
    }
    for (const s of this.seriesOf('volume')) {
      const gr = this.growth(s, 'volume', from, now);
      if (gr && gr.spanMs > 0) {
        const a = at(s);
        a.litresPerDay = (a.litresPerDay ?? 0) + gr.value / (gr.spanMs / DAY_MS);
      }
    }
    const [lo, hi] = this.settings.soilTarget;
    for (const s of this.seriesOf('soilMoisture')) {
      const pts = this.telemetry.query(s, 'soilMoisture', from, now, 'raw').points;
      if (pts.length === 0) continue;
      const a = at(s);
      for (const p of pts) {
        a.total++;
        if (p.mean >= lo && p.mean <= hi) a.inRange++;
      }
    }
    return [...acc]
      .map(([place, a]) => {
        const consumption = a.gen + a.imp - a.exp;
        return {
          place,
          solar: a.solar && a.meter && consumption > 0 ? round4(Math.min(1, a.gen / consumption)) : null,
          litresPerDay: a.litresPerDay === null ? null : round4(a.litresPerDay),
          soil: a.total ? round4(a.inRange / a.total) : null,
          sensors: [...a.sensors].sort(),
        };
      })
      .sort((x, y) => x.place.localeCompare(y.place));
  }
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
