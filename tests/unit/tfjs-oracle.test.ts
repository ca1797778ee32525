/**
 * The engine against TensorFlow.js: the same weights and inputs through an independent
 * implementation of each block type written with tf ops (matMul, moments, concat, logSoftmax…),
 * comparing the loss, every parameter's gradient and the input gradient (tf.valueAndGrads).
 *
 * The tf graphs below are written from the papers' formulas, not from the engine's op list, so
 * they also check that each block is wired as documented (where the norm, the activation and
 * the branch scale sit). tf.valueAndGrads throws if a parameter is not used by the reference,
 * so an extra or misnamed engine parameter fails too.
 *
 * Caveat from the reference notes: TF.js's cpu backend keeps the Float32Array given to
 * tf.tensor, so every array is copied (Float32Array.from) before it becomes a tensor.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Act } from '../../src/engine/kernels.ts';
import {
  type Arch,
  ARCHS,
  type LayerBuilder,
  Model,
  type ModelSpec,
} from '../../src/engine/model.ts';
import type { Slot } from '../../src/engine/tensor.ts';
import { analyticGradients, fillBatch, jitterParams, makeSpec, SMALL } from '../helpers/engine.ts';

const N = 8;
const BN_EPS = 1e-5;

beforeAll(async () => {
  await tf.setBackend('cpu');
  // the cpu backend's first write prints a banner recommending tfjs-node; keep the log clean
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  tf.tensor1d([0]).dispose();
  warn.mockRestore();
});

/** The tf side: parameters by name, and the layer formulas. */
class Reference {
  private readonly index = new Map<string, number>();
  constructor(
    readonly model: Model,
    private readonly tensors: tf.Tensor[],
  ) {
    model.params.forEach((p, i) => this.index.set(p.name, i));
  }
  get spec(): ModelSpec {
    return this.model.spec;
  }
  has(name: string): boolean {
    return this.index.has(name);
  }
  /** the parameter as a flat tensor; throws if the engine has no such parameter */
  p(name: string): tf.Tensor1D {
    const i = this.index.get(name);
    if (i === undefined) throw new Error(`the engine has no parameter ${name}`);
    return this.tensors[i] as tf.Tensor1D;
  }

  /** y = x·W (+ b); with groups, block-diagonal: group g maps its slice of x with its own W */
  dense(x: tf.Tensor2D, name: string, opts: { groups?: number; bias?: boolean } = {}): tf.Tensor2D {
    const groups = opts.groups ?? 1;
    const w = this.p(`${name}.W`);
    const inDim = x.shape[1];
    const gi = inDim / groups;
    const go = w.size / (groups * gi);
    const parts: tf.Tensor2D[] = [];
    for (let g = 0; g < groups; g++) {
      const xg = groups === 1 ? x : x.slice([0, g * gi], [-1, gi]);
      const wg = w.slice([g * gi * go], [gi * go]).reshape([gi, go]) as tf.Tensor2D;
      parts.push(tf.matMul(xg, wg));
    }
    let y = groups === 1 ? parts[0]! : tf.concat(parts, 1);
    const withBias = opts.bias ?? this.spec.norm === 'none';
    if (withBias) y = y.add(this.p(`${name}.b`));
    return y;
  }

  /** batch norm with batch statistics (biased variance), or nothing without norm */
  bn(x: tf.Tensor2D, name: string): tf.Tensor2D {
    if (this.spec.norm === 'none') return x;
    const { mean, variance } = tf.moments(x, 0);
    const xhat = x.sub(mean).div(variance.add(BN_EPS).sqrt());
    return xhat.mul(this.p(`${name}.bn.gamma`)).add(this.p(`${name}.bn.beta`));
  }

  act(x: tf.Tensor2D, fn: Act = this.spec.activation): tf.Tensor2D {
    switch (fn) {
      case 'relu':
        return tf.relu(x);
      case 'tanh':
        return tf.tanh(x);
      case 'sigmoid':
        return tf.sigmoid(x);
      case 'identity':
        return x;
    }
  }

