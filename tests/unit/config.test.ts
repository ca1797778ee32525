/**
 * The training config's one schema: unknown keys (with a did-you-mean), wrong types, out-of-range
 * values, combinations the engine cannot build; one message per problem; defaults fill the rest.
 */
import { decodePageState } from '../../src/ui/state/url.ts';
import { describe, expect, it } from 'vitest';
import { ARCHS, Model } from '../../src/engine/model.ts';
import {
  defaultTrainConfig,
  errorLine,
  suggest,
  TRAIN_FIELDS,
  type TrainConfig,
  validateTrainConfig,
} from '../../src/experiments/config.ts';
import { modelSpec } from '../../src/experiments/train.ts';

/** the errors as "key: message" lines (the validator returns them structured) */
function errorsOf(input: unknown): string[] {
  const r = validateTrainConfig(input);
  if (r.ok) throw new Error(`expected errors for ${JSON.stringify(input)}`);
  return r.errors.map((e) => errorLine(e));
}

function valueOf(input: unknown): TrainConfig {
  const r = validateTrainConfig(input);
  if (!r.ok) throw new Error(r.errors.map((e) => errorLine(e)).join('\n'));
  return r.value;
}

describe('defaults', () => {
  it('an empty config is the defaults', () => {
    expect(valueOf({})).toEqual(defaultTrainConfig());
  });

  it('missing keys take their defaults; given ones are kept', () => {
    const c = valueOf({ arch: 'preact', depth: 56, lr: 0.1 });
    expect(c).toEqual({ ...defaultTrainConfig(), arch: 'preact', depth: 56, lr: 0.1 });
  });

  it('undefined counts as missing', () => {
    expect(valueOf({ depth: undefined })).toEqual(defaultTrainConfig());
  });

  it('every default passes its own field and the defaults build a model', () => {
    const d = defaultTrainConfig();
    expect(Object.keys(d).sort()).toEqual(Object.keys(TRAIN_FIELDS).sort());
    for (const key of Object.keys(TRAIN_FIELDS) as (keyof TrainConfig)[])
      expect(valueOf({ [key]: d[key] })[key]).toEqual(d[key]);
    const model = new Model(modelSpec(d, { inputDim: 2, numClasses: 2 }));
    expect(model.depth).toBe(d.depth);
  });

  it('the result is a fresh object each time', () => {
    const a = defaultTrainConfig();
    a.depth = 8;
    expect(defaultTrainConfig().depth).toBe(TRAIN_FIELDS.depth.default);
  });
});

describe('not an object', () => {
  it.each([null, undefined, 3, 'depth=20', [], [['depth', 20]]])('%j', (input) => {
    expect(errorsOf(input)).toEqual(['config: expected an object']);
  });
});

describe('unknown keys', () => {
  it.each([
    ['deph', 'depth'],
    ['widht', 'width'],
    ['Depth', 'depth'],
    ['weightdecay', 'weightDecay'],
    ['residualinit', 'residualInit'],
    ['sead', 'seed'],
    ['optimiser', 'optimizer'],
    ['activations', 'activation'],
  ])('%s: did you mean %s?', (key, known) => {
    expect(errorsOf({ [key]: 1 })).toEqual([`${key}: unknown setting (did you mean ${known}?)`]);
  });

  it('no suggestion when nothing is close', () => {
    expect(errorsOf({ learningRate: 0.1 })).toEqual(['learningRate: unknown setting']);
    expect(errorsOf({ xyzzy: 1 })).toEqual(['xyzzy: unknown setting']);
  });

  it('names of Object.prototype members are unknown settings too', () => {
    // `key in fields` would find these on the prototype chain and accept them silently
    expect(errorsOf({ constructor: 1 })).toEqual(['constructor: unknown setting']);
    expect(errorsOf({ toString: 'x' })).toEqual(['toString: unknown setting']);
    expect(errorsOf({ hasOwnProperty: 1 })).toHaveLength(1);
    expect(errorsOf(JSON.parse('{"__proto__": {"depth": 21}}'))).toEqual([
      '__proto__: unknown setting',
    ]);
  });

  it('suggest() picks the closest known key within two edits', () => {
    expect(suggest('dept', ['depth', 'width'])).toBe(' (did you mean depth?)');
    expect(suggest('wdth', ['depth', 'width'])).toBe(' (did you mean width?)');
    expect(suggest('abc', ['depth', 'width'])).toBe('');
  });
});

