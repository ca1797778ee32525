/**
 * A log-10 y axis labelled at whole decades (10⁻², 1, 10, 10³ …), shared by the scalar chain's
 * chart and the loss curves: uPlot's own log axis places 2·10^k, 3·10^k… and, with its default
 * filter, can leave every label empty.
 */
import type uPlot from 'uplot';
import { powerOfTen } from '../math/format.ts';

/** 10^e as the exact double uPlot's log ticks expect (1/10 multiplied out sends them into a loop). */
export const decade = (e: number): number => Number(`1e${e}`);

/**
 * Ticks and grid lines at whole decades only, at most about seven of them (every second, fourth…
 * decade on a long axis).
 */
export function decadeSplits(min: number, max: number): number[] {
  const lo = Math.ceil(Math.log10(min) - 1e-9);
  const hi = Math.floor(Math.log10(max) + 1e-9);
  const stride = Math.max(1, Math.ceil((hi - lo) / 6));
  const out: number[] = [];
  for (let e = lo; e <= hi; e++) if (e % stride === 0) out.push(decade(e));
  return out;
}

/** The smallest and largest positive finite values of the shown series, or null if none. */
export function positiveExtent(u: uPlot): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 1; i < u.data.length; i++) {
    if (u.series[i]?.show === false) continue;
    for (const v of u.data[i] as (number | null | undefined)[]) {
      if (v == null || !(v > 0) || !Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return lo <= hi ? [lo, hi] : null;
}

/** Whole decades around [lo, hi], at least one decade wide. */
export function decadeRange(lo: number, hi: number): [number, number] {
  const down = Math.floor(Math.log10(lo) + 1e-9);
  const up = Math.max(down + 1, Math.ceil(Math.log10(hi) - 1e-9));
  return [decade(down), decade(up)];
}

/** The y axis' options that draw and label the decades. */
export function decadeAxis(): Pick<uPlot.Axis, 'splits' | 'filter' | 'values'> {
  return {
    splits: (_u, _axis, min, max) => decadeSplits(min, max),
    // every one of our few splits is labelled (uPlot's log default thins them to nulls)
    filter: (_u, splits) => splits,
    values: (_u, splits) => splits.map((v) => (v > 0 ? powerOfTen(Math.round(Math.log10(v))) : '')),
  };
}

/**
 * Whether the values are easier to read on a log axis: positive and spread over more than two
 * decades (a loss that blew up while the others stayed near 1 flattens them on a linear axis).
 */
export function spansDecades(columns: readonly (readonly (number | null)[])[]): boolean {
  let lo = Infinity;
  let hi = -Infinity;
  for (const col of columns)
    for (const v of col) {
      if (v == null || !(v > 0) || !Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  return lo <= hi && hi / lo > 100;
}
