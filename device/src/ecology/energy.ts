/**
 * Generation and use, hour by hour, from an inverter's cumulative counters:
 * what it made (WH), what the site bought from the grid (meter.TotWhImp) and
 * what it sold (meter.TotWhExp). Each counter only grows, so the largest
 * reading in an hour is its last; the change between two hours is the energy
 * of that hour, which in Wh per hour is the average power in W.
 * Used = made + bought − sold.
 */
export interface HourBucket {
  t: number;
  max: number;
}

const HOUR = 3_600_000;

export function hourlyGenerationAndUse(made: HourBucket[], bought: HourBucket[], sold: HourBucket[]): { t: number[]; generated: number[]; used: number[] } {
  const at = (list: HourBucket[]) => new Map(list.map((b) => [b.t, b.max]));
  const [m, b, s] = [at(made), at(bought), at(sold)];
  const out = { t: [] as number[], generated: [] as number[], used: [] as number[] };
  for (const { t } of made) {
    const prev = t - HOUR;
    const gen = delta(m, t, prev);
    const imp = delta(b, t, prev);
    const exp = delta(s, t, prev);
    // An hour with a gap in any counter says nothing; a counter that went back was reset.
    if (gen === null || imp === null || exp === null) continue;
    out.t.push(t);
    out.generated.push(Math.round(gen));
    out.used.push(Math.round(Math.max(0, gen + imp - exp)));
  }
  return out;
}

function delta(series: Map<number, number>, t: number, prev: number): number | null {
  const now = series.get(t);
  const before = series.get(prev);
  if (now === undefined || before === undefined || now < before) return null;
  return now - before;
}

/** A growing counter's change per bucket (its largest reading in each), for buckets `step` apart; gaps and resets are skipped. */
export function perBucket(list: HourBucket[], step: number): { t: number[]; v: number[] } {
  const m = new Map(list.map((b) => [b.t, b.max]));
  const out = { t: [] as number[], v: [] as number[] };
  for (const { t } of list) {
    const d = delta(m, t, t - step);
    if (d === null) continue;
    out.t.push(t);
    out.v.push(Math.round(d));
  }
  return out;
}
