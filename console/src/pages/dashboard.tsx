import { useEffect, useState } from 'preact/hooks';
import { api, get, type Answer } from '../api.js';
import { useApp } from '../app.js';
import { hourlyGenerationAndUse, perBucket } from '../energy.js';
import { Plot } from '../plot.js';
import { MULTIPLIER_DECIMALS } from '../ticks.js';
import { RegenerationReport } from './regeneration-report.js';
import { WaterCard } from './water.js';

type Series = Answer<'/api/v1/telemetry/series'>[number];
type Points = Answer<'/api/v1/telemetry/query'>;
type Device = Answer<'/api/v1/devices'>[number];
type EcologyNow = Answer<'/api/v1/ecology'>;

export function DashboardPage() {
  const { t, account } = useApp();
  const [plots, setPlots] = useState<Array<{ title: string; series: Array<{ label: string; t: number[]; v: Array<number | null> }> }>>([]);
  const [eco, setEco] = useState<EcologyNow | null>(null);
  useEffect(() => {
    if (!account) return;
    void (async () => {
      const now = Date.now();
      const from = now - 7 * 86_400_000;
      const [series, devices, ecology] = await Promise.all([get('/telemetry/series'), get('/devices'), get('/ecology').catch(() => null)]);
      setEco(ecology);
      const names = new Map(devices.map((d) => [d.device.id, d.device.place ?? d.device.name]));
      const fetch = async (s: Series) => {
        const r = await get('/telemetry/query', { query: { sensor: s.sensor, metric: s.metric, from, to: now, resolution: '1h' } });
        return { label: names.get(s.sensor) ?? s.sensor, t: r.points.map((p) => p.t), v: r.points.map((p) => Math.round(p.mean * 100) / 100) };
      };
      const pick = (metric: string) => series.filter((s) => s.metric === metric);
      const out: typeof plots = [];
      // Where an inverter keeps energy counters with a grid meter, show what it made beside what
      // the place used; otherwise its power alone.
      const has = (sensor: string, metric: string) => series.some((x) => x.sensor === sensor && x.metric === metric);
      const metered = pick('WH').filter((x) => has(x.sensor, 'meter.TotWhImp') && has(x.sensor, 'meter.TotWhExp'));
      for (const inv of metered) {
        const hourly = async (metric: string) =>
          (await get('/telemetry/query', { query: { sensor: inv.sensor, metric, from: from - 3_600_000, to: now, resolution: '1h' } })).points;
        const [made, bought, sold] = await Promise.all([hourly('WH'), hourly('meter.TotWhImp'), hourly('meter.TotWhExp')]);
        const done = (list: typeof made) => list.filter((p) => p.t + 3_600_000 <= now); // whole hours only
        const e = hourlyGenerationAndUse(done(made), done(bought), done(sold));
        out.push({ title: t.t('energyPlot', { place: names.get(inv.sensor) ?? inv.sensor }), series: [{ label: t.t('generated'), t: e.t, v: e.generated }, { label: t.t('used'), t: e.t, v: e.used }] });
      }
      const solar = pick('W').filter((x) => x.sensor !== 'ecology' && !metered.some((m) => m.sensor === x.sensor));
      if (solar.length) out.push({ title: t.t('solarPlot'), series: await Promise.all(solar.map(fetch)) });
      // Water as litres a day, each meter against the community's safe level.
      const water = pick('volume');
      if (water.length) {
        const DAY = 86_400_000;
        const daily = await Promise.all(
          water.map(async (w) => {
            const r = await get('/telemetry/query', { query: { sensor: w.sensor, metric: 'volume', from: now - 15 * DAY, to: now, resolution: '1d' } });
            // Only days that are over: today's part-day would look like a sudden saving.
            return { label: names.get(w.sensor) ?? w.sensor, ...perBucket(r.points.filter((p) => p.t + DAY <= now), DAY) };
          }),
        );
        const safe = ecology?.budgets.find((b) => b.boundary === 'water')?.inputs.safeLitresPerDay;
        // One time axis for every line: the first meter's days, the others matched by day.
        const xs = daily[0]!.t;
        const aligned = daily.map((d) => {
          const byDay = new Map(d.t.map((x, i) => [x, d.v[i]!]));
          return { label: d.label, t: xs, v: xs.map((x) => byDay.get(x) ?? null) };
        });
        out.push({ title: t.t('waterPlot'), series: [...aligned, ...(typeof safe === 'number' ? [{ label: t.t('safeLevel'), t: xs, v: xs.map(() => safe) }] : [])] });
      }
      const soil = pick('soilMoisture');
      if (soil.length) out.push({ title: t.t('soilPlot'), series: await Promise.all(soil.map(fetch)) });
      const mult = series.find((s) => s.sensor === 'ecology' && s.metric === 'multiplier');
      if (mult) out.push({ title: t.t('multiplierPlot'), series: [await fetch(mult)] });
      // Each recompute stores the scarcity price, so residents can see how it moved; shown in credits, not minor units.
      const price = series.find((s) => s.sensor === 'ecology' && s.metric === 'price.water');
      const cur = account.currency;
      if (price) {
        const p = await fetch(price);
        out.push({ title: t.t('waterPricePlot', { symbol: cur.symbol }), series: [{ ...p, label: t.t('waterPriceTitle'), v: p.v.map((x) => (x === null ? null : x / 10 ** cur.minorUnits)) }] });
      }
      setPlots(out);
    })();
    // Once the account (and with it the currency) is known: prices are plotted in credits.
  }, [account === null]);
  return (
    <>
      <h2>{t.t('dashboard')}</h2>
      {eco?.snapshot && (
        <section class="card">
          <p class="big" data-testid="multiplier">{new Intl.NumberFormat(t.locale, { minimumFractionDigits: MULTIPLIER_DECIMALS, maximumFractionDigits: MULTIPLIER_DECIMALS }).format(eco.snapshot.multiplier)}</p>
          <p>{t.t('multiplierExplained')}</p>
          {eco.waterBudget.share !== null && <p class={eco.waterBudget.warning ? 'warn' : ''}>{t.t('waterBudget', { share: Math.round(eco.waterBudget.share * 100) })}</p>}
          {Object.entries(eco.snapshot.indicators).some(([, v]) => v.stale) && <p class="warn">{t.t('staleData')}</p>}
        </section>
      )}
      <WaterCard />
      <RegenerationReport />
      {eco?.budgets && (
        <section class="card" aria-labelledby="budgets-h">
          <h3 id="budgets-h">{t.t('budgetsThisMonth')}</h3>
          {eco.budgets.map((b) => {
            const n = (x: number) => new Intl.NumberFormat(t.locale, { maximumFractionDigits: 0 }).format(x);
            return (
              <div class="budget" data-testid={`budget-${b.boundary}`}>
                <label>
                  {t.t(b.boundary === 'water' ? 'boundaryWater' : 'boundaryCo2e')}: {b.used === null ? t.t('noReadings') : `${n(b.used)} / ${n(b.budget)} ${b.unit}`}
                  <meter min={0} max={1} low={0.6} high={0.8} optimum={0.2} value={Math.min(1, b.share ?? 0)} />
                </label>
                {b.warning && <p class="warn">{t.t('budgetNear', { share: Math.round((b.share ?? 0) * 100) })}</p>}
                <small class="muted">
                  {b.boundary === 'water'
                    ? t.t('whyWater', { safe: n(b.inputs?.safeLitresPerDay ?? 0), days: b.inputs?.days ?? 0 })
                    : b.inputs?.importedKwh === null || b.inputs?.importedKwh === undefined
                      ? t.t('whyCo2eNone')
                      : t.t('whyCo2e', { kwh: n(b.inputs.importedKwh), grams: n(b.inputs?.gramsPerKwh ?? 0) })}
                </small>
              </div>
            );
          })}
        </section>
      )}
      {eco?.places && eco.places.length > 0 && (
        <section class="card" aria-labelledby="places-h">
          <h3 id="places-h">{t.t('byPlace')}</h3>
          {/* Focusable, so a table wider than the phone can be scrolled from the keyboard. */}
          <table tabIndex={0} aria-labelledby="places-h">
            <thead>
              <tr>
                <th scope="col">{t.t('place')}</th>
                <th scope="col">{t.t('solarShort')}</th>
                <th scope="col">{t.t('waterShort')}</th>
                <th scope="col">{t.t('soilShort')}</th>
              </tr>
            </thead>
            <tbody>
              {eco.places.map((p) => (
                <tr>
                  <th scope="row">{p.place === 'unassigned' ? t.t('unassigned') : p.place}</th>
                  <td>{p.solar === null ? '—' : `${Math.round(p.solar * 100)} %`}</td>
                  <td>{p.litresPerDay === null ? '—' : `${Math.round(p.litresPerDay)} L/d`}</td>
                  <td>{p.soil === null ? '—' : `${Math.round(p.soil * 100)} %`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {plots.map((p) => (
        <Plot title={p.title} series={p.series} />
      ))}
    </>
  );
}
