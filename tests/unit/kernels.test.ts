/**
 * The two kernel paths side by side: every kernel of the wasm path (WebAssembly SIMD,
 * assembly/kernels.ts) against its TypeScript twin (the reference) on seeded random shapes —
 * widths that are not multiples of 4, batch 1, width 1, offsets and leading dimensions wider
 * than the matrices — and nothing written outside the output.
 *
 * The GEMMs, batch norm, the scale's backward and the optimizers compute in float32 lanes in
 * WebAssembly and in float64 in TypeScript, so they agree within a float32 rounding bound; the
 * elementwise kernels repeat the TypeScript arithmetic and must give the same bits.
 */
import { describe, expect, it } from 'vitest';
import { type Kernels, TS_KERNELS, wasmAvailable } from '../../src/engine/backend.ts';
import type { Act } from '../../src/engine/kernels.ts';
import { Model } from '../../src/engine/model.ts';
import { Rng } from '../../src/engine/rng.ts';
import { createWasmKernels } from '../../src/engine/wasm.ts';
import { fillBatch, jitterParams, makeSpec, SMALL } from '../helpers/engine.ts';

const ARENA_BYTES = 8 << 20;

/** A wasm kernel set with a bump allocator over its memory (reset for every case). */
class WasmHeap {
  readonly k: Kernels = createWasmKernels();
  private readonly buffer: ArrayBuffer;
  private readonly base: number;
  private top = 0;
  /** scratch: room for gemmNT's transposed copy of up to 48×48 floats — smaller than some of
   * the shapes below, so that both of its forms (transposed and dot) are exercised */
  constructor(scratchFloats = 48 * 48) {
    ({ buffer: this.buffer, base: this.base } = this.k.allocate(ARENA_BYTES, 4 * scratchFloats));
  }
  reset(): void {
    this.top = 0;
  }
  /** a view in the wasm memory holding a copy of `from`, at a random 4-byte alignment */
  f32(from: Float32Array, rng: Rng): Float32Array {
    this.top += 4 * rng.int(4); // not always 16-byte aligned: the kernels must not assume it
    const v = new Float32Array(this.buffer, this.base + this.top, from.length);
    this.top += 4 * from.length + 16;
    if (this.top > ARENA_BYTES) throw new Error('test heap exhausted');
    v.set(from);
    return v;
  }
  f64(length: number): Float64Array {
    this.top = (this.top + 7) & ~7;
    const v = new Float64Array(this.buffer, this.base + this.top, length);
    this.top += 8 * length;
    return v;
  }
}

const fill = (rng: Rng, len: number) => Float32Array.from({ length: len }, () => rng.normal());

function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

function firstDifference(a: Float32Array, b: Float32Array): string {
  for (let i = 0; i < a.length; i++)
    if (!Object.is(a[i], b[i])) return `[${i}]: wasm ${a[i]} vs ts ${b[i]}`;
  return 'none';
}

const SIZES = [1, 2, 3, 4, 5, 7, 8, 9, 12, 13, 16, 17, 31, 33, 64];
const pick = (rng: Rng) => SIZES[rng.int(SIZES.length)]!;

describe('the wasm kernel path', () => {
  it('is available in Node (WebAssembly SIMD128), so the comparisons below are not vacuous', () => {
    expect(wasmAvailable()).toBe(true);
    expect(new Model(makeSpec()).kernels).toBe('wasm');
    expect(new Model(makeSpec({ kernels: 'ts' })).kernels).toBe('ts');
  });

  it('keeps every buffer of a model in its WebAssembly memory (a step copies nothing)', () => {
    const model = new Model(makeSpec({ norm: 'batch' }));
    const buffer = model.flatParams.buffer;
    expect(buffer).not.toBeInstanceOf(SharedArrayBuffer);
    for (const s of model.slots) {
      expect(s.value.buffer).toBe(buffer);
      expect(s.grad.buffer).toBe(buffer);
    }
    for (const p of model.params) expect(p.value.buffer).toBe(buffer);
    expect(model.flatGrads.buffer).toBe(buffer);
    for (const bn of model.batchNorms) expect(bn.runningVar.buffer).toBe(buffer);
    // and not on the ts path, where each model has an ordinary ArrayBuffer
    const ts = new Model(makeSpec({ norm: 'batch', kernels: 'ts' }));
    expect(ts.flatParams.buffer).toBeInstanceOf(ArrayBuffer);
    expect(ts.slots[3]!.value.buffer).toBe(ts.flatParams.buffer);
  });
});