  /** the per-feature scale that ends a residual branch */
  scale(x: tf.Tensor2D, name: string): tf.Tensor2D {
    return x.mul(this.p(`${name}.scale`));
  }

  /** mean cross-entropy, written with logSoftmax / the stable sigmoid form */
  loss(logits: tf.Tensor2D, labels: Int32Array): tf.Scalar {
    const n = logits.shape[0];
    const c = logits.shape[1];
    if (this.spec.loss === 'softmax') {
      const onehot = tf.oneHot(tf.tensor1d(Int32Array.from(labels.subarray(0, n)), 'int32'), c);
      return tf.logSoftmax(logits).mul(onehot).sum().neg().div(n);
    }
    const targets =
      c === 1
        ? tf.tensor2d(Float32Array.from(labels.subarray(0, n)), [n, 1])
        : tf.oneHot(tf.tensor1d(Int32Array.from(labels.subarray(0, n)), 'int32'), c);
    // log(1 + e^z) − z·t = max(z, 0) − z·t + log(1 + e^−|z|)
    const perEntry = tf
      .relu(logits)
      .sub(logits.mul(targets))
      .add(tf.log1p(tf.exp(tf.abs(logits).neg())));
    return perEntry.sum().div(n);
  }
}

/** The architecture of ModelSpec, written with tf ops from the papers' formulas. */
function network(r: Reference, x: tf.Tensor2D): tf.Tensor2D {
  const { arch, shortcut } = r.spec;
  const blocks = r.model.blocks;
  const skip = shortcut && arch !== 'plain';
  const preActivation = arch === 'preact' || arch === 'densenet';
  // Stem: a bare layer (with its bias) for pre-activation nets, otherwise layer → norm → act.
  // No stem bias before batch norm, even in pre-activation nets: the block's BN removes it.
  let h = r.dense(x, 'stem', { bias: r.spec.norm === 'none' });
  if (!preActivation) h = r.act(r.bn(h, 'stem'));
  for (let b = 1; b <= blocks; b++) {
    const name = `block${b}`;
    switch (arch) {
      case 'plain':
      case 'resnet': {
        // He et al. 2015: relu(x + BN(W₂·relu(BN(W₁·x))))
        const f1 = r.act(r.bn(r.dense(h, `${name}.1`), `${name}.1`));
        const f = r.scale(r.bn(r.dense(f1, `${name}.2`), `${name}.2`), name);
        h = r.act(skip ? h.add(f) : f);
        break;
      }
      case 'preact': {
        // He et al. 2016: x + W₂·relu(BN(W₁·relu(BN(x))))
        const f1 = r.dense(r.act(r.bn(h, `${name}.1`)), `${name}.1`);
        const f = r.scale(r.dense(r.act(r.bn(f1, `${name}.2`)), `${name}.2`), name);
        h = skip ? h.add(f) : f;
        break;
      }
      case 'bottleneck':
      case 'resnext': {
        // 1×1 reduce → (grouped) middle → 1×1 expand, then relu(x + F(x))
        const groups = arch === 'resnext' ? r.spec.cardinality : 1;
        const f1 = r.act(r.bn(r.dense(h, `${name}.1`), `${name}.1`));
        const f2 = r.act(r.bn(r.dense(f1, `${name}.2`, { groups }), `${name}.2`));
        const f = r.scale(r.bn(r.dense(f2, `${name}.3`), `${name}.3`), name);
        h = r.act(skip ? h.add(f) : f);
        break;
      }
      case 'highway': {
        // Srivastava et al. 2015: y = H·T + x·(1 − T), T = σ(W_T·x + b_T)
        const H = r.act(r.bn(r.dense(h, `${name}.H`), `${name}.H`));
        const T = tf.sigmoid(r.dense(h, `${name}.T`, { bias: true }));
        h = skip ? H.mul(T).add(h.mul(tf.scalar(1).sub(T))) : H.mul(T);
        break;
      }
      case 'densenet': {
        // Huang et al. 2017: each layer sees the concatenation of all earlier outputs; the
        // plain twin keeps the shapes but feeds zeros in place of the skipped inputs.
        const keep = (t: tf.Tensor2D) => (skip ? t : tf.zerosLike(t));
        const l1 = r.dense(r.act(r.bn(h, `${name}.1`)), `${name}.1`);
        const c1 = tf.concat([keep(h), l1], 1);
        const l2 = r.dense(r.act(r.bn(c1, `${name}.2`)), `${name}.2`);
        const c2 = tf.concat([keep(h), keep(l1), l2], 1);
        h = r.dense(r.act(r.bn(c2, `${name}.t`)), `${name}.transition`);
        break;
      }
    }
  }
  if (preActivation) h = r.act(r.bn(h, 'final'));
  return r.dense(h, 'head', { bias: true });
}

