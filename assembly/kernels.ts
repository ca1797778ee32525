/**
 * The engine's hot loops in AssemblyScript, compiled to WebAssembly with SIMD128
 * (`npm run build:wasm`, scripts/build-wasm.mjs). Function for function the same kernels as
 * src/engine/kernels.ts, over pointers into the model's WebAssembly memory instead of
 * (Float32Array, offset) pairs: every matrix argument is a byte address, every leading dimension
 * a count of floats. src/engine/wasm.ts wraps these exports in the TypeScript signatures.
 *
 * Determinism: only plain SIMD128 (f32x4 mul then add, no relaxed-SIMD fused multiply-add), so
 * every lane is IEEE-rounded the same way in every engine; summation orders are fixed by the
 * loops. The GEMMs and batch norm compute in float32 lanes (the TypeScript kernels sum in
 * float64), so for them the two paths agree to float32 rounding, not bit for bit. The elementwise
 * kernels repeat the TypeScript arithmetic operation for operation and give the same bits —
 * except the scale's backward and the optimizers, which compute in float32 lanes too.
 *
 * Layout and blocking were chosen by measurement: see docs/performance.md.
 */

// ---------------------------------------------------------------------------------------------
// GEMM, broadcast form: C[rows×cols] (+)= Σ_t A(row, t) · B[t, cols], B row-major (ldb), and
// A(row, t) at a + 4·(row·ars + t·ats). gemmNN (Y = X·W) is ars = lda, ats = 1; gemmTN
// (dW = Xᵀ·dY) is ars = 1, ats = lda. Register tile: 4 rows × 8 columns (8 f32x4 accumulators);
// each step of t loads two vectors of B and broadcasts four scalars of A (v128.load32_splat)
// for 8 f32x4 multiply-adds. 4×8 measured best of 4×4, 4×8, 6×8 and 4×12 (docs/performance.md):
// the larger tiles need more than the 16 vector registers of x86-64 and spill.
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
        let x = v128.load32_splat(a0 + ap);
        c00 = f32x4.add(c00, f32x4.mul(x, b0));
        c01 = f32x4.add(c01, f32x4.mul(x, b1));
        x = v128.load32_splat(a1 + ap);
        c10 = f32x4.add(c10, f32x4.mul(x, b0));
        c11 = f32x4.add(c11, f32x4.mul(x, b1));
        x = v128.load32_splat(a2 + ap);
        c20 = f32x4.add(c20, f32x4.mul(x, b0));
        c21 = f32x4.add(c21, f32x4.mul(x, b1));
        x = v128.load32_splat(a3 + ap);
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
        c00 = f32x4.add(c00, f32x4.mul(v128.load32_splat(a0 + ap), b0));
        c10 = f32x4.add(c10, f32x4.mul(v128.load32_splat(a1 + ap), b0));
        c20 = f32x4.add(c20, f32x4.mul(v128.load32_splat(a2 + ap), b0));
        c30 = f32x4.add(c30, f32x4.mul(v128.load32_splat(a3 + ap), b0));
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
        const x = v128.load32_splat(a0 + ap);
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
        c00 = f32x4.add(c00, f32x4.mul(v128.load32_splat(a0 + ap), v128.load(bp)));
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

// ---------------------------------------------------------------------------------------------
// gemmNT: for enough rows, Bᵀ is copied (4×4 SIMD transposes) into the scratch area the model
// reserved, and the broadcast form runs on it — faster than the dot form once the copy (n·k)
// is amortised over the m rows; below that, or without room, the dot form. The choice depends
// on the shapes only, so it is the same in every host.
// ---------------------------------------------------------------------------------------------

let scratch: usize = 0;
let scratchBytes: usize = 0;

/** The area gemmNT may use for Bᵀ (set once, by the model, when it lays out its memory). */
export function setScratch(ptr: usize, bytes: usize): void {
  scratch = ptr;
  scratchBytes = bytes;
}

/** gemmNT takes the transposed copy from this many rows of C on. */
const NT_TRANSPOSE_MIN_ROWS = 8;

export function gemmNT(
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
  if (m >= NT_TRANSPOSE_MIN_ROWS && (<usize>n * <usize>k) << 2 <= scratchBytes) {
    transpose(k, n, b, ldb, scratch);
    gemmBroadcast(m, k, n, a, lda, 1, scratch, k, c, ldc, acc);
  } else gemmDot(m, n, k, a, lda, b, ldb, c, ldc, acc);
}

