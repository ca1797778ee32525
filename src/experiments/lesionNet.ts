/**
 * One network of the lesion study (lesion.ts): train it to the end, then delete blocks and
 * measure test accuracy in evaluation mode on the whole test set — no block (the baseline), each
 * block alone, then k random blocks for k = 1…n, `draws` times each. Every lesion is cleared
 * before the next measurement, so each measures the trained network minus exactly its blocks.
 * The draws come from `new Rng(seed, 'lesion-draws')`, which depends on the seed and the blocks
 * that may be deleted only: the plain network and the ResNet of one study lose the same blocks.
 */
import { Rng } from '../engine/rng.ts';
import { TRAIN_FIELDS } from './config.ts';
import { type FieldError, type Validation, validateFields } from './fields.ts';
import {
  type Accuracy,
  DRAWS_FIELD,
  type LesionConfig,
  type LesionNetConfig,
  type LesionNetResult,
  LESION_NETS,
  lesionBlocks,
  lesionUnits,
  trainConfigOf,
  validateLesionConfig,
} from './lesion.ts';
import { validateTrainRun } from './size.ts';
import { type Measurement, type StudyEvent, StudyJob } from './study.ts';
import { train, type TrainingRun } from './train.ts';
import type { JobResources } from './job.ts';

export const LESION_NET_FIELDS = { ...TRAIN_FIELDS, draws: DRAWS_FIELD } as const;

/** A part's config: a training run (with its size limits) and the draws. */
export function validateLesionNet(input: unknown): Validation<LesionNetConfig> {
  return validateFields<LesionNetConfig>(LESION_NET_FIELDS, input, (c) => {
    const { draws: _draws, ...trainConfig } = c;
    const checked = validateTrainRun(trainConfig);
    return checked.ok ? [] : checked.errors;
  });
}

/**
 * The whole study's config as a host that builds networks checks it: the settings, then each
 * network's size limits (memory, time per step), which need the engine — so they are here and
 * not in lesion.ts, whose validator the page's main thread uses.
 */
export function validateLesionRun(input: unknown): Validation<LesionConfig> {
  const checked = validateLesionConfig(input);
  if (!checked.ok) return checked;
  const errors: FieldError[] = [];
  for (const net of LESION_NETS) {
    const size = validateTrainRun(trainConfigOf(checked.value, net));
    if (!size.ok)
      for (const e of size.errors)
        if (!errors.some((x) => x.key === e.key && x.message === e.message)) errors.push(e);
  }
  return errors.length ? { ok: false, errors } : checked;
}

/**
 * The blocks deleted in each draw, for k = 1…n (n = blocks.length): `draws` lists of k distinct
 * blocks each, in ascending order (the first k of a seeded shuffle of the blocks).
 */
export function lesionDraws(seed: number, blocks: readonly number[], draws: number): number[][][] {
  const rng = new Rng(seed, 'lesion-draws');
  const order = [...blocks];
  const out: number[][][] = [];
  for (let k = 1; k <= order.length; k++) {
    const forK: number[][] = [];
    for (let d = 0; d < draws; d++) {
      rng.shuffle(order);
      forK.push(order.slice(0, k).sort((a, b) => a - b));
    }
    out.push(forK);
  }
  return out;
}

/** The trained network's test accuracy with `deleted` blocks lesioned (then cleared again). */
export function lesionedAccuracy(run: TrainingRun, deleted: readonly number[]): Accuracy {
  const model = run.model;
  for (const b of deleted) model.lesion(b, true);
  const d = run.data;
  const accuracy = run.evaluateSet(d.testX, d.testY, d.nTest).accuracy;
  model.clearLesions();
  return accuracy;
}

/** What the measurement adds to the training's end (the `lesion-net` result but its training). */
export type LesionMeasurement = Omit<LesionNetResult, 'final' | 'diverged'>;

function* measure(run: TrainingRun, draws: number): Measurement<LesionMeasurement> {
  const blocks = lesionBlocks(run.config);
  const n = blocks.length;
  // Training stopped early only if it diverged (a cancelled study never measures). Its weights
  // are then whatever blew up: a lesion may even make the outputs finite again, but such an
  // accuracy would measure the blow-up, not the network, so none is given.
  const diverged = run.step < run.total;
  const accuracyWithout = (deleted: readonly number[]): Accuracy =>
    diverged ? null : lesionedAccuracy(run, deleted);
  const baseline = accuracyWithout([]);
  yield;
  const single: LesionNetResult['single'] = [];
  for (const b of blocks) {
    single.push({ block: b, testAccuracy: accuracyWithout([b]) });
    yield;
  }
  const random: LesionNetResult['random'] = [];
  const drawn = lesionDraws(run.config.seed, blocks, draws);
  for (let k = 1; k <= n; k++) {
    const accuracies: Accuracy[] = [];
    for (const deleted of drawn[k - 1]!) {
      accuracies.push(accuracyWithout(deleted));
      // the last unit returns instead of yielding, so the units are 1 + n + n × draws
      if (k < n || accuracies.length < draws) yield;
    }
    random.push({ k, testAccuracy: accuracies });
  }
  return {
    baseline: { testAccuracy: baseline },
    single,
    random,
    dataset: { name: run.data.name, classes: run.data.numClasses, test: run.data.nTest },
  };
}

export type LesionNetEvent = StudyEvent<LesionMeasurement>;

/** The `lesion-net` job: trains the network of `config`, then lesions it. */
export function lesionNet(
  config: LesionNetConfig,
  resources: JobResources = {},
): StudyJob<LesionMeasurement> {
  const { draws, ...trainConfig } = config;
  const run = train(trainConfig, resources);
  return new StudyJob('lesion-net', run, () => measure(run, draws), lesionUnits(config));
}

/**
 * The part's result from its events: the training's end (final metrics, divergence) and the
 * measurement; null when it was cancelled.
 */
export function lesionNetRecorder(): {
  add(event: LesionNetEvent): void;
  result(): LesionNetResult | null;
} {
  let trained: Extract<LesionNetEvent, { type: 'trained' }> | null = null;
  let result: LesionNetResult | null = null;
  return {
    add: (e) => {
      if (e.type === 'trained') trained = e;
      else if (trained) result = { final: trained.final, diverged: trained.diverged, ...e.result };
    },
    result: () => result,
  };
}
