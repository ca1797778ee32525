/**
 * The two implementations of the engine's kernels, and how a model chooses between them.
 *
 * - `wasm`: WebAssembly SIMD128 kernels (assembly/kernels.ts, compiled by `npm run build:wasm`)
 *   over the model's own WebAssembly memory, where all of its buffers live — a step passes
 *   pointers and copies nothing. The default wherever WebAssembly SIMD is available (Node ≥ 16.4,
 *   every current browser).
 * - `ts`: the TypeScript kernels of kernels.ts — the reference, and the fallback elsewhere.
 *
 * The paths agree to float32 rounding (the GEMMs accumulate in float32 lanes in WebAssembly and
 * in float64 in TypeScript), not bit for bit, so a run's path is part of what determines its
 * numbers: `Model.kernels` says which one ran, and the training config records it (`kernels`).
 * Each path alone is deterministic, the same in Node and in a browser worker.
 */
import * as K from './kernels.ts';
import { createWasmKernels, wasmSimdSupported } from './wasm.ts';

import type { KernelPath } from './choices.ts';

export { KERNEL_PATHS, type KernelPath } from './choices.ts';

/**
 * The kernels one model calls, with the TypeScript signatures. On the wasm path every array
 * must be a view into the memory the kernels allocated (`allocate`), as a model's buffers are.
 */
export interface Kernels {
  readonly path: KernelPath;
  /**
   * The one buffer of a model's arena; called once, when the model is laid out. `scratchBytes`:
   * room the kernels may use inside a call (the wasm gemmNT's transposed copy of B, at most the
   * largest weight matrix); the ts kernels need none.
   */
  allocate(bytes: number, scratchBytes?: number): { buffer: ArrayBuffer; base: number };
  gemmNN: typeof K.gemmNN;
  gemmTN: typeof K.gemmTN;
  gemmNT: typeof K.gemmNT;
  addBias: typeof K.addBias;
  sumRows: typeof K.sumRows;
  activationForward: typeof K.activationForward;
  activationBackward: typeof K.activationBackward;
  add: typeof K.add;
  addInto: typeof K.addInto;
  copy: typeof K.copy;
  axpy: typeof K.axpy;
  scaleColumns: typeof K.scaleColumns;
  scaleBackward: typeof K.scaleBackward;
  batchNormForward: typeof K.batchNormForward;
  batchNormBackward: typeof K.batchNormBackward;
  sgdStep: typeof K.sgdStep;
  momentumStep: typeof K.momentumStep;
  adamStep: typeof K.adamStep;
  sumSquares: typeof K.sumSquares;
  sumSquaredDiff: typeof K.sumSquaredDiff;
  sum: typeof K.sum;
  deadColumns: typeof K.deadColumns;
  im2col: typeof K.im2col;
  col2imAdd: typeof K.col2imAdd;
  convForward: typeof K.convForward;
  convBackward: typeof K.convBackward;
  avgPoolForward: typeof K.avgPoolForward;
  avgPoolBackward: typeof K.avgPoolBackward;
  subsamplePadForward: typeof K.subsamplePadForward;
  subsamplePadBackward: typeof K.subsamplePadBackward;
}

export const TS_KERNELS: Kernels = {
  path: 'ts',
  allocate: (bytes) => ({ buffer: new ArrayBuffer(bytes), base: 0 }),
  gemmNN: K.gemmNN,
  gemmTN: K.gemmTN,
  gemmNT: K.gemmNT,
  addBias: K.addBias,
  sumRows: K.sumRows,
  activationForward: K.activationForward,
  activationBackward: K.activationBackward,
  add: K.add,
  addInto: K.addInto,
  copy: K.copy,
  axpy: K.axpy,
  scaleColumns: K.scaleColumns,
  scaleBackward: K.scaleBackward,
  batchNormForward: K.batchNormForward,
  batchNormBackward: K.batchNormBackward,
  sgdStep: K.sgdStep,
  momentumStep: K.momentumStep,
  adamStep: K.adamStep,
  sumSquares: K.sumSquares,
  sumSquaredDiff: K.sumSquaredDiff,
  sum: K.sum,
  deadColumns: K.deadColumns,
  im2col: K.im2col,
  col2imAdd: K.col2imAdd,
  convForward: K.convForward,
  convBackward: K.convBackward,
  avgPoolForward: K.avgPoolForward,
  avgPoolBackward: K.avgPoolBackward,
  subsamplePadForward: K.subsamplePadForward,
  subsamplePadBackward: K.subsamplePadBackward,
};

/** Whether this host can run the wasm path (WebAssembly with SIMD128). */
export function wasmAvailable(): boolean {
  return wasmSimdSupported();
}

/** The path a model gets when it asks for none: wasm where available, else ts. */
export function defaultKernelPath(): KernelPath {
  return wasmAvailable() ? 'wasm' : 'ts';
}

/**
 * The path a request resolves to: `ts` is always honoured; `wasm` falls back to `ts` where
 * WebAssembly SIMD is missing (the model, and a run's config, then say `ts`).
 */
export function resolveKernelPath(requested: KernelPath | undefined): KernelPath {
  if (requested === 'ts') return 'ts';
  return defaultKernelPath();
}

/** A fresh kernel set for one model (the wasm path owns one WebAssembly memory per model). */
export function createKernels(path: KernelPath): Kernels {
  return path === 'wasm' ? createWasmKernels() : TS_KERNELS;
}