/** dst[cols×rows] (packed) = src[rows×cols]ᵀ (row stride ld). */
function transpose(rows: i32, cols: i32, src: usize, ld: i32, dst: usize): void {
  const sRow = <usize>ld << 2;
  const dRow = <usize>rows << 2;
  let i = 0;
  for (; i + 4 <= rows; i += 4) {
    const s0 = src + <usize>i * sRow;
    const d0 = dst + (<usize>i << 2);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const o = <usize>j << 2;
      const r0 = v128.load(s0 + o);
      const r1 = v128.load(s0 + sRow + o);
      const r2 = v128.load(s0 + 2 * sRow + o);
      const r3 = v128.load(s0 + 3 * sRow + o);
      const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5); // r0₀ r1₀ r0₁ r1₁
      const t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5); // r2₀ r3₀ r2₁ r3₁
      const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7); // r0₂ r1₂ r0₃ r1₃
      const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
      const dp = d0 + <usize>j * dRow;
      v128.store(dp, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
      v128.store(dp + dRow, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
      v128.store(dp + 2 * dRow, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
      v128.store(dp + 3 * dRow, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
    }
    for (; j < cols; j++)
      for (let q = 0; q < 4; q++)
        store<f32>(d0 + <usize>j * dRow + (<usize>q << 2), load<f32>(s0 + <usize>q * sRow + (<usize>j << 2)));
  }
  for (; i < rows; i++)
    for (let j = 0; j < cols; j++)
      store<f32>(dst + <usize>j * dRow + (<usize>i << 2), load<f32>(src + <usize>i * sRow + (<usize>j << 2)));
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
 * The per-feature scale's backward: ds[j] = Σ_r dy·x (four features at a time, the sums in
 * registers down the rows), and (dx != 0) dx += dy·s. Float32 lanes: the TypeScript twin rounds
 * each exact product only with its sum, so the two agree to float32 rounding.
 */
export function scaleBackward(m: i32, n: i32, x: usize, dy: usize, s: usize, ds: usize, dx: usize): void {
  const row = <usize>n << 2;
  const n4 = n & ~3;
  for (let j = 0; j < n4; j += 4) {
    const o = <usize>j << 2;
    let acc = f32x4.splat(0);
    for (let r = 0; r < m; r++) {
      const at = <usize>r * row + o;
      acc = f32x4.add(acc, f32x4.mul(v128.load(dy + at), v128.load(x + at)));
    }
    v128.store(ds + o, acc);
  }
  for (let j = n4; j < n; j++) {
    const o = <usize>j << 2;
    let acc: f32 = 0;
    for (let r = 0; r < m; r++) {
      const at = <usize>r * row + o;
      acc += load<f32>(dy + at) * load<f32>(x + at);
    }
    store<f32>(ds + o, acc);
  }
  if (dx == 0) return;
  for (let i = 0; i < m; i++) {
    const dr = dx + <usize>i * row;
    const gr = dy + <usize>i * row;
    let j = 0;
    for (; j < n4; j += 4) {
      const o = <usize>j << 2;
      v128.store(dr + o, f32x4.add(v128.load(dr + o), f32x4.mul(v128.load(gr + o), v128.load(s + o))));
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      store<f32>(dr + o, load<f32>(dr + o) + load<f32>(gr + o) * load<f32>(s + o));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Optimizers over the flat vectors, in float32 lanes (the TypeScript twins compute each update in
// float64 and round once when storing).
// ---------------------------------------------------------------------------------------------

/** p ← p − lr·(g + wd·mask·p) */
export function sgdStep(len: i32, lr: f32, wd: f32, p: usize, g: usize, mask: usize): void {
  const lrv = f32x4.splat(lr);
  const wdv = f32x4.splat(wd);
  const len4 = len & ~3;
  let i = 0;
  for (; i < len4; i += 4) {
    const o = <usize>i << 2;
    const pv = v128.load(p + o);
    const gi = f32x4.add(v128.load(g + o), f32x4.mul(f32x4.mul(wdv, v128.load(mask + o)), pv));
    v128.store(p + o, f32x4.sub(pv, f32x4.mul(lrv, gi)));
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    const pv = load<f32>(p + o);
    store<f32>(p + o, pv - lr * (load<f32>(g + o) + wd * load<f32>(mask + o) * pv));
  }
}

/** v ← μv + g + wd·mask·p;  p ← p − lr·v */
export function momentumStep(len: i32, lr: f32, mu: f32, wd: f32, p: usize, g: usize, mask: usize, v: usize): void {
  const lrv = f32x4.splat(lr);
  const muv = f32x4.splat(mu);
  const wdv = f32x4.splat(wd);
  const len4 = len & ~3;
  let i = 0;
  for (; i < len4; i += 4) {
    const o = <usize>i << 2;
    const pv = v128.load(p + o);
    const vi = f32x4.add(
      f32x4.add(f32x4.mul(muv, v128.load(v + o)), v128.load(g + o)),
      f32x4.mul(f32x4.mul(wdv, v128.load(mask + o)), pv),
    );
    v128.store(v + o, vi);
    v128.store(p + o, f32x4.sub(pv, f32x4.mul(lrv, vi)));
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    const pv = load<f32>(p + o);
    const vi = mu * load<f32>(v + o) + load<f32>(g + o) + wd * load<f32>(mask + o) * pv;
    store<f32>(v + o, vi);
    store<f32>(p + o, pv - lr * vi);
  }
}

/** Adam, bias corrections folded into stepSize and epsHat (see src/engine/kernels.ts). */
export function adamStep(
  len: i32,
  stepSize: f32,
  b1: f32,
  b2: f32,
  epsHat: f32,
  wd: f32,
  p: usize,
  g: usize,
  mask: usize,
  m: usize,
  v: usize,
): void {
  const sv = f32x4.splat(stepSize);
  const b1v = f32x4.splat(b1);
  const c1v = f32x4.splat(1 - b1);
  const b2v = f32x4.splat(b2);
  const c2v = f32x4.splat(1 - b2);
  const ev = f32x4.splat(epsHat);
  const wdv = f32x4.splat(wd);
  const len4 = len & ~3;
  let i = 0;
  for (; i < len4; i += 4) {
    const o = <usize>i << 2;
    const pv = v128.load(p + o);
    const gi = f32x4.add(v128.load(g + o), f32x4.mul(f32x4.mul(wdv, v128.load(mask + o)), pv));
    const mi = f32x4.add(f32x4.mul(b1v, v128.load(m + o)), f32x4.mul(c1v, gi));
    const vi = f32x4.add(f32x4.mul(b2v, v128.load(v + o)), f32x4.mul(f32x4.mul(c2v, gi), gi));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    v128.store(p + o, f32x4.sub(pv, f32x4.div(f32x4.mul(sv, mi), f32x4.add(f32x4.sqrt(vi), ev))));
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    const pv = load<f32>(p + o);
    const gi = load<f32>(g + o) + wd * load<f32>(mask + o) * pv;
    const mi = b1 * load<f32>(m + o) + (1 - b1) * gi;
    const vi = b2 * load<f32>(v + o) + (1 - b2) * gi * gi;
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(p + o, pv - (stepSize * mi) / (Mathf.sqrt(vi) + epsHat));
  }
}

// ---------------------------------------------------------------------------------------------
// Batch normalisation, in float32 lanes: four features at a time (one v128 per row), the sums
// kept in registers while the block walks down the rows, then the same arithmetic for the last
// d % 4 features in scalars. The TypeScript reference sums in float64, so the paths agree to
// float32 rounding. `stats` (2·d float64 of scratch in the TypeScript signature) is unused here.
// ---------------------------------------------------------------------------------------------

const EPS: f32 = 1e-5;
const MOMENTUM: f32 = 0.1;

/**
 * Finishes four features' batch statistics from the shifted sums (see batchNormForward): writes
 * invStd and the running estimates, returns the mean.
 */
// @ts-ignore: decorator
@inline
function bnStats(n: i32, shift: v128, sum: v128, sumSq: v128, invStd: usize, rm: usize, rv: usize): v128 {
  const nv = f32x4.splat(<f32>n);
  const dm = f32x4.div(sum, nv);
  const mean = f32x4.add(shift, dm);
  const ss = f32x4.max(f32x4.sub(sumSq, f32x4.mul(nv, f32x4.mul(dm, dm))), f32x4.splat(0));
  const variance = f32x4.div(ss, nv);
  v128.store(invStd, f32x4.div(f32x4.splat(1), f32x4.sqrt(f32x4.add(variance, f32x4.splat(EPS)))));
  const unbiased = n > 1 ? f32x4.div(ss, f32x4.splat(<f32>(n - 1))) : variance;
  const keep = f32x4.splat(1 - MOMENTUM);
  const take = f32x4.splat(MOMENTUM);
  v128.store(rm, f32x4.add(f32x4.mul(keep, v128.load(rm)), f32x4.mul(take, mean)));
  v128.store(rv, f32x4.add(f32x4.mul(keep, v128.load(rv)), f32x4.mul(take, unbiased)));
  return mean;
}

/** What a batch norm is fused with: nothing, the ReLU after it, or the scale α after it. */
const BN_PLAIN = 0;
const BN_RELU = 1;
const BN_SCALE = 2;

/**
 * Stores the batch norm's output v at `at`: through a ReLU when the op is fused with the ReLU
 * that follows it (v where v > 0, else +0, NaN included — bit for bit what reluForward writes);
 * or, when fused with the residual branch's scale α (`scale` ≠ 0), v into `raw` and v·α as the
 * output — bit for bit what scaleColumns writes.
 */
// @ts-ignore: decorator
@inline
function bnStore(v: v128, mode: i32, y: usize, raw: usize, scale: usize, at: usize, o: usize): void {
  if (mode == BN_SCALE) {
    v128.store(raw + at, v);
    v128.store(y + at, f32x4.mul(v, v128.load(scale + o)));
  } else {
    v128.store(y + at, mode == BN_RELU ? v128.and(v, f32x4.gt(v, f32x4.splat(0))) : v);
  }
}

// @ts-ignore: decorator
@inline
function bnStore1(v: f32, mode: i32, y: usize, raw: usize, scale: usize, at: usize, o: usize): void {
  if (mode == BN_SCALE) {
    store<f32>(raw + at, v);
    store<f32>(y + at, v * load<f32>(scale + o));
  } else {
    store<f32>(y + at, mode == BN_RELU && !(v > 0) ? 0 : v);
  }
}

/**
 * The gradient reaching a batch norm at `at` (feature byte offset `o`): dy; or, fused with the
 * ReLU after it (`y` ≠ 0), dy where the output y > 0; or, fused with the scale α after it
 * (`scale` ≠ 0), dy·α — each added to +0 as the separate op's backward adds it into a zeroed
 * gradient (so a −0 comes out +0, as there).
 */
// @ts-ignore: decorator
@inline
function bnGrad(mode: i32, dy: usize, y: usize, scale: usize, at: usize, o: usize): v128 {
  const g = v128.load(dy + at);
  const zero = f32x4.splat(0);
  if (mode == BN_SCALE) return f32x4.add(zero, f32x4.mul(g, v128.load(scale + o)));
  return mode == BN_RELU ? f32x4.add(zero, v128.and(g, f32x4.gt(v128.load(y + at), zero))) : g;
}

// @ts-ignore: decorator
@inline
function bnGrad1(mode: i32, dy: usize, y: usize, scale: usize, at: usize, o: usize): f32 {
  const g = load<f32>(dy + at);
  if (mode == BN_SCALE) return <f32>0 + g * load<f32>(scale + o);
  if (mode != BN_RELU) return g;
  return load<f32>(y + at) > 0 ? <f32>0 + g : 0;
}

// One body per mode (a literal at each call site, folded away after inlining): no branch on
// the mode inside the loops.
// @ts-ignore: decorator
@inline
function bnForward(
  mode: i32,
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
  scale: usize,
  raw: usize,
): void {
  const row = <usize>d << 2;
  const nf = <f32>n;
  const d4 = d & ~3;
  const z = f32x4.splat(0);
  const one = f32x4.splat(1);
  const keep = f32x4.splat(1 - MOMENTUM);
  const take = f32x4.splat(MOMENTUM);
  const eps = f32x4.splat(EPS);
  let j0 = 0;
  if (training) {
    // Sixteen features per sweep down the rows (four v128 per row, eight sums in registers):
    // fewer, longer sweeps than four at a time; the arithmetic per feature is the same.
    for (; j0 + 16 <= d; j0 += 16) {
      const o = <usize>j0 << 2;
      const s0 = v128.load(x + o), s1 = v128.load(x + o, 16);
      const s2 = v128.load(x + o, 32), s3 = v128.load(x + o, 48);
      let a0 = z, a1 = z, a2 = z, a3 = z, q0 = z, q1 = z, q2 = z, q3 = z;
      let p = x + o;
      for (let r = 0; r < n; r++, p += row) {
        const c0 = f32x4.sub(v128.load(p), s0);
        const c1 = f32x4.sub(v128.load(p, 16), s1);
        const c2 = f32x4.sub(v128.load(p, 32), s2);
        const c3 = f32x4.sub(v128.load(p, 48), s3);
        a0 = f32x4.add(a0, c0);
        a1 = f32x4.add(a1, c1);
        a2 = f32x4.add(a2, c2);
        a3 = f32x4.add(a3, c3);
        q0 = f32x4.add(q0, f32x4.mul(c0, c0));
        q1 = f32x4.add(q1, f32x4.mul(c1, c1));
        q2 = f32x4.add(q2, f32x4.mul(c2, c2));
        q3 = f32x4.add(q3, f32x4.mul(c3, c3));
      }
      const m0 = bnStats(n, s0, a0, q0, invStd + o, runningMean + o, runningVar + o);
      const m1 = bnStats(n, s1, a1, q1, invStd + o + 16, runningMean + o + 16, runningVar + o + 16);
      const m2 = bnStats(n, s2, a2, q2, invStd + o + 32, runningMean + o + 32, runningVar + o + 32);
      const m3 = bnStats(n, s3, a3, q3, invStd + o + 48, runningMean + o + 48, runningVar + o + 48);
      const i0 = v128.load(invStd + o), i1 = v128.load(invStd + o, 16);
      const i2 = v128.load(invStd + o, 32), i3 = v128.load(invStd + o, 48);
      for (let r = 0; r < n; r++) {
        const at = <usize>r * row + o;
        const h0 = f32x4.mul(f32x4.sub(v128.load(x + at), m0), i0);
        const h1 = f32x4.mul(f32x4.sub(v128.load(x + at, 16), m1), i1);
        const h2 = f32x4.mul(f32x4.sub(v128.load(x + at, 32), m2), i2);
        const h3 = f32x4.mul(f32x4.sub(v128.load(x + at, 48), m3), i3);
        v128.store(xhat + at, h0);
        v128.store(xhat + at, h1, 16);
        v128.store(xhat + at, h2, 32);
        v128.store(xhat + at, h3, 48);
        bnStore(f32x4.add(f32x4.mul(v128.load(gamma + o), h0), v128.load(beta + o)), mode, y, raw, scale, at + 0, o + 0);
        bnStore(f32x4.add(f32x4.mul(v128.load(gamma + o, 16), h1), v128.load(beta + o, 16)), mode, y, raw, scale, at + 16, o + 16);
        bnStore(f32x4.add(f32x4.mul(v128.load(gamma + o, 32), h2), v128.load(beta + o, 32)), mode, y, raw, scale, at + 32, o + 32);
        bnStore(f32x4.add(f32x4.mul(v128.load(gamma + o, 48), h3), v128.load(beta + o, 48)), mode, y, raw, scale, at + 48, o + 48);
      }
    }
  }
  for (let j = j0; j < d4; j += 4) {
    const o = <usize>j << 2;
    let mean: v128, inv: v128;
    if (training) {
      // One pass over the rows: sums of (x − s) and (x − s)² with s the first row's value, so
      // that mean = s + Σ(x − s)/n and the variance Σ(x − s)²/n − (Σ(x − s)/n)² stay accurate
      // (s is one of the values, not far from the mean).
      const shift = v128.load(x + o);
      let sum = z;
      let sumSq = z;
      let p = x + o;
      for (let r = 0; r < n; r++, p += row) {
        const c = f32x4.sub(v128.load(p), shift);
        sum = f32x4.add(sum, c);
        sumSq = f32x4.add(sumSq, f32x4.mul(c, c));
      }
      const dm = f32x4.div(sum, f32x4.splat(nf));
      mean = f32x4.add(shift, dm);
      // Σ(x − mean)² = Σ(x − s)² − n·dm², never below 0
      sumSq = f32x4.max(f32x4.sub(sumSq, f32x4.mul(f32x4.splat(nf), f32x4.mul(dm, dm))), z);
      const variance = f32x4.div(sumSq, f32x4.splat(nf));
      inv = f32x4.div(one, f32x4.sqrt(f32x4.add(variance, eps)));
      const unbiased = n > 1 ? f32x4.div(sumSq, f32x4.splat(<f32>(n - 1))) : variance;
      const rm = runningMean + o;
      const rv = runningVar + o;
      v128.store(rm, f32x4.add(f32x4.mul(keep, v128.load(rm)), f32x4.mul(take, mean)));
      v128.store(rv, f32x4.add(f32x4.mul(keep, v128.load(rv)), f32x4.mul(take, unbiased)));
    } else {
      mean = v128.load(runningMean + o);
      inv = f32x4.div(one, f32x4.sqrt(f32x4.add(v128.load(runningVar + o), eps)));
    }
    v128.store(invStd + o, inv);
    const g = v128.load(gamma + o);
    const b = v128.load(beta + o);
    for (let r = 0; r < n; r++) {
      const at = <usize>r * row + o;
      const h = f32x4.mul(f32x4.sub(v128.load(x + at), mean), inv);
      v128.store(xhat + at, h);
      bnStore(f32x4.add(f32x4.mul(g, h), b), mode, y, raw, scale, at, o);
    }
  }
  for (let j = d4; j < d; j++) {
    const o = <usize>j << 2;
    let mean: f32, inv: f32;
    if (training) {
      const shift = load<f32>(x + o);
      let sum: f32 = 0;
      let sumSq: f32 = 0;
      for (let r = 0; r < n; r++) {
        const c = load<f32>(x + <usize>r * row + o) - shift;
        sum += c;
        sumSq += c * c;
      }
      const dm = sum / nf;
      mean = shift + dm;
      sumSq = Mathf.max(sumSq - nf * dm * dm, 0);
      const variance = sumSq / nf;
      inv = 1 / Mathf.sqrt(variance + EPS);
      const unbiased = n > 1 ? sumSq / <f32>(n - 1) : variance;
      store<f32>(runningMean + o, (1 - MOMENTUM) * load<f32>(runningMean + o) + MOMENTUM * mean);
      store<f32>(runningVar + o, (1 - MOMENTUM) * load<f32>(runningVar + o) + MOMENTUM * unbiased);
    } else {
      mean = load<f32>(runningMean + o);
      inv = 1 / Mathf.sqrt(load<f32>(runningVar + o) + EPS);
    }
    store<f32>(invStd + o, inv);
    const g = load<f32>(gamma + o);
    const b = load<f32>(beta + o);
    for (let r = 0; r < n; r++) {
      const at = <usize>r * row + o;
      const h = (load<f32>(x + at) - mean) * inv;
      store<f32>(xhat + at, h);
      bnStore1(g * h + b, mode, y, raw, scale, at, o);
    }
  }
}

// @ts-ignore: decorator
@inline
function bnBackward(
  mode: i32,
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
  y: usize,
  scale: usize,
  raw: usize,
  dScale: usize,
): void {
  const row = <usize>d << 2;
  const nf = <f32>n;
  const d4 = d & ~3;
  const z = f32x4.splat(0);
  const nv = f32x4.splat(nf);
  let j0 = 0;
  if (trained && dx != 0) {
    // sixteen features per sweep, as in batchNormForward
    for (; j0 + 16 <= d; j0 += 16) {
      const o = <usize>j0 << 2;
      let b0 = z, b1 = z, b2 = z, b3 = z, g0 = z, g1 = z, g2 = z, g3 = z;
      let s0 = z, s1 = z, s2 = z, s3 = z;
      for (let r = 0; r < n; r++) {
        const at = <usize>r * row + o;
        const d0 = bnGrad(mode, dy, y, scale, at, o), d1 = bnGrad(mode, dy, y, scale, at + 16, o + 16);
        const d2 = bnGrad(mode, dy, y, scale, at + 32, o + 32), d3 = bnGrad(mode, dy, y, scale, at + 48, o + 48);
        if (mode == BN_SCALE) {
          // dα = Σ_r dy·v (v the norm's output before α), summed as scaleBackward sums it
          s0 = f32x4.add(s0, f32x4.mul(v128.load(dy + at), v128.load(raw + at)));
          s1 = f32x4.add(s1, f32x4.mul(v128.load(dy + at, 16), v128.load(raw + at, 16)));
          s2 = f32x4.add(s2, f32x4.mul(v128.load(dy + at, 32), v128.load(raw + at, 32)));
          s3 = f32x4.add(s3, f32x4.mul(v128.load(dy + at, 48), v128.load(raw + at, 48)));
        }
        b0 = f32x4.add(b0, d0);
        b1 = f32x4.add(b1, d1);
        b2 = f32x4.add(b2, d2);
        b3 = f32x4.add(b3, d3);
        g0 = f32x4.add(g0, f32x4.mul(d0, v128.load(xhat + at)));
        g1 = f32x4.add(g1, f32x4.mul(d1, v128.load(xhat + at, 16)));
        g2 = f32x4.add(g2, f32x4.mul(d2, v128.load(xhat + at, 32)));
        g3 = f32x4.add(g3, f32x4.mul(d3, v128.load(xhat + at, 48)));
      }
      v128.store(dGamma + o, g0);
      v128.store(dGamma + o, g1, 16);
      v128.store(dGamma + o, g2, 32);
      v128.store(dGamma + o, g3, 48);
      v128.store(dBeta + o, b0);
      v128.store(dBeta + o, b1, 16);
      v128.store(dBeta + o, b2, 32);
      v128.store(dBeta + o, b3, 48);
      if (mode == BN_SCALE) {
        v128.store(dScale + o, s0);
        v128.store(dScale + o, s1, 16);
        v128.store(dScale + o, s2, 32);
        v128.store(dScale + o, s3, 48);
      }
      // dx = k·(n·dy − Σdy − x̂·Σ(dy·x̂)), k = γ·invStd/n
      const k0 = f32x4.div(f32x4.mul(v128.load(gamma + o), v128.load(invStd + o)), nv);
      const k1 = f32x4.div(f32x4.mul(v128.load(gamma + o, 16), v128.load(invStd + o, 16)), nv);
      const k2 = f32x4.div(f32x4.mul(v128.load(gamma + o, 32), v128.load(invStd + o, 32)), nv);
      const k3 = f32x4.div(f32x4.mul(v128.load(gamma + o, 48), v128.load(invStd + o, 48)), nv);
      for (let r = 0; r < n; r++) {
        const at = <usize>r * row + o;
        const t0 = f32x4.sub(f32x4.sub(f32x4.mul(nv, bnGrad(mode, dy, y, scale, at, o)), b0), f32x4.mul(v128.load(xhat + at), g0));
        const t1 = f32x4.sub(f32x4.sub(f32x4.mul(nv, bnGrad(mode, dy, y, scale, at + 16, o + 16)), b1), f32x4.mul(v128.load(xhat + at, 16), g1));
        const t2 = f32x4.sub(f32x4.sub(f32x4.mul(nv, bnGrad(mode, dy, y, scale, at + 32, o + 32)), b2), f32x4.mul(v128.load(xhat + at, 32), g2));
        const t3 = f32x4.sub(f32x4.sub(f32x4.mul(nv, bnGrad(mode, dy, y, scale, at + 48, o + 48)), b3), f32x4.mul(v128.load(xhat + at, 48), g3));
        v128.store(dx + at, f32x4.add(v128.load(dx + at), f32x4.mul(k0, t0)));
        v128.store(dx + at, f32x4.add(v128.load(dx + at, 16), f32x4.mul(k1, t1)), 16);
        v128.store(dx + at, f32x4.add(v128.load(dx + at, 32), f32x4.mul(k2, t2)), 32);
        v128.store(dx + at, f32x4.add(v128.load(dx + at, 48), f32x4.mul(k3, t3)), 48);
      }
    }
  }
  for (let j = j0; j < d4; j += 4) {
    const o = <usize>j << 2;
    let sb = z, sg = z, ss = z;
    for (let r = 0; r < n; r++) {
      const at = <usize>r * row + o;
      const g = bnGrad(mode, dy, y, scale, at, o);
      if (mode == BN_SCALE) ss = f32x4.add(ss, f32x4.mul(v128.load(dy + at), v128.load(raw + at)));
      sb = f32x4.add(sb, g);
      sg = f32x4.add(sg, f32x4.mul(g, v128.load(xhat + at)));
    }
    v128.store(dGamma + o, sg);
    v128.store(dBeta + o, sb);
    if (mode == BN_SCALE) v128.store(dScale + o, ss);
    if (dx == 0) continue;
    const gi = f32x4.mul(v128.load(gamma + o), v128.load(invStd + o));
    if (trained) {
      // dx = γ·invStd/n · (n·dy − Σdy − x̂·Σ(dy·x̂))
      const k = f32x4.div(gi, nv);
      for (let r = 0; r < n; r++) {
        const at = <usize>r * row + o;
        const t = f32x4.sub(
          f32x4.sub(f32x4.mul(nv, bnGrad(mode, dy, y, scale, at, o)), sb),
          f32x4.mul(v128.load(xhat + at), sg),
        );
        v128.store(dx + at, f32x4.add(v128.load(dx + at), f32x4.mul(k, t)));
      }
    } else {
      for (let r = 0; r < n; r++) {
        const at = <usize>r * row + o;
        v128.store(dx + at, f32x4.add(v128.load(dx + at), f32x4.mul(bnGrad(mode, dy, y, scale, at, o), gi)));
      }
    }
  }
  for (let j = d4; j < d; j++) {
    const o = <usize>j << 2;
    let sb: f32 = 0, sg: f32 = 0, ss: f32 = 0;
    for (let r = 0; r < n; r++) {
      const at = <usize>r * row + o;
      const g = bnGrad1(mode, dy, y, scale, at, o);
      if (mode == BN_SCALE) ss += load<f32>(dy + at) * load<f32>(raw + at);
      sb += g;
      sg += g * load<f32>(xhat + at);
    }
    store<f32>(dGamma + o, sg);
    store<f32>(dBeta + o, sb);
    if (mode == BN_SCALE) store<f32>(dScale + o, ss);
    if (dx == 0) continue;
    const gi = load<f32>(gamma + o) * load<f32>(invStd + o);
    if (trained) {
      const k = gi / nf;
      for (let r = 0; r < n; r++) {
        const at = <usize>r * row + o;
        const t = nf * bnGrad1(mode, dy, y, scale, at, o) - sb - load<f32>(xhat + at) * sg;
        store<f32>(dx + at, load<f32>(dx + at) + k * t);
      }
    } else {
      for (let r = 0; r < n; r++) {
        const at = <usize>r * row + o;
        store<f32>(dx + at, load<f32>(dx + at) + bnGrad1(mode, dy, y, scale, at, o) * gi);
      }
    }
  }
}

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
  relu: bool,
  scale: usize,
  raw: usize,
): void {
  if (scale != 0)
    bnForward(BN_SCALE, n, d, x, y, gamma, beta, xhat, invStd, stats, runningMean, runningVar, training, scale, raw);
  else if (relu)
    bnForward(BN_RELU, n, d, x, y, gamma, beta, xhat, invStd, stats, runningMean, runningVar, training, 0, 0);
  else bnForward(BN_PLAIN, n, d, x, y, gamma, beta, xhat, invStd, stats, runningMean, runningVar, training, 0, 0);
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
  y: usize,
  scale: usize,
  raw: usize,
  dScale: usize,
): void {
  if (scale != 0)
    bnBackward(BN_SCALE, n, d, dy, xhat, gamma, invStd, stats, dGamma, dBeta, dx, trained, 0, scale, raw, dScale);
  else if (y != 0)
    bnBackward(BN_RELU, n, d, dy, xhat, gamma, invStd, stats, dGamma, dBeta, dx, trained, y, 0, 0, 0);
  else bnBackward(BN_PLAIN, n, d, dy, xhat, gamma, invStd, stats, dGamma, dBeta, dx, trained, 0, 0, 0, 0);
}

// ---------------------------------------------------------------------------------------------
// Layer statistics (opt-in, every few steps): float32 products, summed in float64 lanes (two
// f64x2 accumulators) in a fixed order.
// ---------------------------------------------------------------------------------------------

/** Σ v[i]² over len floats at v. */
export function sumSquares(v: usize, len: i32): f64 {
  let lo = f64x2.splat(0);
  let hi = f64x2.splat(0);
  const len4 = len & ~3;
  let i = 0;
  for (; i < len4; i += 4) {
    const x = v128.load(v + (<usize>i << 2));
    const sq = f32x4.mul(x, x);
    lo = f64x2.add(lo, f64x2.promote_low_f32x4(sq));
    hi = f64x2.add(hi, f64x2.promote_low_f32x4(v128.shuffle<f32>(sq, sq, 2, 3, 0, 1)));
  }
  let s = f64x2.extract_lane(lo, 0) + f64x2.extract_lane(lo, 1) + (f64x2.extract_lane(hi, 0) + f64x2.extract_lane(hi, 1));
  for (; i < len; i++) {
    const x = load<f32>(v + (<usize>i << 2));
    s += <f64>(x * x);
  }
  return s;
}

/** Σ (a[i] − b[i])² over len floats. */
export function sumSquaredDiff(a: usize, b: usize, len: i32): f64 {
  let lo = f64x2.splat(0);
  let hi = f64x2.splat(0);
  const len4 = len & ~3;
  let i = 0;
  for (; i < len4; i += 4) {
    const o = <usize>i << 2;
    const d = f32x4.sub(v128.load(a + o), v128.load(b + o));
    const sq = f32x4.mul(d, d);
    lo = f64x2.add(lo, f64x2.promote_low_f32x4(sq));
    hi = f64x2.add(hi, f64x2.promote_low_f32x4(v128.shuffle<f32>(sq, sq, 2, 3, 0, 1)));
  }
  let s = f64x2.extract_lane(lo, 0) + f64x2.extract_lane(lo, 1) + (f64x2.extract_lane(hi, 0) + f64x2.extract_lane(hi, 1));
  for (; i < len; i++) {
    const o = <usize>i << 2;
    const d = load<f32>(a + o) - load<f32>(b + o);
    s += <f64>(d * d);
  }
  return s;
}

/** Σ v[i] over len floats. */
export function sum(v: usize, len: i32): f64 {
  let lo = f64x2.splat(0);
  let hi = f64x2.splat(0);
  const len4 = len & ~3;
  let i = 0;
  for (; i < len4; i += 4) {
    const x = v128.load(v + (<usize>i << 2));
    lo = f64x2.add(lo, f64x2.promote_low_f32x4(x));
    hi = f64x2.add(hi, f64x2.promote_low_f32x4(v128.shuffle<f32>(x, x, 2, 3, 0, 1)));
  }
  let s = f64x2.extract_lane(lo, 0) + f64x2.extract_lane(lo, 1) + (f64x2.extract_lane(hi, 0) + f64x2.extract_lane(hi, 1));
  for (; i < len; i++) s += <f64>load<f32>(v + (<usize>i << 2));
  return s;
}

/** Columns of v[rows × dim] with no value above 0 (as `x > 0`: NaN counts as not alive). */
export function deadColumns(rows: i32, dim: i32, v: usize): i32 {
  const row = <usize>dim << 2;
  const z = f32x4.splat(0);
  const d4 = dim & ~3;
  let dead = 0;
  for (let j = 0; j < d4; j += 4) {
    let alive = z;
    let p = v + (<usize>j << 2);
    for (let r = 0; r < rows; r++, p += row) alive = v128.or(alive, f32x4.gt(v128.load(p), z));
    // each lane of `alive` is all ones or all zeros: count the zero lanes
    dead += 4 - popcnt<i32>(i32x4.bitmask(alive));
  }
  for (let j = d4; j < dim; j++) {
    let alive = false;
    for (let r = 0; r < rows && !alive; r++) alive = load<f32>(v + <usize>r * row + (<usize>j << 2)) > 0;
    if (!alive) dead++;
  }
  return dead;
}

/** First byte the kernels' static data does not use: the model's buffers start above it. */
export function heapBase(): usize {
  return __heap_base;
}

// ---------------------------------------------------------------------------------------------
// Convolution helpers over NHWC maps (the TypeScript twins and their geometry: ConvShape in
// src/engine/kernels.ts). A pixel's channels are contiguous, so every inner loop is a run of
// floats: copied or added with f32x4 where the run allows, scalars for the tail. Copies and f32
// additions give the TypeScript bits whatever the grouping; the order in which the same output
// element receives its additions is the TypeScript loops' order, so col2imAdd, the pooling and the
// shortcut's backward are bit-identical too. Runs here are short (8–32 channels, or a row of
// kw taps), which is why they are open-coded rather than memory.copy / memory.fill calls.
// ---------------------------------------------------------------------------------------------

/** len floats from src to dst (no overlap). */
// @ts-ignore: decorator
@inline
function copyRun(src: usize, dst: usize, len: i32): void {
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, v128.load(src + o));
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(src + o));
  }
}

/** len zeros (+0) at dst. */
// @ts-ignore: decorator
@inline
function zeroRun(dst: usize, len: i32): void {
  const z = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= len; i += 4) v128.store(dst + (<usize>i << 2), z);
  for (; i < len; i++) store<f32>(dst + (<usize>i << 2), 0);
}

