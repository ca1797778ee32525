/**
 * The engine's hot loops in AssemblyScript, compiled to WebAssembly with SIMD128
 * (`npm run build:wasm`, scripts/build-wasm.mjs). Function for function the same kernels as
 * src/engine/kernels.ts, over pointers into the model's WebAssembly memory instead of
 * (Float32Array, offset) pairs: every matrix argument is a byte address, every leading dimension
 * a count of floats. src/engine/wasm.ts wraps these exports in the TypeScript signatures.
 *
 * Determinism: only plain SIMD128 (f32x4 mul then add, no relaxed-SIMD fused multiply-add), so
 * every lane is IEEE-rounded the same way in every engine; summation orders are fixed by the
 * loops. The GEMMs accumulate in float32 lanes (the TypeScript kernels in float64), so the two
 * paths agree to float32 rounding, not bit for bit. Every other kernel here repeats the
 * TypeScript arithmetic operation for operation (float64 where the TypeScript code computes in
 * float64) and gives the same bits.
 *
 * Layout and blocking were chosen by measurement: see docs/performance.md.
 */

// ---------------------------------------------------------------------------------------------
// GEMM, broadcast form: C[rows×cols] (+)= Σ_t A(row, t) · B[t, cols], B row-major (ldb), and
// A(row, t) at a + 4·(row·ars + t·ats). gemmNN (Y = X·W) is ars = lda, ats = 1; gemmTN
// (dW = Xᵀ·dY) is ars = 1, ats = lda. Register tile: 4 rows × 8 columns (8 f32x4 accumulators);
// each step of t loads two vectors of B and broadcasts four scalars of A for 16 lane-FLOP pairs.
// ---------------------------------------------------------------------------------------------

// @ts-ignore: decorator
@inline
function finish(c: usize, v: v128, acc: bool): void {
  if (acc) v = f32x4.add(v128.load(c), v);
  v128.store(c, v);
}

// @ts-ignore: decorator
@inline
function finishScalar(c: usize, v: f32, acc: bool): void {
  if (acc) v = load<f32>(c) + v;
  store<f32>(c, v);
}

