/**
 * The engine's structural promises: zero-initialised residual branches are exact identities,
 * deep residual nets keep their signal, plain twins share every weight, depths and parameter
 * counts are as documented, a training step allocates nothing, and the optimizers, schedules,
 * batch norm's evaluation mode and the per-layer statistics do what they say.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { countAllocations } from '../helpers/alloc.ts';
import {
  type Arch,
  ARCHS,
  blocksForDepth,
  depthError,
  Model,
  type ModelSpec,
} from '../../src/engine/model.ts';
import * as K from '../../src/engine/kernels.ts';
import { BatchNorm, Dense } from '../../src/engine/ops.ts';
import { Rng } from '../../src/engine/rng.ts';
import { learningRate, Optimizer, type OptimizerOptions } from '../../src/engine/optim.ts';
import type { Slot } from '../../src/engine/tensor.ts';
import {
  fillBatch,
  jitterParams,
  makeSpec,
  paramByName,
  slotByName,
  slotStd,
  SMALL,
} from '../helpers/engine.ts';

const relu = (over: Partial<ModelSpec>): ModelSpec =>
  makeSpec({ activation: 'relu', residualInit: 'zero', ...over });

const sameBits = (a: Float32Array, b: Float32Array): boolean =>
  a.length === b.length &&
  Buffer.compare(
    new Uint8Array(a.buffer, a.byteOffset, a.byteLength),
    new Uint8Array(b.buffer, b.byteOffset, b.byteLength),
  ) === 0;

/** Output slot of the last block: the head's input, or (pre-activation) the last addition. */
function lastBlockOutput(model: Model): Slot {
  if (model.spec.arch === 'preact') return slotByName(model, `block${model.blocks}.sum`);
  const head = model.ops.find(
    (op): op is Dense => op instanceof Dense && op.weight.name === 'head.W',
  );
  return head!.x;
}

describe('a residual block whose last scale is zero is exactly the identity', () => {
  const cases: [Arch, number, number][] = [
    ['resnet', 8, 6],
    ['preact', 8, 6],
    ['bottleneck', 11, 8],
    ['resnext', 11, 8],
  ];
  for (const [arch, depth, width] of cases) {
    for (const norm of ['none', 'batch'] as const) {
      it(`${arch}, norm ${norm}: every block's output equals its input, bit for bit`, () => {
        const model = new Model(relu({ arch, depth, width, norm, maxBatch: 16 }));
        expect(model.blocks).toBe(3);
        fillBatch(model, 16);
        model.forward(16, true);
        const len = 16 * width;
        const stem = model.blockInputs[0]!.value.subarray(0, len);
        expect(slotStd(model.blockInputs[0]!, 16)).toBeGreaterThan(0);
        for (const x of model.blockInputs)
          expect(sameBits(x.value.subarray(0, len), stem)).toBe(true);
        expect(sameBits(lastBlockOutput(model).value.subarray(0, len), stem)).toBe(true);
      });
    }
  }

  it('with residualInit one the same blocks are not the identity (the check can fail)', () => {
    for (const [arch, depth, width] of cases) {
      const model = new Model(relu({ arch, depth, width, residualInit: 'one', maxBatch: 16 }));
      fillBatch(model, 16);
      model.forward(16, true);
      const len = 16 * width;
      const stem = model.blockInputs[0]!.value.subarray(0, len);
      expect(sameBits(lastBlockOutput(model).value.subarray(0, len), stem)).toBe(false);
    }
  });
});

describe('forward signal at depth 110', () => {
  const ratio = (spec: ModelSpec): number => {
    const model = new Model(spec);
    fillBatch(model, 32);
    model.forward(32, true);
    return slotStd(lastBlockOutput(model), 32) / slotStd(model.blockInputs[0]!, 32);
  };
  const deep = (over: Partial<ModelSpec>) =>
    relu({ depth: 110, width: 16, inputDim: 2, classes: 2, maxBatch: 32, ...over });

  for (const arch of ['resnet', 'preact', 'bottleneck'] as const) {
    for (const norm of ['none', 'batch'] as const) {
      it(`${arch}, norm ${norm}, residualInit zero: last block output within ×3 of the stem's`, () => {
        const r = ratio(deep({ arch, norm }));
        expect(r).toBeGreaterThan(1 / 3);
        expect(r).toBeLessThan(3);
      });
    }
  }

  it('resnet, no norm, residualInit one: the signal explodes (ratio > 1e3)', () => {
    const r = ratio(deep({ arch: 'resnet', norm: 'none', residualInit: 'one' }));
    expect(r).toBeGreaterThan(1e3);
    expect(Number.isFinite(r)).toBe(true);
  });
});

