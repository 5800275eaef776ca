import { describe, expect, it } from 'vitest';
import { allocate, tradeCycles, type Offer, type Want } from './allocate.js';

const ALWAYS = { from: 0, to: Number.MAX_SAFE_INTEGER };
const offer = (id: string, party: string, quantity: number, x = 0, y = 0, extra: Partial<Offer> = {}): Offer => ({
  id,
  party,
  quantity,
  place: { x, y },
  resistance: 0,
  ...ALWAYS,
  ...extra,
});
const want = (id: string, party: string, quantity: number, x = 0, y = 0, extra: Partial<Want> = {}): Want => ({
  ...offer(id, party, quantity, x, y),
  priority: 1,
  ...extra,
});

describe('allocation', () => {
  it('finds the three-way trade: A has solar and needs food, B food→medical, C medical→solar', () => {
    const byResource = {
      power: allocate([offer('A-solar', 'A', 30, 0, 0)], [want('C-solar', 'C', 30, 4000, 0)]),
      food: allocate([offer('B-food', 'B', 50, 2000, 0)], [want('A-food', 'A', 50, 0, 0)]),
      medical: allocate([offer('C-med', 'C', 5, 4000, 0)], [want('B-med', 'B', 5, 2000, 0)]),
    };
    const all = Object.entries(byResource).flatMap(([resource, r]) => r.allocations.map((a) => ({ ...a, resource })));
    expect(all.map((a) => `${a.supplier}→${a.receiver} ${a.quantity} ${a.resource}`).sort()).toEqual(['A→C 30 power', 'B→A 50 food', 'C→B 5 medical']);
    const cycles = tradeCycles(all);
    expect(cycles).toHaveLength(1);
    expect(cycles[0]!.map((a) => a.supplier).sort()).toEqual(['A', 'B', 'C']);
  });

  it('sends supply to a flooded pantry from several sources at once, nearest first', () => {
    // The pantry at the origin needs 100 kg; three neighbours have 40, 50 and 30 kg at 1, 2 and 6 km.
    const r = allocate([offer('s1', 'S1', 40, 1000, 0), offer('s2', 'S2', 50, 0, 2000), offer('s3', 'S3', 30, 6000, 0)], [want('pantry', 'P', 100)]);
    expect(Object.fromEntries(r.allocations.map((a) => [a.supplier, a.quantity]))).toEqual({ S1: 40, S2: 50, S3: 10 });
    expect(r.unmet).toEqual([]);
    expect(r.leftover).toEqual([{ offerId: 's3', quantity: 20 }]);
  });

  it("caps any one supplier's share of a need when asked for redundancy", () => {
    const r = allocate([offer('s1', 'S1', 40, 1000, 0), offer('s2', 'S2', 50, 0, 2000), offer('s3', 'S3', 30, 6000, 0)], [want('pantry', 'P', 100)], {
      maxShare: 0.4,
    });
    expect(Object.fromEntries(r.allocations.map((a) => [a.supplier, a.quantity]))).toEqual({ S1: 40, S2: 40, S3: 20 });
  });

  it('serves higher priority first when there is not enough', () => {
    const r = allocate([offer('s', 'S', 10)], [want('near', 'N', 10, 100, 0), want('crisis', 'C', 10, 5000, 0, { priority: 10 })]);
    expect(r.allocations.map((a) => [a.receiver, a.quantity])).toEqual([['C', 10]]);
    expect(r.unmet).toEqual([{ wantId: 'near', quantity: 10 }]);
  });

  it('respects time windows and trust resistance', () => {
    const late = allocate([offer('s', 'S', 10, 0, 0, { from: 100, to: 200 })], [want('w', 'W', 10, 0, 0, { from: 0, to: 50 })]);
    expect(late.allocations).toEqual([]);
    const r = allocate([offer('reliable', 'R', 10, 2000, 0), offer('flaky', 'F', 10, 1000, 0, { resistance: 50 })], [want('w', 'W', 10)]);
    expect(r.allocations.map((a) => a.supplier)).toEqual(['R']);
  });
});