export function gemmBroadcast(
  rows: i32,
  cols: i32,
  depth: i32,
  a: usize,
  ars: i32,
  ats: i32,
  b: usize,
  ldb: i32,
  c: usize,
  ldc: i32,
  acc: bool,
): void {
  const aRow = <usize>ars << 2;
  const aStep = <usize>ats << 2;
  const bStep = <usize>ldb << 2;
  const cRow = <usize>ldc << 2;
  const z = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= rows; i += 4) {
    const a0 = a + <usize>i * aRow;
    const a1 = a0 + aRow;
    const a2 = a1 + aRow;
    const a3 = a2 + aRow;
    const c0 = c + <usize>i * cRow;
    let j = 0;
    for (; j + 8 <= cols; j += 8) {
      let c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
      let bp = b + (<usize>j << 2);
      let ap: usize = 0;
      for (let t = 0; t < depth; t++) {
        const b0 = v128.load(bp);
        const b1 = v128.load(bp, 16);
        let x = f32x4.splat(load<f32>(a0 + ap));
        c00 = f32x4.add(c00, f32x4.mul(x, b0));
        c01 = f32x4.add(c01, f32x4.mul(x, b1));
        x = f32x4.splat(load<f32>(a1 + ap));
        c10 = f32x4.add(c10, f32x4.mul(x, b0));
        c11 = f32x4.add(c11, f32x4.mul(x, b1));
        x = f32x4.splat(load<f32>(a2 + ap));
        c20 = f32x4.add(c20, f32x4.mul(x, b0));
        c21 = f32x4.add(c21, f32x4.mul(x, b1));
        x = f32x4.splat(load<f32>(a3 + ap));
        c30 = f32x4.add(c30, f32x4.mul(x, b0));
        c31 = f32x4.add(c31, f32x4.mul(x, b1));
        bp += bStep;
        ap += aStep;
      }
      const cp = c0 + (<usize>j << 2);
      finish(cp, c00, acc);
      finish(cp + 16, c01, acc);
      finish(cp + cRow, c10, acc);
      finish(cp + cRow + 16, c11, acc);
      finish(cp + 2 * cRow, c20, acc);
      finish(cp + 2 * cRow + 16, c21, acc);
      finish(cp + 3 * cRow, c30, acc);
      finish(cp + 3 * cRow + 16, c31, acc);
    }
    for (; j + 4 <= cols; j += 4) {
      let c00 = z, c10 = z, c20 = z, c30 = z;
      let bp = b + (<usize>j << 2);
      let ap: usize = 0;
      for (let t = 0; t < depth; t++) {
        const b0 = v128.load(bp);
        c00 = f32x4.add(c00, f32x4.mul(f32x4.splat(load<f32>(a0 + ap)), b0));
        c10 = f32x4.add(c10, f32x4.mul(f32x4.splat(load<f32>(a1 + ap)), b0));
        c20 = f32x4.add(c20, f32x4.mul(f32x4.splat(load<f32>(a2 + ap)), b0));
        c30 = f32x4.add(c30, f32x4.mul(f32x4.splat(load<f32>(a3 + ap)), b0));
        bp += bStep;
        ap += aStep;
      }
      const cp = c0 + (<usize>j << 2);
      finish(cp, c00, acc);
      finish(cp + cRow, c10, acc);
      finish(cp + 2 * cRow, c20, acc);
      finish(cp + 3 * cRow, c30, acc);
    }
    for (; j < cols; j++) {
      let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
      let bp = b + (<usize>j << 2);
      let ap: usize = 0;
      for (let t = 0; t < depth; t++) {
        const bv = load<f32>(bp);
        s0 += load<f32>(a0 + ap) * bv;
        s1 += load<f32>(a1 + ap) * bv;
        s2 += load<f32>(a2 + ap) * bv;
        s3 += load<f32>(a3 + ap) * bv;
        bp += bStep;
        ap += aStep;
      }
      const cp = c0 + (<usize>j << 2);
      finishScalar(cp, s0, acc);
      finishScalar(cp + cRow, s1, acc);
      finishScalar(cp + 2 * cRow, s2, acc);
      finishScalar(cp + 3 * cRow, s3, acc);
    }
  }
  // Remaining rows (rows % 4), one at a time.
  for (; i < rows; i++) {
    const a0 = a + <usize>i * aRow;
    const c0 = c + <usize>i * cRow;
    let j = 0;
    for (; j + 8 <= cols; j += 8) {
      let c00 = z, c01 = z;
      let bp = b + (<usize>j << 2);
      let ap: usize = 0;
      for (let t = 0; t < depth; t++) {
        const x = f32x4.splat(load<f32>(a0 + ap));
        c00 = f32x4.add(c00, f32x4.mul(x, v128.load(bp)));
        c01 = f32x4.add(c01, f32x4.mul(x, v128.load(bp, 16)));
        bp += bStep;
        ap += aStep;
      }
      const cp = c0 + (<usize>j << 2);
      finish(cp, c00, acc);
      finish(cp + 16, c01, acc);
    }
    for (; j + 4 <= cols; j += 4) {
      let c00 = z;
      let bp = b + (<usize>j << 2);
      let ap: usize = 0;
      for (let t = 0; t < depth; t++) {
        c00 = f32x4.add(c00, f32x4.mul(f32x4.splat(load<f32>(a0 + ap)), v128.load(bp)));
        bp += bStep;
        ap += aStep;
      }
      finish(c0 + (<usize>j << 2), c00, acc);
    }
    for (; j < cols; j++) {
      let s: f32 = 0;
      let bp = b + (<usize>j << 2);
      let ap: usize = 0;
      for (let t = 0; t < depth; t++) {
        s += load<f32>(a0 + ap) * load<f32>(bp);
        bp += bStep;
        ap += aStep;
      }
      finishScalar(c0 + (<usize>j << 2), s, acc);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// GEMM, dot form: C[m×k] (+)= A[m×n] · B[k×n]ᵀ — the input gradient dX = dY·Wᵀ. Both operands
// are read along their rows (contiguous), so the reduction runs over f32x4 lanes: a 2×4 tile
// keeps 8 accumulators, and at its end the four lanes of each are summed with two shuffle rounds
// into one vector of four outputs (a fixed order: lanes (0+2)+(1+3)), then the scalar tail of n.
// ---------------------------------------------------------------------------------------------

/** [Σ lanes of v0, Σ v1, Σ v2, Σ v3] in a fixed order. */
// @ts-ignore: decorator
@inline
function hsum4(v0: v128, v1: v128, v2: v128, v3: v128): v128 {
  // s01 = [v0₀+v0₂, v1₀+v1₂, v0₁+v0₃, v1₁+v1₃]
  const s01 = f32x4.add(
    v128.shuffle<f32>(v0, v1, 0, 4, 1, 5),
    v128.shuffle<f32>(v0, v1, 2, 6, 3, 7),
  );
  const s23 = f32x4.add(
    v128.shuffle<f32>(v2, v3, 0, 4, 1, 5),
    v128.shuffle<f32>(v2, v3, 2, 6, 3, 7),
  );
  // [s01₀+s01₂, s01₁+s01₃, s23₀+s23₂, s23₁+s23₃]
  return f32x4.add(
    v128.shuffle<f32>(s01, s23, 0, 1, 4, 5),
    v128.shuffle<f32>(s01, s23, 2, 3, 6, 7),
  );
}

export function gemmDot(
  m: i32,
  n: i32,
  k: i32,
  a: usize,
  lda: i32,
  b: usize,
  ldb: i32,
  c: usize,
  ldc: i32,
  acc: bool,
): void {
  const aRow = <usize>lda << 2;
  const bRow = <usize>ldb << 2;
  const cRow = <usize>ldc << 2;
  const n4 = n & ~3;
  const z = f32x4.splat(0);
  let i = 0;
  for (; i + 2 <= m; i += 2) {
    const a0 = a + <usize>i * aRow;
    const a1 = a0 + aRow;
    const c0 = c + <usize>i * cRow;
    let p = 0;
    for (; p + 4 <= k; p += 4) {
      const b0 = b + <usize>p * bRow;
      const b1 = b0 + bRow;
      const b2 = b1 + bRow;
      const b3 = b2 + bRow;
      let x00 = z, x01 = z, x02 = z, x03 = z, x10 = z, x11 = z, x12 = z, x13 = z;
      for (let j = 0; j < n4; j += 4) {
        const o = <usize>j << 2;
        const u = v128.load(a0 + o);
        const v = v128.load(a1 + o);
        let w = v128.load(b0 + o);
        x00 = f32x4.add(x00, f32x4.mul(u, w));
        x10 = f32x4.add(x10, f32x4.mul(v, w));
        w = v128.load(b1 + o);
        x01 = f32x4.add(x01, f32x4.mul(u, w));
        x11 = f32x4.add(x11, f32x4.mul(v, w));
        w = v128.load(b2 + o);
        x02 = f32x4.add(x02, f32x4.mul(u, w));
        x12 = f32x4.add(x12, f32x4.mul(v, w));
        w = v128.load(b3 + o);
        x03 = f32x4.add(x03, f32x4.mul(u, w));
        x13 = f32x4.add(x13, f32x4.mul(v, w));
      }
      let r0 = hsum4(x00, x01, x02, x03);
      let r1 = hsum4(x10, x11, x12, x13);
      for (let j = n4; j < n; j++) {
        const o = <usize>j << 2;
        const w = f32x4(load<f32>(b0 + o), load<f32>(b1 + o), load<f32>(b2 + o), load<f32>(b3 + o));
        r0 = f32x4.add(r0, f32x4.mul(f32x4.splat(load<f32>(a0 + o)), w));
        r1 = f32x4.add(r1, f32x4.mul(f32x4.splat(load<f32>(a1 + o)), w));
      }
      const cp = c0 + (<usize>p << 2);
      finish(cp, r0, acc);
      finish(cp + cRow, r1, acc);
    }
    for (; p < k; p++) {
      const b0 = b + <usize>p * bRow;
      const cp = c0 + (<usize>p << 2);
      finishScalar(cp, dot(a0, b0, n), acc);
      finishScalar(cp + cRow, dot(a1, b0, n), acc);
    }
  }
  for (; i < m; i++) {
    const a0 = a + <usize>i * aRow;
    const c0 = c + <usize>i * cRow;
    let p = 0;
    for (; p + 4 <= k; p += 4) {
      const b0 = b + <usize>p * bRow;
      const b1 = b0 + bRow;
      const b2 = b1 + bRow;
      const b3 = b2 + bRow;
      let x00 = z, x01 = z, x02 = z, x03 = z;
      for (let j = 0; j < n4; j += 4) {
        const o = <usize>j << 2;
        const u = v128.load(a0 + o);
        x00 = f32x4.add(x00, f32x4.mul(u, v128.load(b0 + o)));
        x01 = f32x4.add(x01, f32x4.mul(u, v128.load(b1 + o)));
        x02 = f32x4.add(x02, f32x4.mul(u, v128.load(b2 + o)));
        x03 = f32x4.add(x03, f32x4.mul(u, v128.load(b3 + o)));
      }
      let r0 = hsum4(x00, x01, x02, x03);
      for (let j = n4; j < n; j++) {
        const o = <usize>j << 2;
        const w = f32x4(load<f32>(b0 + o), load<f32>(b1 + o), load<f32>(b2 + o), load<f32>(b3 + o));
        r0 = f32x4.add(r0, f32x4.mul(f32x4.splat(load<f32>(a0 + o)), w));
      }
      finish(c0 + (<usize>p << 2), r0, acc);
    }
    for (; p < k; p++) finishScalar(c0 + (<usize>p << 2), dot(a0, b + <usize>p * bRow, n), acc);
  }
}

/** Σ x[j]·y[j] over n floats: four lanes, summed as in hsum4, then the scalar tail. */
function dot(x: usize, y: usize, n: i32): f32 {
  const n4 = n & ~3;
  let s = f32x4.splat(0);
  for (let j = 0; j < n4; j += 4) {
    const o = <usize>j << 2;
    s = f32x4.add(s, f32x4.mul(v128.load(x + o), v128.load(y + o)));
  }
  let r =
    f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 2) +
    (f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 3));
  for (let j = n4; j < n; j++) r += load<f32>(x + (<usize>j << 2)) * load<f32>(y + (<usize>j << 2));
  return r;
}

