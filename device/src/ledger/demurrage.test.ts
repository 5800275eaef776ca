import { describe, expect, it } from 'vitest';
import { decayOver } from './demurrage.js';

const flat = (bp: number) => () => bp;

describe('decayOver', () => {
  it('takes nothing from zero or negative balances', () => {
    expect(decayOver(0, 0, 0, 30, flat(500))).toEqual({ decay: 0, carry: 0 });
    expect(decayOver(-5000, 0, 0, 30, flat(500))).toEqual({ decay: 0, carry: 0 });
  });

  it('compounds daily to the yearly rate', () => {
    // 10% a year on 1,000,000 minor units: (1 - 0.1/365)^365 keeps 904,837.
    const { decay } = decayOver(1_000_000, 0, 0, 365, flat(1000));
    const expected = 1_000_000 - 1_000_000 * Math.pow(1 - 0.1 / 365, 365);
    expect(Math.abs(decay - expected)).toBeLessThanOrEqual(1);
  });

  it('gives the same total applied lazily or night by night', () => {
    const lazy = decayOver(123_456, 0, 100, 140, flat(700));
    let balance = 123_456;
    let carry = 0;
    let total = 0;
    for (let d = 100; d < 140; d++) {
      const r = decayOver(balance, carry, d, d + 1, flat(700));
      balance -= r.decay;
      carry = r.carry;
      total += r.decay;
    }
    expect(total).toBe(lazy.decay);
    expect(carry).toBe(lazy.carry);
  });

  it('lets small balances decay through the carried fraction', () => {
    const { decay } = decayOver(100, 0, 0, 365 * 3, flat(500));
    expect(decay).toBeGreaterThan(10);
  });

  it('applies a rate change from its day only', () => {
    const rate = (d: number) => (d < 10 ? 0 : 3650);
    expect(decayOver(1_000_000, 0, 0, 10, rate).decay).toBe(0);
    // 36.5% a year is 0.1% a day: 1,000 on the first day of the new rate.
    expect(decayOver(1_000_000, 0, 0, 11, rate).decay).toBe(1000);
  });
});
