/**
 * The loss-landscape kinds for the registry (jobs.ts): the plan `landscape` and its two part
 * kinds, `landscape-train` and `landscape-band` (landscapeParts.ts).
 */
import type { JobDefinition, PlanDefinition, SimpleJobDefinition } from './job.ts';
import {
  type BandConfig,
  type BandResult,
  LANDSCAPE_BAND_KIND,
  LANDSCAPE_FIELDS,
  LANDSCAPE_TRAIN_KIND,
  type LandscapeConfig,
  landscapePlan,
  type LandscapeRecord,
  TRAIN_MEASURE_UNITS,
  type TrainedPart,
} from './landscape.ts';
import {
  createBandPart,
  createTrainPart,
  type TrainedMeasurement,
  trainedRecorder,
  validateBandConfig,
  validateLandscapeRun,
} from './landscapeParts.ts';
import { type StudyEvent, studyRecorder } from './study.ts';

const digitsOf = (c: { dataset: string; digitsSize: 14 | 28 }) =>
  c.dataset === 'digits' ? c.digitsSize : null;

export const LANDSCAPE_JOB: PlanDefinition<LandscapeConfig, LandscapeRecord> = {
  type: 'plan',
  kind: 'landscape',
  summary: 'train one network, then the loss on a grid around its weights (Li et al. 2018) as JSON',
  fields: LANDSCAPE_FIELDS,
  validate: validateLandscapeRun,
  digits: digitsOf,
  plan: landscapePlan,
};

const TRAIN_PART: SimpleJobDefinition<
  LandscapeConfig,
  StudyEvent<TrainedMeasurement>,
  TrainedPart | null
> = {
  type: 'simple',
  kind: LANDSCAPE_TRAIN_KIND,
  summary: 'a loss landscape’s training part: θ*, the centre loss and the interpolation',
  fields: LANDSCAPE_FIELDS,
  validate: validateLandscapeRun,
  digits: digitsOf,
  create: (config, resources) => createTrainPart(config, resources),
  units: (config) => config.steps + TRAIN_MEASURE_UNITS,
  recorder: trainedRecorder,
};

const BAND_PART: SimpleJobDefinition<BandConfig, StudyEvent<BandResult>, BandResult | null> = {
  type: 'simple',
  kind: LANDSCAPE_BAND_KIND,
  summary: 'a loss landscape’s band of grid rows around θ*',
  fields: LANDSCAPE_FIELDS,
  validate: validateBandConfig,
  digits: digitsOf,
  create: (config, resources) => createBandPart(config, resources),
  units: (config) => (config.rowTo - config.rowFrom) * config.grid,
  recorder: () => studyRecorder<BandResult>(),
};

/** The registry's casts, as in jobs.ts (a host validates with the kind's own validator). */
export const LANDSCAPE_JOBS: Record<string, JobDefinition> = {
  landscape: LANDSCAPE_JOB as unknown as JobDefinition,
  [LANDSCAPE_TRAIN_KIND]: TRAIN_PART as unknown as JobDefinition,
  [LANDSCAPE_BAND_KIND]: BAND_PART as unknown as JobDefinition,
};
