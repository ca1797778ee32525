/**
 * The reference benchmark tasks of ../shared/reference/benchmarks.md.
 *
 * R tasks (MLP): a stem 2→width, `layers` hidden dense layers width→width with ReLU, a head
 * width→1 with sigmoid cross-entropy, plain SGD, float32, on the seeded two-spiral set. Plain:
 * h = relu(W·h + b); residual: h = h + relu(W·h + b).
 *
 * C tasks (CIFAR-style conv nets, He et al. §4.2, scaled down): one fixed batch of 32 digits at
 * 14×14×1; a 3×3 stem to `width` channels, three stages of n = (depth − 2)/6 basic blocks (two 3×3
 * convs, batch norm after each) at width, 2·width, 4·width on maps 14, 7, 4 (stride 2 in the first
 * conv of stages 2 and 3; the residual nets' shortcuts there option A), global average pooling, a
 * dense head to 10 classes, softmax cross-entropy, momentum SGD (lr 0.05, μ 0.9).
 */
import { readFileSync } from 'node:fs';
import { makeDigits, makeSynthetic, parseDigitsAsset } from '../src/data/index.ts';
import type { KernelPath } from '../src/engine/backend.ts';
import { Model, type ModelSpec } from '../src/engine/model.ts';
import { Optimizer } from '../src/engine/optim.ts';

export type TaskName = 'R20' | 'R56' | 'R56w128' | 'C20' | 'C56';
export type TaskArch = 'plain' | 'resnet';

export interface MlpTask {
  family: 'mlp';
  name: TaskName;
  layers: number;
  width: number;
  batch: number;
}

export interface ConvTask {
  family: 'conv';
  name: TaskName;
  /** 6n + 2 weight layers */
  depth: number;
  /** the first stage's channels */
  width: number;
  batch: number;
  /** one example's input map [h, w, c] */
  image: readonly [number, number, number];
}

export type Task = MlpTask | ConvTask;

export const TASKS: readonly Task[] = [
  { family: 'mlp', name: 'R20', layers: 20, width: 16, batch: 64 },
  { family: 'mlp', name: 'R56', layers: 56, width: 32, batch: 64 },
  { family: 'mlp', name: 'R56w128', layers: 56, width: 128, batch: 256 },
  { family: 'conv', name: 'C20', depth: 20, width: 8, batch: 32, image: [14, 14, 1] },
  { family: 'conv', name: 'C56', depth: 56, width: 8, batch: 32, image: [14, 14, 1] },
];

export const CONV_CLASSES = 10;
export const CONV_LEARNING_RATE = 0.05;
export const CONV_MOMENTUM = 0.9;

/** One 3×3 (or 1×1) convolution of a C task: its input map and channels, stride. */
export interface ConvLayer {
  h: number;
  w: number;
  cin: number;
  cout: number;
  stride: number;
}

/** The weight convolutions of a C task in order: the stem, then two per block. */
export function convLayers(t: ConvTask): ConvLayer[] {
  const [h0, w0, c0] = t.image;
  const n = (t.depth - 2) / 6;
  const layers: ConvLayer[] = [{ h: h0, w: w0, cin: c0, cout: t.width, stride: 1 }];
  let h = h0;
  let w = w0;
  let c = t.width;
  for (let stage = 0; stage < 3; stage++) {
    const cout = t.width << stage;
    for (let b = 0; b < n; b++) {
      const stride = stage > 0 && b === 0 ? 2 : 1;
      layers.push({ h, w, cin: c, cout, stride });
      h = Math.floor((h - 1) / stride) + 1; // 3×3, padding 1
      w = Math.floor((w - 1) / stride) + 1;
      layers.push({ h, w, cin: cout, cout, stride: 1 });
      c = cout;
    }
  }
  return layers;
}

/** Multiply-adds of one example's forward pass: the convolutions and the dense head. */
export function convMacs(t: ConvTask): number {
  let macs = 0;
  for (const l of convLayers(t)) {
    const ho = Math.floor((l.h - 1) / l.stride) + 1;
    const wo = Math.floor((l.w - 1) / l.stride) + 1;
    macs += ho * wo * 9 * l.cin * l.cout;
  }
  return macs + (t.width << 2) * CONV_CLASSES;
}

/**
 * FLOPs of one step as the reference table counts them: R tasks 6·batch·width²·layers; C tasks
 * ≈ 3 × 2 × multiply-adds × batch (forward, and twice that backward).
 */
export function taskFlops(t: Task): number {
  if (t.family === 'conv') return 6 * convMacs(t) * t.batch;
  return 6 * t.batch * t.width * t.width * t.layers;
}

let digitsBatches: Map<number, { x: Float32Array; y: Int32Array }> | undefined;

/**
 * One fixed batch of the digits at 14×14 (public/data/digits-14.bin, `npm run build:data`): the
 * first `batch` of a seeded 3,000-image split, pixels in [0, 1], shared by every engine.
 */
