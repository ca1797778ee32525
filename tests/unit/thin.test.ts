/**
 * Long runs on the page: a chart draws a bounded number of real points, at their real steps,
 * always with the latest one; the history itself is untouched (exports read it whole).
 */
import { describe, expect, it } from 'vitest';
import { MAX_DRAWN_ROWS, strideFor, thinRows } from '../../src/ui/charts/thin.ts';

const history = (rows: number) => {
  const steps = Array.from({ length: rows }, (_, i) => 10 * (i + 1));
  const loss = steps.map((s) => (s % 70 === 0 ? null : 1 / s));
  return [steps, loss];
};

describe('thinning a curve for drawing', () => {
  it('draws everything while it fits, without copying', () => {
    const columns = history(MAX_DRAWN_ROWS);
    const { columns: drawn, stride } = thinRows(columns);
    expect(stride).toBe(1);
    expect(drawn).toBe(columns);
  });

  it('a long history: at most max + 1 rows, real points at their steps, the latest kept', () => {
    for (const rows of [MAX_DRAWN_ROWS + 1, 10_007, 100_000, 1_000_000]) {
      const columns = history(rows);
      const { columns: drawn, stride } = thinRows(columns);
      expect(drawn[0]!.length).toBeLessThanOrEqual(MAX_DRAWN_ROWS + 1);
      expect(drawn[0]!.at(-1)).toBe(columns[0]!.at(-1));
      expect(drawn[1]!.at(-1)).toBe(columns[1]!.at(-1));
      // every drawn row is the history's row at a multiple of the stride (or the last)
      drawn[0]!.forEach((step, j) => {
        const i = step! / 10 - 1;
        expect(i % stride === 0 || i === rows - 1).toBe(true);
        expect(drawn[1]![j]).toBe(columns[1]![i]);
      });
      expect(columns[0]!.length).toBe(rows);
    }
  });

  it('strides are powers of two, so drawn points stay put as the run grows', () => {
    expect([4000, 4001, 8000, 8001, 100_000].map((n) => strideFor(n))).toEqual([1, 2, 2, 4, 32]);
    const before = thinRows(history(20_000)).columns[0]!.slice(0, -1);
    const after = thinRows(history(24_000)).columns[0]!;
    expect(after.slice(0, before.length)).toEqual(before);
  });
});