describe('wasm GEMMs against the TypeScript ones (random shapes, offsets, leading dimensions)', () => {
  type Name = 'gemmNN' | 'gemmTN' | 'gemmNT';
  // [A rows, A cols, B rows, B cols, C rows, C cols, reduction length]
  const shapes: Record<Name, (m: number, n: number, k: number) => number[]> = {
    gemmNN: (m, n, k) => [m, k, k, n, m, n, k],
    gemmTN: (m, n, k) => [m, k, m, n, k, n, m],
    gemmNT: (m, n, k) => [m, n, k, n, m, k, n],
  };
  const heap = new WasmHeap();

  for (const name of Object.keys(shapes) as Name[]) {
    it(name, () => {
      const rng = new Rng(21, name);
      let cases = 0;
      for (let trial = 0; trial < 600; trial++) {
        heap.reset();
        const m = pick(rng);
        const n = pick(rng);
        const k = pick(rng);
        const [ar, ac, br, bc, cr, cc, len] = shapes[name](m, n, k) as [
          number,
          number,
          number,
          number,
          number,
          number,
          number,
        ];
        const wide = rng.uniform() < 0.5;
        const lda = ac + (wide ? rng.int(5) : 0);
        const ldb = bc + (wide ? rng.int(5) : 0);
        const ldc = cc + (wide ? rng.int(5) : 0);
        const aOff = rng.int(5);
        const bOff = rng.int(5);
        const cOff = rng.int(5);
        const accumulate = rng.uniform() < 0.5;
        const a = fill(rng, aOff + ar * lda);
        const b = fill(rng, bOff + br * ldb);
        const c0 = fill(rng, cOff + cr * ldc + 5);
        const cTs = Float32Array.from(c0);
        TS_KERNELS[name](m, n, k, a, aOff, lda, b, bOff, ldb, cTs, cOff, ldc, accumulate);
        const cW = heap.f32(c0, rng);
        heap.k[name](
          m,
          n,
          k,
          heap.f32(a, rng),
          aOff,
          lda,
          heap.f32(b, rng),
          bOff,
          ldb,
          cW,
          cOff,
          ldc,
          accumulate,
        );
        for (let idx = 0; idx < c0.length; idx++) {
          const r = Math.floor((idx - cOff) / ldc);
          const col = idx - cOff - r * ldc;
          const inside = idx >= cOff && r < cr && col < cc;
          const where = `${name} m=${m} n=${n} k=${k} ld=${lda},${ldb},${ldc} off=${aOff},${bOff},${cOff} acc=${accumulate}, C[${r},${col}]`;
          if (!inside) {
            if (!Object.is(cW[idx], c0[idx])) throw new Error(`${where}: wrote outside C`);
            continue;
          }
          // bound: float32 accumulation of `len` products, each rounded (Higham: γ_len·Σ|a·b|)
          let mag = accumulate ? Math.abs(c0[idx]!) : 0;
          for (let p = 0; p < len; p++) {
            const x =
              name === 'gemmNN'
                ? a[aOff + r * lda + p]! * b[bOff + p * ldb + col]!
                : name === 'gemmTN'
                  ? a[aOff + p * lda + r]! * b[bOff + p * ldb + col]!
                  : a[aOff + r * lda + p]! * b[bOff + col * ldb + p]!;
            mag += Math.abs(x);
          }
          const tol = (len + 2) * 2 ** -24 * mag + 1e-30;
          if (!(Math.abs(cW[idx]! - cTs[idx]!) <= tol))
            throw new Error(`${where}: wasm ${cW[idx]} vs ts ${cTs[idx]} (bound ${tol})`);
        }
        cases++;
      }
      expect(cases).toBe(600);
    });
  }

  it('agree bit for bit where the reduction is one product (k = 1), as rounding then allows', () => {
    const rng = new Rng(5, 'k1');
    heap.reset();
    const a = fill(rng, 9 * 1);
    const b = fill(rng, 1 * 11);
    const ts = new Float32Array(9 * 11);
    TS_KERNELS.gemmNN(9, 11, 1, a, 0, 1, b, 0, 11, ts, 0, 11, false);
    const w = heap.f32(ts.fill(0), rng);
    heap.k.gemmNN(9, 11, 1, heap.f32(a, rng), 0, 1, heap.f32(b, rng), 0, 11, w, 0, 11, false);
    TS_KERNELS.gemmNN(9, 11, 1, a, 0, 1, b, 0, 11, ts, 0, 11, false);
    expect(sameBits(w, ts)).toBe(true);
  });
});

