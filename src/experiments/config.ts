/**
 * The one schema of a training run. The CLI's flags, the page's URL state and the worker's
 * messages are all validated here, so a bad value gets the same clear message everywhere.
 *
 * A field table (rather than a schema library) because the same table also generates the CLI's
 * flags and --help text and the URL's keys; the validator (fields.ts) takes any such table, so
 * every study validates its own settings the same way.
 */
import {
  type Arch,
  ARCHS,
  CONV_ARCHS,
  convDepthError,
  depthError,
  KERNEL_PATHS,
  type KernelPath,
  MODEL_FAMILIES,
  type ModelFamily,
  SHORTCUT_OPTIONS,
  type ShortcutOption,
} from '../engine/choices.ts';
import { DATASET_NAMES, type DatasetName } from '../data/types.ts';
import {
  defaultsOf,
  type Field,
  type FieldError,
  type Validation,
  validateFields,
} from './fields.ts';

export type { Field, FieldError, FieldTable, Validation } from './fields.ts';
export { errorLine, suggest } from './fields.ts';

export type OptimizerName = 'sgd' | 'momentum' | 'adam';
export type ScheduleName = 'constant' | 'step' | 'cosine';
export type ActivationName = 'relu' | 'tanh' | 'sigmoid' | 'identity';
export type InitName = 'he' | 'glorot' | 'naive';
export type NormName = 'none' | 'batch';
export type LossName = 'softmax' | 'sigmoid';
export type ResidualInit = 'zero' | 'one';

export interface TrainConfig {
  model: ModelFamily;
  arch: Arch;
  shortcut: boolean;
  shortcutOption: ShortcutOption;
  depth: number;
  width: number;
  activation: ActivationName;
  init: InitName;
  norm: NormName;
  residualInit: ResidualInit;
  gateBias: number;
  growthRate: number;
  cardinality: number;
  dataset: DatasetName;
  samples: number;
  noise: number;
  testFraction: number;
  digitsSize: 14 | 28;
  loss: LossName;
  optimizer: OptimizerName;
  lr: number;
  momentum: number;
  weightDecay: number;
  schedule: ScheduleName;
  warmup: number;
  steps: number;
  batch: number;
  seed: number;
  evalEvery: number;
  evalSamples: number;
  logEvery: number;
  layerStatsEvery: number;
  kernels: KernelPath;
}

/**
 * The widest first stage a convolutional network may have: its last stage has 4 × width
 * channels, so 64 gives 256 (a 3×3 layer of 256 → 256 channels is 590,000 weights, and every
 * image's maps weigh 4 × width × side² floats per layer).
 */
export const CONV_MAX_WIDTH = 64;

