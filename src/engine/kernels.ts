/**
 * The engine's only hot loops: the three GEMM shapes of a dense layer and the elementwise
 * kernels. Everything takes explicit offsets and leading dimensions (BLAS style) rather than
 * subarrays, so a training step creates no views, and so a WebAssembly version can replace this
 * module function for function (offsets become pointers into its memory).
 *
 * Matrices are row-major. Summation order is fixed by the loops, so results are deterministic.
 */
import { sigmoid, tanh } from './math.ts';

/*
 * The three GEMMs share one design: 4×4 register tiles. Sixteen accumulators live in local
 * variables (float64 in JS, rounded to float32 once, when stored), and each step of the
 * reduction loads four values of each operand for sixteen multiply-adds — against one load and
 * one store per multiply-add for a naive loop. Edges (sizes not multiples of 4) take scalar loops.
 */

/**
 * C[m×n] (+)= A[m×k] · B[k×n].  The forward pass Y = X·W.
 */
export function gemmNN(
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  aOff: number,
  lda: number,
  b: Float32Array,
  bOff: number,
  ldb: number,
  c: Float32Array,
  cOff: number,
  ldc: number,
  accumulate: boolean,
): void {
  const m4 = m - (m % 4);
  const n4 = n - (n % 4);
  for (let i = 0; i < m4; i += 4) {
    const a0 = aOff + i * lda;
    const a1 = a0 + lda;
    const a2 = a1 + lda;
    const a3 = a2 + lda;
    for (let j = 0; j < n4; j += 4) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
      let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
      let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      let bp = bOff + j;
      for (let p = 0; p < k; p++, bp += ldb) {
        const b0 = b[bp], b1 = b[bp + 1], b2 = b[bp + 2], b3 = b[bp + 3];
        const x0 = a[a0 + p], x1 = a[a1 + p], x2 = a[a2 + p], x3 = a[a3 + p];
        c00 += x0 * b0; c01 += x0 * b1; c02 += x0 * b2; c03 += x0 * b3;
        c10 += x1 * b0; c11 += x1 * b1; c12 += x1 * b2; c13 += x1 * b3;
        c20 += x2 * b0; c21 += x2 * b1; c22 += x2 * b2; c23 += x2 * b3;
        c30 += x3 * b0; c31 += x3 * b1; c32 += x3 * b2; c33 += x3 * b3;
      }
      const r0 = cOff + i * ldc + j;
      store4(c, r0, c00, c01, c02, c03, accumulate);
      store4(c, r0 + ldc, c10, c11, c12, c13, accumulate);
      store4(c, r0 + 2 * ldc, c20, c21, c22, c23, accumulate);
      store4(c, r0 + 3 * ldc, c30, c31, c32, c33, accumulate);
    }
  }
  // Edges: rows below m4 (all columns) and columns right of n4 (rows above m4).
  for (let i = 0; i < m; i++) {
    const j0 = i < m4 ? n4 : 0;
    const aRow = aOff + i * lda;
    for (let j = j0; j < n; j++) {
      let sum = 0;
      for (let p = 0, bp = bOff + j; p < k; p++, bp += ldb) sum += a[aRow + p] * b[bp];
      const at = cOff + i * ldc + j;
      c[at] = accumulate ? c[at] + sum : sum;
    }
  }
}

/**
 * C[k×n] (+)= Aᵀ · B with A[m×k], B[m×n].  The weight gradient dW = Xᵀ·dY.
 */