describe('plain twins', () => {
  const twins: [ModelSpec, ModelSpec][] = [
    [relu({ arch: 'plain', depth: 20, width: 8 }), relu({ arch: 'resnet', depth: 20, width: 8 })],
    ...ARCHS.filter((a) => a !== 'plain').map((arch): [ModelSpec, ModelSpec] => [
      relu({ arch, ...SMALL[arch], norm: 'batch', shortcut: false }),
      relu({ arch, ...SMALL[arch], norm: 'batch', shortcut: true }),
    ]),
  ];
  it.each(twins)(
    '$arch (shortcut $shortcut) and its residual twin: same parameters, same initial weights',
    (a, b) => {
      const plain = new Model(a);
      const res = new Model(b);
      expect(plain.paramCount).toBe(res.paramCount);
      expect(plain.params.map((p) => [p.name, p.size, p.role])).toEqual(
        res.params.map((p) => [p.name, p.size, p.role]),
      );
      expect(plain.depth).toBe(res.depth);
      let scales = 0;
      for (let k = 0; k < plain.params.length; k++) {
        const p = plain.params[k]!;
        const q = res.params[k]!;
        if (p.role === 'scale') {
          // the branch scales: 1 in the plain twin (else its signal would be cut), 0 with the skip
          scales++;
          expect(Array.from(p.value).every((v) => v === 1)).toBe(true);
          expect(Array.from(q.value).every((v) => v === 0)).toBe(true);
        } else {
          expect(sameBits(p.value, q.value), p.name).toBe(true);
        }
      }
      const hasScale = ['plain', 'resnet', 'preact', 'bottleneck', 'resnext'].includes(b.arch);
      expect(scales).toBe(hasScale ? res.blocks : 0);
    },
  );
});

describe('depth', () => {
  it('two-layer blocks: 8, 20, 32, 44, 56, 110 are valid (6n+2 among them)', () => {
    for (const arch of ['plain', 'resnet', 'preact'] as const) {
      for (const depth of [8, 20, 32, 44, 56, 110]) {
        expect(depthError(arch, depth)).toBeNull();
        expect(blocksForDepth(arch, depth)).toBe((depth - 2) / 2);
        expect(new Model(relu({ arch, depth, width: 4 })).depth).toBe(depth);
      }
    }
  });

  it('three-layer blocks: 164 and 1001 bottlenecks (9n+2), 110 is 36 blocks', () => {
    expect(blocksForDepth('bottleneck', 164)).toBe(54);
    expect(blocksForDepth('bottleneck', 1001)).toBe(333);
    expect(blocksForDepth('resnext', 110)).toBe(36);
    expect(blocksForDepth('densenet', 20)).toBe(6);
    expect(blocksForDepth('highway', 10)).toBe(8);
    for (const arch of ARCHS) {
      const depth =
        arch === 'highway'
          ? 7
          : arch === 'resnet' || arch === 'plain' || arch === 'preact'
            ? 8
            : 11;
      const model = new Model(relu({ arch, depth, width: 8, cardinality: 2 }));
      expect(model.depth, arch).toBe(depth);
    }
  });

  it('an invalid depth names the nearest valid ones', () => {
    expect(depthError('resnet', 57)).toMatch(/nearest valid: 56 or 58$/);
    expect(depthError('plain', 21)).toMatch(/nearest valid: 20 or 22$/);
    expect(depthError('bottleneck', 55)).toMatch(/nearest valid: 53 or 56$/);
    expect(depthError('bottleneck', 54)).toMatch(/nearest valid: 53 or 56$/);
    expect(depthError('densenet', 21)).toMatch(/nearest valid: 20 or 23$/);
    expect(depthError('resnext', 111)).toMatch(/nearest valid: 110 or 113$/);
    expect(depthError('resnet', 57)).toContain('57 is not a valid depth for resnet blocks');
    expect(depthError('resnet', 57)).toContain('2 + 2·blocks');
  });

  it('below the smallest net, the smallest valid depth is named', () => {
    expect(depthError('resnet', 3)).toMatch(/nearest valid: 4$/);
    expect(depthError('resnet', 2)).toMatch(/nearest valid: 4$/);
    expect(depthError('resnet', 1)).toMatch(/nearest valid: 4$/);
    expect(depthError('resnet', 0)).toMatch(/nearest valid: 4$/);
    expect(depthError('bottleneck', 3)).toMatch(/nearest valid: 5$/);
    expect(depthError('highway', 2)).toMatch(/nearest valid: 3$/);
  });

  it('the Model refuses an invalid depth with that message', () => {
    expect(() => new Model(relu({ arch: 'resnet', depth: 57 }))).toThrow(/depth: .*56 or 58/);
  });
});

