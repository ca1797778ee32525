/**
 * One run on the page: the view of one training job of the page's worker pool (status,
 * progress, latest values, divergence, error, per-layer statistics, the events received when
 * recording). Batches from the worker are queued as they arrive and applied at most once per
 * animation frame (`flush`) — by the run itself, or by an owner that flushes several together —
 * so the page redraws at most once a frame however the workers' messages are spaced. Its
 * curves go into the curve stores it is given, under `seriesKey(id, metric)`, for the series
 * each store holds.
 */
import type { TrainConfig } from '../../experiments/config.ts';
import type { JobObservation } from '../../experiments/job.ts';
import type { DatasetSummary, Metrics, ModelSummary, TrainEvent } from '../../experiments/train.ts';
import { type CurveStore, type Metric, METRICS, seriesKey } from './curves.ts';
import { FrameScheduler } from './frames.ts';
import { isActive, type RunStatus } from './status.ts';
import { connectRun, type DataView, type EventBatch, type RunConnection } from './worker.ts';

export type FinalMetrics = Metrics & { steps: number };
export type EvalMetrics = Metrics & { step: number };

/** Per-layer and per-block statistics of one `layers` event, as plain arrays. */
export interface LayerSnapshot {
  step: number;
  names: string[];
  gradNorm: number[];
  activationStd: number[];
  deadFraction: (number | null)[];
  /** ‖∂loss/∂x‖ at each block's input */
  blockGrad: number[];
  /** each layer's block (-1 the stem, blocks the head), ‖W‖ and ‖ΔW‖/‖W‖ of its last update */
  block: number[];
  weightNorm: number[];
  updateRatio: (number | null)[];
}

/** Every stored tensor's statistics at one step (a `tensors` event; opt-in, `observe`). */
export type TensorSnapshot = Omit<Extract<TrainEvent, { type: 'tensors' }>, 'type'>;

function snapshot(e: Extract<TrainEvent, { type: 'layers' }>): LayerSnapshot {
  return {
    step: e.step,
    names: e.layers.map((l) => l.name),
    gradNorm: e.layers.map((l) => l.gradNorm),
    activationStd: e.layers.map((l) => l.activationStd),
    deadFraction: e.layers.map((l) => l.deadFraction),
    blockGrad: e.blocks.map((b) => b.inputGradNorm),
    block: e.layers.map((l) => l.block),
    weightNorm: e.layers.map((l) => l.weightNorm),
    updateRatio: e.layers.map((l) => l.updateRatio),
  };
}

/** The window of worker time the steps/s figure averages over. */
const RATE_WINDOW_MS = 1000;

export interface PageRunOptions {
  /** what start() trains when given no config */
  config?: TrainConfig;
  /** the stores its curves go into (each takes the series it holds) */
  curves?: readonly CurveStore[];
  /** called when a batch is queued: the owner then calls flush() within a frame (else the run does) */
  queued?: () => void;
  /** free the run in its worker once done (a figure that never asks the model again) */
  releaseWhenDone?: boolean;
  /** what the worker reports beyond the config (`tensorStatsEvery`: every tensor's statistics) */
  observe?: JobObservation;
  /** called with each `tensors` event as it is applied (the latest is also in `tensors`) */
  onTensors?: (event: TensorsEvent) => void;
}

export type TensorsEvent = Extract<TrainEvent, { type: 'tensors' }>;
export type FeatureMapsEvent = Extract<TrainEvent, { type: 'featureMaps' }>;

export class PageRun<Id extends string = string> {
  status = $state<RunStatus>('idle');
  step = $state(0);
  epoch = $state(0);
  total = $state(0);
  /** steps per second of worker training time, recent window (whole run once finished) */
  rate = $state<number | null>(null);
  model = $state.raw<ModelSummary | null>(null);
  dataset = $state.raw<DatasetSummary | null>(null);
  trainLoss = $state<number | null>(null);
  trainAccuracy = $state<number | null>(null);
  lastEval = $state.raw<EvalMetrics | null>(null);
  divergedAt = $state<number | null>(null);
  final = $state.raw<FinalMetrics | null>(null);
  error = $state<string | null>(null);
  /** a line for the screen-reader announcement when something happens to this run */
  news = $state('');
  /** the first and the latest per-layer statistics */
  firstLayers = $state.raw<LayerSnapshot | null>(null);
  layers = $state.raw<LayerSnapshot | null>(null);
  /** the latest statistics of every tensor and residual block (with `observe.tensorStatsEvery`) */
  tensors = $state.raw<TensorsEvent | null>(null);
  /** the first stage's maps of one test digit, latest (convolutional runs, `observe.featureMaps`) */
  featureMaps = $state.raw<FeatureMapsEvent | null>(null);
  /** training-loss points received, and a counter bumped when the curves grew */
  points = $state(0);
  version = $state(0);