describe('wasm elementwise kernels give the TypeScript bits; the others its values', () => {
  const heap = new WasmHeap();
  const trials = 120;

  /**
   * Runs `body` on (ts, wasm) copies of the inputs and compares the outputs: bit for bit, or —
   * with `rel` — within rel × the largest magnitude of each array.
   */
  function check(
    label: string,
    inputs: Float32Array[],
    body: (k: Kernels, arrays: Float32Array[]) => void,
    rng: Rng,
    rel = 0,
  ): void {
    heap.reset();
    const ts = inputs.map((v) => Float32Array.from(v));
    const wasm = inputs.map((v) => heap.f32(v, rng));
    body(TS_KERNELS, ts);
    body(heap.k, wasm);
    for (let i = 0; i < inputs.length; i++) {
      const [w, t] = [wasm[i]!, ts[i]!];
      if (rel === 0) {
        if (!sameBits(w, t))
          throw new Error(`${label}: array ${i} differs at ${firstDifference(w, t)}`);
        continue;
      }
      let scale = 0;
      for (const v of t) scale = Math.max(scale, Math.abs(v));
      for (let j = 0; j < t.length; j++)
        if (!(Math.abs(w[j]! - t[j]!) <= rel * scale))
          throw new Error(
            `${label}: array ${i}[${j}]: wasm ${w[j]} vs ts ${t[j]} (scale ${scale})`,
          );
    }
  }

  /** values with zeros, −0 and exact ties, so that sign and comparison edge cases occur */
  const values = (rng: Rng, len: number) =>
    Float32Array.from({ length: len }, () => {
      const u = rng.uniform();
      return u < 0.1 ? 0 : u < 0.15 ? -0 : rng.normal();
    });

  it('addBias, sumRows (with offsets and leading dimensions)', () => {
    const rng = new Rng(1, 'bias');
    for (let t = 0; t < trials; t++) {
      const m = pick(rng);
      const n = pick(rng);
      const ld = n + rng.int(4);
      const off = rng.int(4);
      const bOff = rng.int(4);
      const acc = rng.uniform() < 0.5;
      const label = `m=${m} n=${n} ld=${ld} off=${off}`;
      check(
        `addBias ${label}`,
        [values(rng, off + m * ld + 3), values(rng, bOff + n + 2)],
        (k, [y, bias]) => k.addBias(m, n, y!, off, ld, bias!, bOff),
        rng,
      );
      check(
        `sumRows ${label} acc=${acc}`,
        [values(rng, off + m * ld + 3), values(rng, bOff + n + 2)],
        (k, [dy, out]) => k.sumRows(m, n, dy!, off, ld, out!, bOff, acc),
        rng,
      );
    }
  });

  it('activations forward and backward (relu, identity, tanh, sigmoid), add, addInto', () => {
    const rng = new Rng(2, 'act');
    const acts: Act[] = ['relu', 'identity', 'tanh', 'sigmoid'];
    for (let t = 0; t < trials; t++) {
      const len = pick(rng) * pick(rng);
      for (const fn of acts) {
        check(
          `${fn} forward len=${len}`,
          [values(rng, len), values(rng, len)],
          (k, [x, y]) => k.activationForward(fn, x!, y!, len),
          rng,
        );
        const x = values(rng, len);
        const y = Float32Array.from(x);
        TS_KERNELS.activationForward(fn, x, y, len);
        check(
          `${fn} backward len=${len}`,
          [x, y, values(rng, len), values(rng, len)],
          (k, [x, y, dy, dx]) => k.activationBackward(fn, x!, y!, dy!, dx!, len),
          rng,
        );
      }
      check(
        `add len=${len}`,
        [values(rng, len), values(rng, len), values(rng, len)],
        (k, [a, b, y]) => k.add(a!, b!, y!, len),
        rng,
      );
      check(
        `addInto len=${len}`,
        [values(rng, len), values(rng, len)],
        (k, [d, s]) => k.addInto(d!, s!, len),
        rng,
      );
    }
  });

  it('scaleColumns and scaleBackward', () => {
    const rng = new Rng(3, 'scale');
    for (let t = 0; t < trials; t++) {
      const m = pick(rng);
      const n = pick(rng);
      const withDx = rng.uniform() < 0.7;
      check(
        `scaleColumns m=${m} n=${n}`,
        [values(rng, m * n), values(rng, n), values(rng, m * n)],
        (k, [x, s, y]) => k.scaleColumns(m, n, x!, s!, y!),
        rng,
      );
      check(
        `scaleBackward m=${m} n=${n} dx=${withDx}`,
        [
          values(rng, m * n),
          values(rng, m * n),
          values(rng, n),
          values(rng, n),
          values(rng, m * n),
        ],
        (k, [x, dy, s, ds, dx]) => k.scaleBackward(m, n, x!, dy!, s!, ds!, withDx ? dx! : null),
        rng,
        1e-5,
      );
    }
  });

  it('batchNormForward and batchNormBackward (training and evaluation)', () => {
    const rng = new Rng(4, 'bn');
    for (let t = 0; t < trials; t++) {
      const n = pick(rng);
      const d = pick(rng);
      const training = rng.uniform() < 0.7;
      // fused with the ReLU that follows (BatchNorm.relu), or with a branch's scale α
      // (BatchNorm.scale), a third of the time each
      const u = rng.uniform();
      const relu = u < 1 / 3;
      const scaled = u >= 2 / 3;
      const label = `n=${n} d=${d} training=${training} relu=${relu} scale=${scaled}`;
      const runVar = Float32Array.from({ length: d }, () => 0.5 + rng.uniform());
      // stats (float64 scratch) is not compared; a fresh one per path
      const statsFor = (k: Kernels) =>
        k === TS_KERNELS ? new Float64Array(2 * d) : heap.f64(2 * d);
      check(
        `batchNormForward ${label}`,
        [
          fill(rng, n * d).map((v) => 3 * v + 1),
          values(rng, n * d),
          fill(rng, d),
          fill(rng, d),
          values(rng, n * d),
          values(rng, d),
          fill(rng, d),
          runVar,
          fill(rng, d), // α
          values(rng, n * d), // the unscaled output
        ],
        (k, [x, y, g, b, xhat, inv, rm, rv, alpha, raw]) =>
          k.batchNormForward(
            n,
            d,
            x!,
            y!,
            g!,
            b!,
            xhat!,
            inv!,
            statsFor(k),
            rm!,
            rv!,
            training,
            relu,
            scaled ? alpha! : null,
            scaled ? raw! : null,
          ),
        rng,
        1e-5,
      );
      const withDx = rng.uniform() < 0.8;
      check(
        `batchNormBackward ${label} dx=${withDx}`,
        [
          fill(rng, n * d),
          fill(rng, n * d),
          fill(rng, d),
          Float32Array.from({ length: d }, () => 0.5 + rng.uniform()),
          values(rng, d),
          values(rng, d),
          values(rng, n * d),
          // the fused op's output: its sign masks dy (about half of it ≤ 0, some exactly 0)
          Float32Array.from({ length: n * d }, () => {
            const u = rng.uniform();
            return u < 0.1 ? 0 : u - 0.55;
          }),
          fill(rng, d), // α
          fill(rng, n * d), // the unscaled output
          values(rng, d), // dα
        ],
        (k, [dy, xhat, g, inv, dg, db, dx, y, alpha, raw, dAlpha]) =>
          k.batchNormBackward(
            n,
            d,
            dy!,
            xhat!,
            g!,
            inv!,
            statsFor(k),
            dg!,
            db!,
            withDx ? dx! : null,
            training,
            relu ? y! : null,
            scaled ? alpha! : null,
            scaled ? raw! : null,
            scaled ? dAlpha! : null,
          ),
        rng,
        1e-5,
      );
    }
  });
});

