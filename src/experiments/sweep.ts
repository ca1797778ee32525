/**
 * A depth sweep: block types × depths × seeds, each a full training run (He et al. 2015's
 * Figure 1 and Figure 6, measured over seeds). A plan (job.ts): its runs are independent parts,
 * which a host may run in parallel; the sweep record depends only on their ordered results, so
 * it is the same byte for byte however they ran.
 *
 * Per run: the final metrics (as in the run record), and the steps (and epochs) to reach a target
 * training accuracy in evaluation mode — null when it was not reached within the budget, never
 * dropped or clipped; a diverged run keeps its step of divergence.
 */
import { type Arch, ARCHS, CONV_ARCHS } from '../engine/choices.ts';
import {
  familyDepthError,
  TRAIN_FIELDS,
  type TrainConfig,
  validateTrainConfig,
  withFamilyDefaults,
} from './config.ts';
import { type FieldError, type Validation, validateFields } from './fields.ts';
import { isPartFailure, type Part, type PartFailure, type Plan } from './job.ts';
import type { FinalMetrics, RunRecord } from './record.ts';

export const SWEEP_SCHEMA = 'resnet-lab/sweep@1';

const { arch: _arch, depth: _depth, ...TRAIN_REST } = TRAIN_FIELDS;

/** The sweep's settings: every training setting but arch and depth, and the sweep's own. */
export const SWEEP_FIELDS = {
  archs: {
    kind: 'enums',
    values: ARCHS,
    default: ['plain', 'resnet'],
    help: 'block types to train (comma-separated): each at every depth and seed',
  },
  depths: {
    kind: 'ints',
    min: 3,
    max: 1202,
    maxItems: 16,
    default: [8, 20, 56],
    help: 'depths in weight layers (comma-separated), as for train --depth',
  },
  seeds: {
    kind: 'int',
    min: 1,
    max: 100,
    default: 3,
    help: 'seeds per block type and depth: --seed, --seed + 1, …',
  },
  targetAccuracy: {
    kind: 'number',
    min: 0,
    max: 1,
    default: 0.95,
    flag: 'target-accuracy',
    help: 'training accuracy (evaluation mode, at each evaluation) a run must reach to count as converged',
  },
  ...TRAIN_REST,
} as const;

export type SweepConfig = Omit<TrainConfig, 'arch' | 'depth'> & {
  archs: Arch[];
  depths: number[];
  seeds: number;
  targetAccuracy: number;
};

/** The most runs one sweep may hold (a request beyond it is refused with the count). */
export const MAX_SWEEP_RUNS = 600;

export function validateSweepConfig(input: unknown): Validation<SweepConfig> {
  return validateFields<SweepConfig>(SWEEP_FIELDS, withFamilyDefaults(input), (c, valid) => {
    const errors: FieldError[] = [];
    const conv = valid('model') && c.model === 'conv';
    const wrongArch = conv ? c.archs.filter((a) => !CONV_ARCHS.includes(a)) : [];
    if (valid('archs') && wrongArch.length > 0)
      errors.push({
        key: 'archs',
        message: `a convolutional network is built from basic blocks: ${CONV_ARCHS.join(' or ')} (got ${wrongArch.join(', ')})`,
      });
    if (valid('model', 'archs', 'depths') && wrongArch.length === 0)
      for (const arch of c.archs)
        for (const depth of c.depths) {
          const problem = familyDepthError(c.model, arch, depth);
          if (problem && !errors.some((e) => e.message === problem))
            errors.push({ key: 'depths', message: problem });
        }
    if (valid('archs', 'depths', 'seeds')) {
      const runs = c.archs.length * c.depths.length * c.seeds;
      if (runs > MAX_SWEEP_RUNS)
        errors.push({
          key: 'seeds',
          message: `${runs} runs (archs × depths × seeds); at most ${MAX_SWEEP_RUNS}`,
        });
    }
    if (valid('seed', 'seeds') && c.seed + c.seeds - 1 > TRAIN_FIELDS.seed.max)
      errors.push({ key: 'seeds', message: `seeds from ${c.seed} pass ${TRAIN_FIELDS.seed.max}` });
    // the training settings' own combinations, for each block type (a depth is checked above)
    if (errors.length === 0 && valid('archs', 'depths'))
      for (const arch of c.archs) {
        const checked = validateTrainConfig(runConfig(c, arch, c.depths[0]!, c.seed));
        if (!checked.ok)
          for (const e of checked.errors)
            if (!errors.some((x) => x.key === e.key && x.message === e.message)) errors.push(e);
      }
    return errors;
  });
}

