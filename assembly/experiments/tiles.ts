/**
 * AssemblyScript GEMM variants for the register-tile measurements of docs/performance.md
 * (`node bench/wasm-tiles.mjs`). Full tiles only: each variant covers the largest multiple
 * of its tile, and the runner counts the FLOPs it actually did.
 */
// C[rows×cols] = A[rows×depth] · B[depth×cols] (row-major, packed), broadcast form.

export function nn4x8Scalar(rows: i32, cols: i32, depth: i32, a: usize, b: usize, c: usize): void {
  const z = f32x4.splat(0);
  const aRow = <usize>depth << 2, bRow = <usize>cols << 2;
  for (let i = 0; i + 4 <= rows; i += 4) {
    const a0 = a + <usize>i * aRow, a1 = a0 + aRow, a2 = a1 + aRow, a3 = a2 + aRow;
    for (let j = 0; j + 8 <= cols; j += 8) {
      let c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
      let bp = b + (<usize>j << 2);
      for (let t = 0; t < depth; t++) {
        const o = <usize>t << 2;
        const b0 = v128.load(bp), b1 = v128.load(bp, 16);
        let x = f32x4.splat(load<f32>(a0 + o));
        c00 = f32x4.add(c00, f32x4.mul(x, b0)); c01 = f32x4.add(c01, f32x4.mul(x, b1));
        x = f32x4.splat(load<f32>(a1 + o));
        c10 = f32x4.add(c10, f32x4.mul(x, b0)); c11 = f32x4.add(c11, f32x4.mul(x, b1));
        x = f32x4.splat(load<f32>(a2 + o));
        c20 = f32x4.add(c20, f32x4.mul(x, b0)); c21 = f32x4.add(c21, f32x4.mul(x, b1));
        x = f32x4.splat(load<f32>(a3 + o));
        c30 = f32x4.add(c30, f32x4.mul(x, b0)); c31 = f32x4.add(c31, f32x4.mul(x, b1));
        bp += bRow;
      }
      const cp = c + <usize>i * bRow + (<usize>j << 2);
      v128.store(cp, c00); v128.store(cp, c01, 16);
      v128.store(cp + bRow, c10); v128.store(cp + bRow, c11, 16);
      v128.store(cp + 2 * bRow, c20); v128.store(cp + 2 * bRow, c21, 16);
      v128.store(cp + 3 * bRow, c30); v128.store(cp + 3 * bRow, c31, 16);
    }
  }
}

export function nn4x8(rows: i32, cols: i32, depth: i32, a: usize, b: usize, c: usize): void {
  const z = f32x4.splat(0);
  const aRow = <usize>depth << 2, bRow = <usize>cols << 2;
  for (let i = 0; i + 4 <= rows; i += 4) {
    const a0 = a + <usize>i * aRow, a1 = a0 + aRow, a2 = a1 + aRow, a3 = a2 + aRow;
    for (let j = 0; j + 8 <= cols; j += 8) {
      let c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
      let bp = b + (<usize>j << 2);
      for (let t = 0; t < depth; t++) {
        const o = <usize>t << 2;
        const b0 = v128.load(bp), b1 = v128.load(bp, 16);
        let x = v128.load32_splat(a0 + o);
        c00 = f32x4.add(c00, f32x4.mul(x, b0)); c01 = f32x4.add(c01, f32x4.mul(x, b1));
        x = v128.load32_splat(a1 + o);
        c10 = f32x4.add(c10, f32x4.mul(x, b0)); c11 = f32x4.add(c11, f32x4.mul(x, b1));
        x = v128.load32_splat(a2 + o);
        c20 = f32x4.add(c20, f32x4.mul(x, b0)); c21 = f32x4.add(c21, f32x4.mul(x, b1));
        x = v128.load32_splat(a3 + o);
        c30 = f32x4.add(c30, f32x4.mul(x, b0)); c31 = f32x4.add(c31, f32x4.mul(x, b1));
        bp += bRow;
      }
      const cp = c + <usize>i * bRow + (<usize>j << 2);
      v128.store(cp, c00); v128.store(cp, c01, 16);
      v128.store(cp + bRow, c10); v128.store(cp + bRow, c11, 16);
      v128.store(cp + 2 * bRow, c20); v128.store(cp + 2 * bRow, c21, 16);
      v128.store(cp + 3 * bRow, c30); v128.store(cp + 3 * bRow, c31, 16);
    }
  }
}

