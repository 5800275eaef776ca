import { z } from 'zod';
import type { Clock } from '../clock.js';
import type { HubConfig } from '../config/schema.js';
import { HubError } from '../errors.js';
import type { Store } from '../store/store.js';
import { refuse } from './contract.js';

/**
 * The community's parameters. Each has a schema with its range and a
 * default from the config file; changes come only from a passed proposal or
 * a steward's emergency change, and take effect at a stated time, so the
 * value on any day in the past can be read back (demurrage is computed day
 * by day with the rate in force on each day).
 */
export const PARAMETERS = {
  demurrageRatePercent: z.number().min(0).max(50),
  creditFloor: z.number().int().max(0),
  creditCeiling: z.number().int().min(0),
  hoursFloor: z.number().int().max(0),
  multiplierMin: z.number().min(0.1).max(1),
  multiplierMax: z.number().min(1).max(3),
  waterSafeLitresPerDay: z.number().min(1),
  waterBasePrice: z.number().int().min(0),
  scarcityElasticity: z.number().min(0).max(10),
  scarcityPriceCap: z.number().min(1).max(100),
  regenerationCreditPerUnit: z.number().int().min(0),
  ecologyLimitsEnabled: z.boolean(),
  /** Carbon intensity of power bought from the grid, g CO₂e per kWh. */
  co2eGramsPerKwh: z.number().min(0).max(2_000),
  co2eBudgetKgPerMonth: z.number().min(1),
  /** The multiplier's weights: regeneration = solar·S + soil·T + work·W; extraction = water·U + base. */
  weightSolar: z.number().min(0).max(10),
  weightSoil: z.number().min(0).max(10),
  weightWork: z.number().min(0).max(10),
  weightWater: z.number().min(0).max(10),
  weightBase: z.number().min(0.01).max(10),
} as const;
export type ParamName = keyof typeof PARAMETERS;
export type ParamValue = number | boolean;

export interface ParamChange {
  name: ParamName;
  value: ParamValue;
  effectiveFrom: number;
  /** The proposal that decided it, or "emergency:<steward>". */
  source: string;
  at: number;
  /** Emergency changes lapse unless a proposal ratifies them. */
  expiresAt: number | null;
}

export function defaultsFrom(c: HubConfig): Record<ParamName, ParamValue> {
  return {
    demurrageRatePercent: c.ledger.demurrageRatePercent,
    creditFloor: c.ledger.credit.floor,
    creditCeiling: c.ledger.credit.ceiling,
    hoursFloor: c.ledger.hours.floor,
    multiplierMin: 0.5,
    multiplierMax: 1.5,
    waterSafeLitresPerDay: 1000,
    waterBasePrice: 10,
    scarcityElasticity: 2,
    scarcityPriceCap: 5,
    regenerationCreditPerUnit: 500,
    ecologyLimitsEnabled: false,
    co2eGramsPerKwh: 250,
    co2eBudgetKgPerMonth: 1_000,
    weightSolar: 0.4,
    weightSoil: 0.4,
    weightWork: 0.2,
    weightWater: 0.5,
    weightBase: 0.5,
  };
}

export class Parameters {
  private readonly changes;
  /** In-memory copy: every read of a rate would otherwise be an LMDB range read. */
  private cache: Map<ParamName, ParamChange[]> | undefined;

  constructor(
    store: Store,
    private readonly clock: Clock,
    private readonly defaults: Record<ParamName, ParamValue>,
  ) {
    this.changes = store.db<ParamChange, [string, number, number]>('parameters');
    store.onRollback(() => (this.cache = undefined));
  }

  static validate(name: string, value: unknown): ParamValue {
    if (!(name in PARAMETERS)) throw HubError.badRequest(`unknown parameter ${name}`);
    const r = PARAMETERS[name as ParamName].safeParse(value);
    if (!r.success) throw refuse('outside-its-range', `${name}: ${r.error.issues[0]?.message ?? 'invalid'}`);
    return r.data as ParamValue;
  }

  private all(): Map<ParamName, ParamChange[]> {
    if (!this.cache) {
      const m = new Map<ParamName, ParamChange[]>();
      for (const { value } of this.changes.getRange({})) m.set(value.name, [...(m.get(value.name) ?? []), value]);
      for (const list of m.values()) list.sort((a, b) => a.effectiveFrom - b.effectiveFrom || a.at - b.at);
      this.cache = m;
    }
    return this.cache;
  }

  /** The value in force at time t (ms). */
  valueAt(name: ParamName, t: number = this.clock.now()): ParamValue {
    let v = this.defaults[name];
    for (const c of this.all().get(name) ?? []) {
      if (c.effectiveFrom > t) break;
      if (c.expiresAt !== null && c.expiresAt <= t) continue;
      v = c.value;
    }
    return v;
  }

  number(name: ParamName, t?: number): number {
    return Number(this.valueAt(name, t));
  }

  /** Inside the caller's transaction (a proposal's execution or an emergency change). */
  scheduleInTxn(change: Omit<ParamChange, 'at'>): ParamChange {
    const c: ParamChange = { ...change, value: Parameters.validate(change.name, change.value), at: this.clock.now() };
    this.changes.put([c.name, c.effectiveFrom, c.at], c);
    this.cache = undefined;
    return c;
  }

  /** A ratifying proposal makes an emergency change permanent. */
  ratifyInTxn(name: ParamName, source: string): void {
    for (const c of this.all().get(name) ?? []) {
      if (c.source === source && c.expiresAt !== null) this.changes.put([c.name, c.effectiveFrom, c.at], { ...c, expiresAt: null });
    }
    this.cache = undefined;
  }

  list(): Array<{ name: ParamName; value: ParamValue; source: string; since: number | null; pending: ParamChange[] }> {
    const now = this.clock.now();
    return (Object.keys(PARAMETERS) as ParamName[]).map((name) => {
      const inForce = (this.all().get(name) ?? []).filter((c) => c.effectiveFrom <= now && (c.expiresAt === null || c.expiresAt > now)).at(-1);
      return {
        name,
        value: this.valueAt(name, now),
        source: inForce?.source ?? 'config',
        since: inForce?.effectiveFrom ?? null,
        pending: (this.all().get(name) ?? []).filter((c) => c.effectiveFrom > now),
      };
    });
  }
}
