/**
 * The shattered-gradients study's controls as page state, and their URL parameters (`shat-…`):
 * the depth and the seed. The page measures with the study's other defaults (256 points, width
 * 16, the across-depth set). The parameters are one block of the page's FIGURE_PARAMS
 * (state/url.ts).
 */
import {
  defaultShatteredConfig,
  SHATTERED_FIELDS,
  type ShatteredConfig,
} from '../../../experiments/shatteredConfig.ts';

export interface ShatteredView {
  depth: number;
  seed: number;
}

/** The depth slider: 2 (one hidden layer) and every depth of two-layer blocks, 4 … 110. */
export const SHAT_DEPTHS = { min: 2, max: 110, step: 2 } as const;
/** The seeds the page offers (a link may carry any the study accepts). */
export const SHAT_SEED_MAX = 1000;

export function defaultShatteredView(): ShatteredView {
  const c = defaultShatteredConfig();
  return { depth: c.depth, seed: c.seed };
}

/** The study the controls ask for. */
export function shatteredConfigOf(view: ShatteredView): ShatteredConfig {
  return { ...defaultShatteredConfig(), depth: view.depth, seed: view.seed };
}

/** One URL parameter of the view (the shape of state/url.ts's FigureParam). */
export interface ShatParam {
  name: string;
  help: string;
  write(view: { shattered: ShatteredView }): string | undefined;
  read(raw: string, view: { shattered: ShatteredView }): string | undefined;
}

const DEFAULTS = defaultShatteredView();
const INTEGER = /^\d+$/;

export const SHATTERED_PARAMS: readonly ShatParam[] = [
  {
    name: 'shat-depth',
    help: 'the shattered-gradients study: depth of both networks (2, 4, 6, …, 110)',
    write: (view) =>
      view.shattered.depth === DEFAULTS.depth ? undefined : String(view.shattered.depth),
    read(raw, view) {
      const n = Number(raw);
      const { min, max, step } = SHAT_DEPTHS;
      if (!INTEGER.test(raw.trim()) || n < min || n > max || n % step !== 0)
        return `expected an even depth from ${min} to ${max}, got ${JSON.stringify(raw)}`;
      view.shattered.depth = n;
      return undefined;
    },
  },
  {
    name: 'shat-seed',
    help: 'the shattered-gradients study: seed of the initial weights',
    write: (view) =>
      view.shattered.seed === DEFAULTS.seed ? undefined : String(view.shattered.seed),
    read(raw, view) {
      const n = Number(raw);
      if (!INTEGER.test(raw.trim()) || n > SHATTERED_FIELDS.seed.max)
        return `expected a seed from 0 to ${SHATTERED_FIELDS.seed.max}, got ${JSON.stringify(raw)}`;
      view.shattered.seed = n;
      return undefined;
    },
  },
];