/** dst += src over len floats. */
// @ts-ignore: decorator
@inline
function addRun(src: usize, dst: usize, len: i32): void {
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}

/** The first tap of a kernel row whose column x0 + b is inside the map (b ≥ −x0). */
// @ts-ignore: decorator
@inline
function firstTap(x0: i32): i32 {
  return x0 < 0 ? -x0 : 0;
}

/**
 * Rows [row0, row0 + rows) of im2col: cols[row − row0, (a·kw + b)·cg + ch] = x[example,
 * i·stride − pad + a, j·stride − pad + b, c0 + ch] (0 over the padding), rows in (example, i, j)
 * order. A kernel row's in-map taps are one run of floats in x when the group holds all the
 * channels (cg = c: the taps of a window are adjacent pixels) — one copy of taps·c floats.
 */
function unfoldRows(
  row0: i32,
  rows: i32,
  h: i32,
  w: i32,
  c: i32,
  kh: i32,
  kw: i32,
  stride: i32,
  pad: i32,
  ho: i32,
  wo: i32,
  c0: i32,
  cg: i32,
  x: usize,
  cols: usize,
): void {
  const pixel = <usize>c << 2;
  const tap = <usize>cg << 2;
  const whole = cg == c;
  const perExample = ho * wo;
  let r = row0 / perExample;
  let i = (row0 % perExample) / wo;
  let j = row0 % wo;
  let base = x + <usize>r * <usize>h * <usize>w * pixel + (<usize>c0 << 2);
  let at = cols;
  for (let q = 0; q < rows; q++) {
    const y0 = i * stride - pad;
    const x0 = j * stride - pad;
    const bLo = firstTap(x0);
    const bHi = min(kw, w - x0);
    for (let a = 0; a < kh; a++) {
      const y = y0 + a;
      if (y < 0 || y >= h || bLo >= bHi) {
        zeroRun(at, kw * cg);
        at += <usize>kw * tap;
        continue;
      }
      if (bLo > 0) zeroRun(at, bLo * cg);
      at += <usize>bLo * tap;
      let from = base + (<usize>(y * w + x0 + bLo)) * pixel;
      if (whole) {
        const len = (bHi - bLo) * cg;
        copyRun(from, at, len);
        at += <usize>len << 2;
      } else {
        for (let b = bLo; b < bHi; b++) {
          copyRun(from, at, cg);
          from += pixel;
          at += tap;
        }
      }
      if (bHi < kw) zeroRun(at, (kw - bHi) * cg);
      at += <usize>(kw - bHi) * tap;
    }
    // the next output pixel: (r, i, j + 1), wrapping rows and examples
    if (++j == wo) {
      j = 0;
      if (++i == ho) {
        i = 0;
        r++;
        base += <usize>h * <usize>w * pixel;
      }
    }
  }
}

