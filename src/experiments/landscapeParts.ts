/**
 * The two jobs the loss-landscape plan (landscape.ts) is made of, and the measurement they share:
 *
 * - `landscape-train` trains the network (a StudyJob), then returns θ* with its batch-norm running
 *   statistics, the loss at θ* and the 1-D interpolation θ₀ + t·(θ* − θ₀);
 * - `landscape-band` rebuilds the network with θ* and evaluates rows [rowFrom, rowTo) of the grid.
 *
 * Both evaluate through one `LandscapeEvaluator`: a model of the same spec whose buffers hold the
 * whole evaluation set (`evalBatch`), so each point is one forward pass with no copy and no
 * allocation (`perturb` rewrites the parameters in place, `restore` puts θ* back bit for bit).
 * The evaluation set is the first N training examples, in evaluation mode (running statistics),
 * with the trained running statistics at every point (Li et al.'s code perturbs the weights only).
 */
import { type Dataset } from '../data/index.ts';
import { Model } from '../engine/model.ts';
import { Rng } from '../engine/rng.ts';
import type { FieldError, Validation } from './fields.ts';
import { type Job, type JobResources } from './job.ts';
import {
  type BandConfig,
  type BandResult,
  gridAxis,
  interpolationTs,
  LANDSCAPE_BAND_KIND,
  LANDSCAPE_TRAIN_KIND,
  type LandscapeConfig,
  TRAIN_MEASURE_UNITS,
  type TrainedPart,
  trainConfigOf,
  validateLandscapeConfig,
} from './landscape.ts';
import { datasetShape, modelSpec, SIZE_LIMITS, validateTrainRun } from './size.ts';
import { type Measurement, StudyJob, type StudyEvent } from './study.ts';
import { loadDataset, train } from './train.ts';

/** Examples the evaluation set holds for a dataset. */
export function evaluationSize(c: LandscapeConfig, data: Dataset): number {
  return Math.min(c.examples, data.nTrain);
}

/**
 * A landscape config the engine can run: valid, and its training run and its evaluation model
 * (which holds the whole evaluation set at once) within the size limits.
 */
export function validateLandscapeRun(input: unknown): Validation<LandscapeConfig> {
  const checked = validateLandscapeConfig(input);
  if (!checked.ok) return checked;
  const run = validateTrainRun(trainConfigOf(checked.value));
  if (!run.ok) return run as Validation<LandscapeConfig>;
  const trainConfig = trainConfigOf(checked.value);
  const bytes = Model.footprint({
    ...modelSpec(trainConfig, datasetShape(trainConfig)),
    evalBatch: checked.value.examples,
  }).bytes;
  if (bytes > SIZE_LIMITS.bytes) {
    const error: FieldError = {
      key: 'examples',
      message: `an evaluation set of ${checked.value.examples} examples needs about ${Math.ceil(bytes / 2 ** 20)} MiB for this network (the limit is ${SIZE_LIMITS.bytes / 2 ** 20} MiB): try fewer`,
    };
    return { ok: false, errors: [error] };
  }
  return checked;
}

/** The network of a config with room for the whole evaluation set, loaded with that set. */
export class LandscapeEvaluator {
  readonly model: Model;
  readonly examples: number;
  private readonly coefficients = [0, 0];

  constructor(c: LandscapeConfig, data: Dataset) {
    this.examples = evaluationSize(c, data);
    this.model = new Model({ ...modelSpec(trainConfigOf(c), data), evalBatch: this.examples });
    // The evaluation set is written once: a forward pass only reads its input.
    this.model.input.value.set(data.trainX.subarray(0, this.examples * data.inputDim));
    this.model.labels.set(data.trainY.subarray(0, this.examples));
  }

