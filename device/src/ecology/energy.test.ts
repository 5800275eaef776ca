import { describe, expect, it } from 'vitest';
import { hourlyGenerationAndUse, perBucket } from './energy.js';

const H = 3_600_000;
const series = (values: number[]) => values.map((max, i) => ({ t: i * H, max }));

describe("generation and use from an inverter's counters", () => {
  it('turns hourly counter readings into average watts made and used', () => {
    // Made 0, 2000, 3000 Wh in successive hours; bought 1000, 0, 0; sold 0, 500, 1500.
    const r = hourlyGenerationAndUse(series([10_000, 10_000, 12_000, 15_000]), series([5_000, 6_000, 6_000, 6_000]), series([700, 700, 1_200, 2_700]));
    expect(r.t).toEqual([H, 2 * H, 3 * H]);
    expect(r.generated).toEqual([0, 2_000, 3_000]);
    expect(r.used).toEqual([1_000, 1_500, 1_500]); // made + bought − sold
  });

  it('skips hours with a gap in any counter, or where a counter went back', () => {
    const made = [
      { t: 0, max: 100 },
      { t: H, max: 200 },
      { t: 3 * H, max: 400 },
      { t: 4 * H, max: 50 },
    ];
    const r = hourlyGenerationAndUse(made, series([0, 0, 0, 0, 0]), series([0, 0, 0, 0, 0]));
    expect(r.t).toEqual([H]); // 3H has no 2H before it; 4H's counter was reset
    expect(r.generated).toEqual([100]);
  });

  it("turns a water meter's counter into litres per day", () => {
    const D = 24 * H;
    const r = perBucket(
      [
        { t: 0, max: 1_000 },
        { t: D, max: 1_800 },
        { t: 2 * D, max: 2_700 },
        { t: 4 * D, max: 3_000 },
      ],
      D,
    );
    expect(r).toEqual({ t: [D, 2 * D], v: [800, 900] });
  });
});
