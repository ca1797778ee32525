/**
 * The wasm kernel path: the WebAssembly module built from assembly/kernels.ts, one instance per
 * model, each with its own memory that holds all of that model's buffers. The wrappers here give
 * the exports the TypeScript kernels' signatures: a (Float32Array, offset) pair becomes the
 * pointer `array.byteOffset + 4·offset`, so a call allocates nothing and copies nothing.
 *
 * The module's bytes are embedded (base64) in a generated module, src/engine/generated/, that
 * `npm run build:wasm` writes from the AssemblyScript source; compiling it synchronously works in
 * Node and in a worker, so a model can be built synchronously on either.
 */
import type { Kernels } from './backend.ts';
import { KERNELS_WASM_BASE64 } from './generated/kernels-wasm.ts';
import * as K from './kernels.ts';

interface Exports {
  gemmBroadcast(
    rows: number,
    cols: number,
    depth: number,
    a: number,
    ars: number,
    ats: number,
    b: number,
    ldb: number,
    c: number,
    ldc: number,
    acc: number,
  ): void;
  gemmNT(
    m: number,
    n: number,
    k: number,
    a: number,
    lda: number,
    b: number,
    ldb: number,
    c: number,
    ldc: number,
    acc: number,
  ): void;
  addBias(m: number, n: number, y: number, ld: number, bias: number): void;
  sumRows(m: number, n: number, dy: number, ld: number, out: number, acc: number): void;
  reluForward(x: number, y: number, len: number): void;
  reluBackward(x: number, dy: number, dx: number, len: number): void;
  addInto(dst: number, src: number, len: number): void;
  add(a: number, b: number, y: number, len: number): void;
  copy(x: number, y: number, len: number): void;
  scaleColumns(m: number, n: number, x: number, s: number, y: number): void;
  scaleBackward(
    m: number,
    n: number,
    x: number,
    dy: number,
    s: number,
    ds: number,
    dx: number,
  ): void;
  batchNormForward(
    n: number,
    d: number,
    x: number,
    y: number,
    gamma: number,
    beta: number,
    xhat: number,
    invStd: number,
    stats: number,
    runningMean: number,
    runningVar: number,
    training: number,
    relu: number,
    scale: number,
    raw: number,
  ): void;
  batchNormBackward(
    n: number,
    d: number,
    dy: number,
    xhat: number,
    gamma: number,
    invStd: number,
    stats: number,
    dGamma: number,
    dBeta: number,
    dx: number,
    trained: number,
    y: number,
    scale: number,
    raw: number,
    dScale: number,
  ): void;
  sgdStep(len: number, lr: number, wd: number, p: number, g: number, mask: number): void;
  momentumStep(
    len: number,
    lr: number,
    mu: number,
    wd: number,
    p: number,
    g: number,
    mask: number,
    v: number,
  ): void;
  adamStep(
    len: number,
    stepSize: number,
    b1: number,
    b2: number,
    epsHat: number,
    wd: number,
    p: number,
    g: number,
    mask: number,
    m: number,
    v: number,
  ): void;
  sumSquares(v: number, len: number): number;
  sumSquaredDiff(a: number, b: number, len: number): number;
  sum(v: number, len: number): number;
  deadColumns(rows: number, dim: number, v: number): number;
  im2col(
    n: number,
    h: number,
    w: number,
    c: number,
    kh: number,
    kw: number,
    stride: number,
    pad: number,
    ho: number,
    wo: number,
    c0: number,
    cg: number,
    x: number,
    cols: number,
  ): void;
  col2imAdd(
    n: number,
    h: number,
    w: number,
    c: number,
    kh: number,
    kw: number,
    stride: number,
    pad: number,
    ho: number,
    wo: number,
    c0: number,
    cg: number,
    cols: number,
    dx: number,
  ): void;
  convForward(
    n: number,
    h: number,
    w: number,
    c: number,
    kh: number,
    kw: number,
    stride: number,
    pad: number,
    ho: number,
    wo: number,
    c0: number,
    cg: number,
    x: number,
    wts: number,
    ldw: number,
    go: number,
    y: number,
    ldy: number,
    cols: number,
  ): void;
  convBackward(
    n: number,
    h: number,
    w: number,
    c: number,
    kh: number,
    kw: number,
    stride: number,
    pad: number,
    ho: number,
    wo: number,
    c0: number,
    cg: number,
    x: number,
    wts: number,
    ldw: number,
    go: number,
    dy: number,
    ldy: number,
    dW: number,
    dx: number,
    cols: number,
  ): void;
  avgPoolForward(n: number, hw: number, c: number, x: number, y: number): void;
  avgPoolBackward(n: number, hw: number, c: number, dy: number, dx: number): void;
  subsamplePadForward(
    n: number,
    h: number,
    w: number,
    c: number,
    stride: number,
    ho: number,
    wo: number,
    cOut: number,
    c0: number,
    x: number,
    y: number,
  ): void;
  subsamplePadBackward(
    n: number,
    h: number,
    w: number,
    c: number,
    stride: number,
    ho: number,
    wo: number,
    cOut: number,
    c0: number,
    dy: number,
    dx: number,
  ): void;
  setScratch(ptr: number, bytes: number): void;
  heapBase(): number;
}

