/**
 * One training run as a stream of events. Pure and seeded: the same config gives the same
 * events, bit for bit, in Node and in a browser worker. The CLI iterates it synchronously; the
 * worker uses `stream()`, which yields to the host between slices so that pause, resume,
 * single-step and cancel messages are handled while it runs.
 */
import {
  Batcher,
  type Dataset,
  makeDigits,
  makeSynthetic,
  parseDigitsAsset,
} from '../data/index.ts';
import {
  type BlockStats,
  type LayerStats,
  Model,
  type ResidualStats,
  type TensorStats,
} from '../engine/model.ts';
import { learningRate, Optimizer } from '../engine/optim.ts';
import { Rng } from '../engine/rng.ts';
import { errorLine, type TrainConfig } from './config.ts';
import { type Job, JobControl, type JobObservation, type JobResources } from './job.ts';

export interface ModelSummary {
  arch: string;
  shortcut: boolean;
  depth: number;
  blocks: number;
  weightLayers: number;
  params: number;
  inputDim: number;
  outputs: number;
}

export interface DatasetSummary {
  name: string;
  inputDim: number;
  classes: number;
  train: number;
  test: number;
}

export interface Metrics {
  trainLoss: number | null;
  trainAccuracy: number | null;
  testLoss: number | null;
  testAccuracy: number | null;
}

export type TrainEvent =
  | { type: 'start'; config: TrainConfig; model: ModelSummary; dataset: DatasetSummary }
  /** mean training loss/accuracy over the mini-batches since the previous step event */
  | { type: 'step'; step: number; epoch: number; lr: number; loss: number; accuracy: number }
  /** evaluation mode (running BN statistics) on up to evalSamples of each set */
  | ({ type: 'eval'; step: number } & Metrics)
  | { type: 'layers'; step: number; layers: LayerStats[]; blocks: BlockStats[] }
  /** every stored tensor of the graph, and each residual block's branch and shortcut (opt-in) */
  | { type: 'tensors'; step: number; tensors: TensorStats[]; residuals: ResidualStats[] }
  /**
   * one test digit through the network in evaluation mode (opt-in, `observe.featureMaps`): its
   * pixels and the output maps of the first stage's blocks, each `[h, w, c]` (NHWC)
   */
  | {
      type: 'featureMaps';
      step: number;
      /** the digit: its index in the test set, its label and its pixels */
      example: number;
      label: number;
      input: Float32Array;
      maps: FeatureMap[];
    }
  | { type: 'diverged'; step: number }
  | {
      type: 'done';
      steps: number;
      /** on the whole train and test sets, evaluation mode; null when cancelled */
      final: (Metrics & { steps: number }) | null;
      diverged: { step: number } | null;
      cancelled: boolean;
    };

/** One block's output map for one example: `values` holds h·w·c numbers, a pixel's channels together. */
export interface FeatureMap {
  block: string;
  shape: [number, number, number];
  values: Float32Array;
}

/** The test digit whose maps a run shows: the first of the test set. */
export const FEATURE_MAP_EXAMPLE = 0;

export type TrainResources = JobResources;

/** (The run record's config does not hold observations; its `tensorStats`, when present, show them.) */
export type TrainObservation = JobObservation;

/** Builds the dataset a config names. */
export function loadDataset(config: TrainConfig, resources: TrainResources = {}): Dataset {
  if (config.dataset === 'digits') {
    if (!resources.digits)
      throw new Error(`dataset digits: the digits-${config.digitsSize}.bin asset was not provided`);
    const asset = parseDigitsAsset(resources.digits);
    if (asset.side !== config.digitsSize)
      throw new Error(
        `dataset digits: the asset holds ${asset.side}×${asset.side} images, the config asks for ${config.digitsSize}×${config.digitsSize}`,
      );
    return makeDigits(asset, {
      testFraction: config.testFraction,
      seed: config.seed,
      samples: config.samples,
    });
  }
  return makeSynthetic(config.dataset, {
    samples: config.samples,
    noise: config.noise,
    testFraction: config.testFraction,
    seed: config.seed,
  });
}

/** The input width and classes a config's data has, without building the data. */
import { datasetShape, modelSpec, validateTrainRun } from './size.ts';

export { datasetShape, modelSpec };

const NO_EVENTS: readonly TrainEvent[] = Object.freeze([]);

export class TrainingRun extends JobControl implements Job<TrainEvent>, Iterable<TrainEvent> {
  readonly kind = 'train';
  readonly config: TrainConfig;
  readonly model: Model;
  readonly data: Dataset;
  private readonly optimizer: Optimizer;
  private readonly batcher: Batcher;
  private stepCount = 0;
  private started = false;
  private finished = false;
  private divergedAt: number | null = null;
  private lossSum = 0;
  private correctSum = 0;
  private seenSum = 0;

  private readonly tensorStatsEvery: number;
  /** the first stage's blocks whose maps `featureMaps` events carry (empty: none asked for) */
  private readonly mapBlocks: number[];