export const TRAIN_FIELDS = {
  model: {
    kind: 'enum',
    values: MODEL_FAMILIES,
    default: 'mlp',
    help: "the kind of network: mlp, a stack of dense layers; or conv, a convolutional network as in He et al.'s CIFAR experiments (3×3 convolutions in three stages of width, 2 × width and 4 × width channels on ever smaller maps, then an average over the map); conv reads images, so without a dataset it trains on the digits",
  },
  arch: {
    kind: 'enum',
    values: ARCHS,
    default: 'resnet',
    help: 'block type: plain (basic block without shortcut), resnet, preact, bottleneck, highway, densenet, resnext',
  },
  shortcut: {
    kind: 'bool',
    default: true,
    help: 'keep the shortcut; off gives the plain twin of any block (same weight layers, no skip)',
  },
  shortcutOption: {
    kind: 'enum',
    values: SHORTCUT_OPTIONS,
    default: 'A',
    flag: 'shortcut-option',
    help: 'conv: how a shortcut crosses a stage (maps halved, channels doubled): A subsamples and pads the new channels with zeros (no parameters, as in the paper), B projects with a strided 1×1 convolution',
  },
  depth: {
    kind: 'int',
    min: 3,
    max: 1202,
    default: 20,
    help: 'weight layers, counted as in the paper: stem + block layers + head (e.g. 8, 20, 56, 110; conv: 6n + 2)',
  },
  width: {
    kind: 'int',
    min: 1,
    max: 1024,
    default: 16,
    help: `units per hidden layer (conv: channels of the first stage, at most ${CONV_MAX_WIDTH}; the next stages have 2× and 4× as many)`,
  },
  activation: {
    kind: 'enum',
    values: ['relu', 'tanh', 'sigmoid', 'identity'],
    default: 'relu',
    help: 'hidden activation',
  },
  init: {
    kind: 'enum',
    values: ['he', 'glorot', 'naive'],
    default: 'he',
    help: 'weight initialisation: He/Kaiming, Glorot/Xavier, or naive N(0, 0.01²)',
  },
  norm: {
    kind: 'enum',
    values: ['none', 'batch'],
    default: 'batch',
    help: 'normalisation after each weight layer (batch is recommended for conv, as in the paper)',
  },
  residualInit: {
    kind: 'enum',
    values: ['zero', 'one'],
    default: 'zero',
    flag: 'residual-init',
    help: 'initial value of the scale that ends every residual branch: zero (each block starts as the identity) or one (He et al. 2015)',
  },
  gateBias: {
    kind: 'number',
    min: -20,
    max: 20,
    default: -2,
    flag: 'gate-bias',
    help: 'highway: initial transform-gate bias (negative favours carrying the input)',
  },
  growthRate: {
    kind: 'int',
    min: 1,
    max: 512,
    default: 8,
    flag: 'growth-rate',
    help: 'densenet: features each layer adds',
  },
  cardinality: {
    kind: 'int',
    min: 1,
    max: 256,
    default: 4,
    help: 'resnext: number of parallel paths (groups) in the middle layer; must divide width/2',
  },
  dataset: {
    kind: 'enum',
    values: DATASET_NAMES,
    default: 'spiral',
    help: 'two spirals, circles, xor, moons, gaussian blobs, or MNIST digits (the default for a conv network)',
  },
  samples: {
    kind: 'int',
    min: 20,
    max: 100000,
    default: 1000,
    help: 'points in a 2-D set (digits: at most 10000)',
  },
  noise: { kind: 'number', min: 0, max: 2, default: 0.1, help: '2-D sets: noise level' },
  testFraction: {
    kind: 'number',
    min: 0.05,
    max: 0.9,
    default: 0.2,
    flag: 'test-fraction',
    help: 'share of the samples held out for testing',
  },
  digitsSize: {
    kind: 'int',
    min: 14,
    max: 28,
    oneOf: [14, 28],
    default: 14,
    flag: 'digits-size',
    help: 'digits: image side, 14 (downsampled) or 28',
  },
  loss: {
    kind: 'enum',
    values: ['softmax', 'sigmoid'],
    default: 'softmax',
    help: 'softmax cross-entropy, or sigmoid cross-entropy (one output for two classes)',
  },
  optimizer: {
    kind: 'enum',
    values: ['sgd', 'momentum', 'adam'],
    default: 'momentum',
    help: 'sgd, sgd with momentum, or adam',
  },
  lr: {
    kind: 'number',
    min: 0,
    minExclusive: true,
    max: 10,
    default: 0.05,
    help: 'learning rate',
  },
  momentum: { kind: 'number', min: 0, max: 0.999, default: 0.9, help: 'momentum / Adam β₁' },
  weightDecay: {
    kind: 'number',
    min: 0,
    max: 1,
    default: 1e-4,
    flag: 'weight-decay',
    help: 'L2 penalty on weights (not on biases or norm parameters)',
  },
  schedule: {
    kind: 'enum',
    values: ['constant', 'step', 'cosine'],
    default: 'constant',
    help: 'learning-rate schedule: constant, step (÷10 at 50% and 75%), cosine to zero',
  },
  warmup: {
    kind: 'int',
    min: 0,
    max: 1000000,
    default: 0,
    help: 'steps of linear learning-rate warm-up',
  },
  steps: { kind: 'int', min: 1, max: 10000000, default: 2000, help: 'training steps' },
  batch: { kind: 'int', min: 1, max: 4096, default: 64, help: 'mini-batch size' },
  seed: {
    kind: 'int',
    min: 0,
    max: 4294967295,
    default: 1,
    help: 'seed of the data, the initial weights and the batch order',
  },
  evalEvery: {
    kind: 'int',
    min: 1,
    max: 10000000,
    default: 50,
    flag: 'eval-every',
    help: 'steps between evaluations of train and test loss/accuracy',
  },
  evalSamples: {
    kind: 'int',
    min: 1,
    max: 100000,
    default: 1000,
    flag: 'eval-samples',
    help: 'samples of each set used by a periodic evaluation (the final one uses all)',
  },
  logEvery: {
    kind: 'int',
    min: 1,
    max: 10000000,
    default: 10,
    flag: 'log-every',
    help: 'steps between training-loss events (averaged over those steps)',
  },
  layerStatsEvery: {
    kind: 'int',
    min: 0,
    max: 10000000,
    default: 0,
    flag: 'layer-stats-every',
    help: 'steps between per-layer statistics (0: off)',
  },
  kernels: {
    kind: 'enum',
    values: KERNEL_PATHS,
    default: 'wasm',
    help: 'compute kernels: wasm (WebAssembly SIMD; where it is missing the run falls back to ts and records ts) or ts (the TypeScript reference); the two agree to float32 rounding, not bit for bit',
  },
} as const satisfies Record<keyof TrainConfig, Field>;

export type TrainConfigInput = Partial<Record<keyof TrainConfig, unknown>>;

export function defaultTrainConfig(): TrainConfig {
  return defaultsOf<TrainConfig>(TRAIN_FIELDS);
}

