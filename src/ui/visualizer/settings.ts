/**
 * The Interactive ResNet Visualizer's settings (pure): the network configuration a reader picks,
 * the statistic that colours the boxes, how they appear in a link (`viz-depth=110&viz-stat=…`),
 * the gradient-flow presets, and the training configs of the live pair, the pair at
 * initialisation and the depth demonstration built from them.
 */
import {
  type ActivationName,
  CONV_DEFAULTS,
  defaultTrainConfig,
  familyDepthError,
  type InitName,
  type NormName,
  suggest,
  TRAIN_FIELDS,
  type TrainConfig,
  validateTrainConfig,
} from '../../experiments/config.ts';
import type { SweepConfig } from '../../experiments/sweep.ts';
import { DATASET_NAMES, type DatasetName } from '../../data/types.ts';
import {
  type Arch,
  ARCHS,
  CONV_ARCHS,
  MODEL_FAMILIES,
  type ModelFamily,
} from '../../engine/choices.ts';
import { pairConfigs } from '../training/pair.ts';
import { NODE_STATS, type NodeStat } from './stats.ts';

export interface VizView {
  /** stacks of dense layers, or He et al.'s CIFAR convolutional networks */
  model: ModelFamily;
  arch: Arch;
  depth: number;
  width: number;
  activation: ActivationName;
  init: InitName;
  norm: NormName;
  /** a 2-D set or the digits (the convolutional networks train on the digits only) */
  dataset: DatasetName;
  /** what colours the boxes */
  stat: NodeStat;
  /** training steps of each of the demonstration's runs */
  demoSteps: number;
}

export const DEFAULT_VIZ: Readonly<VizView> = {
  model: 'mlp',
  arch: 'resnet',
  depth: 56,
  width: 16,
  activation: 'relu',
  init: 'he',
  norm: 'batch',
  dataset: 'spiral',
  stat: 'gradNorm',
  demoSteps: 1000,
};

/** The depths offered (8 to 110 weight layers); each block type keeps those it can build. */
const DEPTH_CHOICES = [8, 11, 14, 20, 26, 32, 44, 56, 110] as const;
export const WIDTH_CHOICES = [8, 16, 32] as const;
/**
 * A convolutional network's width is its first stage's channels (the next stages have 2× and 4×).
 * Its default is 8 channels with batches of 16 (CONV_BATCH): measured in Node, a 56-layer conv
 * net steps about 36 times a second at width 8, batch 16 (about 14 at width 8, batch 32 — the
 * browser measured half that, 7, for each of a pair in one worker), so the live pair moves
 * visibly while it trains rather than crawling.
 */
export const CONV_WIDTH_CHOICES = [4, 8, 16] as const;
export const CONV_BATCH = 16;

/** The widths offered to a network family. */
export function widthChoices(model: ModelFamily): readonly number[] {
  return model === 'conv' ? CONV_WIDTH_CHOICES : WIDTH_CHOICES;
}

/** The view's defaults for a network family: a convolutional net reads the digits, 8 channels. */
export function familyDefaults(model: ModelFamily): Readonly<VizView> {
  return model === 'conv' ? { ...DEFAULT_VIZ, model, width: 8, dataset: 'digits' } : DEFAULT_VIZ;
}

/** The block types a family can build (a convolutional network: basic blocks only). */
export function archChoices(model: ModelFamily): readonly Arch[] {
  return model === 'conv' ? CONV_ARCHS : ARCHS;
}

export function depthChoices(arch: Arch, model: ModelFamily = 'mlp'): number[] {
  return DEPTH_CHOICES.filter((d) => familyDepthError(model, arch, d) === null);
}

/** The offered depth nearest to `depth` that `arch` can build (the deeper one on a tie). */
export function nearestDepth(arch: Arch, depth: number, model: ModelFamily = 'mlp'): number {
  const choices = depthChoices(arch, model);
  return choices.reduce((best, d) =>
    Math.abs(d - depth) < Math.abs(best - depth) ||
    (Math.abs(d - depth) === Math.abs(best - depth) && d > best)
      ? d
      : best,
  );
}

/**
 * Switches the view to a network family. Choosing convolutional applies its defaults (the
 * digits, 8 channels; the paper's branch initialisation comes with the config, vizConfig), keeps
 * a basic block (resnet for any other block type) and moves the depth to the nearest 6n + 2;
 * going back to dense layers restores their dataset and width (the channel widths mean another
 * thing there). Returns whether anything changed.
 */
export function setModel(view: VizView, model: ModelFamily): boolean {
  if (view.model === model) return false;
  const defaults = familyDefaults(model);
  view.model = model;
  view.dataset = defaults.dataset;
  view.width = defaults.width;
  if (!archChoices(model).includes(view.arch)) view.arch = 'resnet';
  fixDepth(view);
  return true;
}

