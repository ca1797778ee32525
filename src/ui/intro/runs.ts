/**
 * The article's live runs, created once per page.
 *
 * - `introPair`: a 56-layer plain net and its residual twin (same layers, same seed, same batches;
 *   only the shortcuts differ), with batch norm, on the two-moons set. The Introduction draws
 *   their loss; the Degradation Problem reads their per-layer statistics.
 * - `shallowNets`: plain nets of 8 and 20 layers with the same settings, for the loss-by-depth
 *   figure (degradation: the deeper plain net trains worse, not just generalises worse).
 * - `noNormPair`: the 56-layer pair without normalisation — where gradients do vanish.
 *
 * The settings were chosen by running the CLI (`npx resnet-lab train --dataset moons --depth 56
 * --width 16 --batch 32 …`): at this size the plain 56-layer net stays near chance (loss ≈ 0.69)
 * while its twin and the shallow plain nets learn within a few hundred steps.
 */
import type { TrainConfig } from '../../experiments/config.ts';
import { CurveStore, seriesKey } from '../runs/curves.ts';
import { LiveGroup, liveConfig } from '../runs/liveGroup.svelte.ts';
import { PageRun } from '../runs/pageRun.svelte.ts';

/** A figure's run: started by its group, freed in its worker once done. */
function liveRun(id: string, config: TrainConfig, curves: CurveStore[] = []): PageRun {
  return new PageRun(id, { config, curves, releaseWhenDone: true });
}
const lossOf = (...ids: string[]) => ids.map((id) => seriesKey(id, 'trainLoss'));

/** The Introduction's loss chart: ResNet-56 and Plain-56. */
export const introCurves = new CurveStore(lossOf('ResNet-56', 'Plain-56'));
/** The loss-by-depth chart: ResNet-56 and the plain nets of 8, 20 and 56 layers. */
export const depthCurves = new CurveStore(lossOf('ResNet-56', 'Plain-8', 'Plain-20', 'Plain-56'));

const COMMON: Partial<TrainConfig> = {
  arch: 'resnet',
  dataset: 'moons',
  width: 16,
  batch: 32,
  optimizer: 'momentum',
  lr: 0.05,
  seed: 1,
  steps: 4000,
  logEvery: 10,
  // evaluations are not drawn here: one at the start and one at the end
  evalEvery: 4000,
  evalSamples: 200,
  layerStatsEvery: 20,
};

export const INTRO_DEPTH = 56;

export const introPlain = liveRun(
  'Plain-56',
  liveConfig({ ...COMMON, depth: INTRO_DEPTH, shortcut: false }),
  [introCurves, depthCurves],
);
export const introResnet = liveRun(
  'ResNet-56',
  liveConfig({ ...COMMON, depth: INTRO_DEPTH, shortcut: true }),
  [introCurves, depthCurves],
);
export const introPair = new LiveGroup([introPlain, introResnet]);

export const plain8 = liveRun(
  'Plain-8',
  liveConfig({ ...COMMON, depth: 8, shortcut: false, layerStatsEvery: 0 }),
  [depthCurves],
);
export const plain20 = liveRun(
  'Plain-20',
  liveConfig({ ...COMMON, depth: 20, shortcut: false, layerStatsEvery: 0 }),
  [depthCurves],
);
export const shallowNets = new LiveGroup([plain8, plain20]);

/** A short run: the gradients of interest are those near initialisation. */
const NO_NORM: Partial<TrainConfig> = {
  ...COMMON,
  depth: INTRO_DEPTH,
  norm: 'none',
  steps: 600,
  layerStatsEvery: 10,
};
export const noNormPlain = liveRun(
  'Plain-56, no normalisation',
  liveConfig({ ...NO_NORM, shortcut: false }),
);
export const noNormResnet = liveRun(
  'ResNet-56, no normalisation',
  liveConfig({ ...NO_NORM, shortcut: true }),
);
export const noNormPair = new LiveGroup([noNormPlain, noNormResnet]);

/** Whether the reader asked for less motion (then nothing starts by itself). */
export const reducedMotion =
  typeof matchMedia !== 'undefined' && matchMedia('(prefers-reduced-motion: reduce)').matches;

if (!reducedMotion) {
  introPair.wanted = true;
  shallowNets.wanted = true;
}

/** What the browser tests read (only with ?e2e in the page's address). */
export interface IntroTestHook {
  readonly steps: { plain: number; resnet: number };
  readonly status: { plain: string; resnet: string };
  readonly points: number;
  readonly firstPointAt: number | null;
  readonly wanted: boolean;
  /** when the pair's runs were started and their first events arrived (the bench's timeline) */
  readonly startedAt: number | null;
  readonly firstBatchAt: number | null;
}

if (typeof location !== 'undefined' && new URLSearchParams(location.search).has('e2e')) {
  const hook: IntroTestHook = {
    get steps() {
      return { plain: introPlain.step, resnet: introResnet.step };
    },
    get status() {
      return { plain: introPlain.status, resnet: introResnet.status };
    },
    get points() {
      return Math.min(introPlain.points, introResnet.points);
    },
    get firstPointAt() {
      const a = introPlain.firstPointAt;
      const b = introResnet.firstPointAt;
      return a === null || b === null ? null : Math.max(a, b);
    },
    get wanted() {
      return introPair.wanted;
    },
    get startedAt() {
      return introPlain.startedAt;
    },
    get firstBatchAt() {
      const a = introPlain.firstBatchAt;
      const b = introResnet.firstBatchAt;
      return a === null || b === null ? null : Math.max(a, b);
    },
  };
  (window as unknown as { __intro: IntroTestHook }).__intro = hook;
}
