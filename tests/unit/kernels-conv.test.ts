/**
 * The convolution helpers of the wasm path (assembly/kernels.ts: im2col, col2imAdd, global average
 * pooling, option A's subsample-and-pad) against their TypeScript twins (src/engine/kernels.ts),
 * bit for bit: they are copies and sums in the TypeScript order, so every float must match. Odd
 * sizes (maps 1..7, channels 1..9), stride 1 and 2, padding 0 and 1, kernels 1 and 3, channel
 * groups (c0, cg), views at random 4-byte alignments, and nothing written outside the output.
 *
 * Then the fused convolution (convForward / convBackward: im2col + GEMM in blocks of output
 * pixels on the wasm path): its output and input gradient are the bits of the unblocked wasm
 * im2col + GEMM + col2imAdd, its weight gradient (summed block by block) their values to float32
 * rounding, and all three the TypeScript reference's to float32 rounding.
 */
import { describe, expect, it } from 'vitest';
import { type Kernels, TS_KERNELS } from '../../src/engine/backend.ts';
import type { ConvShape } from '../../src/engine/kernels.ts';
import { Rng } from '../../src/engine/rng.ts';
import { createWasmKernels } from '../../src/engine/wasm.ts';

const ARENA_BYTES = 4 << 20;
/** floats after each view, filled with a sentinel that the kernels must leave alone */
const GUARD = 8;
const SENTINEL = -12345.5;

/** A wasm kernel set with a bump allocator over its memory. */
class Heap {
  readonly k = createWasmKernels();
  private readonly buffer: ArrayBuffer;
  private readonly base: number;
  private top = 0;
  /** scratchFloats: room for the GEMMs' transposed copy of W (0: they take their dot form) */
  constructor(scratchFloats = 0) {
    ({ buffer: this.buffer, base: this.base } = this.k.allocate(ARENA_BYTES, 4 * scratchFloats));
  }
  reset(): void {
    this.top = 0;
  }
  /** a view in wasm memory holding a copy of `from` (plus a guard band after it) */
  f32(from: Float32Array, rng: Rng): { view: Float32Array; guard: Float32Array } {
    this.top += 4 * rng.int(4); // not always 16-byte aligned
    const view = new Float32Array(this.buffer, this.base + this.top, from.length);
    const guard = new Float32Array(this.buffer, this.base + this.top + 4 * from.length, GUARD);
    this.top += 4 * (from.length + GUARD);
    if (this.top > ARENA_BYTES) throw new Error('test heap exhausted');
    view.set(from);
    guard.fill(SENTINEL);
    return { view, guard };
  }
}

const fill = (rng: Rng, len: number) => Float32Array.from({ length: len }, () => rng.normal());

function firstDifference(a: Float32Array, b: Float32Array): string | null {
  if (a.length !== b.length) return `lengths ${a.length} vs ${b.length}`;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return `[${i}]: wasm ${a[i]} vs ts ${b[i]}`;
  return null;
}

const untouched = (guard: Float32Array) => guard.every((v) => v === SENTINEL);

function shape(h: number, w: number, c: number, k: number, stride: number, pad: number): ConvShape {
  return {
    h,
    w,
    c,
    kh: k,
    kw: k,
    stride,
    pad,
    ho: Math.floor((h + 2 * pad - k) / stride) + 1,
    wo: Math.floor((w + 2 * pad - k) / stride) + 1,
  };
}

/** Every geometry of the grid with an output of at least one pixel, a group split of c. */
function* geometries(rng: Rng) {
  for (const k of [1, 3])
    for (const stride of [1, 2])
      for (const pad of [0, 1])
        for (let trial = 0; trial < 12; trial++) {
          const h = 1 + rng.int(7);
          const w = 1 + rng.int(7);
          const c = 1 + rng.int(9);
          const s = shape(h, w, c, k, stride, pad);
          if (s.ho < 1 || s.wo < 1) continue;
          // whole channels half the time, else a group [c0, c0 + cg) inside c
          const cg = rng.int(2) ? c : 1 + rng.int(c);
          const c0 = rng.int(c - cg + 1);
          yield { s, c0, cg, n: 1 + rng.int(3) };
        }
}