describe('parameter counts, by hand', () => {
  const count = (over: Partial<ModelSpec>) =>
    new Model(relu({ inputDim: 2, classes: 2, ...over })).paramCount;

  it('resnet, depth 8 (3 blocks), width 4, 2-D input, 2 classes, batch norm', () => {
    // stem: W 2·4 = 8 (no bias before BN) + BN γ,β 2·4 = 8                      →  16
    // block ×3: W₁ 4·4 = 16 + BN 8 + W₂ 16 + BN 8 + branch scale 4 = 52         → 156
    // head: W 4·2 = 8 + b 2                                                       →  10
    expect(count({ arch: 'resnet', depth: 8, width: 4, norm: 'batch' })).toBe(16 + 156 + 10);
  });

  it('resnet, the same without norm: every layer has a bias instead', () => {
    // stem 8 + 4; block ×3: (16 + 4) + (16 + 4) + 4 = 44; head 10  → 12 + 132 + 10
    expect(count({ arch: 'resnet', depth: 8, width: 4, norm: 'none' })).toBe(154);
    // the plain net of the same depth has the same count (its branch scales are fixed at 1 but
    // still parameters, so the twins stay comparable)
    expect(count({ arch: 'plain', depth: 8, width: 4, norm: 'none' })).toBe(154);
  });

  it('preact, depth 4 (1 block), width 4, batch norm', () => {
    // stem: W 8, no bias (the block's BN follows); block: BN 8 + W 16 + BN 8 + W 16 + scale 4
    // = 52; final BN 8; head 10
    expect(count({ arch: 'preact', depth: 4, width: 4, norm: 'batch' })).toBe(8 + 52 + 8 + 10);
  });

  it('bottleneck, depth 5 (1 block), width 8 (inner 2), batch norm', () => {
    // stem 2·8 + BN 16 = 32; block: 8·2 + BN 4, 2·2 + BN 4, 2·8 + BN 16, scale 8 = 68; head 18
    expect(count({ arch: 'bottleneck', depth: 5, width: 8, norm: 'batch' })).toBe(32 + 68 + 18);
  });

  it('resnext, depth 5, width 8 (inner 4), cardinality 2, batch norm', () => {
    // stem 32; block: 8·4 + BN 8, grouped 2·(2·2) = 8 + BN 8, 4·8 + BN 16, scale 8 = 112; head 18
    expect(count({ arch: 'resnext', depth: 5, width: 8, cardinality: 2, norm: 'batch' })).toBe(
      32 + 112 + 18,
    );
  });

  it('highway, depth 3 (1 block), width 4, no norm', () => {
    // stem 2·4 + 4 = 12; H: 16 + 4; gate T: 16 + 4 (not counted in depth); head 10
    expect(count({ arch: 'highway', depth: 3, width: 4, norm: 'none' })).toBe(12 + 20 + 20 + 10);
  });

  it('densenet, depth 5 (1 block), width 4, growth 2, batch norm', () => {
    // stem 2·4 = 8, no bias (the block's BN follows); block: BN(4) 8, W 4·2 = 8; BN(6) 12, W 6·2 = 12; BN(8) 16,
    // transition W 8·4 = 32; final BN 8; head 10
    expect(count({ arch: 'densenet', depth: 5, width: 4, growthRate: 2, norm: 'batch' })).toBe(
      8 + 8 + 8 + 12 + 12 + 16 + 32 + 8 + 10,
    );
  });

  it('sigmoid loss on two classes has one output', () => {
    const m = new Model(relu({ arch: 'resnet', depth: 4, width: 4, classes: 2, loss: 'sigmoid' }));
    expect(m.logits.dim).toBe(1);
    const s = new Model(relu({ arch: 'resnet', depth: 4, width: 4, classes: 3, loss: 'sigmoid' }));
    expect(s.logits.dim).toBe(3);
  });
});

describe('a training step allocates nothing', () => {
  const allocations = countAllocations;

  afterEach(() => vi.restoreAllMocks());

  it('the detector sees allocations', () => {
    expect(allocations(() => new Float32Array(3))).toBe(1);
    expect(allocations(() => new Float64Array(3).subarray(1))).toBe(2);
    // building a model lays out its buffers: views into its arena (the snapshot of the update
    // ratio, allocated lazily here before, now lives there too)
    expect(allocations(() => new Model(relu({})))).toBeGreaterThan(0);
    const model = new Model(relu({}));
    expect(allocations(() => model.snapshotParams())).toBe(0);
  });

  for (const arch of ARCHS) {
    it(`${arch}: 20 steps of computeGradients + optimizer.step`, () => {
      const model = new Model(relu({ arch, ...SMALL[arch], norm: 'batch', maxBatch: 16 }));
      model.inputGradient = true;
      const options: OptimizerOptions = { kind: 'adam', momentum: 0.9, weightDecay: 1e-4 };
      const opt = new Optimizer(model.flatParams, model.flatGrads, model.decayMask, options);
      fillBatch(model, 16);
      model.computeGradients(16); // warm: lazily created state, JIT
      const n = allocations(() => {
        for (let s = 0; s < 20; s++) {
          model.computeGradients(s % 2 ? 16 : 9);
          opt.step(learningRate('cosine', 0.01, s, 20, 5));
        }
        model.forward(16, false);
        model.loss(false);
      });
      expect(n).toBe(0);
    });
  }

  it.each(['sgd', 'momentum'] as const)('the %s optimizer', (kind) => {
    const model = new Model(relu({ norm: 'none' }));
    const opt = new Optimizer(model.flatParams, model.flatGrads, model.decayMask, {
      kind,
      momentum: 0.9,
      weightDecay: 1e-4,
    });
    fillBatch(model, 8);
    expect(
      allocations(() => {
        for (let s = 0; s < 5; s++) {
          model.computeGradients(8);
          opt.step(0.01);
        }
      }),
    ).toBe(0);
  });
});

