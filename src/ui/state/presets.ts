/**
 * Named starting points for the lab, for classroom links (`?preset=degradation`) and for the
 * buttons in the text that open a figure. A preset is a partial training config; the URL's own
 * parameters override it.
 */
import type { TrainConfig } from '../../experiments/config.ts';

export interface Preset {
  title: string;
  /** one sentence: what the preset shows */
  description: string;
  config: Partial<TrainConfig>;
}

export const PRESETS = {
  degradation: {
    title: 'Degradation at depth 56',
    description:
      'A 56-layer plain network and its residual twin on the two spirals, with batch norm: does the deeper plain network train worse?',
    config: { depth: 56, width: 16, dataset: 'spiral', norm: 'batch', steps: 2000 },
  },
  'gradient-flow': {
    title: 'Gradient flow, layer by layer',
    description:
      'Per-layer gradient norms every 10 steps of a 56-layer pair with batch norm — the setting in which He et al. found that gradients do not vanish.',
    config: { depth: 56, width: 16, norm: 'batch', layerStatsEvery: 10, steps: 1000 },
  },
  'no-norm': {
    title: 'No normalisation',
    description: 'The same pair without batch norm: the shortcut alone has to carry the signal.',
    config: { depth: 56, width: 16, norm: 'none', lr: 0.02, steps: 2000 },
  },
  'sigmoid-vanishing': {
    title: 'Sigmoid activations',
    description:
      'σ′ ≤ 1/4: in a deep plain sigmoid network the gradient shrinks at every layer on its way down.',
    config: {
      depth: 20,
      width: 16,
      activation: 'sigmoid',
      init: 'glorot',
      norm: 'none',
      layerStatsEvery: 10,
    },
  },
  'naive-init': {
    title: 'Naive initialisation',
    description:
      'Weights drawn from N(0, 0.01²): without normalisation a deep plain network’s signal dies out; the shortcuts keep it.',
    config: { depth: 20, width: 16, init: 'naive', norm: 'none', layerStatsEvery: 10 },
  },
  digits: {
    title: 'Handwritten digits',
    description: 'The 10,000 MNIST digits at 14×14: a real image set in place of the 2-D points.',
    config: { dataset: 'digits', depth: 20, width: 32, steps: 1000, digitsSize: 14 },
  },
  bottleneck: {
    title: 'Bottleneck blocks, 50 layers',
    description:
      'ResNet-50’s 16 bottleneck blocks (width → width/4 → width/4 → width) against their plain twin.',
    config: { arch: 'bottleneck', depth: 50, width: 32 },
  },
  'bottleneck-101': {
    title: 'Bottleneck blocks, 101 layers',
    description: 'ResNet-101’s 33 bottleneck blocks against their plain twin.',
    config: { arch: 'bottleneck', depth: 101, width: 32 },
  },
  'bottleneck-152': {
    title: 'Bottleneck blocks, 152 layers',
    description: 'ResNet-152’s 50 bottleneck blocks against their plain twin.',
    config: { arch: 'bottleneck', depth: 152, width: 32 },
  },
  resnext: {
    title: 'ResNeXt blocks',
    description: 'Aggregated residual paths (cardinality 4) against the plain twin.',
    config: { arch: 'resnext', depth: 56, width: 32, cardinality: 4 },
  },
  densenet: {
    title: 'DenseNet blocks',
    description: 'Concatenating connections against the same layers without them.',
    config: { arch: 'densenet', depth: 56, width: 16, growthRate: 8 },
  },
  highway: {
    title: 'Highway layers',
    description: 'Gated skip connections (gate bias −2) against the same gates without the carry.',
    config: { arch: 'highway', depth: 30, width: 16, gateBias: -2 },
  },
} as const satisfies Record<string, Preset>;

export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];