describe('wasm convolution helpers give the TypeScript bits', () => {
  const heap = new Heap();

  it('im2col and col2imAdd on odd maps, strides 1/2, padding 0/1, kernels 1/3, groups', () => {
    const rng = new Rng(15, 'im2col');
    let cases = 0;
    for (const { s, c0, cg, n } of geometries(rng)) {
      heap.reset();
      const rows = n * s.ho * s.wo;
      const colsLen = rows * s.kh * s.kw * cg;
      const x = fill(rng, n * s.h * s.w * s.c);
      const label = JSON.stringify({ ...s, c0, cg, n });

      // forward: cols starts as garbage, so the zeros over the padding must be written
      const garbage = fill(rng, colsLen);
      const xw = heap.f32(x, rng);
      const colsW = heap.f32(garbage, rng);
      const colsT = Float32Array.from(garbage);
      heap.k.im2col(n, s, c0, cg, xw.view, colsW.view);
      TS_KERNELS.im2col(n, s, c0, cg, x, colsT);
      expect(firstDifference(colsW.view, colsT), label).toBeNull();
      expect(untouched(colsW.guard), label).toBe(true);

      // backward: adds into an existing gradient, overlapping windows included
      const cols = fill(rng, colsLen);
      const dx0 = fill(rng, x.length);
      const colsIn = heap.f32(cols, rng);
      const dxW = heap.f32(dx0, rng);
      const dxT = Float32Array.from(dx0);
      heap.k.col2imAdd(n, s, c0, cg, colsIn.view, dxW.view);
      TS_KERNELS.col2imAdd(n, s, c0, cg, cols, dxT);
      expect(firstDifference(dxW.view, dxT), label).toBeNull();
      expect(untouched(dxW.guard), label).toBe(true);
      cases++;
    }
    expect(cases).toBeGreaterThan(60);
  });

  it('global average pooling forward and backward (float64 sums, the same order)', () => {
    const rng = new Rng(15, 'pool');
    for (let trial = 0; trial < 80; trial++) {
      heap.reset();
      const n = 1 + rng.int(4);
      const hw = [1, 4, 7, 16, 49, 196][rng.int(6)]!;
      const c = 1 + rng.int(9) + (trial % 4 === 0 ? 24 : 0);
      const label = JSON.stringify({ n, hw, c });
      const x = fill(rng, n * hw * c);
      const xw = heap.f32(x, rng);
      const yW = heap.f32(new Float32Array(n * c), rng);
      const yT = new Float32Array(n * c);
      heap.k.avgPoolForward(n, hw, c, xw.view, yW.view);
      TS_KERNELS.avgPoolForward(n, hw, c, x, yT);
      expect(firstDifference(yW.view, yT), label).toBeNull();
      expect(untouched(yW.guard), label).toBe(true);

      const dy = fill(rng, n * c);
      const dx0 = fill(rng, x.length);
      const dyW = heap.f32(dy, rng);
      const dxW = heap.f32(dx0, rng);
      const dxT = Float32Array.from(dx0);
      heap.k.avgPoolBackward(n, hw, c, dyW.view, dxW.view);
      TS_KERNELS.avgPoolBackward(n, hw, c, dy, dxT);
      expect(firstDifference(dxW.view, dxT), label).toBeNull();
      expect(untouched(dxW.guard), label).toBe(true);
    }
  });

  it("option A's subsample-and-pad forward and backward (strides 1/2, channels placed at c0)", () => {
    const rng = new Rng(15, 'subsample');
    for (let trial = 0; trial < 80; trial++) {
      heap.reset();
      const stride = 1 + rng.int(2);
      const h = 1 + rng.int(7);
      const w = 1 + rng.int(7);
      const c = 1 + rng.int(9);
      // the shortcut's output side, as a 1×1 window of this stride: ⌈h / stride⌉
      const s = shape(h, w, c, 1, stride, 0);
      const extra = rng.int(10);
      const cOut = c + extra;
      const c0 = rng.int(extra + 1);
      const n = 1 + rng.int(3);
      const label = JSON.stringify({ ...s, cOut, c0, n });
      const x = fill(rng, n * h * w * c);
      const yLen = n * s.ho * s.wo * cOut;
      const garbage = fill(rng, yLen);
      const xw = heap.f32(x, rng);
      const yW = heap.f32(garbage, rng);
      const yT = Float32Array.from(garbage);
      heap.k.subsamplePadForward(n, s, cOut, c0, xw.view, yW.view);
      TS_KERNELS.subsamplePadForward(n, s, cOut, c0, x, yT);
      expect(firstDifference(yW.view, yT), label).toBeNull();
      expect(untouched(yW.guard), label).toBe(true);

      const dy = fill(rng, yLen);
      const dx0 = fill(rng, x.length);
      const dyW = heap.f32(dy, rng);
      const dxW = heap.f32(dx0, rng);
      const dxT = Float32Array.from(dx0);
      heap.k.subsamplePadBackward(n, s, cOut, c0, dyW.view, dxW.view);
      TS_KERNELS.subsamplePadBackward(n, s, cOut, c0, dy, dxT);
      expect(firstDifference(dxW.view, dxT), label).toBeNull();
      expect(untouched(dxW.guard), label).toBe(true);
    }
  });

  it('im2col · W is the convolution (a direct loop, checked on one padded stride-2 case)', () => {
    // guards the reference itself: a 5×6×3 map, 3×3 kernel, stride 2, padding 1, 4 filters
    const rng = new Rng(15, 'direct');
    const s = shape(5, 6, 3, 3, 2, 1);
    const cout = 4;
    const x = fill(rng, s.h * s.w * s.c);
    const wts = fill(rng, s.kh * s.kw * s.c * cout);
    heap.reset();
    const xw = heap.f32(x, rng);
    const cols = heap.f32(new Float32Array(s.ho * s.wo * s.kh * s.kw * s.c), rng);
    heap.k.im2col(1, s, 0, s.c, xw.view, cols.view);
    const depth = s.kh * s.kw * s.c;
    for (let i = 0; i < s.ho; i++)
      for (let j = 0; j < s.wo; j++)
        for (let o = 0; o < cout; o++) {
          let viaCols = 0;
          let direct = 0;
          const row = (i * s.wo + j) * depth;
          for (let t = 0; t < depth; t++) viaCols += cols.view[row + t]! * wts[t * cout + o]!;
          for (let a = 0; a < 3; a++)
            for (let b = 0; b < 3; b++) {
              const y = i * 2 - 1 + a;
              const xx = j * 2 - 1 + b;
              if (y < 0 || y >= s.h || xx < 0 || xx >= s.w) continue;
              for (let ch = 0; ch < s.c; ch++)
                direct += x[(y * s.w + xx) * s.c + ch]! * wts[((a * 3 + b) * s.c + ch) * cout + o]!;
            }
          expect(viaCols).toBeCloseTo(direct, 10);
        }
  });
});