/** The adjoint of unfoldRows: dx[pixel the tap read] += cols[row − row0, tap], rows in order. */
function foldRows(
  row0: i32,
  rows: i32,
  h: i32,
  w: i32,
  c: i32,
  kh: i32,
  kw: i32,
  stride: i32,
  pad: i32,
  ho: i32,
  wo: i32,
  c0: i32,
  cg: i32,
  cols: usize,
  dx: usize,
): void {
  const pixel = <usize>c << 2;
  const tap = <usize>cg << 2;
  const whole = cg == c;
  const perExample = ho * wo;
  let r = row0 / perExample;
  let i = (row0 % perExample) / wo;
  let j = row0 % wo;
  let base = dx + <usize>r * <usize>h * <usize>w * pixel + (<usize>c0 << 2);
  let at = cols;
  for (let q = 0; q < rows; q++) {
    const y0 = i * stride - pad;
    const x0 = j * stride - pad;
    const bLo = firstTap(x0);
    const bHi = min(kw, w - x0);
    for (let a = 0; a < kh; a++) {
      const y = y0 + a;
      if (y < 0 || y >= h || bLo >= bHi) {
        at += <usize>kw * tap;
        continue;
      }
      at += <usize>bLo * tap;
      let to = base + (<usize>(y * w + x0 + bLo)) * pixel;
      if (whole) {
        const len = (bHi - bLo) * cg;
        addRun(at, to, len);
        at += <usize>len << 2;
      } else {
        for (let b = bLo; b < bHi; b++) {
          addRun(at, to, cg);
          to += pixel;
          at += tap;
        }
      }
      at += <usize>(kw - bHi) * tap;
    }
    if (++j == wo) {
      j = 0;
      if (++i == ho) {
        i = 0;
        r++;
        base += <usize>h * <usize>w * pixel;
      }
    }
  }
}