describe('gradients are recomputed, not accumulated, from one step to the next', () => {
  it.each(ARCHS)('%s: two identical steps give bit-identical gradients', (arch) => {
    const model = new Model(relu({ arch, ...SMALL[arch], norm: 'batch', residualInit: 'one' }));
    model.inputGradient = true;
    fillBatch(model, 8);
    model.computeGradients(8);
    const first = Float32Array.from(model.flatGrads);
    const firstInput = Float32Array.from(model.input.grad);
    model.computeGradients(8);
    expect(sameBits(model.flatGrads, first)).toBe(true);
    expect(sameBits(model.input.grad, firstInput)).toBe(true);
  });

  it('the input gradient is only computed when asked for', () => {
    const model = new Model(relu({ norm: 'batch', residualInit: 'one' }));
    fillBatch(model, 8);
    model.computeGradients(8);
    expect(Array.from(model.input.grad).every((v) => v === 0)).toBe(true);
    model.inputGradient = true;
    model.computeGradients(8);
    expect(Array.from(model.input.grad.subarray(0, 8 * 3)).some((v) => v !== 0)).toBe(true);
  });

  it('forward refuses batches outside [1, maxBatch]', () => {
    const model = new Model(relu({ maxBatch: 8 }));
    expect(() => model.forward(0, true)).toThrow(/\[1, 8\]/);
    expect(() => model.forward(9, true)).toThrow(/\[1, 8\]/);
  });

  it('softmax loss of all-zero logits is log(classes); accuracy counts argmax hits', () => {
    const model = new Model(relu({ classes: 4, maxBatch: 4 }), (b, x) => b.dense(x, 4, 'head'));
    model.flatParams.fill(0);
    fillBatch(model, 4);
    model.forward(4, true);
    expect(model.loss(false).loss).toBeCloseTo(Math.log(4), 12);
  });
});

describe('optimizers against hand computations (3 parameters, the second without decay)', () => {
  const setUp = (options: OptimizerOptions) => {
    const p = new Float32Array([1, -2, 0.5]);
    const g = new Float32Array([0.1, 0.2, -0.3]);
    const mask = new Float32Array([1, 0, 1]);
    return { p, g, opt: new Optimizer(p, g, mask, options) };
  };

  it('SGD with weight decay: p ← p − lr·(g + wd·p) on weights, p ← p − lr·g otherwise', () => {
    const { p, opt } = setUp({ kind: 'sgd', momentum: 0, weightDecay: 0.01 });
    opt.step(0.1);
    expect(p[0]).toBeCloseTo(1 - 0.1 * (0.1 + 0.01 * 1), 7); // 0.989
    expect(p[1]).toBeCloseTo(-2 - 0.1 * 0.2, 7); // -2.02: no decay
    expect(p[2]).toBeCloseTo(0.5 - 0.1 * (-0.3 + 0.01 * 0.5), 7); // 0.5295
  });

  it('momentum (PyTorch form v ← μv + g + wd·p, p ← p − lr·v), two steps', () => {
    const { p, g, opt } = setUp({ kind: 'momentum', momentum: 0.9, weightDecay: 0.01 });
    opt.step(0.1);
    // v = [0.11, 0.2, -0.295]; p = [0.989, -2.02, 0.5295]
    expect(Array.from(p)).toEqual([0.989, -2.02, 0.5295].map(Math.fround));
    g.set([-0.2, 0.1, 0.4]);
    opt.step(0.1);
    // v = 0.9·0.11 − 0.2 + 0.01·0.989 = −0.09111 → p₀ = 0.989 + 0.009111 = 0.998111
    // v = 0.9·0.2 + 0.1 = 0.28 → p₁ = −2.02 − 0.028 = −2.048
    // v = 0.9·(−0.295) + 0.4 + 0.01·0.5295 = 0.139795 → p₂ = 0.5295 − 0.0139795 = 0.5155205
    expect(p[0]).toBeCloseTo(0.998111, 6);
    expect(p[1]).toBeCloseTo(-2.048, 6);
    expect(p[2]).toBeCloseTo(0.5155205, 6);
  });

  it('Adam (β₁ 0.9, β₂ 0.999, ε 1e-8, bias-corrected), two steps', () => {
    const { p, g, opt } = setUp({ kind: 'adam', momentum: 0.9, weightDecay: 0 });
    opt.step(0.01);
    // first step: m̂ = g, v̂ = g², so each parameter moves by lr·sign(g)
    expect(p[0]).toBeCloseTo(0.99, 6);
    expect(p[1]).toBeCloseTo(-2.01, 6);
    expect(p[2]).toBeCloseTo(0.51, 6);
    g.set([-0.2, 0.1, 0.4]);
    opt.step(0.01);
    // p₀: m = 0.9·0.01 + 0.1·(−0.2) = −0.011, m̂ = −0.011/0.19 = −0.0578947;
    //     v = 0.999·1e-5 + 0.001·0.04 = 4.999e-5, v̂ = 4.999e-5/0.001999 = 0.0250075;
    //     p₀ = 0.99 − 0.01·(−0.0578947/0.158138) = 0.9936610
    expect(p[0]).toBeCloseTo(0.993661, 6);
    expect(p[1]).toBeCloseTo(-2.0193218, 6);
    expect(p[2]).toBeCloseTo(0.5080649, 6);
  });

  it('Adam with a constant gradient keeps stepping lr·sign(g)', () => {
    const { p, opt } = setUp({ kind: 'adam', momentum: 0.9, weightDecay: 0 });
    for (let s = 0; s < 10; s++) opt.step(0.01);
    expect(p[0]).toBeCloseTo(0.9, 5);
    expect(p[1]).toBeCloseTo(-2.1, 5);
    expect(p[2]).toBeCloseTo(0.6, 5);
  });
});