describe('wrong types', () => {
  it.each([
    [{ depth: '20' }, 'depth: expected an integer, got "20"'],
    [{ depth: 20.5 }, 'depth: expected an integer, got 20.5'],
    [{ depth: true }, 'depth: expected an integer, got true'],
    [{ width: null }, 'width: expected an integer, got null'],
    [{ lr: '0.1' }, 'lr: expected a finite number, got "0.1"'],
    [{ shortcut: 'yes' }, 'shortcut: expected true or false, got "yes"'],
    [{ shortcut: 1 }, 'shortcut: expected true or false, got 1'],
    [
      { arch: 'vgg' },
      'arch: expected one of plain, resnet, preact, bottleneck, highway, densenet, resnext, got "vgg"',
    ],
    [{ norm: 'layer' }, 'norm: expected one of none, batch, got "layer"'],
    [{ dataset: 3 }, 'dataset: expected one of spiral, circles, xor, moons, blobs, digits, got 3'],
    [
      { activation: ['relu'] },
      'activation: expected one of relu, tanh, sigmoid, identity, got ["relu"]',
    ],
  ])('%j', (input, message) => {
    expect(errorsOf(input)).toEqual([message]);
  });

  it('NaN and ±Infinity are named as such, not as "null"', () => {
    expect(errorsOf({ noise: NaN })).toEqual(['noise: expected a finite number, got NaN']);
    expect(errorsOf({ lr: Infinity })).toEqual(['lr: expected a finite number, got Infinity']);
    expect(errorsOf({ depth: -Infinity })).toEqual(['depth: expected an integer, got -Infinity']);
  });
});

describe('out of range', () => {
  it.each([
    [{ depth: 2 }, 'depth: 2 is out of range [3, 1202]'],
    [{ depth: 1203 }, 'depth: 1203 is out of range [3, 1202]'],
    [{ width: 0 }, 'width: 0 is out of range [1, 1024]'],
    [{ lr: 0 }, 'lr: 0 is out of range (0, 10]'],
    [{ lr: -0.1 }, 'lr: -0.1 is out of range (0, 10]'],
    [{ lr: 10.5 }, 'lr: 10.5 is out of range (0, 10]'],
    [{ momentum: 1 }, 'momentum: 1 is out of range [0, 0.999]'],
    [{ testFraction: 0.95 }, 'testFraction: 0.95 is out of range [0.05, 0.9]'],
    [{ seed: -1 }, 'seed: -1 is out of range [0, 4294967295]'],
    [{ samples: 10 }, 'samples: 10 is out of range [20, 100000]'],
    [{ digitsSize: 20 }, 'digitsSize: expected one of 14, 28, got 20'],
    [{ gateBias: -21 }, 'gateBias: -21 is out of range [-20, 20]'],
  ])('%j', (input, message) => {
    expect(errorsOf(input)).toEqual([message]);
  });

  it('the bounds themselves are accepted (lr: only the upper one)', () => {
    expect(valueOf({ depth: 1202, arch: 'resnet' }).depth).toBe(1202);
    expect(valueOf({ lr: 10 }).lr).toBe(10);
    expect(valueOf({ lr: 1e-9 }).lr).toBe(1e-9);
    expect(valueOf({ seed: 4294967295 }).seed).toBe(4294967295);
    expect(valueOf({ layerStatsEvery: 0 }).layerStatsEvery).toBe(0);
    expect(valueOf({ digitsSize: 28, dataset: 'digits' }).digitsSize).toBe(28);
  });
});