export function digitsBatch(batch: number): { x: Float32Array; y: Int32Array } {
  digitsBatches ??= new Map();
  let cached = digitsBatches.get(batch);
  if (!cached) {
    const path = new URL('../public/data/digits-14.bin', import.meta.url);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(path));
    } catch (e) {
      throw new Error(`${path.pathname} is missing: run \`npm run build:data\` first`, {
        cause: e,
      });
    }
    const data = makeDigits(parseDigitsAsset(bytes), { testFraction: 0, seed: 1, samples: 3000 });
    cached = {
      x: data.trainX.slice(0, batch * data.inputDim),
      y: data.trainY.slice(0, batch),
    };
    digitsBatches.set(batch, cached);
  }
  return cached;
}

/** A task's fixed batch: the spiral for R tasks, the digits for C tasks. */
export function taskBatch(t: Task): { x: Float32Array; y: Int32Array } {
  return t.family === 'conv' ? digitsBatch(t.batch) : spiralBatch(t.batch);
}

export const LEARNING_RATE = 0.01;

/** One fixed batch of the seeded spiral (1000 points), shared by every engine. */
export function spiralBatch(batch: number): { x: Float32Array; y: Int32Array } {
  const data = makeSynthetic('spiral', { samples: 1000, noise: 0.1, testFraction: 0, seed: 1 });
  const x = new Float32Array(batch * 2);
  const y = new Int32Array(batch);
  for (let i = 0; i < batch; i++) {
    const row = i % data.nTrain;
    x[2 * i] = data.trainX[2 * row];
    x[2 * i + 1] = data.trainX[2 * row + 1];
    y[i] = data.trainY[row];
  }
  return { x, y };
}

/** A reference task on this engine: a model plus a `step()` that trains on one batch. */
export function engineTask(
  task: Task,
  arch: TaskArch,
  kernels: KernelPath,
): { step: () => number; model: Model } {
  return task.family === 'conv'
    ? engineConvTask(task, arch, kernels)
    : engineMlpTask(task, arch, kernels);
}

function engineMlpTask(
  task: MlpTask,
  arch: TaskArch,
  kernels: KernelPath,
): { step: () => number; model: Model } {
  const spec: ModelSpec = {
    arch: 'resnet',
    shortcut: arch === 'resnet',
    depth: task.layers + 2,
    width: task.width,
    inputDim: 2,
    classes: 2,
    loss: 'sigmoid',
    activation: 'relu',
    init: 'he',
    norm: 'none',
    residualInit: 'one',
    gateBias: 0,
    growthRate: 1,
    cardinality: 1,
    maxBatch: task.batch,
    seed: 1,
    kernels,
  };
  const model = new Model(spec, (b, input) => {
    let h = b.act(b.dense(input, task.width, 'stem', { bias: true }), 'stem');
    for (let l = 0; l < task.layers; l++) {
      b.beginBlock(h);
      const y = b.act(b.dense(h, task.width, `layer${l + 1}`, { bias: true }), `layer${l + 1}`);
      h = arch === 'resnet' ? b.add(h, y, `layer${l + 1}.sum`) : y;
    }
    return b.dense(h, 1, 'head', { bias: true });
  });
  const { x, y } = spiralBatch(task.batch);
  model.input.value.set(x);
  model.labels.set(y);
  // Weight decay 0: the reference is plain SGD.
  const opt = Optimizer.forModel(model, {
    kind: 'sgd',
    momentum: 0,
    weightDecay: 0,
  });
  return {
    model,
    step: () => {
      const r = model.computeGradients(task.batch);
      opt.step(LEARNING_RATE);
      return r.loss;
    },
  };
}

/**
 * The C task on this engine: the CIFAR family of src/engine/model.ts (`model: 'conv'`), batch norm
 * after every conv, option A shortcuts, momentum SGD.
 */
function engineConvTask(
  task: ConvTask,
  arch: TaskArch,
  kernels: KernelPath,
): { step: () => number; model: Model } {
  const [h, w, c] = task.image;
  const spec: ModelSpec = {
    arch,
    shortcut: arch === 'resnet',
    depth: task.depth,
    width: task.width,
    inputDim: h * w * c,
    classes: CONV_CLASSES,
    loss: 'softmax',
    activation: 'relu',
    init: 'he',
    norm: 'batch',
    residualInit: 'one',
    gateBias: 0,
    growthRate: 1,
    cardinality: 1,
    maxBatch: task.batch,
    seed: 1,
    kernels,
    model: 'conv',
    image: task.image,
    shortcutOption: 'A',
  };
  const model = new Model(spec);
  const { x, y } = digitsBatch(task.batch);
  model.input.value.set(x);
  model.labels.set(y);
  const opt = Optimizer.forModel(model, {
    kind: 'momentum',
    momentum: CONV_MOMENTUM,
    weightDecay: 0,
  });
  return {
    model,
    step: () => {
      const r = model.computeGradients(task.batch);
      opt.step(CONV_LEARNING_RATE);
      return r.loss;
    },
  };
}
