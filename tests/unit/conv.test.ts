/**
 * The engine's convolutional networks (issue 15): every new op against finite differences on
 * odd sizes, both kernel paths, the CIFAR family's structure and parameter counts against the
 * architecture counter (`resnet-lab arch`), no allocation in a step, and the interventions the
 * studies use.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { analyzeArch } from '../../src/arch/index.ts';
import { convDepthError } from '../../src/engine/choices.ts';
import type { KernelPath } from '../../src/engine/choices.ts';
import * as K from '../../src/engine/kernels.ts';
import { type LayerBuilder, Model, type ModelSpec } from '../../src/engine/model.ts';
import { Conv2d, GlobalAvgPool, SubsamplePad, windowsAlong } from '../../src/engine/ops.ts';
import { Optimizer } from '../../src/engine/optim.ts';
import type { Slot } from '../../src/engine/tensor.ts';
import { loadDigitsAsset } from '../../src/cli/files.ts';
import { type TrainEvent, TrainingRun } from '../../src/experiments/train.ts';
import { countAllocations } from '../helpers/alloc.ts';
import {
  analyticGradients,
  builderModel,
  fillBatch,
  gradCheck,
  jitterParams,
  makeSpec,
} from '../helpers/engine.ts';

const N = 6;

/** A convnet spec over `image` maps (NHWC). */
function convSpec(over: Partial<ModelSpec> = {}): ModelSpec {
  const image = over.image ?? [6, 5, 2];
  return makeSpec({
    model: 'conv',
    image,
    inputDim: image[0] * image[1] * image[2],
    arch: 'resnet',
    depth: 8,
    width: 2,
    activation: 'tanh',
    maxBatch: 8,
    ...over,
  });
}

function setUp(spec: ModelSpec, build?: (b: LayerBuilder, x: Slot) => Slot, n = N): Model {
  const model = new Model(spec, build);
  jitterParams(model, 3, 0.3, spec.norm === 'none' && spec.activation === 'relu' ? 0.3 : 0);
  model.inputGradient = true;
  fillBatch(model, n);
  return model;
}

/** Gradients of every parameter and the input against central differences (kinks skipped). */
function expectGradients(model: Model, training = true, n = N): void {
  const g = analyticGradients(model, n, training);
  const r = gradCheck(model, { n, training, input: true, eps: 4e-3 }, g);
  const total = model.paramCount + n * model.input.dim;
  expect(r.checked).toBeGreaterThanOrEqual(0.75 * total);
  expect(r.maxAbs).toBeGreaterThan(0);
  expect(r.worst, r.worstAt).toBeLessThanOrEqual(1);
}

describe('convolution ops against finite differences (odd sizes)', () => {
  const map = (h: number, w: number, c: number) => ({ h, w, c });
  it.each([
    // h, w, c, cOut, kernel, stride, groups
    [5, 5, 2, 3, 3, 1, 1],
    [7, 4, 3, 2, 3, 2, 1],
    [6, 6, 4, 4, 3, 1, 2],
    [5, 3, 3, 4, 1, 2, 1],
    [4, 5, 3, 2, 1, 1, 1],
  ])(
    'conv on %i×%i×%i → %i channels, kernel %i, stride %i, groups %i',
    (h, w, c, cOut, kernel, stride, groups) => {
      for (const kernels of ['ts', 'wasm'] as KernelPath[]) {
        const model = setUp(makeSpec({ inputDim: h * w * c, kernels, norm: 'none' }), (b, x) => {
          const out = b.conv(x, map(h, w, c), cOut, kernel, stride, 'c', true, groups);
          expect(out.map.h).toBe(windowsAlong(h, kernel, stride, Math.floor(kernel / 2)));
          return b.dense(b.applyActivation(out.y, 'tanh', 'c'), 3, 'head');
        });
        expectGradients(model);
      }
    },
  );

  it.each([true, false])('batch norm over channels (training: %s)', (training) => {
    const model = setUp(makeSpec({ inputDim: 5 * 3 * 2, norm: 'batch' }), (b, x) => {
      const out = b.conv(x, map(5, 3, 2), 3, 3, 1, 'c');
      return b.dense(b.applyActivation(b.norm(out.y, 'c', 3), 'tanh', 'c'), 3, 'head');
    });
    if (!training) {
      // running statistics away from 0 and 1 first
      for (let s = 0; s < 3; s++) {
        fillBatch(model, N, 50 + s);
        model.forward(N, true);
      }
      fillBatch(model, N);
      expect(Array.from(model.batchNorms[0]!.runningMean).every((v) => v !== 0)).toBe(true);
    }
    expect(model.batchNorms[0]!.features).toBe(3);
    expectGradients(model, training);
  });

  it('global average pooling and option A subsampling', () => {
    const model = setUp(makeSpec({ inputDim: 7 * 5 * 2 }), (b, x) => {
      const m = builderModel(b);
      const shape = { h: 7, w: 5, c: 2, kh: 1, kw: 1, stride: 2, pad: 0, ho: 4, wo: 3 };
      const sub = m.slot('sub', 4 * 3 * 4, [4, 3, 4]);
      b.push(new SubsamplePad(m.k, x, sub, shape, 4), 'sub');
      const t = b.applyActivation(sub, 'tanh', 'sub');
      const pooled = m.slot('pooled', 4);
      b.push(new GlobalAvgPool(m.k, t, pooled), 'pool');
      return b.dense(pooled, 3, 'head');
    });
    expectGradients(model);
  });
});

