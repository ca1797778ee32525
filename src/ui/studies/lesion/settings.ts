/**
 * The lesion study's controls as page state, and their URL parameters (`lesion-…`): the depth,
 * the dataset, the training steps, the seed and the draws. Every other setting is fixed per
 * dataset (below), chosen so that both networks learn the task at the default depth — then a
 * lesion tests the architecture, not a network that never trained (docs/experiments.md, "Lesion
 * study"). The parameters are one block of the page's FIGURE_PARAMS (state/url.ts).
 */
import { TRAIN_FIELDS } from '../../../experiments/config.ts';
import {
  DRAWS_FIELD,
  type LesionConfig,
  validateLesionConfig,
} from '../../../experiments/lesion.ts';

export type LesionDataset = 'spiral' | 'digits';

export interface LesionView {
  depth: number;
  dataset: LesionDataset;
  steps: number;
  seed: number;
  draws: number;
}

export const LESION_DEPTHS = [8, 14, 20, 32, 44, 56, 110] as const;
export const LESION_DATASETS: readonly LesionDataset[] = ['spiral', 'digits'];
export const LESION_STEPS = [300, 600, 1000, 1500, 3000] as const;
export const LESION_DRAWS = [1, 3, 5, 10, 20] as const;
const STEPS_RANGE = [50, 20000] as const;
const SEED_RANGE = [TRAIN_FIELDS.seed.min, TRAIN_FIELDS.seed.max] as const;

/**
 * The settings the controls do not change, per dataset: noise-free spirals (with the default
 * noise of 0.1 a fifth of the test points sit on the wrong arm, capping every accuracy), and for
 * the digits 3,000 images and width 24, where a 20-layer plain net still trains.
 */
export const FIXED: Record<LesionDataset, Partial<LesionConfig>> = {
  spiral: { width: 16, noise: 0, samples: 1000 },
  digits: { width: 24, samples: 3000 },
};

export function defaultLesionView(): LesionView {
  return { depth: 20, dataset: 'spiral', steps: 1500, seed: 1, draws: DRAWS_FIELD.default };
}

/**
 * The study the controls ask for, or what is wrong with them (only a seed typed in by hand can
 * be: every other control offers valid values only).
 */
export function lesionConfigOf(
  view: LesionView,
): { ok: true; value: LesionConfig } | { ok: false; problem: string } {
  const checked = validateLesionConfig({
    ...FIXED[view.dataset],
    dataset: view.dataset,
    depth: view.depth,
    steps: view.steps,
    seed: view.seed,
    draws: view.draws,
  });
  if (checked.ok) return checked;
  return { ok: false, problem: checked.errors.map((e) => `${e.key}: ${e.message}`).join('; ') };
}

/** The command line that computes the same record (only what differs from the defaults). */
export function lesionCommand(config: LesionConfig): string {
  const defaults = validateLesionConfig({});
  if (!defaults.ok) throw new Error('internal: the lesion defaults are invalid');
  const flags: string[] = [];
  const keys: (keyof LesionConfig)[] = ['depth', 'width', 'dataset', 'samples', 'noise', 'steps'];
  for (const key of keys)
    if (
      key === 'depth' ||
      key === 'dataset' ||
      key === 'steps' ||
      config[key] !== defaults.value[key]
    )
      flags.push(`--${key} ${String(config[key])}`);
  flags.push(`--seed ${config.seed}`, `--draws ${config.draws}`);
  return `npx resnet-lab lesion ${flags.join(' ')} --out lesion.json`;
}

/** One URL parameter of the view (the shape of state/url.ts's FigureParam). */
export interface LesionParam {
  name: string;
  help: string;
  write(view: { lesion: LesionView }): string | undefined;
  read(raw: string, view: { lesion: LesionView }): string | undefined;
}

const DEFAULTS = defaultLesionView();
const INTEGER = /^\d+$/;

function integerParam(
  key: 'steps' | 'seed' | 'draws',
  help: string,
  [min, max]: readonly [number, number],
): LesionParam {
  return {
    name: `lesion-${key}`,
    help: `Lesions: ${help}`,
    // (a seed typed in by hand may be empty or a fraction for a moment: not written)
    write: (v) =>
      v.lesion[key] === DEFAULTS[key] || !Number.isInteger(v.lesion[key])
        ? undefined
        : String(v.lesion[key]),
    read(raw, v) {
      const n = Number(raw);
      if (!INTEGER.test(raw) || n < min || n > max)
        return `expected an integer in ${min}…${max}, got ${JSON.stringify(raw)}`;
      v.lesion[key] = n;
      return undefined;
    },
  };
}

/** The `lesion-…` parameters, in the order a link writes them. */
export const LESION_PARAMS: readonly LesionParam[] = [
  {
    name: 'lesion-depth',
    help: 'Lesions: the depth of both networks',
    write: (v) => (v.lesion.depth === DEFAULTS.depth ? undefined : String(v.lesion.depth)),
    read(raw, v) {
      const allowed = LESION_DEPTHS as readonly number[];
      if (!INTEGER.test(raw) || !allowed.includes(Number(raw)))
        return `expected one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`;
      v.lesion.depth = Number(raw);
      return undefined;
    },
  },
  {
    name: 'lesion-data',
    help: 'Lesions: the dataset (spiral or digits)',
    write: (v) => (v.lesion.dataset === DEFAULTS.dataset ? undefined : v.lesion.dataset),
    read(raw, v) {
      const d = LESION_DATASETS.find((x) => x === raw);
      if (!d) return `expected one of ${LESION_DATASETS.join(', ')}, got ${JSON.stringify(raw)}`;
      v.lesion.dataset = d;
      return undefined;
    },
  },
  integerParam('steps', 'training steps of each network', STEPS_RANGE),
  integerParam('seed', 'the seed (data, initial weights, batches, draws)', SEED_RANGE),
  integerParam('draws', 'random draws for each number of deleted blocks', [
    DRAWS_FIELD.min,
    DRAWS_FIELD.max,
  ]),
];