interface Comparison {
  loss: number;
  refLoss: number;
  /** per parameter (and 'input'): max |engine − tf| / max |tf| */
  errors: Map<string, number>;
}

/** Runs the engine (one training forward/backward) and the tf reference on the same numbers. */
function compareWithTf(
  model: Model,
  body: (r: Reference, x: tf.Tensor2D) => tf.Tensor2D,
  n = N,
): Comparison {
  const ours = analyticGradients(model, n, true);
  const dim = model.input.dim;
  let result: Comparison | null = null;
  // tidy disposes every tensor made inside; the numbers leave through `result`
  tf.tidy(() => {
    const paramTensors = model.params.map((p) => tf.tensor1d(Float32Array.from(p.value)));
    const x = tf.tensor2d(Float32Array.from(model.input.value.subarray(0, n * dim)), [n, dim]);
    const f = (...args: tf.Tensor[]): tf.Scalar => {
      const r = new Reference(model, args.slice(0, -1));
      return r.loss(body(r, args[args.length - 1] as tf.Tensor2D), model.labels);
    };
    const { value, grads } = tf.valueAndGrads(f)([...paramTensors, x]);
    const errors = new Map<string, number>();
    const refs = grads.map((g) => g.dataSync());
    // A gradient that is mathematically zero (a bias or a branch scale feeding only batch
    // norms, which ignore shifts and scales) comes out of both implementations as float32
    // rounding noise; relative to itself that noise means nothing. So errors are relative to
    // max(this tensor's largest entry, 1e-2 × the largest gradient of the whole model).
    let globalMax = 0;
    for (const r of refs)
      for (let i = 0; i < r.length; i++) globalMax = Math.max(globalMax, Math.abs(r[i]!));
    const relMax = (engine: ArrayLike<number>, reference: ArrayLike<number>): number => {
      expect(engine.length).toBe(reference.length);
      let diff = 0;
      let scale = 1e-2 * globalMax;
      for (let i = 0; i < reference.length; i++) {
        diff = Math.max(diff, Math.abs(engine[i]! - reference[i]!));
        scale = Math.max(scale, Math.abs(reference[i]!));
      }
      return diff === 0 ? 0 : diff / scale;
    };
    model.params.forEach((p, i) => {
      errors.set(p.name, relMax(ours.params.subarray(p.offset, p.offset + p.size), refs[i]!));
    });
    errors.set('input', relMax(ours.input, refs[refs.length - 1]!));
    result = { loss: ours.loss, refLoss: value.dataSync()[0]!, errors };
  });
  return result!;
}

function expectAgreement(c: Comparison, tol = 1e-4): void {
  expect(Math.abs(c.loss - c.refLoss)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(c.refLoss)));
  const bad = [...c.errors].filter(([, e]) => !(e <= tol));
  expect(bad, `gradients differing from tf.js by more than ${tol} relative`).toEqual([]);
}