/** The TypeScript `im2col`: every row of n maps' windows into cols. */
export function im2col(
  n: i32,
  h: i32,
  w: i32,
  c: i32,
  kh: i32,
  kw: i32,
  stride: i32,
  pad: i32,
  ho: i32,
  wo: i32,
  c0: i32,
  cg: i32,
  x: usize,
  cols: usize,
): void {
  unfoldRows(0, n * ho * wo, h, w, c, kh, kw, stride, pad, ho, wo, c0, cg, x, cols);
}

/** The TypeScript `col2imAdd`: every row of cols added back into the pixels it read. */
export function col2imAdd(
  n: i32,
  h: i32,
  w: i32,
  c: i32,
  kh: i32,
  kw: i32,
  stride: i32,
  pad: i32,
  ho: i32,
  wo: i32,
  c0: i32,
  cg: i32,
  cols: usize,
  dx: usize,
): void {
  foldRows(0, n * ho * wo, h, w, c, kh, kw, stride, pad, ho, wo, c0, cg, cols, dx);
}

// ---------------------------------------------------------------------------------------------
// A convolution as im2col + GEMM, in blocks of output pixels: the windows of a block are unfolded
// into the first floats of `cols` and multiplied at once, while they sit in L1/L2 — the whole
// batch's windows (1.8 MB for 32 maps of 14×14×8) would stream through L3 twice. Forward and the
// input's gradient give the bits of the unblocked im2col + GEMM (each output element's sum runs
// over the same depth in the same order; only which rows share a call changes); the weight's
// gradient sums block by block (its partial sums rounded to float32 between blocks), a fixed
// order set by the shapes, so the same in every host.
// ---------------------------------------------------------------------------------------------

