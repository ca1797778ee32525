/**
 * The reference benchmark tasks of ../shared/reference/benchmarks.md: a stem 2→width, `layers`
 * hidden dense layers width→width with ReLU, a head width→1 with sigmoid cross-entropy, plain
 * SGD, float32, on the seeded two-spiral set. Plain: h = relu(W·h + b); residual:
 * h = h + relu(W·h + b).
 */
import { makeSynthetic } from '../src/data/index.ts';
import type { KernelPath } from '../src/engine/backend.ts';
import { Model, type ModelSpec } from '../src/engine/model.ts';
import { Optimizer } from '../src/engine/optim.ts';

export type TaskName = 'R20' | 'R56' | 'R56w128';
export type TaskArch = 'plain' | 'resnet';

export interface Task {
  name: TaskName;
  layers: number;
  width: number;
  batch: number;
}

export const TASKS: readonly Task[] = [
  { name: 'R20', layers: 20, width: 16, batch: 64 },
  { name: 'R56', layers: 56, width: 32, batch: 64 },
  { name: 'R56w128', layers: 56, width: 128, batch: 256 },
];

/** FLOPs of one step as the reference table counts them: 6·batch·width²·layers. */
export function taskFlops(t: Task): number {
  return 6 * t.batch * t.width * t.width * t.layers;
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

/** The reference MLP on this engine: a model plus a `step()` that trains on one batch. */
export function engineTask(
  task: Task,
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
