/**
 * Deterministic elementary functions.
 *
 * ECMAScript leaves Math.exp, Math.log, Math.sin… "implementation-approximated", and they do
 * differ: Node 20's V8 and Chromium 156's V8 disagree in the last bit for about 10% of Math.exp
 * results (measured by the browser test). A seed must give the same numbers in both, so the
 * engine, the data and the experiments use these instead. They are built only from + − × ÷,
 * Math.round and Math.sqrt — which IEEE 754 requires to be correctly rounded — and bit access
 * to doubles, following fdlibm/musl's algorithms and coefficients (error below 1 ulp).
 * ESLint forbids the Math versions in src/engine, src/data and src/experiments.
 */

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
// Word order of a double in memory: JS engines use the platform's (little-endian everywhere we run).
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HI = LITTLE ? 1 : 0;
const LO = LITTLE ? 0 : 1;

/** 2^k for an integer k in [-1022, 1023], built from its bits. */
function pow2(k: number): number {
  u32[HI] = (k + 1023) << 20;
  u32[LO] = 0;
  return f64[0];
}

/** 2^k for k in [-1022, 1023], exact, at index k + 1022: a multiply replaces bit twiddling. */
const POW2 = new Float64Array(2046);
for (let k = -1022; k <= 1023; k++) POW2[k + 1022] = pow2(k);

/** y · 2^k for any integer k, in steps that never overflow the exponent. */
function scale2(y: number, k: number): number {
  while (k > 1023) {
    y *= pow2(1023);
    k -= 1023;
  }
  while (k < -1022) {
    y *= pow2(-1022);
    k += 1022;
  }
  return y * pow2(k);
}

const LN2_HI = 6.9314718036912381649e-1;
const LN2_LO = 1.90821492927058770002e-10;
const INV_LN2 = 1.442695040888963387;
const P1 = 1.66666666666666019037e-1;
const P2 = -2.77777777770155933842e-3;
const P3 = 6.61375632143793436117e-5;
const P4 = -1.6533902205465251539e-6;
const P5 = 4.13813679705723846039e-8;

/** e^x (fdlibm e_exp.c: x = k·ln2 + r, |r| ≤ ln2/2, a rational approximation of e^r). */
export function exp(x: number): number {
  if (x !== x) return x; // NaN
  if (x > 709.782712893383973096) return Infinity;
  if (x < -745.13321910194110842) return 0;
  const k = Math.round(x * INV_LN2) | 0; // an int32 (never -0) keeps V8 on its fast path
  const hi = x - k * LN2_HI;
  const lo = k * LN2_LO;
  const r = hi - lo;
  const t = r * r;
  const c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  const y = 1 - (lo - (r * c) / (2 - c) - hi);
  return k >= -1021 && k <= 1023 ? y * POW2[k + 1022] : scale2(y, k);
}

const LG1 = 6.66666666666673513e-1;
const LG2 = 3.999999999940941908e-1;
const LG3 = 2.857142874366239149e-1;
const LG4 = 2.222219843214978396e-1;
const LG5 = 1.818357216161805012e-1;
const LG6 = 1.531383769920937332e-1;
const LG7 = 1.479819860511658591e-1;

/** Natural logarithm (musl log.c: x = 2^k·(1+f) with √2/2 ≤ 1+f < √2). */
export function log(x: number): number {
  if (x !== x || x < 0) return NaN;
  if (x === 0) return -Infinity;
  if (x === Infinity) return Infinity;
  let k = 0;
  f64[0] = x;
  let hx = u32[HI];
  if (hx < 0x00100000) {
    // subnormal: scale into the normal range first
    k -= 54;
    f64[0] = x * 18014398509481984; // 2^54
    hx = u32[HI];
  }
  // Reduce x into [√2/2, √2): move the mantissa's top bits so that the exponent absorbs them.
  hx += 0x3ff00000 - 0x3fe6a09e;
  k += (hx >>> 20) - 0x3ff;
  hx = (hx & 0x000fffff) + 0x3fe6a09e;
  u32[HI] = hx;
  const f = f64[0] - 1;
  const hfsq = 0.5 * f * f;
  const s = f / (2 + f);
  const z = s * s;
  const w = z * z;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  const r = t2 + t1;
  return s * (hfsq + r) + k * LN2_LO - hfsq + f + k * LN2_HI;
}

