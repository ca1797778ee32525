/**
 * Every job kind, registered once: its settings (field table + validator) and how it runs — as
 * one sliced job in one thread, or as a plan of independent parts. The CLI's commands, Node's
 * worker threads (`--jobs N`) and the browser's workers all look kinds up here, so a new study
 * is one file in src/experiments plus one entry below.
 */
import type { ModelGraph } from '../engine/graph.ts';
import { TRAIN_FIELDS, type TrainConfig } from './config.ts';
import { validateTrainRun } from './size.ts';
import { errorLine } from './fields.ts';
import type {
  JobDefinition,
  JobResources,
  Part,
  PlanDefinition,
  SimpleJobDefinition,
} from './job.ts';
import { type InspectEvent, InspectJob } from './inspect.ts';
import {
  LESION_FIELDS,
  lesionPlan,
  type LesionConfig,
  type LesionNetConfig,
  type LesionNetResult,
  type LesionRecord,
  lesionUnits,
} from './lesion.ts';
import {
  LESION_NET_FIELDS,
  lesionNet,
  type LesionNetEvent,
  lesionNetRecorder,
  validateLesionNet,
  validateLesionRun,
} from './lesionNet.ts';
import { RunRecorder, type RunRecord } from './record.ts';
import {
  SWEEP_FIELDS,
  type SweepConfig,
  sweepPlan,
  type SweepRecord,
  validateSweepConfig,
} from './sweep.ts';
import { type TrainEvent, train } from './train.ts';
import {
  SHATTERED_FIELDS,
  type ShatteredConfig,
  shatteredJob,
  type ShatteredRecord,
  shatteredUnits,
  validateShatteredConfig,
} from './shattered.ts';
import { type StudyEvent, studyRecorder } from './study.ts';
import {
  PATHS_FIELDS,
  type PathsConfig,
  pathsJob,
  type PathsRecord,
  pathsUnits,
  validatePathsConfig,
} from './paths.ts';
import { LANDSCAPE_JOBS } from './landscapeJobs.ts';
import { EXPORT_FIELDS, type ExportConfig, type ExportResult } from './exportConfig.ts';
import { exportJob, exportUnits, loadExportWriters, validateExportConfig } from './export.ts';

const digitsOf = (c: { dataset: string; digitsSize: 14 | 28 }) =>
  c.dataset === 'digits' ? c.digitsSize : null;

export const TRAIN_JOB: SimpleJobDefinition<TrainConfig, TrainEvent, RunRecord> = {
  type: 'simple',
  kind: 'train',
  summary: 'train one network and write its run record (JSON or CSV)',
  fields: TRAIN_FIELDS,
  validate: validateTrainRun,
  digits: digitsOf,
  create: (config, resources, observe) => train(config, resources, observe),
  units: (config) => config.steps,
  recorder: () => {
    const recorder = new RunRecorder();
    return { add: (e) => recorder.add(e), result: () => recorder.record() };
  },
};

/** The graph of the network a training config builds (no training); `resnet-lab inspect`. */
export const INSPECT_JOB: SimpleJobDefinition<TrainConfig, InspectEvent, ModelGraph | null> = {
  type: 'simple',
  kind: 'inspect',
  summary: 'the compiled graph of the network a training config builds (nodes, shapes, shortcuts)',
  fields: TRAIN_FIELDS,
  validate: validateTrainRun,
  // the graph does not depend on the data's values, only on their shape
  digits: () => null,
  create: (config) => new InspectJob(config),
  units: () => 1,
  recorder: () => {
    let graph: ModelGraph | null = null;
    return { add: (e) => (graph = e.graph), result: () => graph };
  },
};

export const SWEEP_JOB: PlanDefinition<SweepConfig, SweepRecord> = {
  type: 'plan',
  kind: 'sweep',
  summary: 'train block types × depths × seeds and write the sweep record (JSON or CSV)',
  fields: SWEEP_FIELDS,
  validate: validateSweepConfig,
  digits: digitsOf,
  plan: sweepPlan,
};

/** Shattered gradients at initialisation (shattered.ts); `resnet-lab shattered`. */
export const SHATTERED_JOB: SimpleJobDefinition<
  ShatteredConfig,
  StudyEvent<ShatteredRecord>,
  ShatteredRecord | null
> = {
  type: 'simple',
  kind: 'shattered',
  summary:
    'the gradient along a line of inputs at initialisation, plain vs residual, and its autocorrelation',
  fields: SHATTERED_FIELDS,
  validate: validateShatteredConfig,
  digits: () => null,
  create: (config) => shatteredJob(config),
  units: shatteredUnits,
  recorder: () => studyRecorder<ShatteredRecord>(),
};