// ---------------------------------------------------------------------------------------------
// Elementwise kernels: f32x4 over contiguous runs, scalar tails. Each gives the same bits as its
// TypeScript twin (a float32 sum or product rounds the same whether computed in f32 or in f64).
// ---------------------------------------------------------------------------------------------

/** y[r, j] += bias[j] for m rows of n (row stride ld). */
export function addBias(m: i32, n: i32, y: usize, ld: i32, bias: usize): void {
  const row = <usize>ld << 2;
  const n4 = n & ~3;
  for (let i = 0; i < m; i++) {
    const yr = y + <usize>i * row;
    let j = 0;
    for (; j < n4; j += 4) {
      const o = <usize>j << 2;
      v128.store(yr + o, f32x4.add(v128.load(yr + o), v128.load(bias + o)));
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      store<f32>(yr + o, load<f32>(yr + o) + load<f32>(bias + o));
    }
  }
}

/** out[j] (+)= Σ_r dy[r, j]. */
export function sumRows(m: i32, n: i32, dy: usize, ld: i32, out: usize, acc: bool): void {
  if (!acc) memory.fill(out, 0, <usize>n << 2);
  sumRowsInto(m, n, dy, ld, out);
}

/** out[j] += dy[r, j] for r = 0..m-1 (row stride ld). */
export function sumRowsInto(m: i32, n: i32, dy: usize, ld: i32, out: usize): void {
  const row = <usize>ld << 2;
  const n4 = n & ~3;
  for (let i = 0; i < m; i++) {
    const dr = dy + <usize>i * row;
    let j = 0;
    for (; j < n4; j += 4) {
      const o = <usize>j << 2;
      v128.store(out + o, f32x4.add(v128.load(out + o), v128.load(dr + o)));
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      store<f32>(out + o, load<f32>(out + o) + load<f32>(dr + o));
    }
  }
}