export function gemmTN(
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  aOff: number,
  lda: number,
  b: Float32Array,
  bOff: number,
  ldb: number,
  c: Float32Array,
  cOff: number,
  ldc: number,
  accumulate: boolean,
): void {
  const k4 = k - (k % 4);
  const n4 = n - (n % 4);
  for (let p = 0; p < k4; p += 4) {
    for (let j = 0; j < n4; j += 4) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
      let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
      let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      let ap = aOff + p;
      let bp = bOff + j;
      for (let r = 0; r < m; r++, ap += lda, bp += ldb) {
        const x0 = a[ap], x1 = a[ap + 1], x2 = a[ap + 2], x3 = a[ap + 3];
        const g0 = b[bp], g1 = b[bp + 1], g2 = b[bp + 2], g3 = b[bp + 3];
        c00 += x0 * g0; c01 += x0 * g1; c02 += x0 * g2; c03 += x0 * g3;
        c10 += x1 * g0; c11 += x1 * g1; c12 += x1 * g2; c13 += x1 * g3;
        c20 += x2 * g0; c21 += x2 * g1; c22 += x2 * g2; c23 += x2 * g3;
        c30 += x3 * g0; c31 += x3 * g1; c32 += x3 * g2; c33 += x3 * g3;
      }
      const r0 = cOff + p * ldc + j;
      store4(c, r0, c00, c01, c02, c03, accumulate);
      store4(c, r0 + ldc, c10, c11, c12, c13, accumulate);
      store4(c, r0 + 2 * ldc, c20, c21, c22, c23, accumulate);
      store4(c, r0 + 3 * ldc, c30, c31, c32, c33, accumulate);
    }
  }
  for (let p = 0; p < k; p++) {
    const j0 = p < k4 ? n4 : 0;
    for (let j = j0; j < n; j++) {
      let sum = 0;
      for (let r = 0, ap = aOff + p, bp = bOff + j; r < m; r++, ap += lda, bp += ldb) sum += a[ap] * b[bp];
      const at = cOff + p * ldc + j;
      c[at] = accumulate ? c[at] + sum : sum;
    }
  }
}

/**
 * C[m×k] (+)= A[m×n] · Bᵀ with B[k×n].  The input gradient dX = dY·Wᵀ.
 */
export function gemmNT(
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  aOff: number,
  lda: number,
  b: Float32Array,
  bOff: number,
  ldb: number,
  c: Float32Array,
  cOff: number,
  ldc: number,
  accumulate: boolean,
): void {
  const m4 = m - (m % 4);
  const k4 = k - (k % 4);
  for (let i = 0; i < m4; i += 4) {
    const a0 = aOff + i * lda;
    const a1 = a0 + lda;
    const a2 = a1 + lda;
    const a3 = a2 + lda;
    for (let p = 0; p < k4; p += 4) {
      const b0 = bOff + p * ldb;
      const b1 = b0 + ldb;
      const b2 = b1 + ldb;
      const b3 = b2 + ldb;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
      let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
      let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let j = 0; j < n; j++) {
        const x0 = a[a0 + j], x1 = a[a1 + j], x2 = a[a2 + j], x3 = a[a3 + j];
        const w0 = b[b0 + j], w1 = b[b1 + j], w2 = b[b2 + j], w3 = b[b3 + j];
        c00 += x0 * w0; c01 += x0 * w1; c02 += x0 * w2; c03 += x0 * w3;
        c10 += x1 * w0; c11 += x1 * w1; c12 += x1 * w2; c13 += x1 * w3;
        c20 += x2 * w0; c21 += x2 * w1; c22 += x2 * w2; c23 += x2 * w3;
        c30 += x3 * w0; c31 += x3 * w1; c32 += x3 * w2; c33 += x3 * w3;
      }
      const r0 = cOff + i * ldc + p;
      store4(c, r0, c00, c01, c02, c03, accumulate);
      store4(c, r0 + ldc, c10, c11, c12, c13, accumulate);
      store4(c, r0 + 2 * ldc, c20, c21, c22, c23, accumulate);
      store4(c, r0 + 3 * ldc, c30, c31, c32, c33, accumulate);
    }
  }
  for (let i = 0; i < m; i++) {
    const p0 = i < m4 ? k4 : 0;
    const aRow = aOff + i * lda;
    for (let p = p0; p < k; p++) {
      const bRow = bOff + p * ldb;
      let sum = 0;
      for (let j = 0; j < n; j++) sum += a[aRow + j] * b[bRow + j];
      const at = cOff + i * ldc + p;
      c[at] = accumulate ? c[at] + sum : sum;
    }
  }
}

function store4(
  c: Float32Array,
  at: number,
  v0: number,
  v1: number,
  v2: number,
  v3: number,
  accumulate: boolean,
): void {
  if (accumulate) {
    c[at] += v0;
    c[at + 1] += v1;
    c[at + 2] += v2;
    c[at + 3] += v3;
  } else {
    c[at] = v0;
    c[at + 1] = v1;
    c[at + 2] = v2;
    c[at + 3] = v3;
  }
}