/** log(1 + x), accurate for small x (Goldberg's correction of log(1 + x) by x/((1 + x) − 1)). */
export function log1p(x: number): number {
  const u = 1 + x;
  if (u === 1) return x;
  if (u === Infinity) return Infinity;
  return (log(u) * x) / (u - 1);
}

/** e^x − 1, accurate for small x (Kahan's correction). */
export function expm1(x: number): number {
  if (x > 709) return exp(x) - 1;
  const u = exp(x);
  if (u === 1) return x;
  const um1 = u - 1;
  if (um1 === -1) return -1;
  return (um1 * x) / log(u);
}

/** Hyperbolic tangent, via expm1 so that small arguments keep their relative precision. */
export function tanh(x: number): number {
  if (x !== x) return x;
  const a = x < 0 ? -x : x;
  if (a > 22) return x < 0 ? -1 : 1;
  const e = expm1(2 * a);
  const t = e / (e + 2);
  return x < 0 ? -t : t;
}

/** Logistic function 1/(1 + e^−v), written so that it never overflows. */
export function sigmoid(v: number): number {
  if (v >= 0) return 1 / (1 + exp(-v));
  const e = exp(v);
  return e / (1 + e);
}

const S1 = -1.66666666666666324348e-1;
const S2 = 8.33333333332248946124e-3;
const S3 = -1.98412698298579493134e-4;
const S4 = 2.75573137070700676789e-6;
const S5 = -2.50507602534068634195e-8;
const S6 = 1.58969099521155010221e-10;
const C1 = 4.16666666666666019037e-2;
const C2 = -1.38888888888741095749e-3;
const C3 = 2.48015872894767294178e-5;
const C4 = -2.75573143513906633035e-7;
const C5 = 2.0875723212981748279e-9;
const C6 = -1.13596475577881948265e-11;
const PIO2_1 = 1.57079632673412561417;
const PIO2_1T = 6.07710050650619224932e-11;
const INV_PIO2 = 6.36619772367581382433e-1;

/** sin on [−π/4, π/4] (fdlibm k_sin.c). */
function kernelSin(x: number): number {
  const z = x * x;
  const v = z * x;
  const r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
  return x + v * (S1 + z * r);
}

/** cos on [−π/4, π/4] (musl __cos.c). */
function kernelCos(x: number): number {
  const z = x * x;
  const w = z * z;
  const r = z * (C1 + z * (C2 + z * C3)) + w * w * (C4 + z * (C5 + z * C6));
  const hz = 0.5 * z;
  const one = 1 - hz;
  return one + (1 - one - hz + z * r);
}

/**
 * Reduces x to r ∈ [−π/4, π/4] with x = n·π/2 + r (Cody–Waite with a 33+53-bit π/2): accurate
 * for |x| below about 1e6, far beyond the engine's uses (angles of at most a few turns).
 */
function reduce(x: number): { n: number; r: number } {
  const n = Math.round(x * INV_PIO2) | 0;
  return { n: n & 3, r: x - n * PIO2_1 - n * PIO2_1T };
}

export function sin(x: number): number {
  if (!Number.isFinite(x)) return NaN;
  const { n, r } = reduce(x);
  switch (n) {
    case 0:
      return kernelSin(r);
    case 1:
      return kernelCos(r);
    case 2:
      return -kernelSin(r);
    default:
      return -kernelCos(r);
  }
}

export function cos(x: number): number {
  if (!Number.isFinite(x)) return NaN;
  const { n, r } = reduce(x);
  switch (n) {
    case 0:
      return kernelCos(r);
    case 1:
      return -kernelSin(r);
    case 2:
      return -kernelCos(r);
    default:
      return kernelSin(r);
  }
}
