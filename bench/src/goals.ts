/**
 * Goals and their verdicts, computed, never written by hand: every bench
 * states its goals here and `printGoals` says "met" or "NOT met" from the
 * numbers. A goal is judged on the median of its rounds; the minimum is
 * printed beside it so a noisy round shows.
 */
export interface Goal {
  /** What is measured, in words ("LoRaWAN uplinks stored per second"). */
  what: string;
  /** The median of the rounds (the verdict's figure). */
  median: number;
  /** The worst round, in the goal's direction (lowest when higher is better). */
  worst?: number;
  /** Figures are printed with this unit ("/s", " ms", "×", " MiB"). */
  unit: string;
  /** At least (higher is better) or at most (lower is better). */
  atLeast?: number;
  atMost?: number;
  /** How many decimals to print. */
  digits?: number;
}

export function met(g: Goal): boolean {
  if (!Number.isFinite(g.median)) return false;
  if (g.atLeast !== undefined && !(g.median >= g.atLeast)) return false;
  if (g.atMost !== undefined && !(g.median <= g.atMost)) return false;
  return true;
}

const num = (n: number, digits: number) =>
  Number.isFinite(n) ? n.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a';

const bounded = (g: Goal) => g.atLeast !== undefined || g.atMost !== undefined;

export function goalLine(g: Goal): string {
  const d = g.digits ?? 0;
  const worst = g.worst !== undefined ? `, worst round ${num(g.worst, d)}${g.unit}` : '';
  const figure = `${g.what}: median ${num(g.median, d)}${g.unit}${worst}`;
  if (!bounded(g)) return figure;
  const bound = g.atLeast !== undefined ? `≥ ${num(g.atLeast, d)}${g.unit}` : `≤ ${num(g.atMost!, d)}${g.unit}`;
  return `${figure} (goal ${bound}) → ${met(g) ? 'met' : 'NOT met'}`;
}

/** Prints each figure's line and a computed summary of the goals among them; returns the goals missed. */
export function printGoals(goals: Goal[], out: (line: string) => void = (l) => console.log(l)): Goal[] {
  for (const g of goals) out(`  ${goalLine(g)}`);
  const judged = goals.filter(bounded);
  const missed = judged.filter((g) => !met(g));
  if (judged.length === 0) {
    out('goals: none set for these figures');
    return missed;
  }
  out(`goals: ${judged.length - missed.length} of ${judged.length} met${missed.length ? `; NOT met: ${missed.map((g) => g.what).join('; ')}` : ''}`);
  return missed;
}

/** Runs `round` `n` times (three unless told) and gives every result, for median and worst. */
export async function rounds<T>(round: (i: number) => Promise<T> | T, n = 3): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(await round(i));
  return out;
}

export function medianOf(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