/** y[r, off+j] += bias[j] for each of m rows (row stride ld). */
export function addBias(
  m: number,
  n: number,
  y: Float32Array,
  yOff: number,
  ld: number,
  bias: Float32Array,
  biasOff: number,
): void {
  for (let i = 0; i < m; i++) {
    const row = yOff + i * ld;
    for (let j = 0; j < n; j++) y[row + j] += bias[biasOff + j]!;
  }
}

/** db[j] (+)= Σ_r dy[r, j]: the bias gradient. */
export function sumRows(
  m: number,
  n: number,
  dy: Float32Array,
  dyOff: number,
  ld: number,
  out: Float32Array,
  outOff: number,
  accumulate: boolean,
): void {
  if (!accumulate) out.fill(0, outOff, outOff + n);
  for (let i = 0; i < m; i++) {
    const row = dyOff + i * ld;
    for (let j = 0; j < n; j++) out[outOff + j] += dy[row + j]!;
  }
}

export type Act = 'identity' | 'relu' | 'tanh' | 'sigmoid';

/** y = f(x) over `len` contiguous values. */
export function activationForward(kind: Act, x: Float32Array, y: Float32Array, len: number): void {
  switch (kind) {
    case 'identity':
      for (let i = 0; i < len; i++) y[i] = x[i]!;
      return;
    case 'relu':
      for (let i = 0; i < len; i++) {
        const v = x[i]!;
        y[i] = v > 0 ? v : 0;
      }
      return;
    case 'tanh':
      for (let i = 0; i < len; i++) y[i] = tanh(x[i]!);
      return;
    case 'sigmoid':
      for (let i = 0; i < len; i++) y[i] = sigmoid(x[i]!);
      return;
  }
}

/** dx += dy · f'(x), with f' taken from the input (relu) or the output (tanh, sigmoid). */
export function activationBackward(
  kind: Act,
  x: Float32Array,
  y: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  len: number,
): void {
  switch (kind) {
    case 'identity':
      for (let i = 0; i < len; i++) dx[i] += dy[i]!;
      return;
    case 'relu':
      for (let i = 0; i < len; i++) if (x[i]! > 0) dx[i] += dy[i]!;
      return;
    case 'tanh':
      for (let i = 0; i < len; i++) {
        const t = y[i]!;
        dx[i] += dy[i]! * (1 - t * t);
      }
      return;
    case 'sigmoid':
      for (let i = 0; i < len; i++) {
        const s = y[i]!;
        dx[i] += dy[i]! * s * (1 - s);
      }
      return;
  }
}

export { sigmoid };

/** dst[i] += src[i]. */
export function addInto(dst: Float32Array, src: Float32Array, len: number): void {
  for (let i = 0; i < len; i++) dst[i] += src[i]!;
}

/** dst = src (the first len values). */
export function copy(src: Float32Array, dst: Float32Array, len: number): void {
  for (let i = 0; i < len; i++) dst[i] = src[i]!;
}

/** y += a·x (float64 product and sum, rounded once to float32): perturbing weights along a direction. */
export function axpy(y: Float32Array, x: Float32Array, a: number, len: number): void {
  for (let i = 0; i < len; i++) y[i] = y[i]! + a * x[i]!;
}

/** y = a + b. */
export function add(a: Float32Array, b: Float32Array, y: Float32Array, len: number): void {
  for (let i = 0; i < len; i++) y[i] = a[i]! + b[i]!;
}

/** y[r, j] = x[r, j] · s[j] (per-feature scale). */
export function scaleColumns(
  m: number,
  n: number,
  x: Float32Array,
  s: Float32Array,
  y: Float32Array,
): void {
  for (let i = 0; i < m; i++) {
    const row = i * n;
    for (let j = 0; j < n; j++) y[row + j] = x[row + j]! * s[j]!;
  }
}

/** Σ v[i]² over [off, off+len), in float64. */
export function sumSquares(v: Float32Array, off: number, len: number): number {
  let s = 0;
  for (let i = off; i < off + len; i++) {
    const x = v[i]!;
    s += x * x;
  }
  return s;
}

/**
 * The per-feature scale's backward: ds[j] = Σ_r dy[r, j]·x[r, j] (overwritten), and, when dx is
 * given, dx[r, j] += dy[r, j]·s[j].
 */