export function nn4x4(rows: i32, cols: i32, depth: i32, a: usize, b: usize, c: usize): void {
  const z = f32x4.splat(0);
  const aRow = <usize>depth << 2, bRow = <usize>cols << 2;
  for (let i = 0; i + 4 <= rows; i += 4) {
    const a0 = a + <usize>i * aRow, a1 = a0 + aRow, a2 = a1 + aRow, a3 = a2 + aRow;
    for (let j = 0; j + 4 <= cols; j += 4) {
      let c00 = z, c10 = z, c20 = z, c30 = z;
      let bp = b + (<usize>j << 2);
      for (let t = 0; t < depth; t++) {
        const o = <usize>t << 2;
        const b0 = v128.load(bp);
        c00 = f32x4.add(c00, f32x4.mul(v128.load32_splat(a0 + o), b0));
        c10 = f32x4.add(c10, f32x4.mul(v128.load32_splat(a1 + o), b0));
        c20 = f32x4.add(c20, f32x4.mul(v128.load32_splat(a2 + o), b0));
        c30 = f32x4.add(c30, f32x4.mul(v128.load32_splat(a3 + o), b0));
        bp += bRow;
      }
      const cp = c + <usize>i * bRow + (<usize>j << 2);
      v128.store(cp, c00); v128.store(cp + bRow, c10);
      v128.store(cp + 2 * bRow, c20); v128.store(cp + 3 * bRow, c30);
    }
  }
}

export function nn6x8(rows: i32, cols: i32, depth: i32, a: usize, b: usize, c: usize): void {
  const z = f32x4.splat(0);
  const aRow = <usize>depth << 2, bRow = <usize>cols << 2;
  for (let i = 0; i + 6 <= rows; i += 6) {
    const a0 = a + <usize>i * aRow, a1 = a0 + aRow, a2 = a1 + aRow, a3 = a2 + aRow, a4 = a3 + aRow, a5 = a4 + aRow;
    for (let j = 0; j + 8 <= cols; j += 8) {
      let c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
      let bp = b + (<usize>j << 2);
      for (let t = 0; t < depth; t++) {
        const o = <usize>t << 2;
        const b0 = v128.load(bp), b1 = v128.load(bp, 16);
        let x = v128.load32_splat(a0 + o);
        c00 = f32x4.add(c00, f32x4.mul(x, b0)); c01 = f32x4.add(c01, f32x4.mul(x, b1));
        x = v128.load32_splat(a1 + o);
        c10 = f32x4.add(c10, f32x4.mul(x, b0)); c11 = f32x4.add(c11, f32x4.mul(x, b1));
        x = v128.load32_splat(a2 + o);
        c20 = f32x4.add(c20, f32x4.mul(x, b0)); c21 = f32x4.add(c21, f32x4.mul(x, b1));
        x = v128.load32_splat(a3 + o);
        c30 = f32x4.add(c30, f32x4.mul(x, b0)); c31 = f32x4.add(c31, f32x4.mul(x, b1));
        x = v128.load32_splat(a4 + o);
        c40 = f32x4.add(c40, f32x4.mul(x, b0)); c41 = f32x4.add(c41, f32x4.mul(x, b1));
        x = v128.load32_splat(a5 + o);
        c50 = f32x4.add(c50, f32x4.mul(x, b0)); c51 = f32x4.add(c51, f32x4.mul(x, b1));
        bp += bRow;
      }
      const cp = c + <usize>i * bRow + (<usize>j << 2);
      v128.store(cp, c00); v128.store(cp, c01, 16);
      v128.store(cp + bRow, c10); v128.store(cp + bRow, c11, 16);
      v128.store(cp + 2 * bRow, c20); v128.store(cp + 2 * bRow, c21, 16);
      v128.store(cp + 3 * bRow, c30); v128.store(cp + 3 * bRow, c31, 16);
      v128.store(cp + 4 * bRow, c40); v128.store(cp + 4 * bRow, c41, 16);
      v128.store(cp + 5 * bRow, c50); v128.store(cp + 5 * bRow, c51, 16);
    }
  }
}

export function nn4x12(rows: i32, cols: i32, depth: i32, a: usize, b: usize, c: usize): void {
  const z = f32x4.splat(0);
  const aRow = <usize>depth << 2, bRow = <usize>cols << 2;
  for (let i = 0; i + 4 <= rows; i += 4) {
    const a0 = a + <usize>i * aRow, a1 = a0 + aRow, a2 = a1 + aRow, a3 = a2 + aRow;
    for (let j = 0; j + 12 <= cols; j += 12) {
      let c00 = z, c01 = z, c02 = z, c10 = z, c11 = z, c12 = z, c20 = z, c21 = z, c22 = z, c30 = z, c31 = z, c32 = z;
      let bp = b + (<usize>j << 2);
      for (let t = 0; t < depth; t++) {
        const o = <usize>t << 2;
        const b0 = v128.load(bp), b1 = v128.load(bp, 16), b2 = v128.load(bp, 32);
        let x = v128.load32_splat(a0 + o);
        c00 = f32x4.add(c00, f32x4.mul(x, b0)); c01 = f32x4.add(c01, f32x4.mul(x, b1)); c02 = f32x4.add(c02, f32x4.mul(x, b2));
        x = v128.load32_splat(a1 + o);
        c10 = f32x4.add(c10, f32x4.mul(x, b0)); c11 = f32x4.add(c11, f32x4.mul(x, b1)); c12 = f32x4.add(c12, f32x4.mul(x, b2));
        x = v128.load32_splat(a2 + o);
        c20 = f32x4.add(c20, f32x4.mul(x, b0)); c21 = f32x4.add(c21, f32x4.mul(x, b1)); c22 = f32x4.add(c22, f32x4.mul(x, b2));
        x = v128.load32_splat(a3 + o);
        c30 = f32x4.add(c30, f32x4.mul(x, b0)); c31 = f32x4.add(c31, f32x4.mul(x, b1)); c32 = f32x4.add(c32, f32x4.mul(x, b2));
        bp += bRow;
      }
      const cp = c + <usize>i * bRow + (<usize>j << 2);
      v128.store(cp, c00); v128.store(cp, c01, 16); v128.store(cp, c02, 32);
      v128.store(cp + bRow, c10); v128.store(cp + bRow, c11, 16); v128.store(cp + bRow, c12, 32);
      v128.store(cp + 2 * bRow, c20); v128.store(cp + 2 * bRow, c21, 16); v128.store(cp + 2 * bRow, c22, 32);
      v128.store(cp + 3 * bRow, c30); v128.store(cp + 3 * bRow, c31, 16); v128.store(cp + 3 * bRow, c32, 32);
    }
  }
}

