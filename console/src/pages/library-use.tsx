import { useEffect, useMemo, useState } from 'preact/hooks';
import { get, type Answer } from '../api.js';
import { useApp } from '../app.js';
import { Plot, type PlotSeries } from '../plot.js';

type Use = Answer<'/api/v1/library/utilisation'>;

/** The two views a steward asks for: the last twelve weeks by week, the last year by month. */
const SPANS = {
  weeks: { days: 84, bucketDays: 7 },
  months: { days: 360, bucketDays: 30 },
} as const;
/** More lines than this would make the plot unreadable on a phone. */
const MOST_CATEGORIES = 3;

/**
 * How the tool library is used: the share of time items are out, over time
 * and by category, and which items to buy another of or to give away.
 */
export function LibraryUse() {
  const { t } = useApp();
  const [span, setSpan] = useState<keyof typeof SPANS>('weeks');
  const [use, setUse] = useState<Use | null>(null);
  useEffect(() => {
    const { days, bucketDays } = SPANS[span];
    void get('/library/utilisation', { query: { days, bucketDays } }).then(setUse, () => undefined);
  }, [span]);
  // One series array per report, so the plot is drawn once per report rather than on every render.
  const series = useMemo((): PlotSeries[] => {
    if (!use) return [];
    const busiest = [...use.categories].sort((a, b) => b.loans - a.loans).slice(0, MOST_CATEGORIES);
    const starts = use.overTime.map((p) => p.from);
    return [
      { label: t.t('allItems'), t: starts, v: use.overTime.map((p) => p.utilisation) },
      ...busiest.map((c) => ({
        label: c.category,
        t: starts,
        v: use.overTime.map((p) => p.categories.find((x) => x.category === c.category)?.utilisation ?? null),
      })),
    ];
  }, [use, t.locale]);
  if (!use) return null;
  const byCode = new Map(use.items.map((i) => [i.code, i]));

  return (
    <section class="card" aria-labelledby="use-h" data-testid="library-use">
      <h3 id="use-h">{t.t('libraryUse')}</h3>
      <label>
        {t.t('period')}
        <select name="use-span" value={span} onChange={(e) => setSpan((e.target as HTMLSelectElement).value as keyof typeof SPANS)}>
          <option value="weeks">{t.t('last12Weeks')}</option>
          <option value="months">{t.t('last12Months')}</option>
        </select>
      </label>
      <Plot title={t.t(span === 'weeks' ? 'libraryUsePlotWeeks' : 'libraryUsePlotMonths')} series={series} />

      <h4>{t.t('buyAnother')}</h4>
      {use.overDemanded.length === 0 ? (
        <p>{t.t('nothingYet')}</p>
      ) : (
        <ul class="rows" data-testid="over-demanded">
          {use.overDemanded.map((code) => {
            const i = byCode.get(code);
            if (!i) return null;
            return (
              <li>
                <a href={`#/library/${code}`}>
                  <strong>{code}</strong> {i.name}
                </a>
                <br />
                <small class="muted">{t.t('overDemandedWhy', { percent: t.num(i.utilisation), queue: i.queue, wait: t.num(i.avgWaitDays) })}</small>
              </li>
            );
          })}
        </ul>
      )}

      <h4>{t.t('idleItems')}</h4>
      {use.idle.length === 0 ? (
        <p>{t.t('nothingYet')}</p>
      ) : (
        <p data-testid="idle">
          {use.idle.map((code, k) => (
            <>
              {k > 0 && ', '}
              <a href={`#/library/${code}`}>{code}</a> {byCode.get(code)?.name}
            </>
          ))}
        </p>
      )}

      <table data-testid="use-by-category" tabIndex={0}>
        <caption>{t.t('useByCategory', { from: t.day(use.from), to: t.day(use.to) })}</caption>
        <thead>
          <tr>
            <th scope="col">{t.t('category')}</th>
            <th scope="col">{t.t('itemsCount')}</th>
            <th scope="col">{t.t('loansCount')}</th>
            <th scope="col">{t.t('daysOut')}</th>
            <th scope="col">{t.t('timeOut')}</th>
          </tr>
        </thead>
        <tbody>
          {use.categories.map((c) => (
            <tr>
              <th scope="row">{c.category}</th>
              <td>{c.items}</td>
              <td>{c.loans}</td>
              <td>{t.num(c.daysOut)}</td>
              <td>{t.num(c.utilisation)} %</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="filters">
        <a href="/api/v1/library/export?what=catalogue&format=csv" download>
          {t.t('downloadCatalogue')}
        </a>
        <a href="/api/v1/library/export?what=loans&format=csv" download>
          {t.t('downloadLoans')}
        </a>
        <a href="/api/v1/skills?format=csv" download>
          {t.t('downloadSkills')}
        </a>
      </p>
    </section>
  );
}