/** |a − b| within float32 rounding of sums of `terms` products of unit-scale values */
function close(a: Float32Array, b: Float32Array, terms: number): string | null {
  const tol = 1e-6 * (4 + terms);
  for (let i = 0; i < a.length; i++)
    if (!(Math.abs(a[i]! - b[i]!) <= tol * (1 + Math.abs(b[i]!))))
      return `[${i}]: ${a[i]} vs ${b[i]}`;
  return null;
}

/** the fused kernels spelled out on a kernel set's primitives, in one go (no blocks) */
function unblockedForward(
  k: Kernels,
  n: number,
  s: ConvShape,
  c0: number,
  cg: number,
  x: Float32Array,
  w: Float32Array,
  go: number,
  y: Float32Array,
  ldy: number,
  cols: Float32Array,
): void {
  const window = s.kh * s.kw * cg;
  k.im2col(n, s, c0, cg, x, cols);
  k.gemmNN(n * s.ho * s.wo, go, window, cols, 0, window, w, 0, go, y, 0, ldy, false);
}

function unblockedBackward(
  k: Kernels,
  n: number,
  s: ConvShape,
  c0: number,
  cg: number,
  x: Float32Array,
  w: Float32Array,
  go: number,
  dy: Float32Array,
  ldy: number,
  dW: Float32Array,
  dx: Float32Array | null,
  cols: Float32Array,
): void {
  const window = s.kh * s.kw * cg;
  const rows = n * s.ho * s.wo;
  k.im2col(n, s, c0, cg, x, cols);
  k.gemmTN(rows, go, window, cols, 0, window, dy, 0, ldy, dW, 0, go, false);
  if (!dx) return;
  k.gemmNT(rows, go, window, dy, 0, ldy, w, 0, go, cols, 0, window, false);
  k.col2imAdd(n, s, c0, cg, cols, dx);
}