describe('wasm optimizer kernels against the TypeScript ones', () => {
  const heap = new WasmHeap();
  it('sgd, momentum and adam steps (odd lengths, weight decay on some entries)', () => {
    const rng = new Rng(6, 'optim');
    for (let t = 0; t < 60; t++) {
      const len = pick(rng) * pick(rng);
      const mask = Float32Array.from({ length: len }, () => (rng.uniform() < 0.7 ? 1 : 0));
      const v0 = Float32Array.from({ length: len }, () => rng.uniform());
      const inputs = [fill(rng, len), fill(rng, len), mask, fill(rng, len), v0];
      const run = (k: Kernels, [p, g, mk, m, v]: Float32Array[]) => {
        k.sgdStep(len, 0.05, 1e-3, p!, g!, mk!);
        k.momentumStep(len, 0.05, 0.9, 1e-3, p!, g!, mk!, m!);
        k.adamStep(len, 0.01, 0.9, 0.999, 1e-8, 1e-3, p!, g!, mk!, m!, v!);
      };
      heap.reset();
      const ts = inputs.map((v) => Float32Array.from(v));
      const wasm = inputs.map((v) => heap.f32(v, rng));
      run(TS_KERNELS, ts);
      run(heap.k, wasm);
      for (const i of [0, 3, 4])
        for (let j = 0; j < len; j++) {
          const [w, x] = [wasm[i]![j]!, ts[i]![j]!];
          expect(Math.abs(w - x), `len=${len} array ${i}[${j}]`).toBeLessThanOrEqual(
            1e-6 * Math.max(1, Math.abs(x)),
          );
        }
    }
  });
});