export function scaleBackward(
  m: number,
  n: number,
  x: Float32Array,
  dy: Float32Array,
  s: Float32Array,
  ds: Float32Array,
  dx: Float32Array | null,
): void {
  ds.fill(0, 0, n);
  for (let r = 0; r < m; r++) {
    const row = r * n;
    for (let j = 0; j < n; j++) ds[j] += dy[row + j]! * x[row + j]!;
  }
  if (!dx) return;
  for (let r = 0; r < m; r++) {
    const row = r * n;
    for (let j = 0; j < n; j++) dx[row + j] += dy[row + j]! * s[j]!;
  }
}

/** Batch norm's ε and the momentum of its running estimates (PyTorch's conventions). */
export const BN_EPS = 1e-5;
export const BN_MOMENTUM = 0.1;

/**
 * Batch normalisation forward over n rows of d features. training: the batch mean and biased
 * variance normalise, and the running estimates are updated (unbiased variance); otherwise the
 * running estimates normalise. Writes x̂ and invStd for backward; `stats` is 2·d float64
 * scratch (sums, then the mean, in [0, d); sums of squares in [d, 2d)). `relu`: the op is fused
 * with the ReLU that follows it (y = relu(γ·x̂ + β); one pass less forward and backward).
 * `scale`: fused with the residual branch's scale α instead (y = α·(γ·x̂ + β), the unscaled
 * output kept in `raw` for α's gradient).
 */
export function batchNormForward(
  n: number,
  d: number,
  x: Float32Array,
  y: Float32Array,
  gamma: Float32Array,
  beta: Float32Array,
  xhat: Float32Array,
  invStd: Float32Array,
  stats: Float64Array,
  runningMean: Float32Array,
  runningVar: Float32Array,
  training: boolean,
  relu = false,
  scale: Float32Array | null = null,
  raw: Float32Array | null = null,
): void {
  if (training) {
    stats.fill(0, 0, 2 * d);
    for (let r = 0; r < n; r++) {
      const row = r * d;
      for (let j = 0; j < d; j++) stats[j] += x[row + j]!;
    }
    for (let j = 0; j < d; j++) stats[j] = stats[j]! / n; // now the mean
    for (let r = 0; r < n; r++) {
      const row = r * d;
      for (let j = 0; j < d; j++) {
        const c = x[row + j]! - stats[j]!;
        stats[d + j] += c * c;
      }
    }
    const m = BN_MOMENTUM;
    for (let j = 0; j < d; j++) {
      const sumSq = stats[d + j]!;
      const variance = sumSq / n;
      invStd[j] = 1 / Math.sqrt(variance + BN_EPS);
      const unbiased = n > 1 ? sumSq / (n - 1) : variance;
      runningMean[j] = (1 - m) * runningMean[j]! + m * stats[j]!;
      runningVar[j] = (1 - m) * runningVar[j]! + m * unbiased;
    }
  } else {
    for (let j = 0; j < d; j++) {
      stats[j] = runningMean[j]!;
      invStd[j] = 1 / Math.sqrt(runningVar[j]! + BN_EPS);
    }
  }
  for (let r = 0; r < n; r++) {
    const row = r * d;
    for (let j = 0; j < d; j++) {
      const h = (x[row + j]! - stats[j]!) * invStd[j]!;
      xhat[row + j] = h;
      const v = gamma[j]! * h + beta[j]!;
      if (scale) {
        // fused with the branch's scale α: v kept in `raw`, v·α out — scaleColumns' numbers
        raw![row + j] = v;
        y[row + j] = raw![row + j]! * scale[j]!;
      } else {
        // fused with the ReLU after it: exactly reluForward's +0 where v ≤ 0 or NaN
        y[row + j] = relu && !(v > 0) ? 0 : v;
      }
    }
  }
}

/**
 * Batch normalisation backward: dγ, dβ (overwritten) and, when dx is given, dx += ∂loss/∂x —
 * through the batch statistics if the forward pass trained, else the plain per-feature scale.
 * `stats` is the same 2·d float64 scratch (Σdy in [0, d), Σdy·x̂ in [d, 2d)). `y`: the fused
 * op's output (given only when the forward pass applied a ReLU), whose sign masks dy; `scale`,
 * `raw`, `dScale`: the fused scale α, the unscaled output, and α's gradient (overwritten).
 */
