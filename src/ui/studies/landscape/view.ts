/**
 * The loss-landscape study's controls as page state, and their URL parameters (`land-…`): the
 * depth, the grid, the range, the training steps and the seed. Every other setting is the page's
 * landscape default (noise-free spirals, width 16, batch norm, the first 500 training examples),
 * chosen so that the default pair finishes in a few seconds and Plain-56 shows its degradation
 * (docs/experiments.md). The parameters are one block of the page's FIGURE_PARAMS (state/url.ts).
 */
import { defaultTrainConfig } from '../../../experiments/config.ts';
import type { LandscapeConfig } from '../../../experiments/landscape.ts';

export interface LandscapeView {
  depth: number;
  grid: number;
  range: number;
  steps: number;
  seed: number;
}

export const DEPTH_CHOICES = [8, 20, 56, 110] as const;
export const GRID_CHOICES = [11, 21, 31, 41, 51] as const;
export const RANGE_CHOICES = [0.25, 0.5, 1, 2] as const;
export const STEP_CHOICES = [300, 1000, 2000] as const;
export const SEED_CHOICES = [1, 2, 3, 4, 5] as const;

export function defaultLandscapeView(): LandscapeView {
  return { depth: 56, grid: 21, range: 1, steps: 1000, seed: 1 };
}

/** The settings the page fixes (what the caption names besides the controls). */
export const PAGE_SETTINGS = {
  dataset: 'spiral',
  noise: 0,
  width: 16,
  norm: 'batch',
  examples: 500,
} as const;

/** The landscape config of one network of the pair the page computes. */
export function landscapeConfigOf(view: LandscapeView, arch: 'plain' | 'resnet'): LandscapeConfig {
  return {
    ...defaultTrainConfig(),
    ...PAGE_SETTINGS,
    arch,
    depth: view.depth,
    steps: view.steps,
    seed: view.seed,
    grid: view.grid,
    range: view.range,
  };
}

/** One URL parameter of the view (the shape of state/url.ts's FigureParam). */
export interface LandParam {
  name: string;
  help: string;
  write(view: { landscape: LandscapeView }): string | undefined;
  read(raw: string, view: { landscape: LandscapeView }): string | undefined;
}

const DEFAULTS = defaultLandscapeView();

function choice<K extends keyof LandscapeView>(
  key: K,
  choices: readonly number[],
  help: string,
): LandParam {
  return {
    name: `land-${key}`,
    help: `Loss landscapes: ${help}`,
    write: (v) => (v.landscape[key] === DEFAULTS[key] ? undefined : String(v.landscape[key])),
    read(raw, v) {
      const n = Number(raw);
      if (!/^\d+(\.\d+)?$/.test(raw) || !choices.includes(n))
        return `expected one of ${choices.join(', ')}, got ${JSON.stringify(raw)}`;
      v.landscape[key] = n as LandscapeView[K];
      return undefined;
    },
  };
}

/** The `land-…` parameters, in the order a link writes them. */
export const LANDSCAPE_PARAMS: readonly LandParam[] = [
  choice('depth', DEPTH_CHOICES, 'the depth of both networks'),
  choice('grid', GRID_CHOICES, 'points per side of the grid'),
  choice('range', RANGE_CHOICES, 'α and β run over [−range, range]'),
  choice('steps', STEP_CHOICES, 'training steps'),
  choice('seed', SEED_CHOICES, 'the seed (training and directions)'),
];