describe('wasm layer-statistics kernels against the TypeScript ones', () => {
  const heap = new WasmHeap();
  it('sumSquares, sumSquaredDiff, sum (float64 results) and deadColumns (exact)', () => {
    const rng = new Rng(7, 'stats');
    for (let t = 0; t < 200; t++) {
      heap.reset();
      const rows = pick(rng);
      const dim = pick(rng);
      const off = rng.int(4);
      const len = rows * dim;
      // ReLU-like outputs: many zeros, some columns entirely dead, a NaN now and then
      const v = Float32Array.from({ length: off + len }, (_, i) => {
        const col = (i - off) % dim;
        if (col % 3 === 1) return rng.uniform() < 0.9 ? 0 : -rng.uniform();
        const u = rng.uniform();
        return u < 0.4 ? 0 : u < 0.41 ? NaN : rng.normal();
      });
      const b = fill(rng, off + len);
      const [vw, bw] = [heap.f32(v, rng), heap.f32(b, rng)];
      const k = heap.k;
      const ts = TS_KERNELS;
      const close = (x: number, y: number, scale: number) =>
        Object.is(x, y) || Math.abs(x - y) <= 1e-6 * scale;
      const finite = v.map((x) => (Number.isNaN(x) ? 0 : x));
      const fw = heap.f32(finite, rng);
      const scale = ts.sumSquares(finite, off, len) + 1e-30;
      expect(close(k.sumSquares(fw, off, len), ts.sumSquares(finite, off, len), scale)).toBe(true);
      expect(close(k.sum(fw, off, len), ts.sum(finite, off, len), Math.sqrt(scale) * len)).toBe(
        true,
      );
      const diffScale = ts.sumSquaredDiff(finite, off, b, off, len) + 1e-30;
      expect(
        close(
          k.sumSquaredDiff(fw, off, bw, off, len),
          ts.sumSquaredDiff(finite, off, b, off, len),
          diffScale,
        ),
      ).toBe(true);
      // NaN propagates on both paths
      expect(Number.isNaN(k.sumSquares(vw, off, len))).toBe(
        Number.isNaN(ts.sumSquares(v, off, len)),
      );
      const dv = v.subarray(off);
      const dw = vw.subarray(off);
      expect(k.deadColumns(rows, dim, dw), `rows=${rows} dim=${dim}`).toBe(
        ts.deadColumns(rows, dim, dv),
      );
    }
  });
});

describe('whole models on both paths', () => {
  it('every block type: the same loss and gradients to float32 rounding', () => {
    for (const arch of Object.keys(SMALL) as (keyof typeof SMALL)[]) {
      for (const norm of ['none', 'batch'] as const) {
        const models = (['ts', 'wasm'] as const).map((kernels) => {
          const m = new Model(
            makeSpec({ arch, ...SMALL[arch], norm, kernels, activation: 'relu', maxBatch: 7 }),
          );
          jitterParams(m, 3, 0.3, 0.1);
          fillBatch(m, 7);
          return m;
        });
        const [ts, wasm] = models as [Model, Model];
        const lt = ts.computeGradients(7).loss;
        const lw = wasm.computeGradients(7).loss;
        const where = `${arch} norm=${norm}`;
        expect(Math.abs(lt - lw), where).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(lt)));
        let scale = 0;
        for (const g of ts.flatGrads) scale = Math.max(scale, Math.abs(g));
        let worst = 0;
        for (let i = 0; i < ts.flatGrads.length; i++)
          worst = Math.max(worst, Math.abs(ts.flatGrads[i]! - wasm.flatGrads[i]!));
        expect(worst, where).toBeLessThanOrEqual(1e-4 * scale);
      }
    }
  });
});
