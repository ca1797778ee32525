/**
 * Convergence Speed Analysis' controls as page state, and their URL parameters (`conv-…`): the
 * target training accuracy, the budget in steps, the depths, the seeds, the dataset and the
 * normalisation. Every other setting of the sweep is the default sweep's (preset.ts). The
 * parameters are one block of the page's FIGURE_PARAMS (state/url.ts).
 */
import { TRAIN_FIELDS } from '../../experiments/config.ts';
import type { SweepConfig } from '../../experiments/sweep.ts';
import { defaultSweepConfig, type SweepFamily } from './preset.ts';

export type ConvDataset = SweepConfig['dataset'];
export type ConvNorm = SweepConfig['norm'];

export interface ConvergenceView {
  /** the networks swept: stacks of dense layers, or convolutional networks (on the digits) */
  model: SweepFamily;
  target: number;
  steps: number;
  depths: number[];
  seeds: number;
  dataset: ConvDataset;
  norm: ConvNorm;
}

/** The choices the controls offer (a link may carry any value the sweep accepts in the ranges). */
export const TARGET_CHOICES = [0.8, 0.9, 0.95, 0.99] as const;
export const STEP_CHOICES = [300, 600, 1000, 1500, 3000, 5000] as const;
/** depths both plain and residual basic blocks reach (2 + 2 × blocks) */
export const DEPTH_CHOICES = [8, 14, 20, 32, 44, 56, 110] as const;
export const SEED_CHOICES = [1, 2, 3, 4, 5] as const;
export const DATASETS: readonly ConvDataset[] = TRAIN_FIELDS.dataset.values;
export const NORMS: readonly ConvNorm[] = TRAIN_FIELDS.norm.values;

const STEPS_RANGE = [50, 20000] as const;
const SEEDS_MAX = 10;

export const FAMILIES: readonly SweepFamily[] = ['mlp', 'conv'];

export function defaultConvergenceView(model: SweepFamily = 'mlp'): ConvergenceView {
  const c = defaultSweepConfig(model);
  return {
    model,
    target: c.targetAccuracy,
    steps: c.steps,
    depths: [...c.depths],
    seeds: c.seeds,
    dataset: c.dataset,
    norm: c.norm,
  };
}

/**
 * The sweep the controls ask for: the family's default sweep with the controls' values (a
 * convolutional network reads images: its dataset is always the digits).
 */
export function sweepConfigOf(view: ConvergenceView): SweepConfig {
  return {
    ...defaultSweepConfig(view.model),
    targetAccuracy: view.target,
    steps: view.steps,
    depths: [...view.depths].sort((a, b) => a - b),
    seeds: view.seeds,
    dataset: view.model === 'conv' ? 'digits' : view.dataset,
    norm: view.norm,
  };
}

/** Whether a sweep record was computed with the settings the controls ask for. */
export function matchesView(config: SweepConfig, view: ConvergenceView): boolean {
  // both follow SWEEP_FIELDS' key order (the validator's and the record's)
  return JSON.stringify(config) === JSON.stringify(sweepConfigOf(view));
}

/** One URL parameter of the view (the shape of state/url.ts's FigureParam). */
export interface ConvParam {
  name: string;
  help: string;
  write(view: { convergence: ConvergenceView }): string | undefined;
  read(raw: string, view: { convergence: ConvergenceView }): string | undefined;
}

const DEFAULTS = defaultConvergenceView();
/** a family's own defaults: a link writes only what differs from them */
const defaultsOf = (v: { convergence: ConvergenceView }) =>
  v.convergence.model === 'conv' ? CONV_DEFAULTS : DEFAULTS;
const CONV_DEFAULTS = defaultConvergenceView('conv');
const INTEGER = /^\d+$/;
const DECIMAL = /^(\d+\.?\d*|\.\d+)$/;

function oneOf(raw: string, values: readonly string[]): string {
  return `expected one of ${values.join(', ')}, got ${JSON.stringify(raw)}`;
}

