/**
 * Demurrage arithmetic, pure and integer: a yearly rate on positive balances,
 * compounded daily. Each day's decay is computed in millionths of a minor
 * unit and the fraction is carried, so applying it lazily after ten days gives
 * exactly what ten nightly runs give, and small balances still decay.
 */
export const MICRO = 1_000_000n;
const BP_DAYS = 10_000n * 365n;

export interface DecayResult {
  /** Whole minor units that decay, moved to the community fund. */
  decay: number;
  /** Millionths of a minor unit carried to the next application. */
  carry: number;
}

/**
 * Decay of `balance` over the days [fromDay, toDay), with the yearly rate in
 * basis points given per day so that a rate change takes effect on its day.
 */
export function decayOver(balance: number, carry: number, fromDay: number, toDay: number, rateBpOnDay: (day: number) => number): DecayResult {
  if (balance <= 0 || toDay <= fromDay) return { decay: 0, carry: balance <= 0 ? 0 : carry };
  let bal = BigInt(balance);
  let c = BigInt(carry);
  let decayed = 0n;
  for (let day = fromDay; day < toDay && bal > 0n; day++) {
    const rate = BigInt(Math.round(rateBpOnDay(day)));
    if (rate <= 0n) continue;
    // The balance still owed decay is bal minus what is already carried.
    const effMicro = bal * MICRO - c;
    c += (effMicro * rate) / BP_DAYS;
    const whole = c / MICRO;
    if (whole > 0n) {
      bal -= whole;
      decayed += whole;
      c -= whole * MICRO;
    }
  }
  return { decay: Number(decayed), carry: Number(c) };
}

export function percentToBp(percent: number): number {
  return Math.round(percent * 100);
}
