import { useEffect, useState } from 'preact/hooks';
import { StatusLine, type Said } from '../actions.js';
import { get, type Answer } from '../api.js';
import { describeError, useApp } from '../app.js';
import { Plot } from '../plot.js';
import { multiplierText } from '../ticks.js';
import { RegenerationReport } from './regeneration-report.js';
import { WaterCard } from './water.js';

type EcologyNow = Answer<'/api/v1/ecology'>;
type Plot = Answer<'/api/v1/neighbourhood'>['plots'][number];

const PLOT_TITLES = { solar: 'solarPlot', water: 'waterPlot', soil: 'soilPlot', multiplier: 'multiplierPlot' } as const;
const ROLE_LABELS = { generated: 'generated', used: 'used', 'safe-level': 'safeLevel', price: 'waterPriceTitle' } as const;

export function DashboardPage() {
  const { t, account } = useApp();
  const [plots, setPlots] = useState<Array<{ title: string; series: Array<{ label: string; t: number[]; v: Array<number | null> }> }>>([]);
  const [eco, setEco] = useState<EcologyNow | null>(null);
  const [cards, setCards] = useState<Pick<Answer<'/api/v1/neighbourhood'>, 'waterQuote' | 'regeneration'> | null>(null);
  const [msg, setMsg] = useState<Said | null>(null);
  useEffect(() => {
    if (!account) return;
    // One request for the whole page: the hub sends every plot at the resolution it is drawn.
    get('/neighbourhood').then(
      ({ ecology, plots: drawn, waterQuote, regeneration }) => {
        setEco(ecology);
        setCards({ waterQuote, regeneration });
        const cur = account.currency;
        const title = (p: Plot): string =>
          p.kind === 'energy'
            ? t.t('energyPlot', { place: p.place ?? '' })
            : p.kind === 'water-price'
              ? t.t('waterPricePlot', { symbol: cur.symbol })
              : t.t(PLOT_TITLES[p.kind]);
        const label = (s: Plot['series'][number]): string => (s.role ? t.t(ROLE_LABELS[s.role]) : (s.label ?? ''));
        setPlots(
          drawn.map((p) => ({
            title: title(p),
            // Prices are kept in minor units and plotted in credits.
            series: p.series.map((s) => ({
              label: label(s),
              t: s.t,
              v: s.role === 'price' ? s.v.map((x) => (x === null ? null : x / 10 ** cur.minorUnits)) : s.v,
            })),
          })),
        );
      },
      (e: unknown) => setMsg({ ok: false, text: describeError(t, e) }),
    );
    // Once the account (and with it the currency) is known: prices are plotted in credits.
  }, [account === null]);
  return (
    <>
      <h2>{t.t('dashboard')}</h2>
      <StatusLine msg={msg} />
      {eco?.snapshot && (
        <section class="card">
          <p class="big" data-testid="multiplier">
            {multiplierText(eco.snapshot.multiplier, t.locale)}
          </p>
          <p>{t.t('multiplierExplained')}</p>
          {eco.waterBudget.share !== null && (
            <p class={eco.waterBudget.warning ? 'warn' : ''}>{t.t('waterBudget', { share: Math.round(eco.waterBudget.share * 100) })}</p>
          )}
          {Object.entries(eco.snapshot.indicators).some(([, v]) => v.stale) && <p class="warn">{t.t('staleData')}</p>}
        </section>
      )}
      {cards && <WaterCard initial={cards.waterQuote} />}
      {cards && <RegenerationReport initial={cards.regeneration} />}
      {eco?.budgets && (
        <section class="card" aria-labelledby="budgets-h">
          <h3 id="budgets-h">{t.t('budgetsThisMonth')}</h3>
          {eco.budgets.map((b) => {
            const n = (x: number) => new Intl.NumberFormat(t.locale, { maximumFractionDigits: 0 }).format(x);
            return (
              <div class="budget" data-testid={`budget-${b.boundary}`}>
                <label>
                  {t.t(b.boundary === 'water' ? 'boundaryWater' : 'boundaryCo2e')}:{' '}
                  {b.used === null ? t.t('noReadings') : `${n(b.used)} / ${n(b.budget)} ${b.unit}`}
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