  /** every event received, kept while `record` is set (for the run's JSON export and the tests) */
  readonly received: TrainEvent[] = [];
  record = false;
  batches = 0;
  /** performance.now() of the latest start(), of the first batch after it, of the first loss point */
  startedAt: number | null = null;
  firstBatchAt: number | null = null;
  firstPointAt: number | null = null;

  private readonly connection: RunConnection = connectRun();
  private readonly stores: readonly CurveStore[];
  private readonly scheduler: FrameScheduler | null;
  private readonly queued: () => void;
  private runId = 0;
  private queue: EventBatch[] = [];
  private rateWindow: { activeMs: number; step: number }[] = [];

  /** @param id names its curve series and its announcements */
  constructor(
    readonly id: Id,
    private readonly options: PageRunOptions = {},
  ) {
    this.stores = options.curves ?? [];
    this.total = options.config?.steps ?? 0;
    this.scheduler = options.queued ? null : new FrameScheduler(() => this.flush());
    this.queued = options.queued ?? (() => this.scheduler!.request());
  }

  get active(): boolean {
    return isActive(this.status);
  }

  /** Loads a worker ahead of the first run. */
  warm(): void {
    this.connection.warm();
  }

  loadDigits(side: 14 | 28): Promise<Uint8Array> {
    return this.connection.loadDigits(side);
  }

  /** Starts a run of a validated config (a finished or running one starts again from step 0). */
  async start(config = this.options.config, digits?: Uint8Array): Promise<void> {
    if (!config) throw new Error(`run ${this.id}: no config`);
    const id = ++this.runId;
    this.clear();
    this.startedAt = performance.now();
    this.total = config.steps;
    this.status = 'running';
    try {
      // a run of the digits that was not handed them fetches them (once per page)
      if (!digits && config.dataset === 'digits') {
        digits = await this.loadDigits(config.digitsSize);
        if (id !== this.runId) return;
      }
      await this.connection.train(
        config,
        (batch) => {
          if (id === this.runId) this.enqueue(batch);
        },
        digits,
        this.options.observe,
      );
    } catch (error) {
      if (id !== this.runId) return;
      this.fail(error);
    }
  }

  /** Marks the run failed (e.g. its data could not be loaded). */
  fail(error: unknown): void {
    this.status = 'error';
    this.error = error instanceof Error ? error.message : String(error);
    this.news = `The ${this.id} network failed: ${this.error}`;
  }

  /** Shows the run as loading (its data) before start(). */
  loading(total: number): void {
    this.runId++;
    this.clear();
    this.total = total;
    this.status = 'loading';
  }

  pause(): void {
    if (this.status !== 'running') return;
    this.status = 'paused';
    this.rateWindow = [];
    void this.connection.pause().catch(() => {});
  }

  resume(): void {
    if (this.status !== 'paused') return;
    this.status = 'running';
    void this.connection.resume().catch(() => {});
  }

  /** One training step (while paused). */
  stepOnce(): void {
    if (this.status === 'paused') void this.connection.step().catch(() => {});
  }

  /** Cancels any run and clears the view. */
  reset(): void {
    this.runId++;
    if (this.active) void this.connection.cancel().catch(() => {});
    this.clear();
    this.status = 'idle';
  }

  /** Ends the run and frees it in its worker (the page is leaving, or the run restarts). */
  stop(): void {
    this.runId++;
    this.connection.release();
    this.scheduler?.cancel();
    this.queue = [];
  }

  /** Class probabilities of this network for `count` inputs, or null (no model, or reset since). */
  async predict(x: Float32Array, count: number): Promise<Float32Array | null> {
    const id = this.runId;
    const out = await this.connection.predict(x, count);
    return id === this.runId ? out : null;
  }

  dataView(maxTrain: number, maxTest: number): Promise<DataView | null> {
    return this.connection.dataView(maxTrain, maxTest);
  }

