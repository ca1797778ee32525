/**
 * The same reference MLP in TensorFlow.js, for the baseline columns of `npm run bench`.
 * Weights are drawn with the engine's seeded initialiser layout (He normal), so both start from
 * comparable points; the timing does not depend on the values.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../src/engine/rng.ts';
import { LEARNING_RATE, spiralBatch, type Task, type TaskArch } from './tasks.ts';

export type TfBackend = 'cpu' | 'wasm';

let wasmReady: Promise<void> | null = null;

export async function useBackend(backend: TfBackend): Promise<void> {
  if (backend === 'wasm') {
    wasmReady ??= (async () => {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      const dist = new URL('../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url);
      // One thread, as every engine in the table; SIMD stays on.
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      wasm.setWasmPaths(dist.pathname);
    })();
    await wasmReady;
  }
  const ok = await tf.setBackend(backend);
  if (!ok) throw new Error(`TensorFlow.js backend ${backend} failed to initialise`);
  await tf.ready();
}

function heNormal(rng: Rng, fanIn: number, fanOut: number): tf.Variable {
  const std = Math.sqrt(2 / fanIn);
  const values = new Float32Array(fanIn * fanOut);
  for (let i = 0; i < values.length; i++) values[i] = std * rng.normal();
  return tf.variable(tf.tensor2d(values, [fanIn, fanOut]));
}

export function tfjsTask(task: Task, arch: TaskArch): { step: () => number; dispose: () => void } {
  const rng = new Rng(1, 'init');
  const weights: tf.Variable[] = [];
  const biases: tf.Variable[] = [];
  const dims = [2, ...Array<number>(task.layers + 1).fill(task.width), 1];
  for (let l = 0; l < dims.length - 1; l++) {
    weights.push(heNormal(rng, dims[l], dims[l + 1]));
    biases.push(tf.variable(tf.zeros([dims[l + 1]])));
  }
  const { x, y } = spiralBatch(task.batch);
  // Copies: the cpu backend keeps a reference to the array it is given.
  const xs = tf.tensor2d(Float32Array.from(x), [task.batch, 2]);
  const ys = tf.tensor2d(
    Float32Array.from(y, (v) => v),
    [task.batch, 1],
  );
  const optimizer = tf.train.sgd(LEARNING_RATE);
  const last = weights.length - 1;
  const lossFn = (): tf.Scalar => {
    let h = tf.relu(tf.add(tf.matMul(xs, weights[0]), biases[0]));
    for (let l = 1; l < last; l++) {
      const out = tf.relu(tf.add(tf.matMul(h, weights[l]), biases[l]));
      h = arch === 'resnet' ? tf.add(h, out) : out;
    }
    const logits = tf.add(tf.matMul(h, weights[last]), biases[last]);
    return tf.losses.sigmoidCrossEntropy(ys, logits) as tf.Scalar;
  };
  return {
    step: () => {
      const loss = optimizer.minimize(lossFn, true) as tf.Scalar;
      const value = loss.dataSync()[0];
      loss.dispose();
      return value;
    },
    dispose: () => {
      tf.dispose([...weights, ...biases, xs, ys]);
      optimizer.dispose();
    },
  };
}
