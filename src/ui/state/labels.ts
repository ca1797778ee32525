/**
 * Words for the settings' values, as the page shows them. The URL and the command line keep
 * the keys (`resnet`, `he`, `momentum` …); only what a reader sees is translated here.
 */
import type { TrainConfig } from '../../experiments/config.ts';
import type { FieldKey } from './form.ts';

export const OPTION_LABELS: Partial<Record<FieldKey, Record<string, string>>> = {
  model: { mlp: 'Dense layers', conv: 'Convolutional' },
  shortcutOption: {
    A: 'A: subsample, pad with zeros (no weights)',
    B: 'B: 1×1 convolution (projection)',
  },
  arch: {
    plain: 'Plain (basic block without its shortcut)',
    resnet: 'Basic residual block (He et al. 2015a)',
    preact: 'Pre-activation residual block (He et al. 2016)',
    bottleneck: 'Bottleneck residual block (ResNet-50/101/152)',
    highway: 'Highway layer (gated shortcut)',
    densenet: 'DenseNet block (concatenating)',
    resnext: 'ResNeXt block (grouped paths)',
  },
  activation: { relu: 'ReLU', tanh: 'tanh', sigmoid: 'Sigmoid', identity: 'None (identity)' },
  init: {
    he: 'He / Kaiming normal',
    glorot: 'Glorot / Xavier normal',
    naive: 'Naive, N(0, 0.01²)',
  },
  norm: { none: 'None', batch: 'Batch normalisation' },
  residualInit: { zero: 'Zero (each block starts as the identity)', one: 'One (as in the paper)' },
  dataset: {
    spiral: 'Two spirals',
    circles: 'Two circles',
    xor: 'XOR quadrants',
    moons: 'Two moons',
    blobs: 'Gaussian blobs',
    digits: 'MNIST digits',
  },
  loss: { softmax: 'Softmax cross-entropy', sigmoid: 'Sigmoid cross-entropy' },
  optimizer: { sgd: 'SGD', momentum: 'SGD with momentum', adam: 'Adam' },
  schedule: {
    constant: 'Constant',
    step: 'Step (÷10 at 50% and 75%)',
    cosine: 'Cosine to zero',
  },
  kernels: { wasm: 'WebAssembly SIMD', ts: 'TypeScript (reference)' },
};

/** The words for one value of a setting (the value itself where there are none). */
export function optionLabel(key: FieldKey, value: unknown): string {
  return OPTION_LABELS[key]?.[String(value)] ?? String(value);
}

/** The residual network of a pair, named by its block type: "DenseNet", "ResNeXt"… */
const NETWORK_NAMES: Record<TrainConfig['arch'], string> = {
  plain: 'ResNet',
  resnet: 'ResNet',
  preact: 'Pre-activation ResNet',
  bottleneck: 'Bottleneck ResNet',
  highway: 'Highway network',
  densenet: 'DenseNet',
  resnext: 'ResNeXt',
};

export function networkName(arch: TrainConfig['arch']): string {
  return NETWORK_NAMES[arch];
}

/** The block type in a sentence: "basic residual blocks", "DenseNet blocks"… */
const BLOCK_WORDS: Record<TrainConfig['arch'], string> = {
  plain: 'basic residual blocks',
  resnet: 'basic residual blocks',
  preact: 'pre-activation residual blocks',
  bottleneck: 'bottleneck residual blocks',
  highway: 'highway layers',
  densenet: 'DenseNet blocks',
  resnext: 'ResNeXt blocks',
};

export function blockWords(arch: TrainConfig['arch']): string {
  return BLOCK_WORDS[arch];
}

/** The form's help where the schema's (written for the command line) names internal keys. */
export const HELP: Partial<Record<FieldKey, string>> = {
  model:
    'dense layers: every unit sees every input; convolutional: 3×3 filters slide over the digit images, in three stages of width, 2 × width and 4 × width channels on ever smaller maps (He et al.’s CIFAR networks)',
  shortcutOption:
    'where a stage halves the maps and doubles the channels, the shortcut either subsamples its input and pads the new channels with zeros (A, no weights, as in the paper’s CIFAR networks) or projects it with a 1×1 convolution (B)',
  arch: 'the block the residual network is built from; its plain twin has the same layers without the shortcuts',
  optimizer: 'plain stochastic gradient descent, SGD with momentum, or Adam',
  kernels:
    'how the arithmetic runs: WebAssembly SIMD (fast; where it is missing the run falls back to TypeScript) or the TypeScript reference; the two agree to float32 rounding, not bit for bit',
};

/** One network by its own settings, as the figures name them: "Plain-14", "ResNet-20", "DenseNet-8". */
export function runName(config: Pick<TrainConfig, 'arch' | 'shortcut' | 'depth'>): string {
  const plain = config.arch === 'plain' || !config.shortcut;
  return `${plain ? 'Plain' : networkName(config.arch)}-${config.depth}`;
}