export function batchNormBackward(
  n: number,
  d: number,
  dy: Float32Array,
  xhat: Float32Array,
  gamma: Float32Array,
  invStd: Float32Array,
  stats: Float64Array,
  dGamma: Float32Array,
  dBeta: Float32Array,
  dx: Float32Array | null,
  trained: boolean,
  y: Float32Array | null = null,
  scale: Float32Array | null = null,
  raw: Float32Array | null = null,
  dScale: Float32Array | null = null,
): void {
  // The gradient reaching the norm: fused with a ReLU (y given), dy where y > 0, else +0; fused
  // with the scale α, dy·α — each as the separate op's backward accumulates it into a zeroed
  // float32 gradient.
  const grad = scale
    ? (i: number, j: number) => Math.fround(0 + dy[i]! * scale[j]!)
    : y === null
      ? (i: number) => dy[i]!
      : (i: number) => (y[i]! > 0 ? 0 + dy[i]! : 0);
  if (scale) dScale!.fill(0, 0, d);
  stats.fill(0, 0, 2 * d);
  for (let r = 0; r < n; r++) {
    const row = r * d;
    for (let j = 0; j < d; j++) {
      // dα = Σ_r dy·v, accumulated in float32 as scaleBackward does
      if (scale) dScale![j] += dy[row + j]! * raw![row + j]!;
      const g = grad(row + j, j);
      stats[j] += g;
      stats[d + j] += g * xhat[row + j]!;
    }
  }
  for (let j = 0; j < d; j++) {
    dGamma[j] = stats[d + j]!;
    dBeta[j] = stats[j]!;
  }
  if (!dx) return;
  if (trained) {
    // dx = γ·invStd/n · (n·dy − Σdy − x̂·Σ(dy·x̂))
    for (let r = 0; r < n; r++) {
      const row = r * d;
      for (let j = 0; j < d; j++) {
        const k = (gamma[j]! * invStd[j]!) / n;
        dx[row + j] += k * (n * grad(row + j, j) - stats[j]! - xhat[row + j]! * stats[d + j]!);
      }
    }
  } else {
    for (let r = 0; r < n; r++) {
      const row = r * d;
      for (let j = 0; j < d; j++) dx[row + j] += grad(row + j, j) * gamma[j]! * invStd[j]!;
    }
  }
}

/** SGD over the flat vectors: p ← p − lr·(g + wd·mask·p). */
export function sgdStep(
  len: number,
  lr: number,
  wd: number,
  p: Float32Array,
  g: Float32Array,
  mask: Float32Array,
): void {
  for (let i = 0; i < len; i++) p[i] -= lr * (g[i]! + wd * mask[i]! * p[i]!);
}

/** SGD with momentum, PyTorch's form: v ← μv + g + wd·mask·p;  p ← p − lr·v. */
export function momentumStep(
  len: number,
  lr: number,
  mu: number,
  wd: number,
  p: Float32Array,
  g: Float32Array,
  mask: Float32Array,
  v: Float32Array,
): void {
  for (let i = 0; i < len; i++) {
    const vi = mu * v[i]! + g[i]! + wd * mask[i]! * p[i]!;
    v[i] = vi;
    p[i] -= lr * vi;
  }
}

/**
 * Adam with the bias corrections folded into `stepSize` = lr·√(1−β₂ᵗ)/(1−β₁ᵗ) and
 * `epsHat` = ε·√(1−β₂ᵗ): m ← β₁m + (1−β₁)g′, v ← β₂v + (1−β₂)g′², p ← p − stepSize·m/(√v + epsHat),
 * g′ = g + wd·mask·p.
 */
export function adamStep(
  len: number,
  stepSize: number,
  b1: number,
  b2: number,
  epsHat: number,
  wd: number,
  p: Float32Array,
  g: Float32Array,
  mask: Float32Array,
  m: Float32Array,
  v: Float32Array,
): void {
  for (let i = 0; i < len; i++) {
    const gi = g[i]! + wd * mask[i]! * p[i]!;
    const mi = b1 * m[i]! + (1 - b1) * gi;
    const vi = b2 * v[i]! + (1 - b2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] -= (stepSize * mi) / (Math.sqrt(vi) + epsHat);
  }
}

/** Σ (a[aOff+i] − b[bOff+i])² over i < len, in float64: ‖ΔW‖² for the update ratio. */
export function sumSquaredDiff(
  a: Float32Array,
  aOff: number,
  b: Float32Array,
  bOff: number,
  len: number,
): number {
  let s = 0;
  for (let i = 0; i < len; i++) {
    const d = a[aOff + i]! - b[bOff + i]!;
    s += d * d;
  }
  return s;
}