/** The ensemble of paths of a trained residual network (paths.ts); `resnet-lab paths`. */
export const PATHS_JOB: SimpleJobDefinition<
  PathsConfig,
  StudyEvent<PathsRecord>,
  PathsRecord | null
> = {
  type: 'simple',
  kind: 'paths',
  summary:
    'train a residual network, then the gradient carried by its paths of each length (Veit et al. 2016)',
  fields: PATHS_FIELDS,
  validate: validatePathsConfig,
  digits: digitsOf,
  create: (config, resources) => pathsJob(config, resources),
  units: pathsUnits,
  recorder: () => studyRecorder<PathsRecord>(),
};

/** The lesion study: a plain network and its ResNet twin, trained, then lesioned (lesion.ts). */
export const LESION_JOB: PlanDefinition<LesionConfig, LesionRecord> = {
  type: 'plan',
  kind: 'lesion',
  summary:
    'train a plain network and its ResNet twin, then delete blocks and measure test accuracy',
  fields: LESION_FIELDS,
  validate: validateLesionRun,
  digits: digitsOf,
  plan: lesionPlan,
};

/** One network of the lesion study: trains it, then lesions it (lesionNet.ts). */
export const LESION_NET_JOB: SimpleJobDefinition<
  LesionNetConfig,
  LesionNetEvent,
  LesionNetResult | null
> = {
  type: 'simple',
  kind: 'lesion-net',
  summary: 'one network of the lesion study: train it, then delete its blocks',
  fields: LESION_NET_FIELDS,
  validate: validateLesionNet,
  digits: digitsOf,
  create: (config, resources) => lesionNet(config, resources),
  units: (config) => config.steps + lesionUnits(config),
  recorder: lesionNetRecorder,
};

/** An ONNX file or a PyTorch folder of a training config (export.ts); `resnet-lab export`. */
export const EXPORT_JOB: SimpleJobDefinition<
  ExportConfig,
  StudyEvent<ExportResult>,
  ExportResult | null
> = {
  type: 'simple',
  kind: 'export',
  summary: 'a network as an ONNX file, or a run as a PyTorch folder (train.py, torchrun)',
  fields: EXPORT_FIELDS,
  validate: validateExportConfig,
  digits: digitsOf,
  prepare: loadExportWriters,
  create: (config, resources) => exportJob(config, resources),
  units: exportUnits,
  recorder: () => studyRecorder<ExportResult>(),
};

/**
 * The registry erases each kind's config and result types (a host looks a kind up by name and
 * validates the config with the kind's own validator before it creates anything), hence the casts.
 */
export const JOBS: Record<string, JobDefinition> = {
  train: TRAIN_JOB as unknown as JobDefinition,
  sweep: SWEEP_JOB as unknown as JobDefinition,
  inspect: INSPECT_JOB as unknown as JobDefinition,
  shattered: SHATTERED_JOB as unknown as JobDefinition,
  paths: PATHS_JOB as unknown as JobDefinition,
  lesion: LESION_JOB as unknown as JobDefinition,
  'lesion-net': LESION_NET_JOB as unknown as JobDefinition,
  ...LANDSCAPE_JOBS,
  export: EXPORT_JOB as unknown as JobDefinition,
};

/**
 * Runs one part to the end in this thread: validates its config with its kind's validator,
 * runs the job, and returns the kind's result (train: the run record).
 * @param onProgress called now and then with the units done and in all
 */
export function runPart(
  part: Part,
  resources: JobResources,
  onProgress?: (done: number, total: number) => void,
): unknown {
  const def = simpleJob(part.kind);
  const checked = def.validate(part.config);
  if (!checked.ok)
    throw new Error(
      `${part.kind}: invalid config: ${checked.errors.map((e) => errorLine(e)).join('; ')}`,
    );
  const job = def.create(checked.value, resources);
  const recorder = def.recorder();
  while (!job.done) {
    for (const event of job.advance()) recorder.add(event);
    onProgress?.(job.progress, job.total);
  }
  return recorder.result();
}

/** A part's units of work (its job's total), from its (valid) config. */
export function unitsOf(part: Part): number {
  return simpleJob(part.kind).units(part.config);
}

/** The simple job of a kind (what a part or a worker runs). */
export function simpleJob(kind: string): SimpleJobDefinition {
  const def = JOBS[kind];
  if (!def) throw new Error(`unknown job kind ${JSON.stringify(kind)}`);
  if (def.type !== 'simple') throw new Error(`job kind ${kind} is a plan, not a simple job`);
  return def;
}