  /** @throws Error listing every problem when the config is invalid */
  constructor(config: unknown, resources: TrainResources = {}, observe: TrainObservation = {}) {
    super();
    const every = observe.tensorStatsEvery ?? 0;
    if (!Number.isInteger(every) || every < 0)
      throw new Error(`tensorStatsEvery: expected an integer ≥ 0, got ${every}`);
    this.tensorStatsEvery = every;
    const checked = validateTrainRun(config);
    if (!checked.ok)
      throw new Error(`invalid config:\n  ${checked.errors.map((e) => errorLine(e)).join('\n  ')}`);
    this.data = loadDataset(checked.value, resources);
    this.model = new Model(modelSpec(checked.value, this.data));
    // The kernel path that actually runs (wasm falls back to ts where WebAssembly SIMD is
    // missing): the config — and so the start event and the run record — says which.
    this.config = { ...checked.value, kernels: this.model.kernels };
    this.mapBlocks =
      observe.featureMaps === true && this.config.model === 'conv' && this.data.nTest > 0
        ? this.model.blockInfo.filter((b) => b.name.startsWith('stage1.')).map((b) => b.index)
        : [];
    this.optimizer = Optimizer.forModel(this.model, {
      kind: this.config.optimizer,
      momentum: this.config.momentum,
      weightDecay: this.config.weightDecay,
    });
    this.batcher = new Batcher(
      this.data.trainX,
      this.data.trainY,
      this.data.nTrain,
      this.data.inputDim,
      this.config.batch,
      new Rng(this.config.seed, 'batches'),
    );
  }

  get step(): number {
    return this.stepCount;
  }
  get done(): boolean {
    return this.finished;
  }
  get progress(): number {
    return this.stepCount;
  }
  get total(): number {
    return this.config.steps;
  }

  summary(): ModelSummary {
    const m = this.model;
    return {
      arch: this.config.arch,
      shortcut: this.config.shortcut && this.config.arch !== 'plain',
      depth: m.depth,
      blocks: m.blocks,
      weightLayers: m.layers.length,
      params: m.paramCount,
      inputDim: m.spec.inputDim,
      outputs: m.logits.dim,
    };
  }

  /**
   * Advances the run by one training step and returns the events that became due (the start
   * event and step-0 evaluation come with the first call; the final evaluation and `done` with
   * the last). Returns a shared empty array when nothing is due, so a step allocates nothing.
   */
  advance(): readonly TrainEvent[] {
    if (this.finished) return NO_EVENTS;
    if (this.cancelled) return this.finish();
    if (!this.started) {
      this.started = true;
      const c = this.config;
      return [
        {
          type: 'start',
          config: c,
          model: this.summary(),
          dataset: {
            name: this.data.name,
            inputDim: this.data.inputDim,
            classes: this.data.numClasses,
            train: this.data.nTrain,
            test: this.data.nTest,
          },
        },
        { type: 'eval', step: 0, ...this.evaluate(c.evalSamples) },
        ...this.featureMaps(0),
      ];
    }
    return this.trainStep();
  }

  private trainStep(): readonly TrainEvent[] {
    const c = this.config;
    const model = this.model;
    const rows = this.batcher.next(model.input.value, model.labels);
    const lr = learningRate(c.schedule, c.lr, this.stepCount, c.steps, c.warmup);
    const result = model.computeGradients(rows);
    this.stepCount++;
    const step = this.stepCount;
    if (!Number.isFinite(result.loss)) {
      this.divergedAt = step;
      return [{ type: 'diverged', step }, ...this.finish()];
    }
    this.lossSum += result.loss * rows;
    this.correctSum += result.correct;
    this.seenSum += rows;
    const statsDue = c.layerStatsEvery > 0 && step % c.layerStatsEvery === 0;
    const tensorsDue = this.tensorStatsEvery > 0 && step % this.tensorStatsEvery === 0;
    if (statsDue) model.snapshotParams();
    this.optimizer.step(lr);
    const last = step === c.steps;
    const logDue = step % c.logEvery === 0 || last;
    const evalDue = step % c.evalEvery === 0 || last;
    if (!logDue && !evalDue && !statsDue && !tensorsDue) return NO_EVENTS;
    const events: TrainEvent[] = [];
    if (logDue) {
      events.push({
        type: 'step',
        step,
        epoch: this.batcher.epoch,
        lr,
        loss: this.lossSum / this.seenSum,
        accuracy: this.correctSum / this.seenSum,
      });
      this.lossSum = 0;
      this.correctSum = 0;
      this.seenSum = 0;
    }
    // Stats read the activations and gradients of this step, so they come before any evaluation
    // overwrites the model's buffers.
    if (statsDue) events.push({ type: 'layers', step, ...model.layerStats() });
    if (tensorsDue) events.push({ type: 'tensors', step, ...model.tensorStats() });
    if (evalDue && !last) {
      events.push({ type: 'eval', step, ...this.evaluate(c.evalSamples) });
      events.push(...this.featureMaps(step));
    }
    if (last) events.push(...this.finish());
    return events;
  }