/**
 * Validates a (partial) config: unknown keys, wrong types, out-of-range values and
 * combinations the engine cannot build (e.g. a depth the block type cannot reach) each give
 * one error `{ key, message }`. Missing keys take their defaults. Whatever runs a config checks
 * its size too (`validateTrainRun`, size.ts, which needs the engine: the page's first screen
 * validates links without it).
 */
export function validateTrainConfig(input: unknown): Validation<TrainConfig> {
  return validateFields<TrainConfig>(TRAIN_FIELDS, withFamilyDefaults(input), trainCombinations);
}

/**
 * What a convolutional network takes where a config asks for one and does not say: the digits
 * (it reads images; the 2-D sets are the default otherwise), and residual branches that start at
 * full strength, as in He et al.'s CIFAR networks (the dense default, branches starting at zero,
 * trained a narrow ResNet-20 worse than its plain twin in 300 steps: tests/unit/conv.test.ts).
 * Every validator of training settings applies this to its raw input; given values are kept (and
 * checked).
 */
export const CONV_DEFAULTS: Readonly<Partial<Record<keyof TrainConfig, unknown>>> = {
  dataset: 'digits',
  residualInit: 'one',
};

export function withFamilyDefaults(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  const given = input as Record<string, unknown>;
  if (given.model !== 'conv') return input;
  const filled = { ...given };
  for (const [key, value] of Object.entries(CONV_DEFAULTS)) filled[key] ??= value;
  return filled;
}

/**
 * null if the network family and block type can reach the depth, otherwise a message naming the
 * nearest valid depths (a convolutional network: 6n + 2; a stack of dense layers: the block's
 * own rule).
 */
export function familyDepthError(model: ModelFamily, arch: Arch, depth: number): string | null {
  return model === 'conv' ? convDepthError(depth) : depthError(arch, depth);
}

/**
 * The combinations of training settings the engine cannot build. Each is checked whenever its
 * own fields are valid — not only when the whole config is — so that a typo elsewhere does not
 * hide it until the typo is fixed.
 */
function trainCombinations(c: TrainConfig, valid: (...keys: string[]) => boolean): FieldError[] {
  const errors: FieldError[] = [];
  const conv = valid('model') && c.model === 'conv';
  if (conv) errors.push(...convCombinations(c, valid));
  if (valid('model', 'arch', 'depth') && !(conv && !CONV_ARCHS.includes(c.arch))) {
    const depthProblem = familyDepthError(c.model, c.arch, c.depth);
    if (depthProblem) errors.push({ key: 'depth', message: depthProblem });
  }
  if (valid('arch', 'width') && c.arch === 'bottleneck' && c.width < 4)
    errors.push({
      key: 'width',
      message: 'bottleneck blocks need width ≥ 4 (their inner width is width/4)',
    });
  if (valid('arch', 'width', 'cardinality') && c.arch === 'resnext') {
    const inner = Math.floor(c.width / 2);
    if (inner < c.cardinality || inner % c.cardinality !== 0) {
      const width = 2 * c.cardinality * Math.max(1, Math.round(inner / c.cardinality));
      const hint =
        width <= TRAIN_FIELDS.width.max ? `try width ${width}` : 'try a smaller cardinality';
      errors.push({
        key: 'cardinality',
        message: `${c.cardinality} must divide the inner width width/2 = ${inner} (${hint})`,
      });
    }
  }
  // With one example, batch statistics are degenerate: every normalised value is 0.
  if (valid('norm', 'batch') && c.norm === 'batch' && c.batch < 2)
    errors.push({
      key: 'batch',
      message: 'batch norm needs at least 2 examples per batch (or use norm none)',
    });
  if (valid('dataset', 'samples') && c.dataset === 'digits' && c.samples > 10000)
    errors.push({ key: 'samples', message: `the digits set has 10000 images, got ${c.samples}` });
  return errors;
}

/** What a convolutional network needs besides its depth (checked in trainCombinations). */
function convCombinations(c: TrainConfig, valid: (...keys: string[]) => boolean): FieldError[] {
  const errors: FieldError[] = [];
  if (valid('arch') && !CONV_ARCHS.includes(c.arch))
    errors.push({
      key: 'arch',
      message: `a convolutional network is built from basic blocks: ${CONV_ARCHS.join(' or ')} (got ${c.arch})`,
    });
  if (valid('dataset') && c.dataset !== 'digits')
    errors.push({
      key: 'dataset',
      message: `a convolutional network reads images: use digits (${c.dataset} is a set of 2-D points)`,
    });
  if (valid('width') && c.width > CONV_MAX_WIDTH)
    errors.push({
      key: 'width',
      message: `a convolutional network's width is its first stage's channels (the last stage has 4 × width): at most ${CONV_MAX_WIDTH}, got ${c.width}`,
    });
  return errors;
}
