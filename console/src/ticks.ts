/**
 * Labels for a plot's value axis that never repeat: as many decimals as the
 * step between ticks is written with (0.945 and 0.95 are two ticks, not
 * "0.95, 0.95"), more only if two still read alike, and the same number of
 * decimals on every tick, so the axis reads as one scale.
 */
export function tickLabels(splits: number[], format: (v: number, decimals: number) => string): string[] {
  if (splits.length === 0) return [];
  const step =
    splits.length > 1
      ? Math.min(
          ...splits
            .slice(1)
            .map((v, i) => Math.abs(v - (splits[i] ?? v)))
            .filter((d) => d > 0),
        )
      : 0;
  // The decimals the step itself is written with (0.25 → 2, 500 → 0), so every tick is shown as it is.
  let decimals = 0;
  while (decimals < 6 && step > 0 && Number.isFinite(step) && Math.abs(Math.round(step * 10 ** decimals) - step * 10 ** decimals) > 1e-6) decimals++;
  for (; decimals <= 6; decimals++) {
    const labels = splits.map((v) => format(v, decimals));
    if (new Set(labels).size === labels.length) return labels;
  }
  return splits.map((v) => format(v, 6));
}

/** The decimals a value needs to be read the same way everywhere it is shown: the multiplier, for one, always with two. */
export const MULTIPLIER_DECIMALS = 2;

/** The ecological multiplier as every page shows it: "0.95", "1,00". */
export function multiplierText(x: number, locale: string): string {
  return new Intl.NumberFormat(locale, { minimumFractionDigits: MULTIPLIER_DECIMALS, maximumFractionDigits: MULTIPLIER_DECIMALS }).format(x);
}

/**
 * Labels for a plot's time axis in the member's locale: days ("30 nov",
 * "2 dic") when the ticks are a day or more apart, hours ("18:00") when
 * closer, with the day added where two hour labels would otherwise repeat.
 */
export function timeTickLabels(ms: number[], locale: string, timeZone?: string): string[] {
  const step = ms.length > 1 ? Math.min(...ms.slice(1).map((v, i) => v - (ms[i] ?? v))) : Infinity;
  const zone = timeZone ? { timeZone } : {};
  const fmt = (o: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(locale, { ...o, ...zone });
  const labels = ms.map((v) => (step >= 86_400_000 ? fmt({ day: 'numeric', month: 'short' }) : fmt({ hour: '2-digit', minute: '2-digit' })).format(v));
  return new Set(labels).size === labels.length ? labels : ms.map((v) => fmt({ day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }).format(v));
}