describe('combinations the engine cannot build', () => {
  it('a depth the block type cannot reach, naming the nearest valid depths', () => {
    expect(errorsOf({ arch: 'resnet', depth: 21 })).toEqual([
      'depth: 21 is not a valid depth for resnet blocks (depth = 2 + 2·blocks: stem + 2 weight layers per block + head); nearest valid: 20 or 22',
    ]);
    expect(errorsOf({ arch: 'bottleneck', depth: 55 })[0]).toMatch(/nearest valid: 53 or 56$/);
    expect(errorsOf({ arch: 'densenet', depth: 21 })[0]).toMatch(/nearest valid: 20 or 23$/);
    expect(errorsOf({ arch: 'resnext', depth: 21, width: 16 })[0]).toMatch(
      /^depth: 21 is not a valid depth for resnext/,
    );
  });

  it('valid depths per block type', () => {
    for (const arch of ['plain', 'resnet', 'preact'] as const)
      for (const depth of [8, 20, 32, 44, 56, 110, 1202])
        expect(valueOf({ arch, depth }).depth).toBe(depth);
    for (const arch of ['bottleneck', 'resnext', 'densenet'] as const)
      for (const depth of [5, 20, 29, 50, 164, 1001])
        expect(valueOf({ arch, depth, width: 16 }).depth).toBe(depth);
    for (const depth of [3, 10, 20, 50, 100])
      expect(valueOf({ arch: 'highway', depth }).depth).toBe(depth);
  });

  it('every arch accepts depth 20 and (but highway) rejects 21', () => {
    for (const arch of ARCHS) {
      // 20 = 2 + 2·9 = 2 + 3·6 = 2 + 18 (highway: every depth ≥ 3 is valid)
      expect(valueOf({ arch, depth: 20, width: 16 }).arch).toBe(arch);
      if (arch !== 'highway') expect(errorsOf({ arch, depth: 21, width: 16 })).toHaveLength(1);
    }
  });

  it('resnext: the cardinality must divide the inner width width/2', () => {
    expect(valueOf({ arch: 'resnext', depth: 20, width: 16, cardinality: 4 }).cardinality).toBe(4);
    expect(valueOf({ arch: 'resnext', depth: 20, width: 16, cardinality: 8 }).cardinality).toBe(8);
    expect(errorsOf({ arch: 'resnext', depth: 20, width: 16, cardinality: 3 })).toEqual([
      'cardinality: 3 must divide the inner width width/2 = 8 (try width 18)',
    ]);
    expect(errorsOf({ arch: 'resnext', depth: 20, width: 16, cardinality: 16 })).toEqual([
      'cardinality: 16 must divide the inner width width/2 = 8 (try width 32)',
    ]);
    expect(errorsOf({ arch: 'resnext', depth: 20, width: 7, cardinality: 4 })).toEqual([
      'cardinality: 4 must divide the inner width width/2 = 3 (try width 8)',
    ]);
    // the suggested width works
    const suggested = valueOf({ arch: 'resnext', depth: 20, width: 18, cardinality: 3 });
    expect(() => new Model(modelSpec(suggested, { inputDim: 2, numClasses: 2 }))).not.toThrow();
    // other block types ignore the cardinality
    expect(valueOf({ arch: 'resnet', width: 16, cardinality: 3 }).cardinality).toBe(3);
  });

  it('bottleneck: width ≥ 4 (inner width width/4)', () => {
    expect(errorsOf({ arch: 'bottleneck', depth: 20, width: 3 })).toEqual([
      'width: bottleneck blocks need width ≥ 4 (their inner width is width/4)',
    ]);
    expect(valueOf({ arch: 'bottleneck', depth: 20, width: 4 }).width).toBe(4);
  });

  it('batch norm needs at least 2 examples per batch', () => {
    expect(errorsOf({ norm: 'batch', batch: 1 })).toEqual([
      'batch: batch norm needs at least 2 examples per batch (or use norm none)',
    ]);
    expect(valueOf({ norm: 'none', batch: 1 }).batch).toBe(1);
    expect(valueOf({ norm: 'batch', batch: 2 }).batch).toBe(2);
  });

  it('resnext: a suggested width never exceeds the width limit', () => {
    expect(errorsOf({ arch: 'resnext', depth: 20, width: 1024, cardinality: 200 })).toEqual([
      'cardinality: 200 must divide the inner width width/2 = 512 (try a smaller cardinality)',
    ]);
  });

  it('digits: at most 10000 samples; the 2-D sets allow more', () => {
    expect(errorsOf({ dataset: 'digits', samples: 10001 })).toEqual([
      'samples: the digits set has 10000 images, got 10001',
    ]);
    expect(valueOf({ dataset: 'digits', samples: 10000 }).samples).toBe(10000);
    expect(valueOf({ dataset: 'spiral', samples: 100000 }).samples).toBe(100000);
  });

  it('every accepted resnext / bottleneck config builds', () => {
    for (const width of [4, 8, 12, 16, 24, 32])
      for (const cardinality of [1, 2, 3, 4, 8]) {
        const r = validateTrainConfig({ arch: 'resnext', depth: 8, width, cardinality });
        if (r.ok)
          expect(() => new Model(modelSpec(r.value, { inputDim: 2, numClasses: 2 }))).not.toThrow();
        const b = validateTrainConfig({ arch: 'bottleneck', depth: 8, width });
        if (b.ok)
          expect(() => new Model(modelSpec(b.value, { inputDim: 2, numClasses: 2 }))).not.toThrow();
      }
  });
});