/** The `conv-…` parameters, in the order a link writes them. */
export const CONVERGENCE_PARAMS: readonly ConvParam[] = [
  {
    // first: reading it resets the other settings to that family's defaults, then they apply
    name: 'conv-model',
    help: 'Convergence Speed Analysis: the networks swept, mlp (dense layers) or conv (convolutional)',
    write: (v) => (v.convergence.model === 'mlp' ? undefined : v.convergence.model),
    read(raw, v) {
      const m = FAMILIES.find((x) => x === raw);
      if (!m) return oneOf(raw, FAMILIES);
      Object.assign(v.convergence, defaultConvergenceView(m));
      return undefined;
    },
  },
  {
    name: 'conv-target',
    help: 'Convergence Speed Analysis: the target training accuracy',
    write: (v) =>
      v.convergence.target === defaultsOf(v).target ? undefined : String(v.convergence.target),
    read(raw, v) {
      const n = Number(raw);
      if (!DECIMAL.test(raw) || !(n > 0 && n <= 1))
        return `expected a number in (0, 1], got ${JSON.stringify(raw)}`;
      v.convergence.target = n;
      return undefined;
    },
  },
  {
    name: 'conv-steps',
    help: 'Convergence Speed Analysis: the budget in training steps',
    write: (v) =>
      v.convergence.steps === defaultsOf(v).steps ? undefined : String(v.convergence.steps),
    read(raw, v) {
      const n = Number(raw);
      if (!INTEGER.test(raw) || n < STEPS_RANGE[0] || n > STEPS_RANGE[1])
        return `expected an integer in ${STEPS_RANGE[0]}…${STEPS_RANGE[1]}, got ${JSON.stringify(raw)}`;
      v.convergence.steps = n;
      return undefined;
    },
  },
  {
    name: 'conv-depths',
    help: 'Convergence Speed Analysis: the depths (comma-separated)',
    write: (v) =>
      v.convergence.depths.join(',') === defaultsOf(v).depths.join(',')
        ? undefined
        : v.convergence.depths.join(','),
    read(raw, v) {
      const parts = raw.split(',').filter(Boolean);
      const allowed = DEPTH_CHOICES as readonly number[];
      const bad = parts.filter((p) => !INTEGER.test(p) || !allowed.includes(Number(p)));
      if (parts.length === 0 || bad.length)
        return `expected depths from ${allowed.join(', ')}, got ${JSON.stringify(raw)}`;
      v.convergence.depths = [...new Set(parts.map(Number))].sort((a, b) => a - b);
      return undefined;
    },
  },
  {
    name: 'conv-seeds',
    help: 'Convergence Speed Analysis: seeds per network',
    write: (v) =>
      v.convergence.seeds === defaultsOf(v).seeds ? undefined : String(v.convergence.seeds),
    read(raw, v) {
      const n = Number(raw);
      if (!INTEGER.test(raw) || n < 1 || n > SEEDS_MAX)
        return `expected an integer in 1…${SEEDS_MAX}, got ${JSON.stringify(raw)}`;
      v.convergence.seeds = n;
      return undefined;
    },
  },
  {
    name: 'conv-dataset',
    help: 'Convergence Speed Analysis: the dataset',
    write: (v) =>
      v.convergence.dataset === defaultsOf(v).dataset ? undefined : v.convergence.dataset,
    read(raw, v) {
      const d = DATASETS.find((x) => x === raw);
      if (!d) return oneOf(raw, DATASETS);
      v.convergence.dataset = d;
      return undefined;
    },
  },
  {
    name: 'conv-norm',
    help: 'Convergence Speed Analysis: the normalisation',
    write: (v) => (v.convergence.norm === defaultsOf(v).norm ? undefined : v.convergence.norm),
    read(raw, v) {
      const n = NORMS.find((x) => x === raw);
      if (!n) return oneOf(raw, NORMS);
      v.convergence.norm = n;
      return undefined;
    },
  },
];