// NT: C[m×k] = A[m×n] · B[k×n]ᵀ. Dot form (2×4 tile, lane sums at the end) ...
// @ts-ignore: decorator
@inline
function hsum4(v0: v128, v1: v128, v2: v128, v3: v128): v128 {
  const s01 = f32x4.add(v128.shuffle<f32>(v0, v1, 0, 4, 1, 5), v128.shuffle<f32>(v0, v1, 2, 6, 3, 7));
  const s23 = f32x4.add(v128.shuffle<f32>(v2, v3, 0, 4, 1, 5), v128.shuffle<f32>(v2, v3, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(s01, s23, 0, 1, 4, 5), v128.shuffle<f32>(s01, s23, 2, 3, 6, 7));
}

export function ntDot2x4(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize): void {
  const z = f32x4.splat(0);
  const aRow = <usize>n << 2, bRow = <usize>n << 2, cRow = <usize>k << 2;
  for (let i = 0; i + 2 <= m; i += 2) {
    const a0 = a + <usize>i * aRow, a1 = a0 + aRow;
    for (let p = 0; p + 4 <= k; p += 4) {
      const b0 = b + <usize>p * bRow, b1 = b0 + bRow, b2 = b1 + bRow, b3 = b2 + bRow;
      let x00 = z, x01 = z, x02 = z, x03 = z, x10 = z, x11 = z, x12 = z, x13 = z;
      for (let j = 0; j < n; j += 4) {
        const o = <usize>j << 2;
        const u = v128.load(a0 + o), v = v128.load(a1 + o);
        let w = v128.load(b0 + o);
        x00 = f32x4.add(x00, f32x4.mul(u, w)); x10 = f32x4.add(x10, f32x4.mul(v, w));
        w = v128.load(b1 + o);
        x01 = f32x4.add(x01, f32x4.mul(u, w)); x11 = f32x4.add(x11, f32x4.mul(v, w));
        w = v128.load(b2 + o);
        x02 = f32x4.add(x02, f32x4.mul(u, w)); x12 = f32x4.add(x12, f32x4.mul(v, w));
        w = v128.load(b3 + o);
        x03 = f32x4.add(x03, f32x4.mul(u, w)); x13 = f32x4.add(x13, f32x4.mul(v, w));
      }
      const cp = c + <usize>i * cRow + (<usize>p << 2);
      v128.store(cp, hsum4(x00, x01, x02, x03));
      v128.store(cp + cRow, hsum4(x10, x11, x12, x13));
    }
  }
}

// ... or Bᵀ copied to scratch (n×k), then the broadcast form.
export function ntTransposed(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, scratch: usize): void {
  for (let p = 0; p < k; p++)
    for (let j = 0; j < n; j++)
      store<f32>(scratch + ((<usize>j * k + p) << 2), load<f32>(b + ((<usize>p * n + j) << 2)));
  nn4x8(m, k, n, a, scratch, c);
}

// ... or Bᵀ copied with 4×4 SIMD transposes (as assembly/kernels.ts does), then the broadcast form.
export function ntTransposedSimd(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, scratch: usize): void {
  const sRow = <usize>n << 2, dRow = <usize>k << 2;
  for (let i = 0; i + 4 <= k; i += 4) {
    const s0 = b + <usize>i * sRow, d0 = scratch + (<usize>i << 2);
    for (let j = 0; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      const r0 = v128.load(s0 + o), r1 = v128.load(s0 + sRow + o);
      const r2 = v128.load(s0 + 2 * sRow + o), r3 = v128.load(s0 + 3 * sRow + o);
      const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
      const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
      const dp = d0 + <usize>j * dRow;
      v128.store(dp, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
      v128.store(dp + dRow, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
      v128.store(dp + 2 * dRow, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
      v128.store(dp + 3 * dRow, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
    }
  }
  nn4x8(m, k, n, a, scratch, c);
}
