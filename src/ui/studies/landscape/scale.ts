/**
 * The one colour (and height) scale both surfaces share: log10 of the loss between the lowest
 * loss of either surface and a cap (10, as in Li et al.'s plots, or the highest loss when lower),
 * so that a huge wall of one network does not flatten the other's valley. Colours are viridis
 * (perceptually even, readable in grey and by most colour-blind readers).
 */

export interface LossScale {
  /** log10 of the lowest and the highest loss the colours span */
  lo: number;
  hi: number;
}

/** The loss at which the colours stop (higher losses take the top colour). */
export const LOSS_CAP = 10;

export function sharedScale(
  surfaces: readonly (readonly (readonly (number | null)[])[])[],
): LossScale {
  let min = Infinity;
  let max = -Infinity;
  for (const s of surfaces)
    for (const row of s)
      for (const v of row)
        if (v !== null && Number.isFinite(v) && v > 0) {
          if (v < min) min = v;
          if (v > max) max = v;
        }
  if (!Number.isFinite(min)) return { lo: -1, hi: 1 };
  const lo = Math.log10(min);
  const hi = Math.log10(Math.min(max, LOSS_CAP));
  return hi - lo < 0.05 ? { lo: lo - 0.05, hi: lo + 0.05 } : { lo, hi };
}

/** Where a loss sits on the scale, 0…1 (a non-finite loss is above the top). */
export function position(loss: number | null, scale: LossScale): number {
  if (loss === null || !Number.isFinite(loss)) return 1;
  if (loss <= 0) return 0;
  const t = (Math.log10(loss) - scale.lo) / (scale.hi - scale.lo);
  return t < 0 ? 0 : t > 1 ? 1 : t;
}

// viridis at 0, 1/8, …, 1
const VIRIDIS: readonly [number, number, number][] = [
  [68, 1, 84],
  [70, 50, 127],
  [54, 92, 141],
  [39, 127, 142],
  [31, 161, 135],
  [74, 194, 109],
  [159, 218, 58],
  [223, 227, 24],
  [253, 231, 37],
];

export function colourAt(t: number): string {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i]!;
  const b = VIRIDIS[i + 1]!;
  const c = (k: number) => Math.round(a[k]! + (b[k]! - a[k]!) * f);
  return `rgb(${c(0)}, ${c(1)}, ${c(2)})`;
}

/** `count` contour levels evenly spaced in log loss, inside the scale (log10 values). */
export function contourLevels(scale: LossScale, count = 12): number[] {
  return Array.from(
    { length: count },
    (_, k) => scale.lo + ((k + 0.5) / count) * (scale.hi - scale.lo),
  );
}

/** Loss values to label a legend with: 1 and 3 × powers of ten inside the scale (its ends too). */
export function legendTicks(scale: LossScale): number[] {
  const out: number[] = [];
  for (let e = Math.floor(scale.lo); e <= Math.ceil(scale.hi); e++)
    for (const m of [1, 3]) {
      const v = m * 10 ** e;
      const l = Math.log10(v);
      if (l >= scale.lo - 1e-9 && l <= scale.hi + 1e-9) out.push(v);
    }
  return out;
}

/** A loss as a short label: 0.034, 0.69, 12, 3.2e+5. */
export function lossLabel(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return 'not finite';
  if (v >= 1e4) return v.toExponential(1);
  if (v >= 10) return v.toFixed(0);
  return v.toPrecision(2);
}