describe('weight decay applies to weights only', () => {
  it.each(['sgd', 'momentum', 'adam'] as const)(
    '%s: with zero gradients only weights move',
    (kind) => {
      const model = new Model(
        relu({ arch: 'resnet', depth: 6, norm: 'batch', residualInit: 'one' }),
      );
      jitterParams(model);
      const before = Float32Array.from(model.flatParams);
      model.flatGrads.fill(0);
      const opt = new Optimizer(model.flatParams, model.flatGrads, model.decayMask, {
        kind,
        momentum: 0.9,
        weightDecay: 0.1,
      });
      opt.step(0.1);
      const roles = new Set<string>();
      for (const p of model.params) {
        roles.add(p.role);
        for (let i = 0; i < p.size; i++) {
          const b = before[p.offset + i]!;
          const a = p.value[i]!;
          if (p.role === 'weight') {
            // SGD/momentum: p·(1 − lr·wd). Adam's first step has |m̂/√v̂| = 1: lr towards zero.
            if (kind === 'adam') expect(a).toBeCloseTo(b - 0.1 * Math.sign(b), 5);
            else expect(a).toBeCloseTo(b * (1 - 0.1 * 0.1), 6);
          } else {
            expect(a, `${p.name} must not decay`).toBe(b);
          }
        }
      }
      expect([...roles].sort()).toEqual(['beta', 'bias', 'gamma', 'scale', 'weight']);
    },
  );

  it('decayMask is 1 exactly on weights', () => {
    const model = new Model(relu({ arch: 'highway', depth: 4, norm: 'batch' }));
    for (const p of model.params)
      for (let i = 0; i < p.size; i++)
        expect(model.decayMask[p.offset + i]).toBe(p.role === 'weight' ? 1 : 0);
  });
});

describe('learning-rate schedules', () => {
  it('constant', () => {
    for (const s of [0, 10, 99]) expect(learningRate('constant', 0.1, s, 100, 0)).toBe(0.1);
  });

  it('step: ÷10 at 50% and again at 75% of the run', () => {
    expect(learningRate('step', 0.1, 0, 100, 0)).toBe(0.1);
    expect(learningRate('step', 0.1, 49, 100, 0)).toBe(0.1);
    expect(learningRate('step', 0.1, 50, 100, 0)).toBeCloseTo(0.01, 15);
    expect(learningRate('step', 0.1, 74, 100, 0)).toBeCloseTo(0.01, 15);
    expect(learningRate('step', 0.1, 75, 100, 0)).toBeCloseTo(0.001, 15);
    expect(learningRate('step', 0.1, 99, 100, 0)).toBeCloseTo(0.001, 15);
    // He et al.'s CIFAR schedule: 32k and 48k of 64k
    expect(learningRate('step', 0.1, 31999, 64000, 0)).toBe(0.1);
    expect(learningRate('step', 0.1, 32000, 64000, 0)).toBeCloseTo(0.01, 15);
    expect(learningRate('step', 0.1, 48000, 64000, 0)).toBeCloseTo(0.001, 15);
  });

  it('cosine: base at the start, half way at the middle, 0 at the end, never increasing', () => {
    expect(learningRate('cosine', 0.1, 0, 100, 0)).toBe(0.1);
    expect(learningRate('cosine', 0.1, 50, 100, 0)).toBeCloseTo(0.05, 12);
    expect(learningRate('cosine', 0.1, 100, 100, 0)).toBeCloseTo(0, 12);
    expect(learningRate('cosine', 0.1, 99, 100, 0)).toBeLessThan(1e-4);
    let prev = Infinity;
    for (let s = 0; s <= 100; s++) {
      const lr = learningRate('cosine', 0.1, s, 100, 0);
      expect(lr).toBeLessThanOrEqual(prev);
      expect(lr).toBeGreaterThanOrEqual(0);
      prev = lr;
    }
    // after a warm-up the decay spans the remaining steps
    expect(learningRate('cosine', 0.1, 10, 110, 10)).toBe(0.1);
    expect(learningRate('cosine', 0.1, 60, 110, 10)).toBeCloseTo(0.05, 12);
    expect(learningRate('cosine', 0.1, 110, 110, 10)).toBeCloseTo(0, 12);
  });

  it('warm-up: linear from base/warmup to base, then the schedule', () => {
    expect(learningRate('constant', 0.1, 0, 100, 10)).toBeCloseTo(0.01, 15);
    expect(learningRate('constant', 0.1, 4, 100, 10)).toBeCloseTo(0.05, 15);
    expect(learningRate('constant', 0.1, 9, 100, 10)).toBeCloseTo(0.1, 15);
    expect(learningRate('constant', 0.1, 10, 100, 10)).toBe(0.1);
    for (let s = 1; s < 10; s++)
      expect(learningRate('step', 0.1, s, 100, 10)).toBeGreaterThan(
        learningRate('step', 0.1, s - 1, 100, 10),
      );
  });
});

