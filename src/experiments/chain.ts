/**
 * The scalar chain of the Mathematical Foundation: a stack of L one-number layers, each with a
 * derivative w_i, and the gradient that reaches each layer on the way back down — for a plain
 * chain ∏ w_i, for a residual chain (x_{i+1} = x_i + F(x_i), so each factor is 1 + w_i) ∏ (1 + w_i).
 *
 * Everything is indexed from the top: derivative j belongs to the j-th layer below the output,
 * and product k is the gradient after passing back through the top k layers (k = 0 … L, product
 * 0 is 1). Drawing the random derivatives in that order means a deeper chain keeps every factor
 * of a shallower one and only adds layers at the bottom, so moving the depth slider extends the
 * curves instead of redrawing them.
 *
 * Products are kept as a float64 significand and a separate power of two, so they never underflow
 * or overflow while being multiplied: `plain`/`residual` are the float64 values (0 or ±Infinity
 * where the true product is beyond float64's range — what a real float64 backward pass would hold),
 * and `plainLog10`/`residualLog10` say how large the products really are (−Infinity only for an
 * exact zero, i.e. a factor that is exactly 0). Pure and seeded: no DOM, no host Math.exp/log.
 */
import { log } from '../engine/math.ts';
import { Rng } from '../engine/rng.ts';

/** How each layer's derivative is chosen. */
export type ChainDerivatives =
  | { kind: 'constant'; gain: number }
  /** w_i ~ Normal(mean, sd²), independently, from the seeded stream 'scalar-chain' */
  | { kind: 'normal'; mean: number; sd: number; seed: number };

export interface ChainProducts {
  /** the number of layers L */
  depth: number;
  /** derivative of the j-th layer below the top (layer index L − 1 − j), j = 0 … L − 1 */
  derivatives: Float64Array;
  /** product over the top k layers, k = 0 … L, as float64 (0 / ±Infinity beyond its range) */
  plain: Float64Array;
  residual: Float64Array;
  /** log10 of |product|, k = 0 … L: finite whatever the size; −Infinity for an exact zero */
  plainLog10: Float64Array;
  residualLog10: Float64Array;
}

/** The per-layer derivatives, from the top down. */
export function chainDerivatives(depth: number, spec: ChainDerivatives): Float64Array {
  if (!Number.isInteger(depth) || depth < 1) throw new RangeError(`depth must be ≥ 1: ${depth}`);
  const w = new Float64Array(depth);
  if (spec.kind === 'constant') {
    if (!Number.isFinite(spec.gain)) throw new RangeError(`gain must be finite: ${spec.gain}`);
    w.fill(spec.gain);
    return w;
  }
  if (!Number.isFinite(spec.mean) || !Number.isFinite(spec.sd) || spec.sd < 0)
    throw new RangeError(`need a finite mean and sd ≥ 0: ${spec.mean}, ${spec.sd}`);
  const rng = new Rng(spec.seed, 'scalar-chain');
  for (let j = 0; j < depth; j++) w[j] = spec.mean + spec.sd * rng.normal();
  return w;
}

/** The plain and residual backward products of derivatives given from the top down. */
export function backwardProducts(derivatives: ArrayLike<number>): ChainProducts {
  const depth = derivatives.length;
  const plain = new ScaledProduct();
  const residual = new ScaledProduct();
  const out: ChainProducts = {
    depth,
    derivatives: Float64Array.from(derivatives),
    plain: new Float64Array(depth + 1),
    residual: new Float64Array(depth + 1),
    plainLog10: new Float64Array(depth + 1),
    residualLog10: new Float64Array(depth + 1),
  };
  for (let k = 0; k <= depth; k++) {
    if (k > 0) {
      const w = derivatives[k - 1]!;
      if (!Number.isFinite(w)) throw new RangeError(`derivative ${k - 1} is not finite: ${w}`);
      plain.times(w);
      residual.times(1 + w);
    }
    out.plain[k] = plain.value();
    out.residual[k] = residual.value();
    out.plainLog10[k] = plain.log10();
    out.residualLog10[k] = residual.log10();
  }
  return out;
}

/** `chainDerivatives` then `backwardProducts`. */
export function scalarChain(depth: number, spec: ChainDerivatives): ChainProducts {
  return backwardProducts(chainDerivatives(depth, spec));
}

// ── products that never leave float64's range ──

const TWO_32 = 4294967296;
const TWO_M32 = 1 / TWO_32; // exact: a power of two
/** 2^512 and 2^-512, by exact multiplication (no Math.pow in this layer) */
const TWO_512 = powerOfTwo(TWO_32, 16);
const TWO_M512 = powerOfTwo(TWO_M32, 16);
const LN10 = 2.302585092994046;
const LN2 = 0.6931471805599453;

