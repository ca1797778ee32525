/**
 * Every backward rule against central finite differences of the loss.
 *
 * The engine computes in float32, so the difference quotient is taken of the float64 loss with a
 * step large enough to rise above float32 noise (1e-2), and Richardson extrapolation removes the
 * curvature error such a step leaves (see tests/helpers/engine.ts). Every parameter coordinate
 * of these small models is checked, and the input gradient too. ReLU networks are checked with
 * the coordinates whose perturbation moves a ReLU input across zero left out.
 */
import { describe, expect, it } from 'vitest';
import type { Act } from '../../src/engine/kernels.ts';
import { ARCHS, type LayerBuilder, Model, type ModelSpec } from '../../src/engine/model.ts';
import { HighwayCombine, Scale } from '../../src/engine/ops.ts';
import type { Slot } from '../../src/engine/tensor.ts';
import {
  analyticGradients,
  builderModel,
  compare,
  fillBatch,
  gradCheck,
  type GradCheckOptions,
  jitterParams,
  makeSpec,
  SMALL,
} from '../helpers/engine.ts';

const N = 8;

interface Setup {
  spec?: Partial<ModelSpec>;
  build?: (b: LayerBuilder, x: Slot) => Slot;
  /** keeps ReLU units of un-normalised nets alive: see jitterParams */
  biasShift?: number;
  /** training forward passes on other batches first, so BN's running statistics are not 0/1 */
  warmRunningStats?: boolean;
  /** rows of the batch (default N) */
  n?: number;
}

function setUp({ spec = {}, build, biasShift = 0, warmRunningStats = false, n = N }: Setup): Model {
  const model = new Model(makeSpec(spec), build);
  jitterParams(model, 3, 0.3, biasShift);
  model.inputGradient = true;
  if (warmRunningStats) {
    for (let s = 0; s < 3; s++) {
      fillBatch(model, N, 100 + s);
      for (let i = 0; i < N * model.input.dim; i++)
        model.input.value[i] = 2 * model.input.value[i]! + 1;
      model.forward(N, true);
    }
  }
  fillBatch(model, n);
  return model;
}

/**
 * Asserts that the analytic gradients of all parameters and of the input match finite
 * differences, that most coordinates were usable, and that the check is not vacuous: every
 * parameter (except those listed in `zero`) gets a non-zero gradient somewhere.
 */
function expectGradients(
  model: Model,
  opts: Omit<GradCheckOptions, 'n'> & { zero?: readonly string[]; n?: number },
): void {
  const n = opts.n ?? N;
  const g = analyticGradients(model, n, opts.training);
  const zero = new Set(opts.zero ?? []);
  for (const p of model.params) {
    let any = false;
    for (let i = 0; i < p.size; i++) any ||= g.params[p.offset + i] !== 0;
    expect(any, `${p.name} has ${any ? 'a non-zero' : 'an all-zero'} gradient`).toBe(
      !zero.has(p.name),
    );
  }
  const r = gradCheck(model, { ...opts, n, input: true }, g);
  const total = model.paramCount + n * model.input.dim;
  expect(
    r.checked,
    `${r.skipped} of ${total} coordinates skipped at ReLU kinks`,
  ).toBeGreaterThanOrEqual(0.75 * total);
  expect(r.maxAbs).toBeGreaterThan(1e-4);
  expect(r.worst, r.worstAt).toBeLessThanOrEqual(1);
  expect(r.relError).toBeLessThan(2e-3);
}

describe('the gradient checker itself', () => {
  it('rejects a gradient with one coordinate 5% off, or with two coordinates swapped', () => {
    const model = setUp({});
    const g = analyticGradients(model, N, true);
    expect(gradCheck(model, { n: N, training: true }, g).worst).toBeLessThanOrEqual(1);
    const head = model.params.find((p) => p.name === 'head.W')!;
    const off = { params: Float64Array.from(g.params), input: g.input };
    off.params[head.offset + 1] = off.params[head.offset + 1]! * 1.05;
    expect(gradCheck(model, { n: N, training: true }, off).worst).toBeGreaterThan(1);
    const swapped = { params: Float64Array.from(g.params), input: g.input };
    swapped.params[head.offset] = g.params[head.offset + 1]!;
    swapped.params[head.offset + 1] = g.params[head.offset]!;
    expect(gradCheck(model, { n: N, training: true }, swapped).worst).toBeGreaterThan(1);
  });

  it('rejects a wrong input gradient', () => {
    const model = setUp({});
    const g = analyticGradients(model, N, true);
    const bad = { params: g.params, input: Float64Array.from(g.input) };
    bad.input[4] = -bad.input[4]!;
    expect(gradCheck(model, { n: N, training: true, input: true }, bad).worst).toBeGreaterThan(1);
  });

  it('skips coordinates whose perturbation crosses a ReLU kink', () => {
    // A big step makes many ReLU inputs change sign; those coordinates must be left out.
    const model = setUp({ spec: { activation: 'relu' } });
    const r = gradCheck(model, { n: N, training: true, eps: 0.5 });
    expect(r.skipped).toBeGreaterThan(0);
    expect(r.checked + r.skipped).toBe(model.paramCount);
  });

  it('compare() measures the relative error of the whole vector', () => {
    expect(compare([1, 2, 3], [1, 2, 3]).relError).toBe(0);
    expect(compare([1, 0], [0, 1]).relError).toBeCloseTo(Math.SQRT2, 12);
  });
});