/** y = max(x, 0) as `x > 0 ? x : 0` (NaN and −0 give +0, as in TypeScript). */
export function reluForward(x: usize, y: usize, len: i32): void {
  const z = f32x4.splat(0);
  const len4 = len & ~3;
  let i = 0;
  for (; i < len4; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(x + o);
    v128.store(y + o, v128.and(v, f32x4.gt(v, z)));
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(x + o);
    store<f32>(y + o, v > 0 ? v : 0);
  }
}

/** dx += dy where x > 0 (elsewhere dx is left untouched, −0 included). */
export function reluBackward(x: usize, dy: usize, dx: usize, len: i32): void {
  const z = f32x4.splat(0);
  const len4 = len & ~3;
  let i = 0;
  for (; i < len4; i += 4) {
    const o = <usize>i << 2;
    const d = v128.load(dx + o);
    const sum = f32x4.add(d, v128.load(dy + o));
    v128.store(dx + o, v128.bitselect(sum, d, f32x4.gt(v128.load(x + o), z)));
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    if (load<f32>(x + o) > 0) store<f32>(dx + o, load<f32>(dx + o) + load<f32>(dy + o));
  }
}

/** dst += src. */
export function addInto(dst: usize, src: usize, len: i32): void {
  const len4 = len & ~3;
  let i = 0;
  for (; i < len4; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}

/** y = a + b. */
export function add(a: usize, b: usize, y: usize, len: i32): void {
  const len4 = len & ~3;
  let i = 0;
  for (; i < len4; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.add(v128.load(a + o), v128.load(b + o)));
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(a + o) + load<f32>(b + o));
  }
}