function powerOfTwo(base: number, times: number): number {
  let p = 1;
  for (let i = 0; i < times; i++) p *= base;
  return p;
}

/**
 * A product m · 2^e with 2^-32 ≤ |m| < 2^32 (or m = 0). Scaling by powers of two is exact, so
 * each multiplication rounds exactly as a plain float64 multiplication would: while the true
 * product stays within float64's normal range, `value()` equals the naive loop's product bit for
 * bit.
 */
class ScaledProduct {
  private m = 1;
  private e = 0;

  times(factor: number): void {
    if (factor === 0 || this.m === 0) {
      this.m = 0;
      this.e = 0;
      return;
    }
    let f = factor;
    let fe = 0;
    while (Math.abs(f) >= TWO_32) {
      f *= TWO_M32;
      fe += 32;
    }
    while (Math.abs(f) < TWO_M32) {
      f *= TWO_32;
      fe -= 32;
    }
    this.m *= f;
    this.e += fe;
    while (Math.abs(this.m) >= TWO_32) {
      this.m *= TWO_M32;
      this.e += 32;
    }
    while (Math.abs(this.m) < TWO_M32) {
      this.m *= TWO_32;
      this.e -= 32;
    }
  }

  /** As a float64: 0 or ±Infinity where the product is beyond its range. */
  value(): number {
    let v = this.m;
    let e = this.e;
    if (v === 0) return 0;
    // apply 2^e in steps no larger than 2^±512, so that only the last step can round
    while (e > 512 && Number.isFinite(v)) {
      v *= TWO_512;
      e -= 512;
    }
    while (e < -512 && v !== 0) {
      v *= TWO_M512;
      e += 512;
    }
    if (!Number.isFinite(v) || v === 0) return v;
    return v * powerOfTwoSmall(e);
  }

  log10(): number {
    if (this.m === 0) return -Infinity;
    return (log(Math.abs(this.m)) + this.e * LN2) / LN10;
  }
}

/** 2^e for an integer |e| ≤ 512, exactly. */
function powerOfTwoSmall(e: number): number {
  let p = 1;
  const base = e >= 0 ? 2 : 0.5;
  for (let i = Math.abs(e); i >= 32; i -= 32) p *= e >= 0 ? TWO_32 : TWO_M32;
  for (let i = Math.abs(e) % 32; i > 0; i--) p *= base;
  return p;
}

// ── for the chart: a log axis has room for neither 0 nor 10^-400 ──

/**
 * Where the chart's log axis stops: products beyond are drawn at the edge and marked. Forty
 * decades are plenty to see a slope, and uPlot's log ticks break down below about 10^-25.
 */
export const PLOT_FLOOR_LOG10 = -20;
export const PLOT_CEIL_LOG10 = 20;
const FLOOR = Number(`1e${PLOT_FLOOR_LOG10}`);
const CEIL = Number(`1e${PLOT_CEIL_LOG10}`);

export interface PlotColumn {
  /** |product|, or the axis edge where it is beyond it */
  y: number[];
  /** which points were moved to an edge */
  clamped: ('below' | 'above' | null)[];
}

/**
 * A product column for a log axis: the magnitude (a log axis cannot show sign; the chart says
 * so), moved to 10^PLOT_FLOOR_LOG10 / 10^PLOT_CEIL_LOG10 — and marked — where it lies beyond.
 */
export function plotColumn(values: Float64Array, log10s: Float64Array): PlotColumn {
  const y: number[] = [];
  const clamped: ('below' | 'above' | null)[] = [];
  for (let k = 0; k < values.length; k++) {
    const l = log10s[k]!;
    if (l < PLOT_FLOOR_LOG10) {
      y.push(FLOOR);
      clamped.push('below');
    } else if (l > PLOT_CEIL_LOG10) {
      y.push(CEIL);
      clamped.push('above');
    } else {
      y.push(Math.abs(values[k]!));
      clamped.push(null);
    }
  }
  return { y, clamped };
}

/**
 * Measured gradient norms at each block's input (block 0 nearest the network's input) as the
 * chain's products: divided by the top block's, and indexed from the top (k = blocks below the
 * top block; k = 0 is 1). A non-positive or non-finite top gives nulls (nothing to divide by).
 */
export function fromTop(norms: readonly number[]): (number | null)[] {
  const n = norms.length;
  if (n === 0) return [];
  const top = norms[n - 1]!;
  const out: (number | null)[] = [];
  for (let k = 0; k < n; k++) {
    const v = norms[n - 1 - k]!;
    out.push(top > 0 && Number.isFinite(top) && Number.isFinite(v) ? v / top : null);
  }
  return out;
}