/** Σ v[i] over [off, off+len), in float64. */
export function sum(v: Float32Array, off: number, len: number): number {
  let s = 0;
  for (let i = off; i < off + len; i++) s += v[i]!;
  return s;
}

/** Columns of v[rows × dim] (row-major) with no value above 0: dead ReLU units. */
export function deadColumns(rows: number, dim: number, v: Float32Array): number {
  let dead = 0;
  for (let j = 0; j < dim; j++) {
    let alive = false;
    for (let row = 0; row < rows && !alive; row++) alive = v[row * dim + j]! > 0;
    if (!alive) dead++;
  }
  return dead;
}

/*
 * Convolution and pooling helpers. Maps are NHWC: one example is h × w × c floats, row-major
 * (a pixel's channels are contiguous), and a batch is n such maps one after another. So a 1×1
 * convolution is a dense layer over n·h·w rows, a batch norm over channels is the dense batch
 * norm over n·h·w rows of c features, and a 3×3 convolution is one GEMM after `im2col`.
 */

/** Geometry of a sliding window: input maps h × w × c, kernel kh × kw, stride, zero padding. */
export interface ConvShape {
  readonly h: number;
  readonly w: number;
  readonly c: number;
  readonly kh: number;
  readonly kw: number;
  readonly stride: number;
  readonly pad: number;
  /** output side: ⌊(h + 2·pad − kh) / stride⌋ + 1 (and the same for wo) */
  readonly ho: number;
  readonly wo: number;
}

/**
 * Unfolds the windows of channels [c0, c0 + cg) of n maps into rows: row r·ho·wo + i·wo + j of
 * `cols` (kh·kw·cg values: tap (a, b) then channel) is the window at output pixel (i, j) of
 * example r, zeros where it hangs over the padding. Times a [kh·kw·cg × cOut] weight matrix it
 * gives the convolution.
 */
export function im2col(
  n: number,
  s: ConvShape,
  c0: number,
  cg: number,
  x: Float32Array,
  cols: Float32Array,
): void {
  const { h, w, c, kh, kw, stride, pad, ho, wo } = s;
  let at = 0;
  for (let r = 0; r < n; r++) {
    const base = r * h * w * c;
    for (let i = 0; i < ho; i++)
      for (let j = 0; j < wo; j++)
        for (let a = 0; a < kh; a++) {
          const y = i * stride - pad + a;
          for (let b = 0; b < kw; b++) {
            const xx = j * stride - pad + b;
            if (y < 0 || y >= h || xx < 0 || xx >= w) {
              cols.fill(0, at, at + cg);
              at += cg;
              continue;
            }
            let from = base + (y * w + xx) * c + c0;
            for (let ch = 0; ch < cg; ch++) cols[at++] = x[from++]!;
          }
        }
  }
}

/** The adjoint of `im2col`: adds each row of `cols` back into the pixels its window read. */
export function col2imAdd(
  n: number,
  s: ConvShape,
  c0: number,
  cg: number,
  cols: Float32Array,
  dx: Float32Array,
): void {
  const { h, w, c, kh, kw, stride, pad, ho, wo } = s;
  let at = 0;
  for (let r = 0; r < n; r++) {
    const base = r * h * w * c;
    for (let i = 0; i < ho; i++)
      for (let j = 0; j < wo; j++)
        for (let a = 0; a < kh; a++) {
          const y = i * stride - pad + a;
          for (let b = 0; b < kw; b++) {
            const xx = j * stride - pad + b;
            if (y < 0 || y >= h || xx < 0 || xx >= w) {
              at += cg;
              continue;
            }
            let to = base + (y * w + xx) * c + c0;
            for (let ch = 0; ch < cg; ch++) dx[to++] += cols[at++]!;
          }
        }
  }
}

/**
 * A convolution of channels [c0, c0 + cg) of n maps as one GEMM after `im2col`: y[rows × go]
 * (row stride ldy, from yOff) = cols · W, W the group's [kh·kw·cg × go] block at wOff. The wasm
 * path does the same in blocks of output pixels (the same bits); here, the reference, in one go.
 */
