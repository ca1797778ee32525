import { describe, expect, it } from 'vitest';
import * as M from '../../src/engine/math.ts';
import { Rng } from '../../src/engine/rng.ts';

/** Distance in units of the last place between two doubles. */
function ulps(a: number, b: number): number {
  if (a === b) return 0;
  const scale = Math.max(Math.abs(b) * 2 ** -52, Number.MIN_VALUE);
  return Math.abs(a - b) / scale;
}

// The reference is the host's Math: accurate to about 1 ulp, though not the same in every engine.
const cases: [string, (x: number) => number, (x: number) => number, number, number, number][] = [
  ['exp', M.exp, Math.exp, -700, 700, 1],
  ['log', M.log, Math.log, 1e-6, 1e6, 1],
  ['log1p', M.log1p, Math.log1p, -0.999, 100, 2],
  ['log1p (tiny)', M.log1p, Math.log1p, -1e-9, 1e-9, 2],
  ['expm1', M.expm1, Math.expm1, -5, 5, 2],
  ['tanh', M.tanh, Math.tanh, -25, 25, 3],
  ['tanh (tiny)', M.tanh, Math.tanh, -1e-6, 1e-6, 3],
  ['sin', M.sin, Math.sin, -50, 50, 1],
  ['cos', M.cos, Math.cos, -50, 50, 1],
];

describe('deterministic elementary functions', () => {
  for (const [name, ours, host, lo, hi, maxUlps] of cases) {
    it(`${name} agrees with Math within ${maxUlps} ulp on [${lo}, ${hi}]`, () => {
      const rng = new Rng(7, name);
      let worst = 0;
      for (let i = 0; i < 20000; i++) {
        const x = rng.range(lo, hi);
        worst = Math.max(worst, ulps(ours(x), host(x)));
      }
      expect(worst).toBeLessThanOrEqual(maxUlps);
    });
  }

  it('log covers the whole range, subnormals included', () => {
    for (const x of [
      5e-324, 1e-310, 2.2250738585072014e-308, 1e-300, 1e300, 1.7976931348623157e308,
    ])
      expect(ulps(M.log(x), Math.log(x))).toBeLessThanOrEqual(1);
  });

  it('handles the special values', () => {
    expect(M.exp(0)).toBe(1);
    expect(M.exp(-Infinity)).toBe(0);
    expect(M.exp(Infinity)).toBe(Infinity);
    expect(M.exp(710)).toBe(Infinity);
    expect(M.exp(-746)).toBe(0);
    expect(M.exp(-745)).toBeGreaterThan(0); // subnormal result
    expect(M.log(1)).toBe(0);
    expect(M.log(0)).toBe(-Infinity);
    expect(M.log(-1)).toBeNaN();
    expect(M.log(Infinity)).toBe(Infinity);
    expect(M.log1p(-1)).toBe(-Infinity);
    expect(M.tanh(0)).toBe(0);
    expect(Object.is(M.tanh(-0), -0)).toBe(true);
    expect(M.tanh(30)).toBe(1);
    expect(M.tanh(-30)).toBe(-1);
    expect(M.sigmoid(0)).toBe(0.5);
    expect(M.sigmoid(800)).toBe(1);
    expect(M.sigmoid(-800)).toBe(0);
    for (const f of [M.exp, M.log, M.tanh, M.sin, M.cos, M.sigmoid]) expect(f(NaN)).toBeNaN();
    expect(M.sin(Infinity)).toBeNaN();
  });

  // Golden values: the exact bits these functions produce. They must never change — a change
  // would silently change every seeded run — and they are what Chromium's worker reproduces.
  it('produces the recorded bits', () => {
    const bits = (x: number) => {
      const view = new DataView(new ArrayBuffer(8));
      view.setFloat64(0, x);
      return view.getBigUint64(0).toString(16);
    };
    expect(bits(M.exp(1))).toBe('4005bf0a8b14576a');
    expect(bits(M.exp(-0.3))).toBe('3fe7b4c869c37c05');
    expect(bits(M.log(10))).toBe('40026bb1bbb55516');
    expect(bits(M.log1p(1e-5))).toBe('3ee4f8aea9ae7316');
    expect(bits(M.tanh(0.5))).toBe('3fdd9353d7568af4');
    expect(bits(M.sin(2))).toBe('3fed18f6ead1b446');
    expect(bits(M.cos(2))).toBe('bfdaa22657537205');
  });
});