describe('the CIFAR family (He et al. §4.2) against finite differences', () => {
  for (const kernels of ['ts', 'wasm'] as KernelPath[])
    for (const norm of ['none', 'batch'] as const)
      for (const [arch, option] of [
        ['plain', 'A'],
        ['resnet', 'A'],
        ['resnet', 'B'],
      ] as const)
        it(`${kernels}: ${arch}${arch === 'resnet' ? ` option ${option}` : ''}, norm ${norm}, relu`, () => {
          const model = setUp(
            convSpec({
              arch,
              shortcut: arch === 'resnet',
              shortcutOption: option,
              norm,
              kernels,
              activation: 'relu',
            }),
          );
          expectGradients(model);
        });

  it('with batch norm in evaluation mode, on 7×7×1 maps and 5 rows', () => {
    const model = setUp(convSpec({ image: [7, 7, 1], norm: 'batch' }), undefined, 5);
    for (let s = 0; s < 2; s++) {
      fillBatch(model, 5, 70 + s);
      model.forward(5, true);
    }
    fillBatch(model, 5);
    expectGradients(model, false, 5);
  });
});

describe('the CIFAR family: structure', () => {
  const cifar = (depth: number, option: 'A' | 'B' = 'A', arch: 'plain' | 'resnet' = 'resnet') =>
    convSpec({
      image: [32, 32, 3],
      width: 16,
      depth,
      classes: 10,
      norm: 'batch',
      activation: 'relu',
      shortcutOption: option,
      arch,
      shortcut: arch === 'resnet',
    });

  it.each([20, 32, 44, 56, 110])(
    'ResNet-%i on 32×32×3 with 16/32/64 channels has the parameters resnet-lab arch counts (A and B)',
    (depth) => {
      const n = (depth - 2) / 6;
      for (const shortcut of ['A', 'B'] as const) {
        const counted = analyzeArch({ family: 'cifar-resnet', n, shortcut, numClasses: 10 });
        expect(Model.footprint(cifar(depth, shortcut)).params).toBe(counted.params);
      }
      // the plain twin has the same weight layers as the option-A net (A adds no parameters)
      expect(Model.footprint(cifar(depth, 'A', 'plain')).params).toBe(
        Model.footprint(cifar(depth)).params,
      );
    },
  );

  it('ResNet-20: 269,722 parameters, 41 M multiply-adds, 20 weight layers, maps 32 → 16 → 8', () => {
    const model = new Model({ ...cifar(20), maxBatch: 2 });
    expect(model.paramCount).toBe(269_722);
    expect(Math.round(Model.footprint(cifar(20)).macsPerExample / 1e6)).toBe(41);
    expect(model.depth).toBe(20);
    expect(model.blocks).toBe(9);
    const shapes = model.blockInfo.map((b) => b.output!.shape.join('×'));
    expect(shapes.slice(0, 3)).toEqual(['32×32×16', '32×32×16', '32×32×16']);
    expect(shapes[3]).toBe('16×16×32');
    expect(shapes[8]).toBe('8×8×64');
    expect(model.blockInfo[3]!.name).toBe('stage2.block1');
  });

  it('on 14×14 digits the maps are 14, 7, 4 (padding 1, stride 2)', () => {
    const model = new Model(convSpec({ image: [14, 14, 1], depth: 8, width: 8, norm: 'batch' }));
    expect(model.blockInfo.map((b) => b.output!.shape[0])).toEqual([14, 7, 4]);
    expect(model.blockInfo.map((b) => b.output!.shape[2])).toEqual([8, 16, 32]);
  });

  it('the graph names the new kinds with their shapes and settings', () => {
    const graph = new Model(convSpec({ norm: 'batch' })).graph();
    const kinds = new Set(graph.nodes.map((n) => n.kind));
    for (const k of ['conv', 'pool', 'subsample', 'batchnorm', 'add'] as const)
      expect(kinds.has(k)).toBe(true);
    const stem = graph.nodes.find((n) => n.name === 'stem')!;
    expect(stem.attributes).toEqual({ kernel: 3, stride: 1, padding: 1 });
    expect(graph.tensors.find((t) => t.name === 'stem.out')!.shape).toEqual([6, 5, 2]);
    expect(graph.shortcuts.length).toBe(3);
  });

  it('rejects what it cannot build, with the reason', () => {
    expect(() => new Model(convSpec({ depth: 10 }))).toThrow(/6n \+ 2.*nearest valid: 8 or 14/);
    expect(() => new Model(convSpec({ arch: 'densenet' }))).toThrow(/plain or resnet/);
    expect(() => new Model({ ...convSpec(), image: [6, 6, 2] })).toThrow(
      /does not hold the 60 inputs/,
    );
    expect(() => new Model({ ...convSpec(), image: undefined })).toThrow(/input map/);
    expect(convDepthError(56)).toBeNull();
    expect(convDepthError(7)).toMatch(/nearest valid: 8/);
  });

  it('zero-γ: with residualInit zero every block starts as the identity on its shortcut', () => {
    const model = new Model(
      convSpec({ norm: 'batch', residualInit: 'zero', image: [6, 6, 1], inputDim: 36 }),
    );
    fillBatch(model, N);
    model.forward(N, true);
    const first = model.blockInfo[0]!;
    // block 1 keeps its shape: out = act(x + 0) = x for x ≥ 0 after the stem's ReLU… with tanh: tanh(x)
    const x = first.input.value;
    const y = first.output!.value;
    for (let i = 0; i < N * first.input.dim; i++) expect(y[i]).toBeCloseTo(Math.tanh(x[i]!), 6);
  });

  it('landscape filters: one per output channel of each convolution, covering every weight', () => {
    const model = new Model(convSpec());
    const filters = model.filters();
    const convs = model.ops.filter((op): op is Conv2d => op instanceof Conv2d);
    const convFilters = filters.filter((f) => convs.some((c) => c.weight.name === f.param));
    expect(convFilters.length).toBe(convs.reduce((s, c) => s + c.cOut, 0));
    const covered = new Set<number>();
    for (const f of convFilters)
      for (let i = 0; i < f.count; i++) covered.add(f.start + i * f.stride);
    expect(covered.size).toBe(convs.reduce((s, c) => s + c.weight.size, 0));
  });

  it('lesions: a residual block can lose its branch, a plain block of the same shape be bypassed', () => {
    const res = new Model(convSpec({ norm: 'batch' }));
    fillBatch(res, N);
    const before = Float32Array.from(res.forward(N, false).value.subarray(0, N * 3));
    res.lesion(0, true);
    const info = res.blockInfo[0]!;
    res.forward(N, false);
    // branch off: the block's output is act(x)
    for (let i = 0; i < 10; i++)
      expect(info.output!.value[i]).toBeCloseTo(Math.tanh(info.input.value[i]!), 6);
    res.clearLesions();
    expect(Array.from(res.forward(N, false).value.subarray(0, N * 3))).toEqual(Array.from(before));
    const plain = new Model(convSpec({ arch: 'plain', shortcut: false }));
    expect(() => plain.lesion(0, true)).not.toThrow();
    expect(() => plain.lesion(1, true)).toThrow(/differ in width/);
  });
});

