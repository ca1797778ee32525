/**
 * The engine's only hot loops: the three GEMM shapes of a dense layer and the elementwise
 * kernels. Everything takes explicit offsets and leading dimensions (BLAS style) rather than
 * subarrays, so a training step creates no views, and so a WebAssembly version can replace this
 * module function for function (offsets become pointers into its memory).
 *
 * Matrices are row-major. Summation order is fixed by the loops, so results are deterministic.
 */

/**
 * C[m×n] (+)= A[m×k] · B[k×n].  Used for the forward pass Y = X·W.
 * Loop order i-p-j with four rows of A at a time: each B row is read once per four C rows and
 * the inner loop runs over contiguous memory.
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
  if (!accumulate) {
    for (let i = 0; i < m; i++) c.fill(0, cOff + i * ldc, cOff + i * ldc + n);
  }
  let i = 0;
  for (; i + 3 < m; i += 4) {
    const a0 = aOff + i * lda;
    const a1 = a0 + lda;
    const a2 = a1 + lda;
    const a3 = a2 + lda;
    const c0 = cOff + i * ldc;
    const c1 = c0 + ldc;
    const c2 = c1 + ldc;
    const c3 = c2 + ldc;
    for (let p = 0; p < k; p++) {
      const x0 = a[a0 + p]!;
      const x1 = a[a1 + p]!;
      const x2 = a[a2 + p]!;
      const x3 = a[a3 + p]!;
      const bRow = bOff + p * ldb;
      for (let j = 0; j < n; j++) {
        const w = b[bRow + j]!;
        c[c0 + j] += x0 * w;
        c[c1 + j] += x1 * w;
        c[c2 + j] += x2 * w;
        c[c3 + j] += x3 * w;
      }
    }
  }
  for (; i < m; i++) {
    const aRow = aOff + i * lda;
    const cRow = cOff + i * ldc;
    for (let p = 0; p < k; p++) {
      const x = a[aRow + p]!;
      const bRow = bOff + p * ldb;
      for (let j = 0; j < n; j++) c[cRow + j] += x * b[bRow + j]!;
    }
  }
}

/**
 * C[k×n] (+)= Aᵀ · B with A[m×k], B[m×n].  Used for the weight gradient dW = Xᵀ·dY.
 * Loop r-p-j: for each example, a rank-1 update of C over contiguous rows.
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
  if (!accumulate) {
    for (let p = 0; p < k; p++) c.fill(0, cOff + p * ldc, cOff + p * ldc + n);
  }
  let p = 0;
  // Four rows of C at a time: each B row is loaded once per four output rows.
  for (; p + 3 < k; p += 4) {
    const c0 = cOff + p * ldc;
    const c1 = c0 + ldc;
    const c2 = c1 + ldc;
    const c3 = c2 + ldc;
    for (let r = 0; r < m; r++) {
      const aRow = aOff + r * lda + p;
      const x0 = a[aRow]!;
      const x1 = a[aRow + 1]!;
      const x2 = a[aRow + 2]!;
      const x3 = a[aRow + 3]!;
      const bRow = bOff + r * ldb;
      for (let j = 0; j < n; j++) {
        const g = b[bRow + j]!;
        c[c0 + j] += x0 * g;
        c[c1 + j] += x1 * g;
        c[c2 + j] += x2 * g;
        c[c3 + j] += x3 * g;
      }
    }
  }
  for (; p < k; p++) {
    const cRow = cOff + p * ldc;
    for (let r = 0; r < m; r++) {
      const x = a[aOff + r * lda + p]!;
      const bRow = bOff + r * ldb;
      for (let j = 0; j < n; j++) c[cRow + j] += x * b[bRow + j]!;
    }
  }
}

/**
 * C[m×k] (+)= A[m×n] · Bᵀ with B[k×n].  Used for the input gradient dX = dY·Wᵀ.
 * Each output is a dot product of two contiguous rows; four B rows share one pass over A's row.
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
  for (let i = 0; i < m; i++) {
    const aRow = aOff + i * lda;
    const cRow = cOff + i * ldc;
    let p = 0;
    for (; p + 3 < k; p += 4) {
      const b0 = bOff + p * ldb;
      const b1 = b0 + ldb;
      const b2 = b1 + ldb;
      const b3 = b2 + ldb;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let j = 0; j < n; j++) {
        const g = a[aRow + j]!;
        s0 += g * b[b0 + j]!;
        s1 += g * b[b1 + j]!;
        s2 += g * b[b2 + j]!;
        s3 += g * b[b3 + j]!;
      }
      if (accumulate) {
        c[cRow + p] += s0;
        c[cRow + p + 1] += s1;
        c[cRow + p + 2] += s2;
        c[cRow + p + 3] += s3;
      } else {
        c[cRow + p] = s0;
        c[cRow + p + 1] = s1;
        c[cRow + p + 2] = s2;
        c[cRow + p + 3] = s3;
      }
    }
    for (; p < k; p++) {
      const bRow = bOff + p * ldb;
      let s = 0;
      for (let j = 0; j < n; j++) s += a[aRow + j]! * b[bRow + j]!;
      if (accumulate) c[cRow + p] += s;
      else c[cRow + p] = s;
    }
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
      for (let i = 0; i < len; i++) y[i] = Math.tanh(x[i]!);
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

/** Numerically safe logistic function. */
export function sigmoid(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/** dst[i] += src[i]. */
export function addInto(dst: Float32Array, src: Float32Array, len: number): void {
  for (let i = 0; i < len; i++) dst[i] += src[i]!;
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