  /** Takes the trained state: parameters and every batch norm's running statistics. */
  load(trained: Float32Array, runningStats: Float32Array): void {
    const m = this.model;
    if (trained.length !== m.flatParams.length)
      throw new Error(`θ* has ${trained.length} values, the network ${m.flatParams.length}`);
    m.restore();
    m.flatParams.set(trained);
    let at = 0;
    for (const bn of m.batchNorms) {
      bn.runningMean.set(runningStats.subarray(at, at + bn.runningMean.length));
      at += bn.runningMean.length;
      bn.runningVar.set(runningStats.subarray(at, at + bn.runningVar.length));
      at += bn.runningVar.length;
    }
    if (at !== runningStats.length)
      throw new Error(`running statistics: ${runningStats.length} values, the network ${at}`);
  }

  /** The loss of the current parameters on the evaluation set (null when not finite). */
  loss(): number | null {
    this.model.forward(this.examples, false);
    const loss = this.model.loss(false).loss;
    return Number.isFinite(loss) ? loss : null;
  }

  /** The loss at θ* + a·d₁ + b·d₂ (θ* being the parameters loaded). */
  lossAt(d1: Float32Array, d2: Float32Array, a: number, b: number): number | null {
    this.coefficients[0] = a;
    this.coefficients[1] = b;
    this.model.perturb([d1, d2], this.coefficients);
    return this.loss();
  }
}

/** Every batch norm's running mean then variance, in the model's order, as one vector. */
export function runningStatsOf(model: Model): Float32Array {
  let size = 0;
  for (const bn of model.batchNorms) size += bn.runningMean.length + bn.runningVar.length;
  const out = new Float32Array(size);
  let at = 0;
  for (const bn of model.batchNorms) {
    out.set(bn.runningMean, at);
    at += bn.runningMean.length;
    out.set(bn.runningVar, at);
    at += bn.runningVar.length;
  }
  return out;
}

/**
 * The two filter-normalised random directions (Li et al. 2018, §4): Gaussian (seeded: stream
 * `landscape` of the config's seed), then each filter — a neuron's incoming weights,
 * `model.filters()` — rescaled so that its norm equals that filter's norm in θ*; every parameter
 * in no filter (biases, batch-norm γ and β, residual scales) is zero.
 */
export function filterNormalisedDirections(
  model: Model,
  trained: Float32Array,
  seed: number,
): [Float32Array, Float32Array] {
  const rng = new Rng(seed, 'landscape');
  const filters = model.filters();
  const out: Float32Array[] = [];
  for (let d = 0; d < 2; d++) {
    const dir = new Float32Array(trained.length);
    for (const f of filters) {
      const raw = new Float64Array(f.count);
      let dn = 0;
      let wn = 0;
      for (let k = 0; k < f.count; k++) {
        const g = rng.normal();
        raw[k] = g;
        dn += g * g;
        const w = trained[f.start + k * f.stride]!;
        wn += w * w;
      }
      const scale = dn > 0 ? Math.sqrt(wn) / Math.sqrt(dn) : 0;
      for (let k = 0; k < f.count; k++) dir[f.start + k * f.stride] = raw[k]! * scale;
    }
    out.push(dir);
  }
  return [out[0]!, out[1]!];
}

/** What the training part measures (the recorder adds whether training diverged). */
export type TrainedMeasurement = Omit<TrainedPart, 'diverged'>;

/** landscape-train: the training run, then θ*, the centre loss and the interpolation. */
export function createTrainPart(
  c: LandscapeConfig,
  resources: JobResources,
): Job<StudyEvent<TrainedMeasurement>> {
  const run = train(trainConfigOf(c), resources);
  const initial = run.model.flatParams.slice();
  function* measure(): Measurement<TrainedMeasurement> {
    const trained = run.model.flatParams.slice();
    const runningStats = runningStatsOf(run.model);
    const evaluator = new LandscapeEvaluator(c, run.data);
    evaluator.load(trained, runningStats);
    const center = evaluator.loss();
    yield;
    // θ* + (1 − t)·(θ₀ − θ*) = θ₀ + t·(θ* − θ₀): exactly θ* at t = 1
    const towardsStart = new Float32Array(trained.length);
    for (let i = 0; i < trained.length; i++) towardsStart[i] = initial[i]! - trained[i]!;
    const zero = new Float32Array(trained.length);
    const interpolation: (number | null)[] = [];
    for (const t of interpolationTs()) {
      interpolation.push(evaluator.lossAt(towardsStart, zero, 1 - t, 0));
      yield;
    }
    evaluator.model.restore();
    const kernels = run.config.kernels;
    return { trained, runningStats, examples: evaluator.examples, kernels, center, interpolation };
  }
  return new StudyJob(LANDSCAPE_TRAIN_KIND, run, measure, TRAIN_MEASURE_UNITS);
}

