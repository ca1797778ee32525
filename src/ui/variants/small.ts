/**
 * What a card's "Train the small version" button loads: the preset's full config (the same
 * presetBase that usePreset loads), described in words, so the card never states a depth or a
 * width the button would not train.
 */
import { signed } from '../../arch/diagram.ts';
import type { DatasetName } from '../../data/types.ts';
import type { TrainConfig } from '../../experiments/config.ts';
import type { PresetName } from '../state/presets.ts';
import { presetBase } from '../state/url.ts';

export type SmallPreset = Extract<
  PresetName,
  'bottleneck' | 'bottleneck-101' | 'bottleneck-152' | 'resnext' | 'densenet' | 'highway'
>;

const DATASET_WORDS: Record<DatasetName, string> = {
  spiral: 'the two spirals',
  circles: 'the two circles',
  xor: 'the XOR quadrants',
  moons: 'the two moons',
  blobs: 'the Gaussian blobs',
  digits: 'the MNIST digits',
};

export interface SmallVersion {
  readonly config: TrainConfig;
  /** "bottleneck blocks, 56 layers deep, width 32" */
  readonly network: string;
  /** "on the two spirals for 2,000 steps" */
  readonly task: string;
}

function blockWords(c: TrainConfig): string {
  switch (c.arch) {
    case 'bottleneck':
      return `${(c.depth - 2) / 3} bottleneck blocks (inner width ${Math.floor(c.width / 4)})`;
    case 'resnext':
      return `ResNeXt blocks (cardinality ${c.cardinality}, inner width ${Math.floor(c.width / 2)})`;
    case 'densenet':
      return `DenseNet blocks (growth rate ${c.growthRate})`;
    case 'highway':
      return `highway layers (gate bias ${signed(c.gateBias)})`;
    default:
      return `${c.arch} blocks`;
  }
}

export function smallVersion(preset: SmallPreset): SmallVersion {
  const config = presetBase(preset);
  return {
    config,
    network: `${blockWords(config)}, ${config.depth} layers deep, width ${config.width}`,
    task: `on ${DATASET_WORDS[config.dataset]} for ${config.steps.toLocaleString('en-US')} steps`,
  };
}
