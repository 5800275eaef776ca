import { describe, expect, it } from 'vitest';
import { tickLabels, timeTickLabels } from './ticks.js';

const fixed = (locale: string) => (v: number, d: number) => new Intl.NumberFormat(locale, { minimumFractionDigits: d, maximumFractionDigits: d }).format(v);

describe('value-axis labels', () => {
  it('uses the decimals the step needs, so no two ticks read alike', () => {
    // The multiplier axis that used to read 0.95, 0.95, 0.94.
    expect(tickLabels([0.94, 0.945, 0.95, 0.955], fixed('en'))).toEqual(['0.940', '0.945', '0.950', '0.955']);
    expect(tickLabels([0, 500, 1000, 1500], fixed('en'))).toEqual(['0', '500', '1,000', '1,500']);
    expect(tickLabels([0.5, 1, 1.5], fixed('sv'))).toEqual(['0,5', '1,0', '1,5']);
  });

  it('shows a quarter step as quarters, not rounded to one decimal, and copes with one tick or none', () => {
    expect(tickLabels([0.25, 0.5, 0.75], fixed('en'))).toEqual(['0.25', '0.50', '0.75']);
    expect(tickLabels([3], fixed('en'))).toEqual(['3']);
    expect(tickLabels([], fixed('en'))).toEqual([]);
  });
});

describe('time-axis labels', () => {
  const day = (d: number, h = 0) => Date.UTC(2026, 10, d, h);
  it("names days the locale's way when ticks are days apart", () => {
    expect(timeTickLabels([day(30), day(30) + 2 * 86_400_000], 'es', 'UTC')).toEqual(['30 nov', '2 dic']);
    expect(timeTickLabels([day(30), day(30) + 2 * 86_400_000], 'sv', 'UTC')).toEqual(['30 nov.', '2 dec.']);
    expect(timeTickLabels([day(30), day(30) + 2 * 86_400_000], 'en', 'UTC')).toEqual(['Nov 30', 'Dec 2']);
  });

  it('gives hours within a day, and the day too where hours would repeat', () => {
    expect(timeTickLabels([day(30, 6), day(30, 12), day(30, 18)], 'sv', 'UTC')).toEqual(['06:00', '12:00', '18:00']);
    const twoDays = timeTickLabels([day(29, 12), day(30, 0), day(30, 12)], 'en', 'UTC');
    expect(new Set(twoDays).size).toBe(3);
    expect(twoDays[0]).toMatch(/Nov 29/);
  });
});
