import { useEffect, useRef } from 'preact/hooks';
import { useApp } from './app.js';
import { tickLabels, timeTickLabels } from './ticks.js';

export interface PlotSeries {
  label: string;
  t: number[];
  v: Array<number | null>;
}

/**
 * One small time plot, drawn with uPlot, which loads only when a page first
 * shows a plot. The legend under it reads the latest values until someone
 * taps (or points at) a moment, then that moment's values: on a phone there
 * is no hovering.
 */
export function Plot({ title, series }: { title: string; series: PlotSeries[] }) {
  const ref = useRef<HTMLDivElement>(null);
  const { t } = useApp();
  useEffect(() => {
    let plot: import('uplot') | undefined;
    // uPlot loads asynchronously: new series, or leaving the page, before it
    // arrives must not leave a stale plot drawn beside the current one.
    let gone = false;
    void (async () => {
      const { default: UPlot } = await import('uplot');
      await import('uplot/dist/uPlot.min.css');
      const [first] = series;
      if (gone || !ref.current || !first) return;
      const xs = first.t.map((t) => t / 1000);
      const colours = ['#2f5d3a', '#b5651d', '#2b6cb0', '#8e44ad'];
      // Dates and numbers in the console's language, not uPlot's English or the browser's.
      const num = (v: number | null) => (v === null ? '—' : t.num(v, 2));
      // The latest moment any series has a value for: what the legend reads until a tap says otherwise.
      let last = xs.length - 1;
      while (last > 0 && series.every((s) => s.v[last] === null || s.v[last] === undefined)) last--;
      // The moment the legend reads when nothing points at the plot: the latest, or the last one tapped.
      let shown = last;
      plot = new UPlot(
        {
          width: Math.min(ref.current.clientWidth || 340, 520),
          height: 180,
          fmtDate: (tpl) => UPlot.fmtDate(tpl, dateNames(t.locale)),
          series: [
            { label: t.t('plotTime'), value: (_u, ts) => (ts == null ? '—' : t.date(ts * 1000)) },
            ...series.map((s, i) => ({ label: s.label, stroke: colours[i % colours.length], width: 2, value: (_u: unknown, v: number | null) => num(v) })),
          ],
          axes: [
            {
              values: (_u, splits) =>
                timeTickLabels(
                  splits.map((x) => x * 1000),
                  t.locale,
                ),
            },
            {
              size: 64,
              values: (_u, splits) =>
                tickLabels(splits, (v, d) => new Intl.NumberFormat(t.locale, { minimumFractionDigits: d, maximumFractionDigits: d }).format(v)),
            },
          ],
          legend: { show: true },
          // When the pointer leaves, back to the latest values rather than dashes.
          hooks: { setCursor: [(u) => void (u.cursor.idx == null && shown >= 0 && u.setLegend({ idx: shown }))] },
        },
        [xs, ...series.map((s) => s.v)],
        ref.current,
      );
      const p = plot;
      if (shown >= 0) p.setLegend({ idx: shown });
      p.over.addEventListener('pointerdown', (e: PointerEvent) => {
        shown = p.posToIdx(e.clientX - p.over.getBoundingClientRect().left);
        p.setLegend({ idx: shown });
      });
    })();
    return () => {
      gone = true;
      plot?.destroy();
    };
  }, [series, t.locale]);
  return (
    <figure class="card" aria-label={title}>
      <figcaption>
        <strong>{title}</strong>
      </figcaption>
      <div ref={ref} class="plot" data-testid="plot" />
    </figure>
  );
}

/** Month and weekday names in a locale, as uPlot's date formatter takes them. */
function dateNames(locale: string) {
  const names = (opts: Intl.DateTimeFormatOptions, dates: Date[]) => dates.map((d) => new Intl.DateTimeFormat(locale, { ...opts, timeZone: 'UTC' }).format(d));
  const months = Array.from({ length: 12 }, (_, m) => new Date(Date.UTC(2024, m, 1)));
  // 7 January 2024 was a Sunday, which uPlot counts as day 0.
  const days = Array.from({ length: 7 }, (_, d) => new Date(Date.UTC(2024, 0, 7 + d)));
  return {
    MMMM: names({ month: 'long' }, months),
    MMM: names({ month: 'short' }, months),
    WWWW: names({ weekday: 'long' }, days),
    WWW: names({ weekday: 'short' }, days),
  };
}