/** The training config of one run of the sweep. */
export function runConfig(c: SweepConfig, arch: Arch, depth: number, seed: number): TrainConfig {
  const { archs: _a, depths: _d, seeds: _s, targetAccuracy: _t, ...train } = c;
  return { ...train, arch, depth, seed };
}

/** The runs in sweep order: block type, then depth, then seed. */
export function sweepRuns(c: SweepConfig): { arch: Arch; depth: number; seed: number }[] {
  const out: { arch: Arch; depth: number; seed: number }[] = [];
  for (const arch of c.archs)
    for (const depth of c.depths)
      for (let k = 0; k < c.seeds; k++) out.push({ arch, depth, seed: c.seed + k });
  return out;
}

export interface SweepRun {
  arch: Arch;
  depth: number;
  seed: number;
  /** as in the run record: the last evaluation on the whole sets; null if it did not finish */
  final: FinalMetrics | null;
  /** the first evaluation step whose training accuracy reached the target; null: not reached */
  stepsToTarget: number | null;
  /** the same in epochs (steps × batch / training examples) */
  epochsToTarget: number | null;
  diverged: { step: number } | null;
  /** only on a run that could not finish (its worker died on the page): why */
  failed?: string;
}

export interface SweepRecord {
  schema: typeof SWEEP_SCHEMA;
  config: SweepConfig;
  runs: SweepRun[];
}

/** One run's entry from its run record. */
export function sweepRun(record: RunRecord, target: number): SweepRun {
  const reached = record.history.find((h) => h.trainAccuracy !== null && h.trainAccuracy >= target);
  const steps = reached ? reached.step : null;
  return {
    arch: record.config.arch,
    depth: record.config.depth,
    seed: record.config.seed,
    final: record.final && { ...record.final },
    stepsToTarget: steps,
    epochsToTarget: steps === null ? null : (steps * record.config.batch) / record.dataset.train,
    diverged: record.diverged && { ...record.diverged },
  };
}

function configRecord(c: SweepConfig): SweepConfig {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(SWEEP_FIELDS)) out[key] = c[key as keyof SweepConfig];
  return out as SweepConfig;
}

export function* sweepPlan(c: SweepConfig): Plan<SweepRecord> {
  const runs = sweepRuns(c);
  const parts: Part[] = runs.map((r) => ({
    kind: 'train',
    config: runConfig(c, r.arch, r.depth, r.seed),
  }));
  const records = (yield parts) as (RunRecord | PartFailure)[];
  return {
    schema: SWEEP_SCHEMA,
    config: configRecord(c),
    runs: records.map((r, i) => partRun(runs[i]!, r, c.targetAccuracy)),
  };
}

/**
 * A run's entry from its part's result: its run record, or — when the part could not finish (its
 * worker died on the page) — the run marked failed, with nothing it did not measure.
 */
export function partRun(
  run: { arch: Arch; depth: number; seed: number },
  result: unknown,
  target: number,
): SweepRun {
  if (!isPartFailure(result)) return sweepRun(result as RunRecord, target);
  return {
    ...run,
    final: null,
    stepsToTarget: null,
    epochsToTarget: null,
    diverged: null,
    failed: result.failed,
  };
}

export const SWEEP_CSV_COLUMNS = [
  'arch',
  'depth',
  'seed',
  'trainLoss',
  'trainAccuracy',
  'testLoss',
  'testAccuracy',
  'stepsToTarget',
  'epochsToTarget',
  'divergedAt',
] as const;

/** One row per run; an empty cell for null ("not reached", no divergence). */
export function sweepCSV(record: SweepRecord): string {
  const lines: string[] = [SWEEP_CSV_COLUMNS.join(',')];
  for (const r of record.runs) {
    const cells = [
      r.arch,
      r.depth,
      r.seed,
      r.final?.trainLoss,
      r.final?.trainAccuracy,
      r.final?.testLoss,
      r.final?.testAccuracy,
      r.stepsToTarget,
      r.epochsToTarget,
      r.diverged?.step,
    ];
    lines.push(cells.map((x) => (x === null || x === undefined ? '' : String(x))).join(','));
  }
  return `${lines.join('\n')}\n`;
}