function setUp(spec: Partial<ModelSpec>, build?: (b: LayerBuilder, x: Slot) => Slot, n = N): Model {
  const model = new Model(makeSpec(spec), build);
  jitterParams(model, 3, 0.3, spec.norm === 'batch' ? 0 : 0.3);
  model.inputGradient = true;
  fillBatch(model, n);
  return model;
}

describe('the tf.js reference itself', () => {
  it('detects a wrong block: a resnet compared with the preact formula disagrees', () => {
    const model = setUp({ arch: 'resnet', norm: 'batch', activation: 'relu' });
    const c = compareWithTf(model, (r, x) => {
      // the same parameters wired differently: no activation after the addition
      let h = r.act(r.bn(r.dense(x, 'stem', { bias: false }), 'stem'));
      for (let b = 1; b <= model.blocks; b++) {
        const f1 = r.act(r.bn(r.dense(h, `block${b}.1`), `block${b}.1`));
        h = h.add(r.scale(r.bn(r.dense(f1, `block${b}.2`), `block${b}.2`), `block${b}`));
      }
      return r.dense(h, 'head', { bias: true });
    });
    expect(Math.abs(c.loss - c.refLoss)).toBeGreaterThan(1e-3);
  });

  it('fails when the engine has a parameter the reference does not use', () => {
    const model = setUp({ arch: 'resnet', norm: 'none' });
    // The reference below ignores block 2 entirely.
    expect(() =>
      compareWithTf(model, (r, x) => r.dense(r.act(r.dense(x, 'stem')), 'head', { bias: true })),
    ).toThrow();
  });
});

describe('single ops against tf.js', () => {
  it('a dense layer', () => {
    const model = setUp({}, (b, x) => b.dense(x, 3, 'd'));
    expectAgreement(compareWithTf(model, (r, x) => r.dense(x, 'd')));
  });

  it('a grouped dense layer (per-group matMul)', () => {
    const model = setUp({ inputDim: 6 }, (b, x) =>
      b.dense(b.dense(x, 4, 'g', { groups: 2 }), 3, 'head'),
    );
    expectAgreement(
      compareWithTf(model, (r, x) => r.dense(r.dense(x, 'g', { groups: 2 }), 'head')),
    );
  });

  it.each(['relu', 'tanh', 'sigmoid', 'identity'] as const)('activation %s', (fn) => {
    const model = setUp({ activation: fn }, (b, x) =>
      b.dense(b.applyActivation(b.dense(x, 5, 'a'), fn, 'a'), 3, 'head'),
    );
    expectAgreement(compareWithTf(model, (r, x) => r.dense(r.act(r.dense(x, 'a'), fn), 'head')));
  });

  it('batch norm in training mode (moments, biased variance, ε = 1e-5)', () => {
    const model = setUp({ norm: 'batch' }, (b, x) =>
      b.dense(b.applyActivation(b.norm(b.dense(x, 5, 'a'), 'a'), 'tanh', 'a'), 3, 'head'),
    );
    expectAgreement(
      compareWithTf(model, (r, x) => r.dense(r.act(r.bn(r.dense(x, 'a'), 'a'), 'tanh'), 'head')),
    );
  });

  it('batch norm on a nearly constant feature (variance ≪ ε)', () => {
    const model = setUp({ norm: 'batch' }, (b, x) =>
      b.dense(b.norm(b.dense(x, 4, 'a'), 'a'), 3, 'head'),
    );
    // feature 0 of the input is almost constant, and so is layer a's output through column 0
    for (let r = 0; r < N; r++) model.input.value[r * 3] = 1 + 1e-4 * r;
    const w = model.params.find((p) => p.name === 'a.W')!;
    for (let i = 0; i < 4; i++) w.value[4 + i] = w.value[8 + i] = 0;
    expectAgreement(compareWithTf(model, (r, x) => r.dense(r.bn(r.dense(x, 'a'), 'a'), 'head')));
  });
});