describe('batch norm', () => {
  const bnOnly = () => {
    return new Model(makeSpec({ norm: 'batch', inputDim: 3, maxBatch: 8 }), (b, x) =>
      b.dense(b.norm(x, 'bn'), 3, 'head'),
    );
  };

  it('training updates the running statistics: momentum 0.1, unbiased variance', () => {
    const model = bnOnly();
    const bn = model.batchNorms[0]!;
    // feature j of row r = r·(j + 1): mean 3.5(j+1), unbiased variance 6(j+1)² over r = 0..7
    for (let r = 0; r < 8; r++)
      for (let j = 0; j < 3; j++) model.input.value[r * 3 + j] = r * (j + 1);
    model.forward(8, true);
    for (let j = 0; j < 3; j++) {
      expect(bn.runningMean[j]).toBeCloseTo(0.1 * 3.5 * (j + 1), 6);
      expect(bn.runningVar[j]).toBeCloseTo(0.9 + 0.1 * 6 * (j + 1) ** 2, 5);
    }
    // and training output is normalised with the batch's biased statistics
    const y = slotByName(model, 'bn.bn.out');
    for (let j = 0; j < 3; j++) {
      const sd = Math.sqrt((21 / 4) * (j + 1) ** 2 + BatchNorm.EPS); // biased variance 5.25(j+1)²
      expect(y.value[j]).toBeCloseTo((0 - 3.5 * (j + 1)) / sd, 5);
    }
    // evaluation does not touch them
    const mean = Float32Array.from(bn.runningMean);
    model.forward(8, false);
    expect(sameBits(bn.runningMean, mean)).toBe(true);
  });

  it('evaluation normalises with the running statistics', () => {
    const model = bnOnly();
    jitterParams(model);
    const bn = model.batchNorms[0]!;
    for (let s = 0; s < 5; s++) {
      fillBatch(model, 8, 10 + s);
      model.forward(8, true);
    }
    fillBatch(model, 8, 99);
    model.forward(8, false);
    const y = slotByName(model, 'bn.bn.out');
    const gamma = paramByName(model, 'bn.bn.gamma').value;
    const beta = paramByName(model, 'bn.bn.beta').value;
    for (let r = 0; r < 8; r++) {
      for (let j = 0; j < 3; j++) {
        const x = model.input.value[r * 3 + j]!;
        const expected =
          ((x - bn.runningMean[j]!) / Math.sqrt(bn.runningVar[j]! + 1e-5)) * gamma[j]! + beta[j]!;
        expect(y.value[r * 3 + j]).toBeCloseTo(expected, 5);
      }
    }
  });

  it('in evaluation mode rows are independent: a row gives the same logits in any batch', () => {
    const model = new Model(relu({ arch: 'resnet', depth: 8, norm: 'batch', residualInit: 'one' }));
    jitterParams(model);
    for (let s = 0; s < 3; s++) {
      fillBatch(model, 8, 20 + s);
      model.forward(8, true);
    }
    const logitsOfRow0 = (seed: number, training: boolean): Float32Array => {
      const row0 = [0.3, -1.2, 0.8];
      fillBatch(model, 8, seed);
      model.input.value.set(row0);
      model.forward(8, training);
      return Float32Array.from(model.logits.value.subarray(0, model.logits.dim));
    };
    expect(sameBits(logitsOfRow0(1, false), logitsOfRow0(2, false))).toBe(true);
    // in training mode the batch statistics couple the rows (so the check above can fail)
    expect(sameBits(logitsOfRow0(1, true), logitsOfRow0(2, true))).toBe(false);
  });
});