/** The smallest module using a SIMD128 instruction (v128.const; drop): validates iff supported. */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 23, 1, 21, 0, 253, 12, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 26, 11,
]);

let supported: boolean | undefined;
let compiled: WebAssembly.Module | undefined;

export function wasmSimdSupported(): boolean {
  if (supported === undefined) {
    try {
      supported =
        typeof WebAssembly === 'object' &&
        WebAssembly.validate(SIMD_PROBE) &&
        WebAssembly.validate(kernelBytes());
    } catch {
      supported = false;
    }
  }
  return supported;
}

let bytes: Uint8Array<ArrayBuffer> | undefined;
function kernelBytes(): Uint8Array<ArrayBuffer> {
  if (!bytes) {
    const text = atob(KERNELS_WASM_BASE64);
    bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  }
  return bytes;
}

function kernelModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(kernelBytes());
  return compiled;
}

const PAGE = 65536;

let heapBase: number | undefined;
/** First byte above the module's static data (the same for every instance). */
function moduleHeapBase(): number {
  if (heapBase === undefined) {
    const probe = new WebAssembly.Instance(kernelModule(), {
      env: { memory: new WebAssembly.Memory({ initial: 1 }) },
    }).exports as unknown as Exports;
    heapBase = probe.heapBase();
  }
  return heapBase;
}

/**
 * A kernel set whose WebAssembly memory and instance are created by `allocate`, once, at the
 * model's final size (never grown).
 */
