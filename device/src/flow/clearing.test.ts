import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clear, clearingProblem, ClearingInputError, parseObligationsCsv, type Obligation } from './clearing.js';
import { networkSimplex } from './network-simplex.js';
import { FlowInputError } from './problem.js';
import { parseDimacs, writeDimacs } from './dimacs.js';

function net(obls: Obligation[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const o of obls) {
    m.set(o.debtor, (m.get(o.debtor) ?? 0) - o.amount);
    m.set(o.creditor, (m.get(o.creditor) ?? 0) + o.amount);
  }
  for (const [k, v] of m) if (v === 0) m.delete(k);
  return m;
}

/** Obligations written "debtor creditor amount". */
const owes = (...lines: string[]): Obligation[] =>
  lines.map((line) => {
    const [debtor = '', creditor = '', amount] = line.split(' ');
    return { debtor, creditor, amount: Number(amount) };
  });

const obligations = fc.array(
  fc
    .record({
      debtor: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'),
      creditor: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'),
      amount: fc.integer({ min: 1, max: 100 }),
    })
    .filter((o) => o.debtor !== o.creditor),
  { minLength: 1, maxLength: 25 },
);

describe('clearing', () => {
  it('cancels a triangle of debts completely', () => {
    const r = clear(owes('A B 10', 'B C 10', 'C A 10'));
    expect(r).toMatchObject({ totalBefore: 30, totalAfter: 0, cleared: 30, cycles: 1, remaining: [] });
  });

  it('clears as much as possible and leaves the rest', () => {
    const obls = owes('A B 10', 'B C 7', 'C A 5', 'B A 2');
    const r = clear(obls);
    // Cycle A→B→C→A carries 5, cycle A→B→A carries 2: 15 + 4 = 19 set off.
    expect(r.cleared).toBe(19);
    expect(r.totalAfter).toBe(24 - 19);
    expect(net(r.remaining)).toEqual(net(obls));
  });

  it('keeps net positions, never grows an obligation, and is optimal on random instances', () => {
    fc.assert(
      fc.property(obligations, (obls) => {
        const cs = clear(obls, 'pd');
        const ns = clear(obls, 'ns');
        expect(cs.cleared).toBe(ns.cleared); // both algorithms reach the same optimum
        expect(net(cs.remaining)).toEqual(net(obls));
        cs.setOff.forEach((s, k) => {
          expect(s).toBeGreaterThanOrEqual(0);
          expect(s).toBeLessThanOrEqual(obls[k]!.amount);
        });
        expect(cs.totalAfter).toBe(cs.totalBefore - cs.cleared);
      }),
      { numRuns: 300 },
    );
  });

  it('solves the same instance through the min-cost-flow reduction in DIMACS form', () => {
    const obls = owes('x y 4', 'y z 6', 'z x 3', 'y x 1');
    const { problem } = clearingProblem(obls);
    const again = parseDimacs(writeDimacs(problem));
    expect(-networkSimplex(again).cost).toBe(clear(obls).cleared);
  });

  it('refuses bad input with a clear error', () => {
    expect(() => parseObligationsCsv('a,b,-5')).toThrow(/must be positive/);
    expect(() => parseObligationsCsv('a,a,5')).toThrow(/cannot owe themselves/);
    expect(() => parseObligationsCsv('a,b,1.5')).toThrow(/whole number/);
    expect(() => parseObligationsCsv('a,b')).toThrow(ClearingInputError);
    expect(parseObligationsCsv('debtor,creditor,amount\na,b,5\n')).toEqual([{ debtor: 'a', creditor: 'b', amount: 5 }]);
  });
});

describe('DIMACS', () => {
  it('reads a problem and refuses malformed files with the line number', () => {
    const p = parseDimacs('c tiny\np min 2 1\nn 1 3\nn 2 -3\na 1 2 0 5 7\n');
    expect(p).toMatchObject({ nodeCount: 2, supply: [3, -3], from: [0], to: [1], upper: [5], cost: [7] });
    expect(() => parseDimacs('p min 2 1\na 1 3 0 5 7\n')).toThrow(/line 2: node 3 is outside/);
    expect(() => parseDimacs('p max 2 1\n')).toThrow(FlowInputError);
    expect(() => parseDimacs('a 1 2 0 5 7\n')).toThrow(/before the problem line/);
    expect(() => parseDimacs('p min 2 2\na 1 2 0 5 7\n')).toThrow(/promises 2 arcs/);
    expect(() => parseDimacs('p min 2 1\nn 1 3\na 1 2 0 5 x\n')).toThrow(/line 3: the cost must be an integer/);
    expect(() => parseDimacs('p min 2 0\nn 1 3\n')).toThrow(/sum to 3/);
  });
});