describe('layerStats', () => {
  it.each(ARCHS)(
    '%s: finite fields, deadFraction in [0, 1], updateRatio after a snapshot',
    (arch) => {
      const model = new Model(relu({ arch, ...SMALL[arch], norm: 'batch', residualInit: 'one' }));
      const opt = new Optimizer(model.flatParams, model.flatGrads, model.decayMask, {
        kind: 'momentum',
        momentum: 0.9,
        weightDecay: 0,
      });
      fillBatch(model, 8);
      model.computeGradients(8);
      const first = model.layerStats();
      expect(first.layers).toHaveLength(model.layers.length);
      expect(first.blocks).toHaveLength(model.blocks);
      for (const l of first.layers) expect(l.updateRatio).toBeNull();
      model.snapshotParams();
      opt.step(0.05);
      const { layers, blocks } = model.layerStats();
      for (const l of layers) {
        for (const v of [
          l.gradNorm,
          l.weightNorm,
          l.updateRatio,
          l.activationMean,
          l.activationStd,
        ])
          expect(Number.isFinite(v), `${l.name}: ${JSON.stringify(l)}`).toBe(true);
        expect(l.updateRatio!).toBeGreaterThan(0);
        expect(l.gradNorm).toBeGreaterThanOrEqual(0);
        expect(l.activationStd).toBeGreaterThanOrEqual(0);
        if (l.deadFraction !== null) {
          expect(l.deadFraction).toBeGreaterThanOrEqual(0);
          expect(l.deadFraction).toBeLessThanOrEqual(1);
        }
      }
      expect(layers.filter((l) => l.deadFraction !== null).length).toBeGreaterThan(0);
      for (const b of blocks) expect(Number.isFinite(b.inputGradNorm)).toBe(true);
      // the snapshot is used once
      expect(model.layerStats().layers.every((l) => l.updateRatio === null)).toBe(true);
    },
  );

  it('reports the values it names', () => {
    const model = new Model(
      relu({ arch: 'resnet', depth: 4, width: 4, norm: 'none', residualInit: 'one' }),
    );
    model.inputGradient = true;
    // unit 0 of the stem can never fire: its bias is hugely negative
    paramByName(model, 'stem.b').value[0] = -1e3;
    fillBatch(model, 8);
    model.computeGradients(8);
    const { layers, blocks } = model.layerStats();
    const stem = layers.find((l) => l.name === 'stem')!;
    expect(stem.deadFraction).toBeCloseTo(1 / 4, 12);
    const w = paramByName(model, 'stem.W');
    let g2 = 0;
    let w2 = 0;
    for (let i = 0; i < w.size; i++) {
      g2 += w.grad[i]! ** 2;
      w2 += w.value[i]! ** 2;
    }
    expect(stem.gradNorm).toBeCloseTo(Math.sqrt(g2), 6);
    expect(stem.weightNorm).toBeCloseTo(Math.sqrt(w2), 6);
    const out = slotByName(model, 'stem.out');
    expect(stem.activationStd).toBeCloseTo(slotStd(out, 8), 5);
    const x = model.blockInputs[0]!;
    let x2 = 0;
    for (let i = 0; i < 8 * x.dim; i++) x2 += x.grad[i]! ** 2;
    expect(blocks[0]!.inputGradNorm).toBeCloseTo(Math.sqrt(x2), 6);
    // tanh nets have no ReLU to be dead
    const t = new Model(makeSpec({ activation: 'tanh' }));
    fillBatch(t, 8);
    t.computeGradients(8);
    expect(t.layerStats().layers.every((l) => l.deadFraction === null)).toBe(true);
  });
});

