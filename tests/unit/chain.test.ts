/**
 * The Mathematical Foundation's scalar chain (src/experiments/chain.ts): its products against
 * two independent computations (a naive loop from the bottom up, and a sum of logarithms), seeded
 * determinism, and the edge cases — one layer, zero derivatives, a residual factor of exactly 0,
 * products beyond float64's range — and the plotting and measured-overlay helpers.
 */
import { describe, expect, it } from 'vitest';
import {
  backwardProducts,
  chainDerivatives,
  fromTop,
  PLOT_CEIL_LOG10,
  PLOT_FLOOR_LOG10,
  plotColumn,
  scalarChain,
} from '../../src/experiments/chain.ts';

/** ∏ over the top k layers, multiplied from the bottom of that stretch up (another order). */
function naive(w: Float64Array, k: number, residual: boolean): number {
  let p = 1;
  for (let j = k - 1; j >= 0; j--) p *= residual ? 1 + w[j]! : w[j]!;
  return p;
}

/** log10 |∏| as a sum of logarithms (host Math: this is a test, not the seeded engine). */
function logSum(w: Float64Array, k: number, residual: boolean): number {
  let s = 0;
  for (let j = 0; j < k; j++) s += Math.log10(Math.abs(residual ? 1 + w[j]! : w[j]!));
  return s;
}

describe('scalar chain: products', () => {
  it('match a direct computation (naive loop and log-sum) for random derivatives', () => {
    for (const [mean, sd, seed] of [
      [0, 0.2, 1],
      [0.9, 0.3, 2],
      [-0.3, 1, 3],
      [1.5, 0.1, 4],
    ] as const) {
      const chain = scalarChain(120, { kind: 'normal', mean, sd, seed });
      expect(chain.plain).toHaveLength(121);
      for (let k = 0; k <= 120; k++) {
        for (const residual of [false, true]) {
          const value = residual ? chain.residual[k]! : chain.plain[k]!;
          const log10 = residual ? chain.residualLog10[k]! : chain.plainLog10[k]!;
          const expected = logSum(chain.derivatives, k, residual);
          expect(log10).toBeCloseTo(expected, 9);
          // in float64's normal range the value is the ordinary product, to rounding
          if (Math.abs(expected) < 300) {
            const direct = naive(chain.derivatives, k, residual);
            expect(Math.abs(value - direct)).toBeLessThanOrEqual(Math.abs(direct) * 1e-13);
            expect(Math.log10(Math.abs(value))).toBeCloseTo(expected, 9);
          }
        }
      }
    }
  });

  it('multiplies from the top: product k is the top k derivatives', () => {
    const chain = backwardProducts([0.5, 2, -3]);
    expect([...chain.plain]).toEqual([1, 0.5, 1, -3]);
    expect([...chain.residual]).toEqual([1, 1.5, 4.5, -9]);
    expect(chain.depth).toBe(3);
  });

  it('constant gain: w^k and (1 + w)^k', () => {
    const chain = scalarChain(40, { kind: 'constant', gain: 0.5 });
    for (let k = 0; k <= 40; k++) {
      expect(chain.plain[k]).toBe(0.5 ** k); // powers of two: exact
      expect(chain.residual[k]).toBeCloseTo(1.5 ** k, 6);
      expect(chain.plainLog10[k]).toBeCloseTo(-k * Math.log10(2), 10);
    }
  });

  it('one layer: the products are 1, then w and 1 + w', () => {
    const chain = scalarChain(1, { kind: 'constant', gain: 0.25 });
    expect([...chain.plain]).toEqual([1, 0.25]);
    expect([...chain.residual]).toEqual([1, 1.25]);
    expect([...chain.derivatives]).toEqual([0.25]);
  });

  it('w = 0: the plain gradient is exactly 0, the residual one exactly 1', () => {
    const chain = scalarChain(200, { kind: 'constant', gain: 0 });
    expect(chain.plain[0]).toBe(1);
    for (let k = 1; k <= 200; k++) {
      expect(chain.plain[k]).toBe(0);
      expect(chain.plainLog10[k]).toBe(-Infinity);
      expect(chain.residual[k]).toBe(1);
      expect(chain.residualLog10[k]).toBe(0);
    }
  });

  it('w = −1 in one residual layer: the residual product is exactly 0 below it', () => {
    const w = new Float64Array(10).fill(0.1);
    w[4] = -1;
    const chain = backwardProducts(w);
    for (let k = 1; k <= 4; k++) expect(chain.residual[k]).toBeGreaterThan(1);
    for (let k = 5; k <= 10; k++) {
      expect(Object.is(chain.residual[k], 0) || Object.is(chain.residual[k], -0)).toBe(true);
      expect(chain.residualLog10[k]).toBe(-Infinity);
    }
    // the plain product passes the −1 with its size unchanged
    expect(chain.plain[5]).toBeCloseTo(-(0.1 ** 4), 15);
  });

  it('beyond float64: value 0 / Infinity, the logarithm still exact', () => {
    const tiny = scalarChain(200, { kind: 'constant', gain: 0.01 }); // 10^-400
    expect(tiny.plain[200]).toBe(0);
    expect(tiny.plainLog10[200]).toBeCloseTo(-400, 9);
    // where the float64 value is still normal it equals the naive product
    expect(tiny.plain[150]).toBe(naive(tiny.derivatives, 150, false));
    const huge = scalarChain(200, { kind: 'constant', gain: 100 }); // 10^400 and 101^200
    expect(huge.plain[200]).toBe(Infinity);
    expect(huge.plainLog10[200]).toBeCloseTo(400, 9);
    expect(huge.residual[200]).toBe(Infinity);
    expect(huge.residualLog10[200]).toBeCloseTo(200 * Math.log10(101), 9);
    // a negative product overflows to −Infinity, keeping its sign
    expect(backwardProducts(new Float64Array(155).fill(-100)).plain[155]).toBe(-Infinity);
    // a product that goes out of range and comes back is exact, where a float64 loop is not
    const back = backwardProducts([1e-200, 1e-200, 1e200, 1e200]);
    expect(back.plain[4]).toBeCloseTo(1, 12);
    expect(1e-200 * 1e-200 * 1e200 * 1e200).toBe(0); // the same factors, top first, in float64
  });

  it('rejects a depth below 1 and non-finite settings', () => {
    expect(() => chainDerivatives(0, { kind: 'constant', gain: 1 })).toThrow(RangeError);
    expect(() => chainDerivatives(2.5, { kind: 'constant', gain: 1 })).toThrow(RangeError);
    expect(() => chainDerivatives(3, { kind: 'constant', gain: NaN })).toThrow(RangeError);
    expect(() => chainDerivatives(3, { kind: 'normal', mean: 0, sd: -1, seed: 1 })).toThrow(
      RangeError,
    );
    expect(() => backwardProducts([1, Infinity])).toThrow(RangeError);
  });
});