/** Output pixels per block: about 16 KB of windows, a multiple of 4 rows, at least 64. */
// @ts-ignore: decorator
@inline
function blockRows(window: i32): i32 {
  return max(64, (4096 / window) & ~3);
}

/** y[rows × go] (row stride ldy) = windows(x; channels [c0, c0 + cg)) · W[window × go] (ldw). */
export function convForward(
  n: i32,
  h: i32,
  w: i32,
  c: i32,
  kh: i32,
  kw: i32,
  stride: i32,
  pad: i32,
  ho: i32,
  wo: i32,
  c0: i32,
  cg: i32,
  x: usize,
  wts: usize,
  ldw: i32,
  go: i32,
  y: usize,
  ldy: i32,
  cols: usize,
): void {
  const rows = n * ho * wo;
  const window = kh * kw * cg;
  const block = blockRows(window);
  for (let r0 = 0; r0 < rows; r0 += block) {
    const rb = min(block, rows - r0);
    unfoldRows(r0, rb, h, w, c, kh, kw, stride, pad, ho, wo, c0, cg, x, cols);
    gemmBroadcast(rb, go, window, cols, window, 1, wts, ldw, y + ((<usize>r0 * <usize>ldy) << 2), ldy, false);
  }
}

/**
 * The convolution's backward, block by block: dW[window × go] = Σ windowsᵀ · dy (overwritten),
 * and when dx ≠ 0, dx += fold(dy · Wᵀ). Wᵀ is copied once into the kernels' scratch (the model
 * reserves the largest weight block there) when it fits; otherwise each block takes gemmNT.
 */