describe('GEMM kernels against a float64 reference (offsets, leading dimensions, edges)', () => {
  type Gemm = typeof K.gemmNN;
  // element (r, c) of a row-major matrix stored at `off` with leading dimension `ld`
  const at = (v: Float32Array, off: number, ld: number, r: number, c: number) =>
    v[off + r * ld + c]!;
  const variants: [
    string,
    Gemm,
    (m: number, n: number, k: number) => [number, number, number, number],
  ][] = [
    // name, kernel, shapes → [A rows, A cols, B rows, B cols]
    ['gemmNN: C[m×n] = A[m×k]·B[k×n]', K.gemmNN, (m, n, k) => [m, k, k, n]],
    ['gemmTN: C[k×n] = A[m×k]ᵀ·B[m×n]', K.gemmTN, (m, n, k) => [m, k, m, n]],
    ['gemmNT: C[m×k] = A[m×n]·B[k×n]ᵀ', K.gemmNT, (m, n, k) => [m, n, k, n]],
  ];
  const sizes = [1, 2, 3, 4, 5, 7, 8, 9, 13];

  for (const [name, gemm, shapes] of variants) {
    it(name, () => {
      const rng = new Rng(11, name);
      let cases = 0;
      for (const m of sizes)
        for (const n of sizes)
          for (const k of [1, 3, 4, 6, 9, 17]) {
            const [ar, ac, br, bc] = shapes(m, n, k);
            const [cr, cc] = gemm === K.gemmNN ? [m, n] : gemm === K.gemmTN ? [k, n] : [m, k];
            // leading dimensions wider than the matrices, and offsets, as in grouped layers
            const lda = ac + rng.int(3);
            const ldb = bc + rng.int(3);
            const ldc = cc + rng.int(3);
            const aOff = rng.int(4);
            const bOff = rng.int(4);
            const cOff = rng.int(4);
            const fill = (len: number) => Float32Array.from({ length: len }, () => rng.normal());
            const a = fill(aOff + ar * lda);
            const b = fill(bOff + br * ldb);
            const accumulate = rng.uniform() < 0.5;
            const c = fill(cOff + cr * ldc + 3);
            const before = Float32Array.from(c);
            gemm(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
            for (let i = 0; i < cr; i++) {
              for (let j = 0; j < cc; j++) {
                let sum = accumulate ? at(before, cOff, ldc, i, j) : 0;
                let mag = Math.abs(sum);
                const len = gemm === K.gemmNN ? k : gemm === K.gemmTN ? m : n;
                for (let p = 0; p < len; p++) {
                  const x =
                    gemm === K.gemmNN
                      ? at(a, aOff, lda, i, p) * at(b, bOff, ldb, p, j)
                      : gemm === K.gemmTN
                        ? at(a, aOff, lda, p, i) * at(b, bOff, ldb, p, j)
                        : at(a, aOff, lda, i, p) * at(b, bOff, ldb, j, p);
                  sum += x;
                  mag += Math.abs(x);
                }
                const got = at(c, cOff, ldc, i, j);
                if (!(Math.abs(got - sum) <= 1e-6 * mag + 1e-30))
                  throw new Error(
                    `${name} m=${m} n=${n} k=${k} acc=${accumulate}: C[${i},${j}] = ${got}, expected ${sum}`,
                  );
              }
            }
            // nothing outside C's rows × columns is written
            for (let idx = 0; idx < c.length; idx++) {
              const r = Math.floor((idx - cOff) / ldc);
              const col = idx - cOff - r * ldc;
              const inside = idx >= cOff && r < cr && col < cc;
              if (!inside && c[idx] !== before[idx])
                throw new Error(`${name} m=${m} n=${n} k=${k}: wrote outside C at ${idx}`);
            }
            cases++;
          }
      expect(cases).toBe(sizes.length * sizes.length * 6);
    });
  }

  it('addBias and sumRows with offsets and leading dimensions', () => {
    const y = new Float32Array(2 + 3 * 7).fill(1);
    const bias = new Float32Array([9, 10, 20, 30]);
    K.addBias(3, 3, y, 2, 7, bias, 1);
    for (let r = 0; r < 3; r++)
      for (let c = 0; c < 7; c++) expect(y[2 + r * 7 + c]).toBe(c < 3 ? 1 + bias[1 + c]! : 1);
    expect(y[0]).toBe(1);
    const out = new Float32Array([5, 5, 5, 5]);
    K.sumRows(3, 3, y, 2, 7, out, 1, false);
    expect(Array.from(out)).toEqual([5, 33, 63, 93]);
    K.sumRows(3, 3, y, 2, 7, out, 1, true);
    expect(Array.from(out)).toEqual([5, 66, 126, 186]);
  });
});

describe('a batch norm fused with its ReLU or its branch scale computes the same numbers as the separate ops', () => {
  for (const kernels of ['wasm', 'ts'] as const)
    for (const arch of ARCHS) {
      it(`${arch}, ${kernels} path: 5 training steps, bit for bit`, () => {
        const spec = (fuse: boolean) =>
          relu({ arch, ...SMALL[arch], norm: 'batch', maxBatch: 16, kernels, fuse });
        const fused = new Model(spec(true));
        const separate = new Model(spec(false));
        // the fusion happened (and only where it may): fewer ops, no stray ReLU after a norm
        const fusedNorms = fused.batchNorms.filter((bn) => bn.relu || bn.scale).length;
        expect(fusedNorms).toBeGreaterThan(0);
        // residual branches ending in a norm take their α into it (all but highway/densenet)
        if (['resnet', 'plain', 'bottleneck', 'resnext'].includes(arch))
          expect(fused.batchNorms.some((bn) => bn.scale)).toBe(true);
        expect(separate.batchNorms.some((bn) => bn.relu || bn.scale)).toBe(false);
        expect(fused.ops.length).toBe(separate.ops.length - fusedNorms);
        const losses: unknown[][] = [[], []];
        [fused, separate].forEach((model, i) => {
          model.inputGradient = true;
          const opt = new Optimizer(model.flatParams, model.flatGrads, model.decayMask, {
            kind: 'momentum',
            momentum: 0.9,
            weightDecay: 1e-4,
          });
          for (let s = 0; s < 5; s++) {
            fillBatch(model, 16, s + 1);
            losses[i]!.push(model.computeGradients(16));
            opt.step(0.05);
          }
        });
        expect(losses[0]).toEqual(losses[1]);
        expect(sameBits(fused.flatParams, separate.flatParams)).toBe(true);
        expect(sameBits(fused.flatGrads, separate.flatGrads)).toBe(true);
        expect(sameBits(fused.input.grad, separate.input.grad)).toBe(true);
        // evaluation mode (running statistics) too
        fused.forward(16, false);
        separate.forward(16, false);
        expect(fused.loss(false)).toEqual(separate.loss(false));
      });
    }
});