describe('a convolutional training step allocates nothing', () => {
  afterEach(() => vi.restoreAllMocks());
  for (const kernels of ['ts', 'wasm'] as KernelPath[])
    it(`${kernels}: 10 steps of computeGradients + momentum`, () => {
      const model = new Model(
        convSpec({ kernels, norm: 'batch', activation: 'relu', shortcutOption: 'B', maxBatch: 8 }),
      );
      const opt = Optimizer.forModel(model, { kind: 'momentum', momentum: 0.9, weightDecay: 1e-4 });
      fillBatch(model, 8);
      model.computeGradients(8);
      const n = countAllocations(() => {
        for (let s = 0; s < 10; s++) {
          model.computeGradients(s % 2 ? 8 : 5);
          opt.step(0.05);
        }
      });
      expect(n).toBe(0);
    });
});

describe('the kernel paths agree', () => {
  it('ts and wasm give the same loss and gradients to float32 rounding', () => {
    const spec = convSpec({ norm: 'batch', activation: 'relu', image: [7, 7, 2], inputDim: 98 });
    const [a, b] = (['ts', 'wasm'] as const).map((kernels) => {
      const m = new Model({ ...spec, kernels });
      fillBatch(m, N);
      return analyticGradients(m, N, true);
    });
    expect(Math.abs(a!.loss - b!.loss)).toBeLessThan(1e-5);
    let worst = 0;
    let scale = 0;
    for (let i = 0; i < a!.params.length; i++) {
      worst = Math.max(worst, Math.abs(a!.params[i]! - b!.params[i]!));
      scale = Math.max(scale, Math.abs(a!.params[i]!));
    }
    expect(worst / scale).toBeLessThan(1e-4);
  });

  it('im2col then col2im is the adjoint pair: <im2col(x), c> = <x, col2im(c)>', () => {
    const s = { h: 5, w: 4, c: 3, kh: 3, kw: 3, stride: 2, pad: 1, ho: 3, wo: 2 };
    const n = 2;
    const x = Float32Array.from({ length: n * 60 }, (_, i) => Math.sin(i));
    const c = Float32Array.from({ length: n * 6 * 27 }, (_, i) => Math.cos(i));
    const cols = new Float32Array(c.length);
    K.im2col(n, s, 0, 3, x, cols);
    const back = new Float32Array(x.length);
    K.col2imAdd(n, s, 0, 3, c, back);
    let left = 0;
    let right = 0;
    for (let i = 0; i < c.length; i++) left += cols[i]! * c[i]!;
    for (let i = 0; i < x.length; i++) right += x[i]! * back[i]!;
    expect(left).toBeCloseTo(right, 4);
  });
});