export function createWasmKernels(): Kernels {
  let ex!: Exports;
  let memory: WebAssembly.Memory | null = null;
  /** byte address of element `off` of a view into this memory */
  const at = (a: Float32Array, off: number) => a.byteOffset + 4 * off;
  return {
    path: 'wasm',
    allocate(size, scratchBytes = 0) {
      if (memory) throw new Error('internal: a wasm kernel set allocates once');
      const base = (moduleHeapBase() + 63) & ~63;
      const scratch = (base + size + 63) & ~63;
      const end = scratch + scratchBytes;
      const pages = Math.max(1, Math.ceil(end / PAGE));
      try {
        memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
      } catch (e) {
        throw new Error(
          `model needs ${(end / 2 ** 20).toFixed(0)} MiB of WebAssembly memory, which this host refused (${(e as Error).message}); try a smaller width, depth or batch, or kernels ts`,
          { cause: e },
        );
      }
      ex = new WebAssembly.Instance(kernelModule(), { env: { memory } })
        .exports as unknown as Exports;
      ex.setScratch(scratch, scratchBytes);
      return { buffer: memory.buffer, base };
    },
    gemmNN(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate) {
      ex.gemmBroadcast(
        m,
        n,
        k,
        at(a, aOff),
        lda,
        1,
        at(b, bOff),
        ldb,
        at(c, cOff),
        ldc,
        +accumulate,
      );
    },
    gemmTN(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate) {
      ex.gemmBroadcast(
        k,
        n,
        m,
        at(a, aOff),
        1,
        lda,
        at(b, bOff),
        ldb,
        at(c, cOff),
        ldc,
        +accumulate,
      );
    },
    gemmNT(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate) {
      ex.gemmNT(m, n, k, at(a, aOff), lda, at(b, bOff), ldb, at(c, cOff), ldc, +accumulate);
    },
    addBias(m, n, y, yOff, ld, bias, biasOff) {
      ex.addBias(m, n, at(y, yOff), ld, at(bias, biasOff));
    },
    sumRows(m, n, dy, dyOff, ld, out, outOff, accumulate) {
      ex.sumRows(m, n, at(dy, dyOff), ld, at(out, outOff), +accumulate);
    },
    activationForward(kind, x, y, len) {
      if (kind === 'relu') ex.reluForward(x.byteOffset, y.byteOffset, len);
      else if (kind === 'identity') ex.copy(x.byteOffset, y.byteOffset, len);
      // tanh and sigmoid: the engine's deterministic float64 functions (math.ts), on the views
      else K.activationForward(kind, x, y, len);
    },
    activationBackward(kind, x, y, dy, dx, len) {
      if (kind === 'relu') ex.reluBackward(x.byteOffset, dy.byteOffset, dx.byteOffset, len);
      else if (kind === 'identity') ex.addInto(dx.byteOffset, dy.byteOffset, len);
      else K.activationBackward(kind, x, y, dy, dx, len);
    },
    add(a, b, y, len) {
      ex.add(a.byteOffset, b.byteOffset, y.byteOffset, len);
    },
    addInto(dst, src, len) {
      ex.addInto(dst.byteOffset, src.byteOffset, len);
    },
    copy(src, dst, len) {
      ex.copy(src.byteOffset, dst.byteOffset, len);
    },
    // interventions only (loss landscapes), never in a training step: the TypeScript loop
    axpy: K.axpy,
    scaleColumns(m, n, x, s, y) {
      ex.scaleColumns(m, n, x.byteOffset, s.byteOffset, y.byteOffset);
    },
    scaleBackward(m, n, x, dy, s, ds, dx) {
      ex.scaleBackward(
        m,
        n,
        x.byteOffset,
        dy.byteOffset,
        s.byteOffset,
        ds.byteOffset,
        dx ? dx.byteOffset : 0,
      );
    },
    batchNormForward(
      n,
      d,
      x,
      y,
      gamma,
      beta,
      xhat,
      invStd,
      stats,
      runningMean,
      runningVar,
      training,
      relu = false,
      scale = null,
      raw = null,
    ) {
      ex.batchNormForward(
        n,
        d,
        x.byteOffset,
        y.byteOffset,
        gamma.byteOffset,
        beta.byteOffset,
        xhat.byteOffset,
        invStd.byteOffset,
        stats.byteOffset,
        runningMean.byteOffset,
        runningVar.byteOffset,
        +training,
        +relu,
        scale ? scale.byteOffset : 0,
        raw ? raw.byteOffset : 0,
      );
    },
    batchNormBackward(
      n,
      d,
      dy,
      xhat,
      gamma,
      invStd,
      stats,
      dGamma,
      dBeta,
      dx,
      trained,
      y = null,
      scale = null,
      raw = null,
      dScale = null,
    ) {
      ex.batchNormBackward(
        n,
        d,
        dy.byteOffset,
        xhat.byteOffset,
        gamma.byteOffset,
        invStd.byteOffset,
        stats.byteOffset,
        dGamma.byteOffset,
        dBeta.byteOffset,
        dx ? dx.byteOffset : 0,
        +trained,
        y ? y.byteOffset : 0,
        scale ? scale.byteOffset : 0,
        raw ? raw.byteOffset : 0,
        dScale ? dScale.byteOffset : 0,
      );
    },
    sgdStep(len, lr, wd, p, g, mask) {
      ex.sgdStep(len, lr, wd, p.byteOffset, g.byteOffset, mask.byteOffset);
    },
    momentumStep(len, lr, mu, wd, p, g, mask, v) {
      ex.momentumStep(len, lr, mu, wd, p.byteOffset, g.byteOffset, mask.byteOffset, v.byteOffset);
    },
    adamStep(len, stepSize, b1, b2, epsHat, wd, p, g, mask, m, v) {
      ex.adamStep(
        len,
        stepSize,
        b1,
        b2,
        epsHat,
        wd,
        p.byteOffset,
        g.byteOffset,
        mask.byteOffset,
        m.byteOffset,
        v.byteOffset,
      );
    },
    sumSquares(v, off, len) {
      return ex.sumSquares(at(v, off), len);
    },
    sumSquaredDiff(a, aOff, b, bOff, len) {
      return ex.sumSquaredDiff(at(a, aOff), at(b, bOff), len);
    },
    sum(v, off, len) {
      return ex.sum(at(v, off), len);
    },
    deadColumns(rows, dim, v) {
      return ex.deadColumns(rows, dim, v.byteOffset);
    },
    // convolution helpers: the ConvShape's fields travel as numbers
    im2col(n, s, c0, cg, x, cols) {
      ex.im2col(
        n,
        s.h,
        s.w,
        s.c,
        s.kh,
        s.kw,
        s.stride,
        s.pad,
        s.ho,
        s.wo,
        c0,
        cg,
        x.byteOffset,
        cols.byteOffset,
      );
    },
    col2imAdd(n, s, c0, cg, cols, dx) {
      ex.col2imAdd(
        n,
        s.h,
        s.w,
        s.c,
        s.kh,
        s.kw,
        s.stride,
        s.pad,
        s.ho,
        s.wo,
        c0,
        cg,
        cols.byteOffset,
        dx.byteOffset,
      );
    },
    convForward(n, s, c0, cg, x, w, wOff, go, y, yOff, ldy, cols) {
      ex.convForward(
        n,
        s.h,
        s.w,
        s.c,
        s.kh,
        s.kw,
        s.stride,
        s.pad,
        s.ho,
        s.wo,
        c0,
        cg,
        x.byteOffset,
        at(w, wOff),
        go,
        go,
        at(y, yOff),
        ldy,
        cols.byteOffset,
      );
    },
    convBackward(n, s, c0, cg, x, w, wOff, go, dy, dyOff, ldy, dW, dx, cols) {
      ex.convBackward(
        n,
        s.h,
        s.w,
        s.c,
        s.kh,
        s.kw,
        s.stride,
        s.pad,
        s.ho,
        s.wo,
        c0,
        cg,
        x.byteOffset,
        at(w, wOff),
        go,
        go,
        at(dy, dyOff),
        ldy,
        at(dW, wOff),
        dx ? dx.byteOffset : 0,
        cols.byteOffset,
      );
    },
    avgPoolForward(n, hw, c, x, y) {
      ex.avgPoolForward(n, hw, c, x.byteOffset, y.byteOffset);
    },
    avgPoolBackward(n, hw, c, dy, dx) {
      ex.avgPoolBackward(n, hw, c, dy.byteOffset, dx.byteOffset);
    },
    subsamplePadForward(n, s, cOut, c0, x, y) {
      ex.subsamplePadForward(
        n,
        s.h,
        s.w,
        s.c,
        s.stride,
        s.ho,
        s.wo,
        cOut,
        c0,
        x.byteOffset,
        y.byteOffset,
      );
    },
    subsamplePadBackward(n, s, cOut, c0, dy, dx) {
      ex.subsamplePadBackward(
        n,
        s.h,
        s.w,
        s.c,
        s.stride,
        s.ho,
        s.wo,
        cOut,
        c0,
        dy.byteOffset,
        dx.byteOffset,
      );
    },
  };
}
