import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { carve, PAGE } from './carve.js';

describe('carve', () => {
  it('gives arrays of the kinds and lengths asked for, zeroed, that do not overlap', () => {
    const a = carve({ source: [Int32Array, 9_000], cost: [Float64Array, 9_000], state: [Int8Array, 9_000], pi: [Float64Array, 1_001] });
    expect(a.source).toBeInstanceOf(Int32Array);
    expect(a.cost).toBeInstanceOf(Float64Array);
    expect(a.state).toBeInstanceOf(Int8Array);
    expect([a.source.length, a.cost.length, a.state.length, a.pi.length]).toEqual([9_000, 9_000, 9_000, 1_001]);
    a.source.fill(-1);
    a.state.fill(-1);
    a.pi.fill(7);
    expect(a.cost.every((x) => x === 0)).toBe(true);
    expect(a.source.every((x) => x === -1)).toBe(true);
  });

  // The point of it: arrays read at one index in a hot loop must not all fall in the same cache set.
  it('starts every array at its own offset within a page, whatever the lengths', () => {
    const kinds = [Int32Array, Float64Array, Int8Array] as const;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 70_000 })), { minLength: 1, maxLength: 21 }), (spec) => {
        const carved = carve(Object.fromEntries(spec.map(([k, n], i) => [`a${i}`, [kinds[k]!, n] as const])));
        const arrays = Object.values(carved);
        const offsets = arrays.map((x) => x.byteOffset % PAGE);
        expect(new Set(offsets).size).toBe(arrays.length);
        // In order, one after the other, each aligned for its kind.
        for (let i = 1; i < arrays.length; i++) expect(arrays[i]!.byteOffset).toBeGreaterThanOrEqual(arrays[i - 1]!.byteOffset + arrays[i - 1]!.byteLength);
        for (const x of arrays) expect(x.byteOffset % x.BYTES_PER_ELEMENT).toBe(0);
      }),
    );
  });
});