/** The training part's result: its measurement, and the training's divergence (or null). */
export function trainedRecorder(): {
  add(event: StudyEvent<TrainedMeasurement>): void;
  result(): TrainedPart | null;
} {
  let diverged: { step: number } | null = null;
  let result: TrainedPart | null = null;
  return {
    add: (e) => {
      if (e.type === 'trained') diverged = e.diverged;
      else result = { ...e.result, diverged };
    },
    result: () => result,
  };
}

/** landscape-band: rows [rowFrom, rowTo) of the grid around θ*. */
export function createBandPart(
  c: BandConfig,
  resources: JobResources,
): Job<StudyEvent<BandResult>> {
  const { rowFrom, rowTo, trained, runningStats, ...landscape } = c;
  const data = loadDataset(trainConfigOf(landscape), resources);
  function* measure(): Measurement<BandResult> {
    const evaluator = new LandscapeEvaluator(landscape, data);
    evaluator.load(trained, runningStats);
    const [d1, d2] = filterNormalisedDirections(evaluator.model, trained, landscape.seed);
    const alphas = gridAxis(landscape.grid, landscape.range);
    const rows: (number | null)[][] = [];
    for (let j = rowFrom; j < rowTo; j++) {
      const row: (number | null)[] = [];
      for (const a of alphas) {
        row.push(evaluator.lossAt(d1, d2, a, alphas[j]!));
        if (row.length < alphas.length || j < rowTo - 1) yield;
      }
      rows.push(row);
    }
    evaluator.model.restore();
    return { rows };
  }
  return new StudyJob(LANDSCAPE_BAND_KIND, null, measure, (rowTo - rowFrom) * landscape.grid);
}

/** A band part's config: a valid landscape config, rows inside the grid, and the trained state. */
export function validateBandConfig(input: unknown): Validation<BandConfig> {
  if (typeof input !== 'object' || input === null)
    return { ok: false, errors: [{ key: null, message: 'expected an object' }] };
  const { rowFrom, rowTo, trained, runningStats, ...rest } = input as Record<string, unknown>;
  const checked = validateLandscapeConfig(rest);
  if (!checked.ok) return checked as Validation<BandConfig>;
  const errors: FieldError[] = [];
  const grid = checked.value.grid;
  if (typeof rowFrom !== 'number' || typeof rowTo !== 'number')
    errors.push({ key: 'rowFrom', message: 'expected rows as numbers' });
  else if (!Number.isInteger(rowFrom) || !Number.isInteger(rowTo))
    errors.push({ key: 'rowFrom', message: 'expected integer rows' });
  else if (rowFrom < 0 || rowTo > grid || rowFrom >= rowTo)
    errors.push({ key: 'rowFrom', message: `rows ${rowFrom}…${rowTo} are not inside 0…${grid}` });
  if (!(trained instanceof Float32Array))
    errors.push({ key: 'trained', message: 'expected a Float32Array' });
  if (!(runningStats instanceof Float32Array))
    errors.push({ key: 'runningStats', message: 'expected a Float32Array' });
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    value: {
      ...checked.value,
      rowFrom: rowFrom as number,
      rowTo: rowTo as number,
      trained: trained as Float32Array,
      runningStats: runningStats as Float32Array,
    },
  };
}