export function convForward(
  n: number,
  s: ConvShape,
  c0: number,
  cg: number,
  x: Float32Array,
  w: Float32Array,
  wOff: number,
  go: number,
  y: Float32Array,
  yOff: number,
  ldy: number,
  cols: Float32Array,
): void {
  const window = s.kh * s.kw * cg;
  im2col(n, s, c0, cg, x, cols);
  gemmNN(n * s.ho * s.wo, go, window, cols, 0, window, w, wOff, go, y, yOff, ldy, false);
}

/**
 * The backward of `convForward`: dW (at wOff, overwritten) = colsᵀ · dy, and, when dx is given,
 * dx += col2im(dy · Wᵀ). Unfolds again rather than keeping every layer's windows; `cols` is
 * scratch. The wasm path sums dW block by block of output pixels, so the paths agree to float32
 * rounding there, as for every GEMM.
 */
export function convBackward(
  n: number,
  s: ConvShape,
  c0: number,
  cg: number,
  x: Float32Array,
  w: Float32Array,
  wOff: number,
  go: number,
  dy: Float32Array,
  dyOff: number,
  ldy: number,
  dW: Float32Array,
  dx: Float32Array | null,
  cols: Float32Array,
): void {
  const window = s.kh * s.kw * cg;
  const rows = n * s.ho * s.wo;
  im2col(n, s, c0, cg, x, cols);
  gemmTN(rows, go, window, cols, 0, window, dy, dyOff, ldy, dW, wOff, go, false);
  if (!dx) return;
  // the windows' gradient overwrites the windows, then folds back into the pixels
  gemmNT(rows, go, window, dy, dyOff, ldy, w, wOff, go, cols, 0, window, false);
  col2imAdd(n, s, c0, cg, cols, dx);
}

/** y[r, ch] = the mean of x over the hw pixels of example r (global average pooling). */
export function avgPoolForward(
  n: number,
  hw: number,
  c: number,
  x: Float32Array,
  y: Float32Array,
): void {
  const inv = 1 / hw;
  for (let r = 0; r < n; r++) {
    const out = r * c;
    const base = r * hw * c;
    for (let ch = 0; ch < c; ch++) {
      let sum = 0;
      for (let p = 0, at = base + ch; p < hw; p++, at += c) sum += x[at]!;
      y[out + ch] = sum * inv;
    }
  }
}

/** dx[r, p, ch] += dy[r, ch] / hw for every pixel p. */
export function avgPoolBackward(
  n: number,
  hw: number,
  c: number,
  dy: Float32Array,
  dx: Float32Array,
): void {
  const inv = 1 / hw;
  for (let r = 0; r < n; r++) {
    const base = r * hw * c;
    for (let p = 0; p < hw; p++) {
      const at = base + p * c;
      for (let ch = 0; ch < c; ch++) dx[at + ch] += dy[r * c + ch]! * inv;
    }
  }
}

/**
 * He et al.'s option A shortcut, for a change of shape without parameters: every stride-th
 * pixel of x (h × w × c), its channels placed at [c0, c0 + c) of y (ho × wo × cOut), the other
 * channels zero.
 */
export function subsamplePadForward(
  n: number,
  s: ConvShape,
  cOut: number,
  c0: number,
  x: Float32Array,
  y: Float32Array,
): void {
  const { h, w, c, stride, ho, wo } = s;
  y.fill(0, 0, n * ho * wo * cOut);
  for (let r = 0; r < n; r++)
    for (let i = 0; i < ho; i++)
      for (let j = 0; j < wo; j++) {
        let from = r * h * w * c + (i * stride * w + j * stride) * c;
        let to = ((r * ho + i) * wo + j) * cOut + c0;
        for (let ch = 0; ch < c; ch++) y[to++] = x[from++]!;
      }
}

/** The adjoint of `subsamplePadForward`: dx at the kept pixels += dy's channels [c0, c0 + c). */
export function subsamplePadBackward(
  n: number,
  s: ConvShape,
  cOut: number,
  c0: number,
  dy: Float32Array,
  dx: Float32Array,
): void {
  const { h, w, c, stride, ho, wo } = s;
  for (let r = 0; r < n; r++)
    for (let i = 0; i < ho; i++)
      for (let j = 0; j < wo; j++) {
        let to = r * h * w * c + (i * stride * w + j * stride) * c;
        let from = ((r * ho + i) * wo + j) * cOut + c0;
        for (let ch = 0; ch < c; ch++) dx[to++] += dy[from++]!;
      }
}