/** Three gradient-flow presets (issue 10): activation, initialisation and normalisation. */
export const GRADIENT_PRESETS = {
  // tanh rather than sigmoid: after each addition the basic block applies the activation to the
  // shortcut's path too, and σ′ ≤ 1/4 would shrink the ResNet's gradient as well (measured)
  saturating: {
    label: 'tanh, naive initialisation, no normalisation',
    settings: { activation: 'tanh', init: 'naive', norm: 'none' },
  },
  relu: {
    label: 'ReLU, He initialisation, no normalisation',
    settings: { activation: 'relu', init: 'he', norm: 'none' },
  },
  batchnorm: {
    label: 'ReLU, He initialisation, batch norm',
    settings: { activation: 'relu', init: 'he', norm: 'batch' },
  },
} as const satisfies Record<
  string,
  { label: string; settings: Pick<VizView, 'activation' | 'init' | 'norm'> }
>;
export type GradientPreset = keyof typeof GRADIENT_PRESETS;
export const GRADIENT_PRESET_NAMES = Object.keys(GRADIENT_PRESETS) as GradientPreset[];

/** The preset the settings match, or null. */
export function presetOf(view: VizView): GradientPreset | null {
  return (
    GRADIENT_PRESET_NAMES.find((name) => {
      const s = GRADIENT_PRESETS[name].settings;
      return s.activation === view.activation && s.init === view.init && s.norm === view.norm;
    }) ?? null
  );
}

/** Statistics every LIVE_STATS_EVERY steps: often enough to watch, cheap at 110 layers. */
export const LIVE_STATS_EVERY = 10;
export const LIVE_STEPS = 3000;
/** The demonstration's runs: short, since only their order by depth is asked. */
export const DEMO_DEPTHS = [8, 20, 56, 110] as const;
/**
 * A convolutional demonstration leaves out 110 layers: at 1000 steps its pair alone would cost
 * more than the other six runs together (a 110-layer conv step takes about twice a 56-layer one,
 * measured), so it stops at 56 with 32 in between.
 */
export const CONV_DEMO_DEPTHS = [8, 20, 32, 56] as const;

export function demoDepths(model: ModelFamily): readonly number[] {
  return model === 'conv' ? CONV_DEMO_DEPTHS : DEMO_DEPTHS;
}
/** a conv run evaluates (and sends its feature maps) this often, so the maps change while watched */
const CONV_EVAL_EVERY = 100;
export const DEMO_STEPS_RANGE = [10, 20000] as const;

/** The training config the view describes (not yet split into its pair). */
export function vizConfig(view: VizView, over: Partial<TrainConfig> = {}): TrainConfig {
  const conv = view.model === 'conv';
  return {
    ...defaultTrainConfig(),
    // the conv family's own defaults (the paper's branch initialisation), as every validator fills them
    ...(conv ? (CONV_DEFAULTS as Partial<TrainConfig>) : {}),
    model: view.model,
    arch: view.arch,
    depth: view.depth,
    width: view.width,
    activation: view.activation,
    init: view.init,
    norm: view.norm,
    dataset: view.dataset,
    // noise-free 2-D sets: at the default noise 0.1 every depth stalls near the same loss and the
    // degradation barely shows (docs/experiments.md, "settings that did not show it")
    noise: 0,
    batch: conv ? CONV_BATCH : 32,
    steps: LIVE_STEPS,
    evalEvery: conv ? CONV_EVAL_EVERY : 500,
    evalSamples: 200,
    logEvery: 10,
    layerStatsEvery: LIVE_STATS_EVERY,
    ...over,
  };
}

/** What is wrong with the combination (a message), or null: the engine can build both nets. */
export function vizProblem(view: VizView): string | null {
  const checked = validateTrainConfig(vizConfig(view));
  return checked.ok ? null : checked.errors.map((e) => e.message).join('; ');
}

/** The live pair: the plain twin and the residual net, same layers, seed and batches. */
export function livePair(view: VizView): { plain: TrainConfig; resnet: TrainConfig } {
  return pairConfigs(vizConfig(view));
}

/**
 * The pair at initialisation: one step with statistics, whose gradients are those of the
 * initial weights on the live pair's first batch (the live pair's first statistics come at
 * step LIVE_STATS_EVERY).
 */
export function initPair(view: VizView): { plain: TrainConfig; resnet: TrainConfig } {
  return pairConfigs(vizConfig(view, { steps: 1, layerStatsEvery: 1, evalEvery: 1 }));
}

/** The demonstration: plain and residual nets at DEMO_DEPTHS, the view's other settings, one seed. */
export function demoSweep(view: VizView, steps = view.demoSteps): SweepConfig {
  const {
    arch: _arch,
    depth: _depth,
    ...train
  } = vizConfig(view, {
    steps,
    evalEvery: steps,
    layerStatsEvery: 0,
  });
  return {
    ...train,
    archs: ['plain', 'resnet'],
    depths: [...demoDepths(view.model)],
    seeds: 1,
    targetAccuracy: 0.95,
  };
}

// ── the link ──

/** One parameter of a link: its value where it differs from the default; a read that says what is wrong. */
export interface VizParam {
  name: string;
  help: string;
  write(view: VizView): string | undefined;
  read(raw: string, view: VizView): string | undefined;
  /** what a notice says was used instead (default: "the default is used") */
  fallback?(view: VizView): string;
}