  private finish(): TrainEvent[] {
    this.finished = true;
    this.wakeUp();
    const diverged = this.divergedAt === null ? null : { step: this.divergedAt };
    if (this.cancelled)
      return [{ type: 'done', steps: this.stepCount, final: null, diverged, cancelled: true }];
    const metrics = this.evaluate(Infinity);
    const events: TrainEvent[] = [];
    if (diverged === null) {
      events.push({
        type: 'eval',
        step: this.stepCount,
        ...this.evaluate(this.config.evalSamples),
      });
      events.push(...this.featureMaps(this.stepCount));
    }
    events.push({
      type: 'done',
      steps: this.stepCount,
      final: { ...metrics, steps: this.stepCount },
      diverged,
      cancelled: false,
    });
    return events;
  }

  /**
   * The first stage's maps of the test digit FEATURE_MAP_EXAMPLE, in evaluation mode (no
   * statistic changes, so the run's numbers are the same with or without them); none unless asked.
   */
  private featureMaps(step: number): TrainEvent[] {
    if (this.mapBlocks.length === 0) return [];
    const model = this.model;
    const d = this.data;
    const dim = d.inputDim;
    const at = FEATURE_MAP_EXAMPLE * dim;
    const input = d.testX.slice(at, at + dim);
    model.input.value.set(input);
    model.forward(1, false);
    const maps: FeatureMap[] = [];
    for (const b of this.mapBlocks) {
      const out = model.blockInfo[b]!.output;
      if (!out) continue;
      const [h = 1, w = 1, c = out.dim] = out.shape;
      maps.push({
        block: model.blockInfo[b]!.name,
        shape: [h, w, c],
        values: out.value.slice(0, out.dim),
      });
    }
    const label = d.testY[FEATURE_MAP_EXAMPLE]!;
    return [{ type: 'featureMaps', step, example: FEATURE_MAP_EXAMPLE, label, input, maps }];
  }

  /** Loss and accuracy in evaluation mode on up to `limit` examples of each set. */
  evaluate(limit: number): Metrics {
    const d = this.data;
    const train = this.evaluateSet(d.trainX, d.trainY, Math.min(limit, d.nTrain));
    const test = this.evaluateSet(d.testX, d.testY, Math.min(limit, d.nTest));
    return {
      trainLoss: train.loss,
      trainAccuracy: train.accuracy,
      testLoss: test.loss,
      testAccuracy: test.accuracy,
    };
  }

  /**
   * Loss and accuracy in evaluation mode on the first `count` examples of a set (the studies
   * measure the test set alone: `evaluateSet(data.testX, data.testY, data.nTest)`).
   */
  evaluateSet(
    x: Float32Array,
    y: Int32Array,
    count: number,
  ): { loss: number | null; accuracy: number | null } {
    if (count === 0) return { loss: null, accuracy: null };
    const model = this.model;
    const dim = this.data.inputDim;
    const chunk = model.spec.maxBatch;
    let lossSum = 0;
    let correct = 0;
    for (let start = 0; start < count; start += chunk) {
      const rows = Math.min(chunk, count - start);
      model.input.value.set(x.subarray(start * dim, (start + rows) * dim));
      model.labels.set(y.subarray(start, start + rows));
      model.forward(rows, false);
      const r = model.loss(false);
      lossSum += r.loss * rows;
      correct += r.correct;
    }
    const loss = lossSum / count;
    // A non-finite loss means NaN/∞ logits, whose "argmax" is always class 0: that accuracy
    // would be an artefact (e.g. 0.5 for a diverged run on a balanced set), so report none.
    if (!Number.isFinite(loss)) return { loss: null, accuracy: null };
    return { loss, accuracy: correct / count };
  }

  /**
   * Class probabilities in evaluation mode for `count` inputs (row-major, inputDim each):
   * returns count × classes values — for decision-boundary maps and digit predictions. Runs
   * between training steps without changing the run (evaluation mode updates no statistics).
   */
  predict(x: Float32Array, count: number, out?: Float32Array): Float32Array {
    const model = this.model;
    const dim = this.data.inputDim;
    const classes = model.classes;
    if (x.length < count * dim)
      throw new Error(`predict: ${count} inputs of ${dim} values need ${count * dim} numbers`);
    const result = out ?? new Float32Array(count * classes);
    const chunk = model.spec.maxBatch;
    for (let start = 0; start < count; start += chunk) {
      const rows = Math.min(chunk, count - start);
      model.input.value.set(x.subarray(start * dim, (start + rows) * dim));
      model.forward(rows, false);
      model.probabilities(rows, result, start * classes);
    }
    return result;
  }

  /** Runs to the end synchronously (the CLI's path). */
  *[Symbol.iterator](): Iterator<TrainEvent> {
    while (!this.finished) yield* this.advance();
  }
}

/** Starts a training run; see TrainingRun. */
export function train(
  config: unknown,
  resources: TrainResources = {},
  observe: TrainObservation = {},
): TrainingRun {
  return new TrainingRun(config, resources, observe);
}
