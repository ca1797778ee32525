/**
 * The same reference tasks in TensorFlow.js, for the baseline columns of `npm run bench`: the MLP
 * of the R tasks and the CIFAR-style conv nets of the C tasks, in tf ops (NHWC, HWIO filters).
 * Weights are drawn with the engine's seeded initialiser layout (He normal), so both start from
 * comparable points; the timing does not depend on the values.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../src/engine/rng.ts';
import {
  CONV_CLASSES,
  CONV_LEARNING_RATE,
  CONV_MOMENTUM,
  type ConvTask,
  convLayers,
  digitsBatch,
  LEARNING_RATE,
  type MlpTask,
  spiralBatch,
  type Task,
  type TaskArch,
} from './tasks.ts';

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
  return task.family === 'conv' ? tfjsConvTask(task, arch) : tfjsMlpTask(task, arch);
}

function tfjsMlpTask(task: MlpTask, arch: TaskArch): { step: () => number; dispose: () => void } {
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

const BN_EPSILON = 1e-5;

/**
 * tf.conv2d with a gradient the wasm backend can run: TensorFlow.js 4.22's wasm backend has
 * Conv2D (XNNPACK) and Conv2DBackpropInput but no Conv2DBackpropFilter, so training a conv net on
 * it fails ("Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'"). The filter's
 * gradient goes through its Conv3DBackpropFilterV2 kernel instead, the 2-D maps as 3-D ones of
 * depth 1; the input's gradient through conv2dTranspose (Conv2DBackpropInput), as tf.conv2d's own.
 */
function wasmConv2d(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  stride: number,
  pad: 'same' | 'valid',
): tf.Tensor4D {
  const op = tf.customGrad((...args) => {
    const [input, f, save] = args as unknown as [
      tf.Tensor4D,
      tf.Tensor4D,
      (tensors: tf.Tensor[]) => void,
    ];
    save([input, f]);
    return {
      value: tf.conv2d(input, f, stride, pad),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const g = dy as tf.Tensor4D;
        const [xs, fs] = saved as [tf.Tensor4D, tf.Tensor4D];
        const [n, h, w, c] = xs.shape;
        const [kh, kw, cin, cout] = fs.shape;
        const dx = tf.conv2dTranspose(g, fs, [n, h, w, c], stride, pad);
        const df = tf.engine().runKernel(
          'Conv3DBackpropFilterV2',
          {
            x: tf.reshape(xs, [n, 1, h, w, c]),
            dy: tf.reshape(g, [n, 1, g.shape[1], g.shape[2], cout]),
          },
          { strides: [1, stride, stride], pad, filterShape: [1, kh, kw, cin, cout] },
        ) as tf.Tensor;
        return [dx, tf.reshape(df, [kh, kw, cin, cout])];
      },
    };
  });
  return op(x, filter) as tf.Tensor4D;
}

/**
 * A C task in TensorFlow.js: conv (no bias) → batch norm over N, H, W (batch statistics, as in
 * training; the running averages are not kept: a few small ops a step) → ReLU; option A shortcuts
 * (every other pixel, channels zero-padded on both sides); global average pooling; dense head.
 */
function tfjsConvTask(task: ConvTask, arch: TaskArch): { step: () => number; dispose: () => void } {
  const rng = new Rng(1, 'init');
  const layers = convLayers(task);
  const filters = layers.map((l) => {
    const std = Math.sqrt(2 / (9 * l.cin));
    const values = Float32Array.from({ length: 9 * l.cin * l.cout }, () => std * rng.normal());
    return tf.variable(tf.tensor4d(values, [3, 3, l.cin, l.cout]));
  });
  const gammas = layers.map((l) => tf.variable(tf.ones([l.cout])));
  const betas = layers.map((l) => tf.variable(tf.zeros([l.cout])));
  const top = task.width << 2;
  const head = heNormal(rng, top, CONV_CLASSES);
  const headBias = tf.variable(tf.zeros([CONV_CLASSES]));
  const [h, w, c] = task.image;
  const { x, y } = digitsBatch(task.batch);
  // Copies: the cpu backend keeps a reference to the array it is given.
  const xs = tf.tensor4d(Float32Array.from(x), [task.batch, h, w, c]);
  const ys = tf.oneHot(tf.tensor1d(Int32Array.from(y), 'int32'), CONV_CLASSES);
  const optimizer = tf.train.momentum(CONV_LEARNING_RATE, CONV_MOMENTUM);

  const conv = tf.getBackend() === 'wasm' ? wasmConv2d : tf.conv2d;
  const convBn = (input: tf.Tensor4D, l: number): tf.Tensor4D => {
    // 3×3, padding 1: 'same' at stride 1; at stride 2 'same' would pad bottom/right only, so pad
    // explicitly (as PyTorch and this engine do) and slide 'valid'
    const stride = layers[l]!.stride;
    const z =
      stride === 1
        ? conv(input, filters[l]!, 1, 'same')
        : conv(
            tf.pad(input, [
              [0, 0],
              [1, 1],
              [1, 1],
              [0, 0],
            ]),
            filters[l]!,
            stride,
            'valid',
          );
    const { mean, variance } = tf.moments(z, [0, 1, 2]);
    return tf.batchNorm(z, mean, variance, betas[l]!, gammas[l]!, BN_EPSILON) as tf.Tensor4D;
  };
  // every other pixel (stridedSlice has no gradient in TensorFlow.js 4.22: pad to even sides,
  // fold each 2×2 into its own axes, keep the top-left), then the new channels zero on both sides
  const optionA = (input: tf.Tensor4D, cout: number): tf.Tensor4D => {
    const [n, ih, iw, ic] = input.shape;
    const even = tf.pad(input, [
      [0, 0],
      [0, ih % 2],
      [0, iw % 2],
      [0, 0],
    ]);
    const ho = (ih + 1) >> 1;
    const wo = (iw + 1) >> 1;
    const folded = tf.reshape(even, [n, ho, 2, wo, 2, ic]);
    const sub = tf.reshape(tf.slice(folded, [0, 0, 0, 0, 0, 0], [n, ho, 1, wo, 1, ic]), [
      n,
      ho,
      wo,
      ic,
    ]);
    const side = (cout - ic) / 2;
    return tf.pad(sub, [
      [0, 0],
      [0, 0],
      [0, 0],
      [side, side],
    ]) as tf.Tensor4D;
  };
  const lossFn = (): tf.Scalar => {
    let hidden = tf.relu(convBn(xs, 0));
    for (let l = 1; l < layers.length; l += 2) {
      const branch = convBn(tf.relu(convBn(hidden, l)), l + 1);
      if (arch === 'resnet') {
        const shortcut = layers[l]!.stride === 1 ? hidden : optionA(hidden, layers[l]!.cout);
        hidden = tf.relu(tf.add(branch, shortcut));
      } else hidden = tf.relu(branch);
    }
    const pooled = tf.mean(hidden, [1, 2]) as tf.Tensor2D;
    const logits = tf.add(tf.matMul(pooled, head), headBias);
    return tf.losses.softmaxCrossEntropy(ys, logits) as tf.Scalar;
  };
  return {
    step: () => {
      const loss = optimizer.minimize(lossFn, true) as tf.Scalar;
      const value = loss.dataSync()[0]!;
      loss.dispose();
      return value;
    },
    dispose: () => {
      tf.dispose([...filters, ...gammas, ...betas, head, headBias, xs, ys]);
      optimizer.dispose();
    },
  };
}