describe('each op against finite differences', () => {
  it('Dense (x·W + b)', () => {
    const model = setUp({ build: (b, x) => b.dense(x, 3, 'd') });
    expectGradients(model, { training: true });
  });

  it.each([
    [6, 6, 3],
    [6, 4, 2],
    [4, 6, 2],
  ])('grouped Dense: %i → %i features in %i groups', (inDim, outDim, groups) => {
    const model = setUp({
      spec: { inputDim: inDim },
      build: (b, x) => b.dense(b.dense(x, outDim, 'g', { groups }), 3, 'head'),
    });
    expectGradients(model, { training: true });
  });

  it.each(['relu', 'tanh', 'sigmoid', 'identity'] as const)('Activation %s', (fn: Act) => {
    const model = setUp({
      spec: { activation: fn },
      biasShift: fn === 'relu' ? 0.3 : 0,
      build: (b, x) => b.dense(b.applyActivation(b.dense(x, 5, 'a'), fn, 'a'), 3, 'head'),
    });
    expectGradients(model, { training: true });
  });

  const bnBuild = (b: LayerBuilder, x: Slot): Slot =>
    b.dense(b.applyActivation(b.norm(b.dense(x, 5, 'a'), 'a'), 'tanh', 'a'), 3, 'head');

  it('BatchNorm in training mode (batch statistics)', () => {
    const model = setUp({ spec: { norm: 'batch' }, build: bnBuild });
    expect(model.batchNorms).toHaveLength(1);
    expectGradients(model, { training: true });
  });

  it('BatchNorm in evaluation mode (running statistics)', () => {
    const model = setUp({ spec: { norm: 'batch' }, build: bnBuild, warmRunningStats: true });
    const bn = model.batchNorms[0]!;
    expect(Array.from(bn.runningMean).every((v) => v !== 0)).toBe(true);
    expectGradients(model, { training: false });
  });

  it('Scale (per-feature)', () => {
    const model = setUp({
      build: (b, x) => {
        const m = builderModel(b);
        const h = b.dense(x, 4, 'a');
        const s = m.param('s', 4, 'scale', { kind: 'constant', value: 1 });
        const y = m.slot('s.out', 4);
        m.ops.push(new Scale(m.k, h, y, s));
        return b.dense(y, 3, 'head');
      },
    });
    expectGradients(model, { training: true });
  });

  it('Add of two branches, and of a value with itself', () => {
    const two = setUp({
      build: (b, x) => b.dense(b.add(b.dense(x, 4, 'a'), b.dense(x, 4, 'b'), 'sum'), 3, 'head'),
    });
    expectGradients(two, { training: true });
    const self = setUp({
      build: (b, x) => {
        const h = b.dense(x, 4, 'a');
        return b.dense(b.add(h, h, 'twice'), 3, 'head');
      },
    });
    expectGradients(self, { training: true });
  });

  it('Concat, with and without a cut input', () => {
    const build = (cut: boolean[]) => (b: LayerBuilder, x: Slot) => {
      const h1 = b.applyActivation(b.dense(x, 3, 'a'), 'tanh', 'a');
      const h2 = b.applyActivation(b.dense(x, 2, 'b'), 'tanh', 'b');
      return b.dense(b.concat([h1, x, h2], cut, 'cat'), 3, 'head');
    };
    expectGradients(setUp({ build: build([false, false, false]) }), { training: true });
    // The cut input contributes zeros: its layer gets exactly zero gradient, and finite
    // differences agree (the loss does not depend on it).
    expectGradients(setUp({ build: build([true, false, false]) }), {
      training: true,
      zero: ['a.W', 'a.b'],
    });
  });

  for (const carry of [true, false]) {
    it(`HighwayCombine ${carry ? 'with' : 'without'} the carry`, () => {
      const model = setUp({
        build: (b, x) => {
          const m = builderModel(b);
          const base = b.dense(x, 4, 'x');
          const h = b.applyActivation(b.dense(base, 4, 'H'), 'tanh', 'H');
          const t = b.applyActivation(b.dense(base, 4, 'T'), 'sigmoid', 'T');
          const y = m.slot('hw.out', 4);
          m.ops.push(new HighwayCombine(h, t, base, y, carry));
          return b.dense(y, 3, 'head');
        },
      });
      expectGradients(model, { training: true });
    });
  }
});