describe('one message per problem', () => {
  it('lists every problem once, each starting with its key', () => {
    const errors = errorsOf({
      Depth: 3,
      learningrate: 1,
      shortcut: 'yes',
      width: 0,
      norm: 'layer',
      noise: -1,
      digitsSize: 20,
      lr: 0,
      seed: 1.5,
    });
    const keys = errors.map((e) => e.slice(0, e.indexOf(':')));
    expect(keys.sort()).toEqual(
      [
        'Depth',
        'learningrate',
        'shortcut',
        'width',
        'norm',
        'noise',
        'digitsSize',
        'lr',
        'seed',
      ].sort(),
    );
  });

  it('a bad field does not hide an unbuildable combination of other fields', () => {
    // the typo and the unreachable depth are two problems: both are reported at once
    const errors = errorsOf({ deph: 20, arch: 'resnet', depth: 21 });
    expect(errors).toHaveLength(2);
    expect(errors[0]).toBe('deph: unknown setting (did you mean depth?)');
    expect(errors[1]).toMatch(/^depth: 21 is not a valid depth for resnet blocks/);
    const more = errorsOf({
      lr: -1,
      arch: 'resnext',
      depth: 20,
      width: 16,
      cardinality: 3,
      dataset: 'digits',
      samples: 20000,
    });
    expect(more.map((e) => e.slice(0, e.indexOf(':'))).sort()).toEqual([
      'cardinality',
      'lr',
      'samples',
    ]);
  });

  it('a combination is not checked with a field that is itself wrong (no second message for it)', () => {
    expect(errorsOf({ arch: 'vgg', depth: 21 })).toEqual([
      'arch: expected one of plain, resnet, preact, bottleneck, highway, densenet, resnext, got "vgg"',
    ]);
    expect(errorsOf({ arch: 'resnet', depth: '21' })).toEqual([
      'depth: expected an integer, got "21"',
    ]);
    expect(errorsOf({ dataset: 'digits', samples: 200000 })).toEqual([
      'samples: 200000 is out of range [20, 100000]',
    ]);
  });
});