/** y = x (the identity activation). */
export function copy(x: usize, y: usize, len: i32): void {
  memory.copy(y, x, <usize>len << 2);
}

/** y[r, j] = x[r, j] · s[j] over m rows of n. */
export function scaleColumns(m: i32, n: i32, x: usize, s: usize, y: usize): void {
  const row = <usize>n << 2;
  const n4 = n & ~3;
  for (let i = 0; i < m; i++) {
    const xr = x + <usize>i * row;
    const yr = y + <usize>i * row;
    let j = 0;
    for (; j < n4; j += 4) {
      const o = <usize>j << 2;
      v128.store(yr + o, f32x4.mul(v128.load(xr + o), v128.load(s + o)));
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      store<f32>(yr + o, load<f32>(xr + o) * load<f32>(s + o));
    }
  }
}

/**
 * The per-feature scale's backward: ds[j] = Σ_r dy·x, and (dx != 0) dx += dy·s. As in
 * TypeScript, each product is exact in float64 and rounded once, with the sum, to float32.
 */
export function scaleBackward(m: i32, n: i32, x: usize, dy: usize, s: usize, ds: usize, dx: usize): void {
  const row = <usize>n << 2;
  memory.fill(ds, 0, row);
  for (let i = 0; i < m; i++) {
    const xr = x + <usize>i * row;
    const gr = dy + <usize>i * row;
    for (let j = 0; j < n; j++) {
      const o = <usize>j << 2;
      const g = <f64>load<f32>(gr + o);
      store<f32>(ds + o, <f32>(<f64>load<f32>(ds + o) + g * <f64>load<f32>(xr + o)));
    }
  }
  if (dx == 0) return;
  for (let i = 0; i < m; i++) {
    const dr = dx + <usize>i * row;
    const gr = dy + <usize>i * row;
    for (let j = 0; j < n; j++) {
      const o = <usize>j << 2;
      const g = <f64>load<f32>(gr + o);
      store<f32>(dr + o, <f32>(<f64>load<f32>(dr + o) + g * <f64>load<f32>(s + o)));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Batch normalisation: the TypeScript arithmetic, operation for operation, in float64 (f64x2
// over pairs of features), so both paths give the same bits. `stats` holds 2·d float64 scratch
// values (sums, then the mean, and the sums of squares or of gradients).
// ---------------------------------------------------------------------------------------------

const EPS: f64 = 1e-5;
const MOMENTUM: f64 = 0.1;

export function batchNormForward(
  n: i32,
  d: i32,
  x: usize,
  y: usize,
  gamma: usize,
  beta: usize,
  xhat: usize,
  invStd: usize,
  stats: usize,
  runningMean: usize,
  runningVar: usize,
  training: bool,
): void {
  const row = <usize>d << 2;
  const sum = stats;
  const sumSq = stats + (<usize>d << 3);
  if (training) {
    memory.fill(stats, 0, <usize>d << 4);
    for (let r = 0; r < n; r++) {
      const xr = x + <usize>r * row;
      for (let j = 0; j < d; j++) {
        const o = <usize>j << 3;
        store<f64>(sum + o, load<f64>(sum + o) + <f64>load<f32>(xr + (<usize>j << 2)));
      }
    }
    const nf = <f64>n;
    for (let j = 0; j < d; j++) {
      const o = <usize>j << 3;
      store<f64>(sum + o, load<f64>(sum + o) / nf);
    }
    for (let r = 0; r < n; r++) {
      const xr = x + <usize>r * row;
      for (let j = 0; j < d; j++) {
        const o = <usize>j << 3;
        const c = <f64>load<f32>(xr + (<usize>j << 2)) - load<f64>(sum + o);
        store<f64>(sumSq + o, load<f64>(sumSq + o) + c * c);
      }
    }
    const m = MOMENTUM;
    for (let j = 0; j < d; j++) {
      const o8 = <usize>j << 3;
      const o4 = <usize>j << 2;
      const ss = load<f64>(sumSq + o8);
      const variance = ss / nf;
      store<f32>(invStd + o4, <f32>(1 / Math.sqrt(variance + EPS)));
      const unbiased = n > 1 ? ss / <f64>(n - 1) : variance;
      store<f32>(
        runningMean + o4,
        <f32>((1 - m) * <f64>load<f32>(runningMean + o4) + m * load<f64>(sum + o8)),
      );
      store<f32>(
        runningVar + o4,
        <f32>((1 - m) * <f64>load<f32>(runningVar + o4) + m * unbiased),
      );
    }
  } else {
    for (let j = 0; j < d; j++) {
      const o4 = <usize>j << 2;
      store<f64>(sum + (<usize>j << 3), <f64>load<f32>(runningMean + o4));
      store<f32>(invStd + o4, <f32>(1 / Math.sqrt(<f64>load<f32>(runningVar + o4) + EPS)));
    }
  }
  for (let r = 0; r < n; r++) {
    const at = <usize>r * row;
    for (let j = 0; j < d; j++) {
      const o4 = <usize>j << 2;
      const h =
        (<f64>load<f32>(x + at + o4) - load<f64>(sum + (<usize>j << 3))) *
        <f64>load<f32>(invStd + o4);
      store<f32>(xhat + at + o4, <f32>h);
      store<f32>(y + at + o4, <f32>(<f64>load<f32>(gamma + o4) * h + <f64>load<f32>(beta + o4)));
    }
  }
}

export function batchNormBackward(
  n: i32,
  d: i32,
  dy: usize,
  xhat: usize,
  gamma: usize,
  invStd: usize,
  stats: usize,
  dGamma: usize,
  dBeta: usize,
  dx: usize,
  trained: bool,
): void {
  const row = <usize>d << 2;
  const dBetaAcc = stats;
  const dGammaAcc = stats + (<usize>d << 3);
  memory.fill(stats, 0, <usize>d << 4);
  for (let r = 0; r < n; r++) {
    const at = <usize>r * row;
    for (let j = 0; j < d; j++) {
      const o4 = <usize>j << 2;
      const o8 = <usize>j << 3;
      const g = <f64>load<f32>(dy + at + o4);
      store<f64>(dBetaAcc + o8, load<f64>(dBetaAcc + o8) + g);
      store<f64>(dGammaAcc + o8, load<f64>(dGammaAcc + o8) + g * <f64>load<f32>(xhat + at + o4));
    }
  }
  for (let j = 0; j < d; j++) {
    const o4 = <usize>j << 2;
    const o8 = <usize>j << 3;
    store<f32>(dGamma + o4, <f32>load<f64>(dGammaAcc + o8));
    store<f32>(dBeta + o4, <f32>load<f64>(dBetaAcc + o8));
  }
  if (dx == 0) return;
  const nf = <f64>n;
  if (trained) {
    for (let r = 0; r < n; r++) {
      const at = <usize>r * row;
      for (let j = 0; j < d; j++) {
        const o4 = <usize>j << 2;
        const o8 = <usize>j << 3;
        const k = (<f64>load<f32>(gamma + o4) * <f64>load<f32>(invStd + o4)) / nf;
        const v =
          k *
          (nf * <f64>load<f32>(dy + at + o4) -
            load<f64>(dBetaAcc + o8) -
            <f64>load<f32>(xhat + at + o4) * load<f64>(dGammaAcc + o8));
        store<f32>(dx + at + o4, <f32>(<f64>load<f32>(dx + at + o4) + v));
      }
    }
  } else {
    for (let r = 0; r < n; r++) {
      const at = <usize>r * row;
      for (let j = 0; j < d; j++) {
        const o4 = <usize>j << 2;
        const v =
          <f64>load<f32>(dy + at + o4) * <f64>load<f32>(gamma + o4) * <f64>load<f32>(invStd + o4);
        store<f32>(dx + at + o4, <f32>(<f64>load<f32>(dx + at + o4) + v));
      }
    }
  }
}

/** First byte the kernels' static data does not use: the model's buffers start above it. */
export function heapBase(): usize {
  return __heap_base;
}
