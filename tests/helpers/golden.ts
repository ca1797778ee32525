/**
 * The golden run records: a fixed set of configs (every block type, with and without batch norm,
 * both kernel paths, per-layer statistics, a divergence, the digits) whose run records were
 * written before the platform redesign (issue 9) and must stay byte-identical after it.
 * `node --import tsx tests/helpers/golden.ts --write` rewrites them — only do that for a change
 * that is meant to alter the numbers, and say so in the commit.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadDigitsAsset } from '../../src/cli/files.ts';
import type { TrainConfigInput } from '../../src/experiments/config.ts';
import { RunRecorder, toJSON } from '../../src/experiments/record.ts';
import { train } from '../../src/experiments/train.ts';

const STATS = { layerStatsEvery: 20, evalEvery: 20, logEvery: 5, steps: 60, samples: 300 };

export const GOLDEN_CONFIGS: Record<string, TrainConfigInput> = {
  'resnet-8-spiral': { arch: 'resnet', depth: 8, ...STATS },
  'plain-8-spiral': { arch: 'plain', depth: 8, ...STATS },
  'resnet-8-twin': { arch: 'resnet', depth: 8, shortcut: false, ...STATS },
  'preact-8-moons': { arch: 'preact', depth: 8, dataset: 'moons', ...STATS },
  'bottleneck-8': { arch: 'bottleneck', depth: 8, width: 16, ...STATS },
  'bottleneck-8-twin-none': {
    arch: 'bottleneck',
    depth: 8,
    width: 16,
    shortcut: false,
    norm: 'none',
    ...STATS,
  },
  'highway-6': { arch: 'highway', depth: 6, ...STATS },
  'highway-6-twin': { arch: 'highway', depth: 6, shortcut: false, ...STATS },
  'densenet-8': { arch: 'densenet', depth: 8, ...STATS },
  'densenet-8-twin-none': { arch: 'densenet', depth: 8, shortcut: false, norm: 'none', ...STATS },
  'resnext-8': { arch: 'resnext', depth: 8, width: 16, cardinality: 4, ...STATS },
  'resnext-8-twin': { arch: 'resnext', depth: 8, width: 16, shortcut: false, ...STATS },
  'resnet-20-tanh-adam-none': {
    arch: 'resnet',
    depth: 20,
    activation: 'tanh',
    init: 'glorot',
    norm: 'none',
    optimizer: 'adam',
    lr: 0.01,
    schedule: 'cosine',
    warmup: 10,
    ...STATS,
  },
  'plain-20-sigmoid-naive-ts': {
    arch: 'plain',
    depth: 20,
    activation: 'sigmoid',
    init: 'naive',
    norm: 'none',
    optimizer: 'sgd',
    kernels: 'ts',
    dataset: 'circles',
    loss: 'sigmoid',
    ...STATS,
  },
  'resnet-8-ts-step': { arch: 'resnet', depth: 8, kernels: 'ts', schedule: 'step', ...STATS },
  'resnet-20-diverges': {
    arch: 'resnet',
    depth: 20,
    norm: 'none',
    residualInit: 'one',
    lr: 10,
    ...STATS,
  },
  'resnet-8-digits': {
    arch: 'resnet',
    depth: 8,
    width: 24,
    dataset: 'digits',
    samples: 400,
    batch: 32,
    steps: 40,
    layerStatsEvery: 20,
    evalEvery: 20,
    logEvery: 10,
  },
};

export const GOLDEN_DIR = fileURLToPath(new URL('../fixtures/golden/', import.meta.url));

/** The run record of one golden config, as the CLI would write it. */
export function goldenRecord(config: TrainConfigInput): string {
  const digits = config.dataset === 'digits' ? loadDigitsAsset(14, () => {}) : undefined;
  const recorder = new RunRecorder();
  for (const event of train(config, { digits })) recorder.add(event);
  return toJSON(recorder.record());
}

export function goldenPath(name: string): string {
  return `${GOLDEN_DIR}${name}.json`;
}

export function readGolden(name: string): string {
  return readFileSync(goldenPath(name), 'utf8');
}

if (process.argv.includes('--write'))
  for (const [name, config] of Object.entries(GOLDEN_CONFIGS))
    writeFileSync(goldenPath(name), goldenRecord(config));
