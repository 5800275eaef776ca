import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { goalLine, medianOf, met, printGoals } from './goals.js';

describe('bench goals', () => {
  it('are judged from the figures: a ratio short of its goal prints NOT met, whatever the bench hoped', () => {
    expect(met({ what: 'r', median: 0.49, unit: '×', atLeast: 0.5 })).toBe(false);
    expect(met({ what: 'r', median: 0.5, unit: '×', atLeast: 0.5 })).toBe(true);
    expect(met({ what: 'p99', median: 20.1, unit: ' ms', atMost: 20 })).toBe(false);
    expect(met({ what: 'nan', median: NaN, unit: '', atMost: 20 })).toBe(false);
    expect(goalLine({ what: 'transfers ÷ bare Hono', median: 0.11, worst: 0.08, unit: '×', atLeast: 0.25, digits: 2 })).toBe(
      'transfers ÷ bare Hono: median 0.11×, worst round 0.08× (goal ≥ 0.25×) → NOT met',
    );
    const lines: string[] = [];
    const missed = printGoals(
      [
        { what: 'a', median: 3, unit: '', atLeast: 2 },
        { what: 'b', median: 1, unit: '', atLeast: 2 },
        { what: 'a ratio shown for the record', median: 0.3, unit: '×', digits: 1 },
      ],
      (l) => lines.push(l),
    );
    expect(missed.map((g) => g.what)).toEqual(['b']);
    expect(lines.at(-1)).toBe('goals: 1 of 2 met; NOT met: b');
    expect(lines[2]).toBe('  a ratio shown for the record: median 0.3×');
    expect(medianOf([5, 1, 3])).toBe(3);
    // Figures with no goal (the library's ratios) are not "0 of 0 met".
    const none: string[] = [];
    expect(printGoals([{ what: 'a ratio', median: 0.5, unit: '×' }], (l) => none.push(l))).toEqual([]);
    expect(none.at(-1)).toBe('goals: none set for these figures');
  });

  it('are the only place a bench says "met": no summary is written by hand', () => {
    const dir = new URL('.', import.meta.url);
    const handWritten = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'goals.ts')
      .filter((f) => /['"`]\s*(NOT )?met\b|\bwithin\b.*\bOVER\b/.test(readFileSync(new URL(f, dir), 'utf8')));
    expect(handWritten).toEqual([]);
  });
});