describe('the fused convolution (blocks of output pixels on the wasm path)', () => {
  // with room for Wᵀ (the GEMMs' transposed form) and without (their dot form)
  for (const scratch of [64 * 64, 0]) {
    it(`forward and input gradient give the unblocked bits, the weight gradient its values (scratch ${scratch})`, () => {
      const heap = new Heap(scratch);
      const rng = new Rng(15, `fused ${scratch}`);
      let blocked = 0;
      for (let trial = 0; trial < 40; trial++) {
        heap.reset();
        const k = [1, 3][rng.int(2)]!;
        const stride = 1 + rng.int(2);
        const pad = k === 3 ? rng.int(2) : 0;
        const s = shape(1 + rng.int(9), 1 + rng.int(9), 1 + rng.int(12), k, stride, pad);
        if (s.ho < 1 || s.wo < 1) continue;
        const cg = rng.int(3) ? s.c : 1 + rng.int(s.c);
        const c0 = rng.int(s.c - cg + 1);
        // up to 16 maps: several blocks of output pixels (at least 64 rows each) for most shapes
        const n = 1 + rng.int(16);
        const go = 1 + rng.int(12);
        const ldy = go + rng.int(3);
        const window = s.kh * s.kw * cg;
        const rows = n * s.ho * s.wo;
        if (rows > 64) blocked++;
        const label = JSON.stringify({ ...s, c0, cg, n, go, ldy });
        const x = fill(rng, n * s.h * s.w * s.c);
        const w = fill(rng, window * go);
        const y0 = fill(rng, rows * ldy);
        const xw = heap.f32(x, rng).view;
        const ww = heap.f32(w, rng).view;
        const cols = heap.f32(new Float32Array(rows * window), rng);
        const yF = heap.f32(y0, rng);
        const yU = heap.f32(y0, rng);
        const yT = Float32Array.from(y0);
        heap.k.convForward(n, s, c0, cg, xw, ww, 0, go, yF.view, 0, ldy, cols.view);
        unblockedForward(heap.k, n, s, c0, cg, xw, ww, go, yU.view, ldy, cols.view);
        TS_KERNELS.convForward(
          n,
          s,
          c0,
          cg,
          x,
          w,
          0,
          go,
          yT,
          0,
          ldy,
          new Float32Array(rows * window),
        );
        expect(firstDifference(yF.view, yU.view), label).toBeNull();
        expect(close(yF.view, yT, window), label).toBeNull();
        expect(untouched(yF.guard) && untouched(cols.guard), label).toBe(true);

        const dy = fill(rng, rows * ldy);
        const dx0 = fill(rng, x.length);
        const dyw = heap.f32(dy, rng).view;
        const garbage = fill(rng, w.length);
        const dWF = heap.f32(garbage, rng);
        const dWU = heap.f32(garbage, rng);
        const withDx = rng.int(4) > 0;
        const dxF = heap.f32(dx0, rng);
        const dxU = heap.f32(dx0, rng);
        const dWT = Float32Array.from(garbage);
        const dxT = Float32Array.from(dx0);
        heap.k.convBackward(
          n,
          s,
          c0,
          cg,
          xw,
          ww,
          0,
          go,
          dyw,
          0,
          ldy,
          dWF.view,
          withDx ? dxF.view : null,
          cols.view,
        );
        unblockedBackward(
          heap.k,
          n,
          s,
          c0,
          cg,
          xw,
          ww,
          go,
          dyw,
          ldy,
          dWU.view,
          withDx ? dxU.view : null,
          cols.view,
        );
        TS_KERNELS.convBackward(
          n,
          s,
          c0,
          cg,
          x,
          w,
          0,
          go,
          dy,
          0,
          ldy,
          dWT,
          withDx ? dxT : null,
          new Float32Array(rows * window),
        );
        expect(firstDifference(dxF.view, dxU.view), label).toBeNull();
        expect(close(dWF.view, dWU.view, rows), label).toBeNull();
        expect(close(dWF.view, dWT, rows), label).toBeNull();
        expect(close(dxF.view, dxT, go * s.kh * s.kw), label).toBeNull();
        if (!withDx) expect(firstDifference(dxF.view, Float32Array.from(dx0)), label).toBeNull();
        expect(untouched(dWF.guard) && untouched(dxF.guard), label).toBe(true);
      }
      expect(blocked).toBeGreaterThan(10);
    });
  }
});