describe('a seeded outcome at a small budget: the degradation problem with real convolutions', () => {
  it('on the digits, plain-20 ends worse than plain-8, and ResNet-20 below plain-20', () => {
    const digits = loadDigitsAsset(14, () => {});
    // the paper's init (no zero-γ), narrow and short so that it stays a unit test
    const config = {
      model: 'conv',
      dataset: 'digits',
      samples: 1000,
      width: 4,
      batch: 16,
      steps: 300,
      residualInit: 'one',
      norm: 'batch',
      seed: 1,
    };
    // the training loss as the curves show it: batch statistics, the mean of the last 50 steps
    const finalLoss = (arch: string, depth: number): number => {
      const events: TrainEvent[] = [...new TrainingRun({ ...config, arch, depth }, { digits })];
      expect(events.at(-1)?.type).toBe('done');
      const steps = events.filter((e) => e.type === 'step' && e.step > 250);
      expect(steps.length).toBe(5);
      return steps.reduce((sum, e) => sum + (e.type === 'step' ? e.loss : 0), 0) / steps.length;
    };
    const plain8 = finalLoss('plain', 8);
    const plain20 = finalLoss('plain', 20);
    const resnet20 = finalLoss('resnet', 20);
    // recorded: plain-8 0.354, plain-20 0.736, ResNet-20 0.331 (in evaluation mode, with the
    // running statistics still lagging at 300 steps, plain-8 reads 0.598 and plain-20 0.460:
    // the comparison is made on the loss being trained, as He et al.'s Figure 1 does)
    expect(plain20).toBeGreaterThan(plain8 * 1.5);
    expect(resnet20).toBeLessThan(plain20 * 0.75);
  });
});