describe('losses against tf.js', () => {
  const head = (outputs: number) => (b: LayerBuilder, x: Slot) =>
    b.dense(b.applyActivation(b.dense(x, 5, 'a'), 'tanh', 'a'), outputs, 'head');
  const refHead = (r: Reference, x: tf.Tensor2D) => r.dense(r.act(r.dense(x, 'a'), 'tanh'), 'head');

  it('softmax cross-entropy (4 classes)', () => {
    expectAgreement(compareWithTf(setUp({ classes: 4 }, head(4)), refHead));
  });
  it('sigmoid cross-entropy, one output for two classes', () => {
    expectAgreement(compareWithTf(setUp({ classes: 2, loss: 'sigmoid' }, head(1)), refHead));
  });
  it('sigmoid cross-entropy, one-vs-all over 3 outputs', () => {
    expectAgreement(compareWithTf(setUp({ classes: 3, loss: 'sigmoid' }, head(3)), refHead));
  });
});

describe('block types against tf.js (loss, every parameter gradient, input gradient)', () => {
  const cases: { arch: Arch; norm: 'none' | 'batch'; shortcut: boolean; activation: Act }[] = [];
  for (const arch of ARCHS)
    for (const norm of ['none', 'batch'] as const)
      for (const shortcut of arch === 'plain' ? [false] : [true, false])
        cases.push({ arch, norm, shortcut, activation: 'relu' });
  // one tanh net per arch as well, and the sigmoid loss through a whole network
  for (const arch of ARCHS) cases.push({ arch, norm: 'batch', shortcut: true, activation: 'tanh' });

  it.each(cases)('$arch, norm $norm, shortcut $shortcut, $activation', ({ arch, ...rest }) => {
    const model = setUp({
      arch,
      ...SMALL[arch],
      ...rest,
      depth: SMALL[arch].depth + (arch === 'highway' ? 1 : 0),
    });
    expectAgreement(compareWithTf(model, network));
  });

  it.each(ARCHS)('%s with the sigmoid loss', (arch) => {
    const model = setUp({ arch, ...SMALL[arch], norm: 'batch', classes: 2, loss: 'sigmoid' });
    expectAgreement(compareWithTf(model, network));
  });

  it('resnext with 4 groups', () => {
    const model = setUp({
      arch: 'resnext',
      depth: 8,
      width: 16,
      cardinality: 4,
      norm: 'batch',
      activation: 'relu',
    });
    expectAgreement(compareWithTf(model, network));
  });

  // N = 8 rows is a multiple of the kernels' 4-row unrolling; these take the remainder paths
  it.each([1, 3, 5, 7])('every block type with %i rows (wider layers: 13 features)', (n) => {
    for (const arch of ARCHS) {
      const model = setUp(
        {
          arch,
          ...SMALL[arch],
          width: arch === 'resnext' ? 14 : 13,
          cardinality: 7,
          norm: n === 1 ? 'none' : 'batch',
          maxBatch: 8,
        },
        undefined,
        n,
      );
      expectAgreement(compareWithTf(model, network, n));
    }
  });
});

/*
 * Convolutional networks: the engine's NHWC maps and [kh, kw, cin, cout] weights are tf's own
 * layouts, so tf.conv2d (with the paper's symmetric padding written out: tf's 'same' pads a
 * stride-2 window on an even side asymmetrically), tf.moments over every pixel and the batch
 * (batch norm over channels), a 1×1 stride-2 pooling plus zero channels (option A) and tf.mean over
 * the pixels (global pooling) are an independent implementation of He et al. §4.2.
 */