  private clear(): void {
    this.scheduler?.cancel();
    this.queue = [];
    this.received.length = 0;
    this.firstBatchAt = null;
    this.step = 0;
    this.epoch = 0;
    this.rate = null;
    this.model = null;
    this.dataset = null;
    this.trainLoss = null;
    this.trainAccuracy = null;
    this.lastEval = null;
    this.divergedAt = null;
    this.final = null;
    this.error = null;
    this.news = '';
    this.firstLayers = null;
    this.layers = null;
    this.tensors = null;
    this.featureMaps = null;
    this.points = 0;
    this.rateWindow = [];
    const keys = METRICS.map((m) => seriesKey(this.id, m));
    for (const store of this.stores) store.clearSeries(keys);
    this.version++;
  }

  private enqueue(batch: EventBatch): void {
    this.batches++;
    this.firstBatchAt ??= performance.now();
    this.queue.push(batch);
    this.queued();
  }

  /** Applies the queued batches; returns whether the curves changed. */
  flush(): boolean {
    const queue = this.queue;
    if (queue.length === 0) return false;
    this.queue = [];
    let changed = false;
    let latest: LayerSnapshot | null = null;
    for (const batch of queue) {
      for (const event of batch.events) {
        if (event.type === 'layers') latest = snapshot(event);
        changed = this.apply(event) || changed;
      }
      this.step = batch.step;
      this.measureRate(batch);
    }
    if (latest) {
      this.firstLayers ??= latest;
      this.layers = latest;
    }
    if (changed) this.version++;
    return changed;
  }

  private measureRate(batch: EventBatch): void {
    if (!this.active) {
      // finished: the whole run's average
      this.rate = batch.activeMs > 0 ? (batch.step / batch.activeMs) * 1000 : null;
      return;
    }
    if (batch.paused) return;
    const w = this.rateWindow;
    w.push({ activeMs: batch.activeMs, step: batch.step });
    while (w.length > 2 && batch.activeMs - w[1]!.activeMs >= RATE_WINDOW_MS) w.shift();
    const first = w[0]!;
    const dt = batch.activeMs - first.activeMs;
    if (dt > 0) this.rate = ((batch.step - first.step) / dt) * 1000;
  }

  /** Writes a point into each store that holds the series; returns whether one did. */
  private plot(step: number, metric: Metric, value: number | null): boolean {
    const key = seriesKey(this.id, metric);
    let wrote = false;
    for (const store of this.stores)
      if (store.has(key)) {
        store.set(step, key, value);
        wrote = true;
      }
    return wrote;
  }

  /** Applies one event; returns whether the curves changed. */
  private apply(event: TrainEvent): boolean {
    if (this.record) this.received.push(event);
    switch (event.type) {
      case 'start':
        this.model = event.model;
        this.dataset = event.dataset;
        this.total = event.config.steps;
        return false;
      case 'step':
        this.trainLoss = event.loss;
        this.trainAccuracy = event.accuracy;
        this.epoch = event.epoch;
        if (this.points++ === 0) this.firstPointAt = performance.now();
        this.plot(event.step, 'trainLoss', event.loss);
        this.plot(event.step, 'trainAcc', event.accuracy);
        return true; // the latest loss changed, drawn or not
      case 'eval': {
        this.lastEval = { ...event };
        const loss = this.plot(event.step, 'testLoss', event.testLoss);
        const accuracy = this.plot(event.step, 'testAcc', event.testAccuracy);
        return loss || accuracy;
      }
      case 'layers':
        return false;
      case 'tensors':
        this.tensors = event;
        this.options.onTensors?.(event);
        return false;
      case 'featureMaps':
        this.featureMaps = event;
        return false;
      case 'diverged':
        this.divergedAt = event.step;
        this.news = `The ${this.id} network diverged at step ${event.step}.`;
        return false;
      case 'done':
        this.final = event.final;
        if (event.cancelled) this.status = 'cancelled';
        else if (event.diverged) this.status = 'diverged';
        else {
          this.status = 'done';
          const acc = event.final?.testAccuracy;
          this.news =
            `The ${this.id} network is done after ${event.steps} steps` +
            (acc == null ? '.' : `: test accuracy ${(acc * 100).toFixed(1)}%.`);
        }
        if (this.options.releaseWhenDone) this.connection.release();
        return false;
    }
  }
}