describe('scalar chain: seeded derivatives', () => {
  it('the same seed gives the same derivatives; another seed others', () => {
    const a = chainDerivatives(50, { kind: 'normal', mean: 0, sd: 0.2, seed: 7 });
    const b = chainDerivatives(50, { kind: 'normal', mean: 0, sd: 0.2, seed: 7 });
    const c = chainDerivatives(50, { kind: 'normal', mean: 0, sd: 0.2, seed: 8 });
    expect([...a]).toEqual([...b]);
    expect([...a]).not.toEqual([...c]);
  });

  it('a deeper chain keeps the shallower one’s derivatives (it adds layers at the bottom)', () => {
    const short = chainDerivatives(20, { kind: 'normal', mean: 0.1, sd: 0.5, seed: 3 });
    const long = chainDerivatives(80, { kind: 'normal', mean: 0.1, sd: 0.5, seed: 3 });
    expect([...long.subarray(0, 20)]).toEqual([...short]);
  });

  it('mean and sd shape the draws (sd 0 is the constant chain)', () => {
    const w = chainDerivatives(4000, { kind: 'normal', mean: 0.3, sd: 0.2, seed: 1 });
    const mean = w.reduce((a, b) => a + b, 0) / w.length;
    const sd = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length);
    expect(mean).toBeCloseTo(0.3, 1);
    expect(sd).toBeCloseTo(0.2, 1);
    const flat = chainDerivatives(5, { kind: 'normal', mean: 0.7, sd: 0, seed: 1 });
    expect([...flat]).toEqual([0.7, 0.7, 0.7, 0.7, 0.7]);
  });
});

describe('scalar chain: plotting and the measured overlay', () => {
  it('plotColumn: magnitudes, moved to the axis edge and marked beyond it', () => {
    const chain = backwardProducts([1e-12, 1e-12, -1e9, 1e30, 1e30, 0]);
    const col = plotColumn(chain.plain, chain.plainLog10);
    // products: 1, 1e-12, 1e-24, -1e-15, 1e15, 1e45, 0 (the axis: 1e-20 … 1e20)
    expect(col.clamped).toEqual([null, null, 'below', null, null, 'above', 'below']);
    expect(col.y[0]).toBe(1);
    expect(col.y[1]).toBeCloseTo(1e-12, 22);
    expect(col.y[2]).toBe(Number(`1e${PLOT_FLOOR_LOG10}`));
    expect(col.y[3]).toBeCloseTo(1e-15, 25); // the magnitude of a negative product
    expect(col.y[5]).toBe(Number(`1e${PLOT_CEIL_LOG10}`));
    expect(col.y[6]).toBe(Number(`1e${PLOT_FLOOR_LOG10}`)); // an exact zero sits on the floor, marked
  });

  it('fromTop: divided by the top block’s norm and indexed from the top', () => {
    expect(fromTop([0.001, 0.01, 0.5, 2])).toEqual([1, 0.25, 0.005, 0.0005]);
    expect(fromTop([])).toEqual([]);
    expect(fromTop([1, 0])).toEqual([null, null]);
    expect(fromTop([NaN, 4])).toEqual([1, null]);
  });
});
