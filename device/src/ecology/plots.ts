import { DAY_MS } from '../clock.js';
import type { TelemetryStore } from '../telemetry/store.js';
import type { PlotKind, SeriesRole } from './contract.js';
import { hourlyGenerationAndUse, perBucket } from './energy.js';

export interface PlotSeries {
  /** The place or device measured; null where `role` names the series. */
  label: string | null;
  role: SeriesRole | null;
  t: number[];
  v: Array<number | null>;
}

export interface NeighbourhoodPlot {
  kind: PlotKind;
  /** The place an energy plot is about. */
  place: string | null;
  series: PlotSeries[];
}

const HOUR = 3_600_000;

/**
 * What the neighbourhood page plots, at the resolution it shows, in one
 * answer: on a phone over a slow mesh, a dozen round trips took longer than
 * the data. The last 7 days by the hour (energy, solar power, soil, the
 * multiplier, the water price) and the last 14 whole days of water against
 * the community's safe level.
 *
 *   - energy: where an inverter keeps energy counters with a grid meter, what
 *     it made beside what its place used, hour by hour (whole hours only);
 *   - solar: otherwise each inverter's power;
 *   - water: litres a day per meter, on one time axis, with the safe level;
 *   - soil, multiplier, water-price: as stored (the price in minor units).
 */
export function neighbourhoodPlots(telemetry: TelemetryStore, names: Map<string, string>, now: number, safeLitresPerDay: number | null): NeighbourhoodPlot[] {
  const from = now - 7 * DAY_MS;
  const series = telemetry.listSeries();
  const pick = (metric: string) => series.filter((s) => s.metric === metric);
  const has = (sensor: string, metric: string) => series.some((x) => x.sensor === sensor && x.metric === metric);
  const name = (sensor: string) => names.get(sensor) ?? sensor;
  const hourly = (sensor: string, metric: string, since = from) => telemetry.query(sensor, metric, since, now, '1h').points;
  const means = (sensor: string, metric: string): PlotSeries => {
    const pts = hourly(sensor, metric);
    return { label: name(sensor), role: null, t: pts.map((p) => p.t), v: pts.map((p) => Math.round(p.mean * 100) / 100) };
  };
  const out: NeighbourhoodPlot[] = [];

  const metered = pick('WH').filter((x) => has(x.sensor, 'meter.TotWhImp') && has(x.sensor, 'meter.TotWhExp'));
  for (const inv of metered) {
    const done = (metric: string) => hourly(inv.sensor, metric, from - HOUR).filter((p) => p.t + HOUR <= now);
    const e = hourlyGenerationAndUse(done('WH'), done('meter.TotWhImp'), done('meter.TotWhExp'));
    out.push({
      kind: 'energy',
      place: name(inv.sensor),
      series: [
        { label: null, role: 'generated', t: e.t, v: e.generated },
        { label: null, role: 'used', t: e.t, v: e.used },
      ],
    });
  }
  const solar = pick('W').filter((x) => x.sensor !== 'ecology' && !metered.some((m) => m.sensor === x.sensor));
  if (solar.length) out.push({ kind: 'solar', place: null, series: solar.map((s) => means(s.sensor, s.metric)) });

  const water = pick('volume');
  if (water.length) {
    // Only days that are over: today's part-day would look like a sudden saving.
    const daily = water.map((w) => ({
      label: name(w.sensor),
      ...perBucket(
        telemetry.query(w.sensor, 'volume', now - 15 * DAY_MS, now, '1d').points.filter((p) => p.t + DAY_MS <= now),
        DAY_MS,
      ),
    }));
    // One time axis for every line: the first meter's days, the others matched by day.
    const xs = daily[0]?.t ?? [];
    const aligned: PlotSeries[] = daily.map((d) => {
      const byDay = new Map(d.t.map((x, i) => [x, d.v[i] ?? null]));
      return { label: d.label, role: null, t: xs, v: xs.map((x) => byDay.get(x) ?? null) };
    });
    if (safeLitresPerDay !== null) aligned.push({ label: null, role: 'safe-level', t: xs, v: xs.map(() => safeLitresPerDay) });
    out.push({ kind: 'water', place: null, series: aligned });
  }
  const soil = pick('soilMoisture');
  if (soil.length) out.push({ kind: 'soil', place: null, series: soil.map((s) => means(s.sensor, s.metric)) });
  if (has('ecology', 'multiplier')) out.push({ kind: 'multiplier', place: null, series: [means('ecology', 'multiplier')] });
  if (has('ecology', 'price.water'))
    out.push({ kind: 'water-price', place: null, series: [{ ...means('ecology', 'price.water'), label: null, role: 'price' }] });
  return out;
}