describe('the convolutional family (model conv)', () => {
  const CONV = { model: 'conv', arch: 'resnet', depth: 20, width: 8 };

  it('dense layers stay the default, with option A for a conv shortcut', () => {
    expect(defaultTrainConfig().model).toBe('mlp');
    expect(defaultTrainConfig().shortcutOption).toBe('A');
  });

  it('without a dataset, a convolutional network trains on the digits; a dense one on the spiral', () => {
    expect(valueOf(CONV).dataset).toBe('digits');
    expect(valueOf({ model: 'mlp' }).dataset).toBe('spiral');
    expect(valueOf({ ...CONV, dataset: 'digits', digitsSize: 28 }).digitsSize).toBe(28);
  });

  it("a convolutional network's branches start at full strength, as in the paper, unless asked", () => {
    expect(valueOf(CONV).residualInit).toBe('one');
    expect(valueOf({ ...CONV, residualInit: 'zero' }).residualInit).toBe('zero');
    expect(valueOf({ model: 'mlp' }).residualInit).toBe('zero');
    expect(decodePageState('?model=conv').state.config.residualInit).toBe('one');
    expect(decodePageState('?model=conv&residual-init=zero').state.config.residualInit).toBe(
      'zero',
    );
  });

  it('a 2-D set is refused, saying that the network reads images', () => {
    expect(errorsOf({ ...CONV, dataset: 'spiral' })).toEqual([
      'dataset: a convolutional network reads images: use digits (spiral is a set of 2-D points)',
    ]);
  });

  it('depth 6n + 2, whatever the block type', () => {
    for (const depth of [8, 14, 20, 32, 44, 56, 110])
      for (const arch of ['plain', 'resnet'])
        expect(valueOf({ ...CONV, arch, depth }).depth).toBe(depth);
    // 10 and 12 are valid for dense basic blocks (2 + 2·blocks), not for a convnet
    expect(valueOf({ arch: 'resnet', depth: 10 }).depth).toBe(10);
    const [message] = errorsOf({ ...CONV, depth: 10 });
    expect(message).toMatch(/^depth: 10 is not a valid depth for a convolutional network/);
    expect(message).toMatch(/nearest valid: 8 or 14$/);
    expect(errorsOf({ ...CONV, depth: 3 })[0]).toMatch(/nearest valid: 8/);
  });

  it('only basic blocks, plain or residual; no second message about the depth', () => {
    expect(errorsOf({ ...CONV, arch: 'bottleneck', depth: 21 })).toEqual([
      'arch: a convolutional network is built from basic blocks: plain or resnet (got bottleneck)',
    ]);
  });

  it('width is the first stage’s channels, at most 64', () => {
    expect(valueOf({ ...CONV, width: 64 }).width).toBe(64);
    expect(errorsOf({ ...CONV, width: 65 })).toEqual([
      "width: a convolutional network's width is its first stage's channels (the last stage has 4 × width): at most 64, got 65",
    ]);
    // dense layers keep their own limit
    expect(valueOf({ width: 1024 }).width).toBe(1024);
  });

  it('batch norm is recommended, not required', () => {
    expect(valueOf({ ...CONV, norm: 'none' }).norm).toBe('none');
  });

  it('a bad family or shortcut option is named with its values', () => {
    expect(errorsOf({ model: 'cnn' })).toEqual(['model: expected one of mlp, conv, got "cnn"']);
    expect(errorsOf({ ...CONV, shortcutOption: 'C' })).toEqual([
      'shortcutOption: expected one of A, B, got "C"',
    ]);
    expect(valueOf({ ...CONV, shortcutOption: 'B' }).shortcutOption).toBe('B');
  });

  it('the spec reads each example as a one-channel image of the digits’ side', () => {
    const spec = modelSpec(valueOf({ ...CONV, shortcutOption: 'B' }), {
      inputDim: 196,
      numClasses: 10,
    });
    expect(spec).toMatchObject({
      model: 'conv',
      image: [14, 14, 1],
      shortcutOption: 'B',
      width: 8,
      inputDim: 196,
    });
    const dense = modelSpec(valueOf({}), { inputDim: 2, numClasses: 2 });
    expect(dense.model).toBe('mlp');
    expect(dense.image).toBeUndefined();
  });
});