function conv4(r: Reference, x: tf.Tensor4D, name: string, kernel: number, stride: number) {
  const cin = x.shape[3];
  const w = r.p(`${name}.W`);
  const filter = w.reshape([kernel, kernel, cin, w.size / (kernel * kernel * cin)]) as tf.Tensor4D;
  const pad = Math.floor(kernel / 2);
  let y = tf.conv2d(x, filter, stride, [
    [0, 0],
    [pad, pad],
    [pad, pad],
    [0, 0],
  ]);
  if (r.spec.norm === 'none') y = y.add(r.p(`${name}.b`));
  return y;
}

function bn4(r: Reference, x: tf.Tensor4D, name: string): tf.Tensor4D {
  if (r.spec.norm === 'none') return x;
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  const xhat = x.sub(mean).div(variance.add(BN_EPS).sqrt());
  return xhat.mul(r.p(`${name}.bn.gamma`)).add(r.p(`${name}.bn.beta`));
}

function convNetwork(r: Reference, x2: tf.Tensor2D): tf.Tensor2D {
  const [h0, w0, c0] = r.spec.image!;
  const skip = r.spec.shortcut && r.spec.arch !== 'plain';
  const perStage = r.model.blocks / 3;
  const act4 = (t: tf.Tensor4D) => (r.spec.activation === 'relu' ? tf.relu(t) : tf.tanh(t));
  let h = act4(bn4(r, conv4(r, x2.reshape([-1, h0, w0, c0]), 'stem', 3, 1), 'stem'));
  for (let stage = 1; stage <= 3; stage++)
    for (let i = 1; i <= perStage; i++) {
      const name = `stage${stage}.block${i}`;
      const stride = stage > 1 && i === 1 ? 2 : 1;
      const f1 = act4(bn4(r, conv4(r, h, `${name}.1`, 3, stride), `${name}.1`));
      const f = bn4(r, conv4(r, f1, `${name}.2`, 3, 1), `${name}.2`);
      if (!skip) {
        h = act4(f);
        continue;
      }
      let shortcut = h;
      if (f.shape[3] !== h.shape[3]) {
        if (r.spec.shortcutOption === 'B')
          shortcut = bn4(r, conv4(r, h, `${name}.projection`, 1, stride), `${name}.projection`);
        else {
          // a 1×1 average with stride 2 is the subsampling (tf has no gradient of stridedSlice)
          const sub = tf.avgPool(h, 1, 2, 'valid');
          const c = h.shape[3];
          const extra = f.shape[3] - c;
          const before = Math.floor(extra / 2);
          shortcut = tf.pad(sub, [
            [0, 0],
            [0, 0],
            [0, 0],
            [before, extra - before],
          ]);
        }
      }
      h = act4(shortcut.add(f));
    }
  return r.dense(tf.mean(h, [1, 2]) as tf.Tensor2D, 'head', { bias: true });
}

describe('convolutional networks against tf.js (conv2d, moments over pixels, subsampling)', () => {
  const conv = (over: Partial<ModelSpec>): Partial<ModelSpec> => ({
    model: 'conv',
    image: [7, 5, 2],
    inputDim: 70,
    depth: 8,
    width: 3,
    activation: 'relu',
    ...over,
  });
  for (const norm of ['none', 'batch'] as const)
    for (const [arch, option] of [
      ['plain', 'A'],
      ['resnet', 'A'],
      ['resnet', 'B'],
    ] as const)
      it(`${arch}${arch === 'resnet' ? `, option ${option}` : ''}, norm ${norm}, 7×5×2 maps`, () => {
        const model = setUp(
          conv({ arch, shortcut: arch === 'resnet', shortcutOption: option, norm }),
        );
        expectAgreement(compareWithTf(model, convNetwork), 2e-4);
      });

  it('depth 14 with tanh on odd 9×9×1 maps', () => {
    const model = setUp(
      conv({
        image: [9, 9, 1],
        inputDim: 81,
        depth: 14,
        width: 2,
        activation: 'tanh',
        norm: 'batch',
      }),
      undefined,
      5,
    );
    expectAgreement(compareWithTf(model, convNetwork, 5), 2e-4);
  });
});
