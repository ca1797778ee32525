/**
 * The ensemble-of-paths study's controls as page state, and their URL parameters (`paths-…`):
 * the depth, the training steps and the seed. Every other setting is the study's default (the
 * `train` defaults: two spirals, width 16, batch norm, 5 paths per length). The parameters are
 * one block of the page's FIGURE_PARAMS (state/url.ts).
 */
import { defaultPathsConfig, type PathsConfig } from '../../../experiments/pathsConfig.ts';

export interface PathsView {
  depth: number;
  steps: number;
  seed: number;
}

/** residual depths offered (2 + 2 × blocks): up to ResNet-110's 54 blocks */
export const PATHS_DEPTHS = [8, 14, 20, 32, 44, 56, 110] as const;
export const PATHS_STEPS = [200, 500, 1000, 2000, 4000] as const;
export const PATHS_SEED_MAX = 1000;

export function defaultPathsView(): PathsView {
  return { depth: 56, steps: 2000, seed: 1 };
}

/** The study the controls ask for. */
export function pathsConfigOf(view: PathsView): PathsConfig {
  return {
    ...defaultPathsConfig(),
    depth: view.depth,
    steps: view.steps,
    seed: view.seed,
  };
}

/** One URL parameter of the view (the shape of state/url.ts's FigureParam). */
export interface PathsParam {
  name: string;
  help: string;
  write(view: { paths: PathsView }): string | undefined;
  read(raw: string, view: { paths: PathsView }): string | undefined;
}

const DEFAULTS = defaultPathsView();
const INTEGER = /^\d+$/;

function choice(key: 'depth' | 'steps', values: readonly number[], help: string): PathsParam {
  return {
    name: `paths-${key}`,
    help,
    write: (view) => (view.paths[key] === DEFAULTS[key] ? undefined : String(view.paths[key])),
    read(raw, view) {
      const n = Number(raw);
      if (!INTEGER.test(raw.trim()) || !values.includes(n))
        return `expected one of ${values.join(', ')}, got ${JSON.stringify(raw)}`;
      view.paths[key] = n;
      return undefined;
    },
  };
}

export const PATHS_PARAMS: readonly PathsParam[] = [
  choice('depth', PATHS_DEPTHS, 'the ensemble-of-paths study: depth of the residual network'),
  choice('steps', PATHS_STEPS, 'the ensemble-of-paths study: training steps before measuring'),
  {
    name: 'paths-seed',
    help: 'the ensemble-of-paths study: seed of the data, the weights and the sampled paths',
    write: (view) => (view.paths.seed === DEFAULTS.seed ? undefined : String(view.paths.seed)),
    read(raw, view) {
      const n = Number(raw);
      if (!INTEGER.test(raw.trim()) || n > PATHS_SEED_MAX)
        return `expected a seed from 0 to ${PATHS_SEED_MAX}, got ${JSON.stringify(raw)}`;
      view.paths.seed = n;
      return undefined;
    },
  },
];