describe('losses against finite differences', () => {
  const head = (outputs: number) => (b: LayerBuilder, x: Slot) =>
    b.dense(b.applyActivation(b.dense(x, 5, 'a'), 'tanh', 'a'), outputs, 'head');

  it('softmax cross-entropy with 4 classes', () => {
    const model = setUp({ spec: { classes: 4 }, build: head(4) });
    expectGradients(model, { training: true });
  });

  it('sigmoid cross-entropy with one output (two classes)', () => {
    const model = setUp({ spec: { classes: 2, loss: 'sigmoid' }, build: head(1) });
    expect(model.logits.dim).toBe(1);
    expectGradients(model, { training: true });
  });

  it('sigmoid cross-entropy, one-vs-all over 3 outputs', () => {
    const model = setUp({ spec: { classes: 3, loss: 'sigmoid' }, build: head(3) });
    expectGradients(model, { training: true });
  });

  it('sigmoid cross-entropy with large logits stays finite and correct', () => {
    const model = setUp({ spec: { classes: 3, loss: 'sigmoid' }, build: head(3) });
    const w = model.params.find((p) => p.name === 'head.W')!;
    for (let i = 0; i < w.size; i++) w.value[i] = w.value[i]! * 20;
    expectGradients(model, { training: true, eps: 2e-3 });
  });
});

describe('every block type against finite differences (with the input gradient)', () => {
  for (const arch of ARCHS) {
    for (const norm of ['none', 'batch'] as const) {
      for (const shortcut of arch === 'plain' ? [false] : [true, false]) {
        const name = `${arch}, norm ${norm}, shortcut ${shortcut ? 'on' : 'off'}`;
        it(`${name}, tanh`, () => {
          const model = setUp({ spec: { arch, ...SMALL[arch], norm, shortcut } });
          expectGradients(model, { training: true });
        });
        it(`${name}, relu (kinks skipped)`, () => {
          const model = setUp({
            spec: { arch, ...SMALL[arch], norm, shortcut, activation: 'relu' },
            biasShift: norm === 'none' ? 0.5 : 0,
          });
          expectGradients(model, { training: true, eps: 4e-3 });
        });
      }
    }
  }

  it.each(ARCHS)('%s with batch norm in evaluation mode', (arch) => {
    const model = setUp({
      spec: { arch, ...SMALL[arch], norm: 'batch' },
      warmRunningStats: true,
    });
    expectGradients(model, { training: false });
  });

  it.each(ARCHS)('%s with the sigmoid loss on two classes', (arch) => {
    const model = setUp({
      spec: { arch, ...SMALL[arch], norm: 'batch', classes: 2, loss: 'sigmoid' },
    });
    expect(model.logits.dim).toBe(1);
    expectGradients(model, { training: true });
  });
});

describe("odd batch sizes (the kernels' remainder loops)", () => {
  // N = 8 is a multiple of the kernels' 4-row unrolling; 1, 3, 5 and 7 rows take the remainder
  // paths of gemmNN (rows of the batch) as well.
  for (const n of [1, 3, 5, 7]) {
    it.each(['resnet', 'bottleneck', 'highway', 'densenet', 'resnext'] as const)(
      `%s with ${n} row${n > 1 ? 's' : ''}`,
      (arch) => {
        const norm = n === 1 ? 'none' : 'batch';
        const model = setUp({ spec: { arch, ...SMALL[arch], norm }, n });
        // with 3–7 rows some batch-norm features have a tiny batch variance, where the loss
        // curves sharply: a smaller step keeps the difference quotient in its linear range
        expectGradients(model, { training: true, n, eps: 1e-3 });
      },
    );
  }
});