export function convBackward(
  n: i32,
  h: i32,
  w: i32,
  c: i32,
  kh: i32,
  kw: i32,
  stride: i32,
  pad: i32,
  ho: i32,
  wo: i32,
  c0: i32,
  cg: i32,
  x: usize,
  wts: usize,
  ldw: i32,
  go: i32,
  dy: usize,
  ldy: i32,
  dW: usize,
  dx: usize,
  cols: usize,
): void {
  const rows = n * ho * wo;
  const window = kh * kw * cg;
  const block = blockRows(window);
  const transposed = dx != 0 && (<usize>window * <usize>go) << 2 <= scratchBytes;
  if (transposed) transpose(window, go, wts, ldw, scratch);
  for (let r0 = 0; r0 < rows; r0 += block) {
    const rb = min(block, rows - r0);
    const g = dy + ((<usize>r0 * <usize>ldy) << 2);
    unfoldRows(r0, rb, h, w, c, kh, kw, stride, pad, ho, wo, c0, cg, x, cols);
    // dW (+)= windowsᵀ · dy over this block's rows
    gemmBroadcast(window, go, rb, cols, 1, window, g, ldy, dW, ldw, r0 > 0);
    if (dx == 0) continue;
    // the windows' gradient overwrites the windows, then folds back into the pixels
    if (transposed) gemmBroadcast(rb, window, go, g, ldy, 1, scratch, window, cols, window, false);
    else gemmNT(rb, go, window, g, ldy, wts, ldw, cols, window, false);
    foldRows(r0, rb, h, w, c, kh, kw, stride, pad, ho, wo, c0, cg, cols, dx);
  }
}