function oneOf(raw: string, values: readonly string[]): string {
  return `expected one of ${values.join(', ')}, got ${JSON.stringify(raw)}${suggest(raw, values)}`;
}

/** what a link leaves out: the defaults of the view's own family */
const isDefault = <K extends keyof VizView>(view: VizView, key: K): boolean =>
  view[key] === familyDefaults(view.model)[key];

function enumParam<K extends 'arch' | 'activation' | 'init' | 'norm' | 'dataset' | 'stat'>(
  key: K,
  values: readonly string[],
  help: string,
): VizParam {
  return {
    name: `viz-${key}`,
    help,
    write: (view) => (isDefault(view, key) ? undefined : String(view[key])),
    read(raw, view) {
      if (!values.includes(raw)) return oneOf(raw, values);
      (view as Record<K, string>)[key] = raw;
      return undefined;
    },
  };
}

function widthParam(help: string): VizParam {
  return {
    name: 'viz-width',
    help,
    write: (view) => (isDefault(view, 'width') ? undefined : String(view.width)),
    // after viz-model (table order): a convolutional network offers its own channel widths
    read(raw, view) {
      const allowed = widthChoices(view.model);
      const n = Number(raw);
      if (!/^\d+$/.test(raw.trim()) || !allowed.includes(n))
        return `expected one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`;
      view.width = n;
      return undefined;
    },
    fallback: (view) => `width ${view.width} is used`,
  };
}

/**
 * The visualizer's link parameters, in the order a link writes them (and reads them: the block
 * type before the depth). A depth the block type cannot build moves to the nearest it can.
 */
export const VIZ_PARAMS: readonly VizParam[] = [
  {
    name: 'viz-model',
    help: "the visualizer's network: mlp (dense layers) or conv (convolutional, on the digits)",
    write: (view) => (view.model === DEFAULT_VIZ.model ? undefined : view.model),
    // first (table order): the family's defaults, which the later parameters may override
    read(raw, view) {
      if (!(MODEL_FAMILIES as readonly string[]).includes(raw)) return oneOf(raw, MODEL_FAMILIES);
      setModel(view, raw as ModelFamily);
      return undefined;
    },
  },
  {
    ...enumParam('arch', ARCHS, "the visualizer's block type"),
    // after viz-model: a convolutional network is built from basic blocks only
    read(raw, view) {
      if (!(ARCHS as readonly string[]).includes(raw)) return oneOf(raw, ARCHS);
      const allowed = archChoices(view.model);
      if (!(allowed as readonly string[]).includes(raw))
        return `a convolutional network is built from basic blocks: expected one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`;
      view.arch = raw as Arch;
      fixDepth(view);
      return undefined;
    },
    fallback: (view) => `block type ${view.arch} is used`,
  },
  {
    name: 'viz-depth',
    help: "the visualizer's depth in weight layers",
    write: (view) => (isDefault(view, 'depth') ? undefined : String(view.depth)),
    // after viz-arch (table order): a depth that block type cannot build becomes its nearest
    read(raw, view) {
      const n = Number(raw);
      if (!/^\d+$/.test(raw.trim()) || !(DEPTH_CHOICES as readonly number[]).includes(n))
        return `expected one of ${DEPTH_CHOICES.join(', ')}, got ${JSON.stringify(raw)}`;
      view.depth = n;
      const problem = familyDepthError(view.model, view.arch, n);
      if (!problem) return undefined;
      fixDepth(view);
      return problem;
    },
    fallback: (view) => `depth ${view.depth} is used`,
  },
  widthParam("the visualizer's units per hidden layer (conv: the first stage's channels)"),
  enumParam('activation', TRAIN_FIELDS.activation.values, "the visualizer's activation"),
  enumParam('init', TRAIN_FIELDS.init.values, "the visualizer's initialisation"),
  enumParam('norm', TRAIN_FIELDS.norm.values, "the visualizer's normalisation"),
  enumParam('dataset', DATASET_NAMES, "the visualizer's dataset (a 2-D set or the digits)"),
  enumParam('stat', NODE_STATS, 'the statistic that colours the diagrams'),
  {
    name: 'viz-demo-steps',
    help: "training steps of each of the visualizer's demonstration runs",
    write: (view) => (isDefault(view, 'demoSteps') ? undefined : String(view.demoSteps)),
    read(raw, view) {
      const [lo, hi] = DEMO_STEPS_RANGE;
      const n = Number(raw);
      if (!/^\d+$/.test(raw.trim()) || n < lo || n > hi)
        return `expected a whole number of steps from ${lo} to ${hi}, got ${JSON.stringify(raw)}`;
      view.demoSteps = n;
      return undefined;
    },
  },
];

/** A fresh view at the defaults. */
export function defaultViz(): VizView {
  return { ...DEFAULT_VIZ };
}

/** Moves the depth to the nearest one the family and block type can build; returns whether it moved. */
export function fixDepth(view: VizView): boolean {
  if (familyDepthError(view.model, view.arch, view.depth) === null) return false;
  view.depth = nearestDepth(view.arch, view.depth, view.model);
  return true;
}