/**
 * y[r, ch] = (Σ_p x[r, p, ch]) / hw, the sums in float64 pixel by pixel as the TypeScript loop
 * does (so the same bits): two channels per f64x2, four per step of the loop.
 */
export function avgPoolForward(n: i32, hw: i32, c: i32, x: usize, y: usize): void {
  const inv = 1 / <f64>hw;
  const vinv = f64x2.splat(inv);
  const pixel = <usize>c << 2;
  for (let r = 0; r < n; r++) {
    const base = x + <usize>r * <usize>hw * pixel;
    const out = y + <usize>r * pixel;
    let ch = 0;
    for (; ch + 4 <= c; ch += 4) {
      let lo = f64x2.splat(0);
      let hi = f64x2.splat(0);
      let p = base + (<usize>ch << 2);
      for (let q = 0; q < hw; q++, p += pixel) {
        const v = v128.load(p);
        lo = f64x2.add(lo, f64x2.promote_low_f32x4(v));
        hi = f64x2.add(hi, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)));
      }
      const m = f32x4.demote_f64x2_zero(f64x2.mul(lo, vinv));
      const k = f32x4.demote_f64x2_zero(f64x2.mul(hi, vinv));
      v128.store(out + (<usize>ch << 2), v128.shuffle<f32>(m, k, 0, 1, 4, 5));
    }
    for (; ch < c; ch++) {
      let s: f64 = 0;
      let p = base + (<usize>ch << 2);
      for (let q = 0; q < hw; q++, p += pixel) s += <f64>load<f32>(p);
      store<f32>(out + (<usize>ch << 2), <f32>(s * inv));
    }
  }
}

/** dx[r, p, ch] += dy[r, ch] / hw, in float64 (dx + dy·(1/hw), rounded once) as in TypeScript. */
export function avgPoolBackward(n: i32, hw: i32, c: i32, dy: usize, dx: usize): void {
  const inv = 1 / <f64>hw;
  const vinv = f64x2.splat(inv);
  const pixel = <usize>c << 2;
  for (let r = 0; r < n; r++) {
    const g = dy + <usize>r * pixel;
    let p = dx + <usize>r * <usize>hw * pixel;
    for (let q = 0; q < hw; q++, p += pixel) {
      let ch = 0;
      for (; ch + 4 <= c; ch += 4) {
        const o = <usize>ch << 2;
        const gv = v128.load(g + o);
        const dv = v128.load(p + o);
        const lo = f64x2.add(f64x2.promote_low_f32x4(dv), f64x2.mul(f64x2.promote_low_f32x4(gv), vinv));
        const hi = f64x2.add(
          f64x2.promote_low_f32x4(v128.shuffle<f32>(dv, dv, 2, 3, 0, 1)),
          f64x2.mul(f64x2.promote_low_f32x4(v128.shuffle<f32>(gv, gv, 2, 3, 0, 1)), vinv),
        );
        const m = f32x4.demote_f64x2_zero(lo);
        const k = f32x4.demote_f64x2_zero(hi);
        v128.store(p + o, v128.shuffle<f32>(m, k, 0, 1, 4, 5));
      }
      for (; ch < c; ch++) {
        const o = <usize>ch << 2;
        store<f32>(p + o, <f32>(<f64>load<f32>(p + o) + <f64>load<f32>(g + o) * inv));
      }
    }
  }
}

/**
 * Option A's shortcut: y (ho × wo × cOut) = every stride-th pixel of x (h × w × c), its channels at
 * [c0, c0 + c), zeros elsewhere — written pixel by pixel (no separate fill pass).
 */
export function subsamplePadForward(
  n: i32,
  h: i32,
  w: i32,
  c: i32,
  stride: i32,
  ho: i32,
  wo: i32,
  cOut: i32,
  c0: i32,
  x: usize,
  y: usize,
): void {
  const inPixel = <usize>c << 2;
  const after = cOut - c0 - c;
  let to = y;
  for (let r = 0; r < n; r++)
    for (let i = 0; i < ho; i++) {
      let from = x + (<usize>r * <usize>h + <usize>(i * stride)) * <usize>w * inPixel;
      for (let j = 0; j < wo; j++) {
        zeroRun(to, c0);
        copyRun(from, to + (<usize>c0 << 2), c);
        zeroRun(to + (<usize>(c0 + c) << 2), after);
        to += <usize>cOut << 2;
        from += <usize>stride * inPixel;
      }
    }
}

/** The adjoint: dx at the kept pixels += dy's channels [c0, c0 + c). */
export function subsamplePadBackward(
  n: i32,
  h: i32,
  w: i32,
  c: i32,
  stride: i32,
  ho: i32,
  wo: i32,
  cOut: i32,
  c0: i32,
  dy: usize,
  dx: usize,
): void {
  const inPixel = <usize>c << 2;
  let from = dy + (<usize>c0 << 2);
  for (let r = 0; r < n; r++)
    for (let i = 0; i < ho; i++) {
      let to = dx + (<usize>r * <usize>h + <usize>(i * stride)) * <usize>w * inPixel;
      for (let j = 0; j < wo; j++) {
        addRun(from, to, c);
        from += <usize>cOut << 2;
        to += <usize>stride * inPixel;
      }
    }
}
