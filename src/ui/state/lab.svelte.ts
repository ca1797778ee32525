/**
 * The page's view of one network's training run (a run handle of the page's worker pool, which
 * may host it in a worker shared with other runs). Batches from the worker are queued
 * as they arrive; the owner applies them once per animation frame (`flush`), so the page redraws
 * at most once a frame however the messages of both networks are spaced.
 */
import type { TrainConfig } from '../../experiments/config.ts';
import type { DatasetSummary, Metrics, ModelSummary, TrainEvent } from '../../experiments/train.ts';
import type { DataView, EventBatch } from '../../worker/api.ts';
import { type RunHandle, sharedPool } from '../../worker/pool.ts';
import { type CurveTable, type Net, seriesKey } from '../training/curves.ts';

export type RunStatus =
  'idle' | 'loading' | 'running' | 'paused' | 'done' | 'diverged' | 'cancelled' | 'error';

export type FinalMetrics = Metrics & { steps: number };
export type EvalMetrics = Metrics & { step: number };

/** The window of worker time the steps/s figure averages over. */
const RATE_WINDOW_MS = 1000;

export class Lab {
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

  /** every event received, kept while `record` is set (for the run's JSON export and the tests) */
  readonly received: TrainEvent[] = [];
  record = true;
  batches = 0;
  /** performance.now() of the latest start() and of the first batch that followed it */
  startedAt: number | null = null;
  firstBatchAt: number | null = null;

  private readonly client: RunHandle;
  private runId = 0;
  private queue: EventBatch[] = [];
  private rateWindow: { activeMs: number; step: number }[] = [];

  /**
   * @param net which of the pair this is (names its curve columns)
   * @param table the pair's shared curves, which this run writes its columns of
   * @param queued called when a batch is queued: the owner then calls flush() within a frame
   */
  constructor(
    readonly net: Net,
    private readonly table: CurveTable,
    private readonly queued: () => void,
  ) {
    this.client = sharedPool().handle();
  }

  get active(): boolean {
    return this.status === 'loading' || this.status === 'running' || this.status === 'paused';
  }

  /** Loads a worker ahead of the first run. */
  warm(): void {
    this.client.warm();
  }

  loadDigits(side: 14 | 28): Promise<Uint8Array> {
    return this.client.loadDigits(side);
  }

  /** Starts a run of a validated config; a run in progress is dropped. */
  async start(config: TrainConfig, digits?: Uint8Array): Promise<void> {
    const id = ++this.runId;
    this.clear();
    this.startedAt = performance.now();
    this.firstBatchAt = null;
    this.total = config.steps;
    this.status = 'running';
    try {
      await this.client.start(
        config,
        (batch) => {
          if (id === this.runId) this.enqueue(batch);
        },
        digits,
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
    this.news = `The ${this.net} network failed: ${this.error}`;
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
    void this.client.pause();
  }

  resume(): void {
    if (this.status !== 'paused') return;
    this.status = 'running';
    void this.client.resume();
  }

  /** One training step (while paused). */
  stepOnce(): void {
    if (this.status === 'paused') void this.client.step();
  }

  /** Cancels any run and clears the view. */
  reset(): void {
    this.runId++;
    if (this.active) void this.client.cancel();
    this.clear();
    this.status = 'idle';
  }

  /** Class probabilities of this network for `count` inputs, or null (no model, or reset since). */
  async predict(x: Float32Array, count: number): Promise<Float32Array | null> {
    const id = this.runId;
    const out = await this.client.predict(x, count);
    return id === this.runId ? out : null;
  }

  dataView(maxTrain: number, maxTest: number): Promise<DataView | null> {
    return this.client.dataView(maxTrain, maxTest);
  }

  private clear(): void {
    this.queue = [];
    this.received.length = 0;
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
    this.rateWindow = [];
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
    for (const batch of queue) {
      for (const event of batch.events) changed = this.apply(event) || changed;
      this.step = batch.step;
      this.measureRate(batch);
    }
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

  /** Applies one event; returns whether the curves changed. */
  private apply(event: TrainEvent): boolean {
    if (this.record) this.received.push(event);
    const t = this.table;
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
        t.set(event.step, seriesKey(this.net, 'Train', 'Loss'), event.loss);
        t.set(event.step, seriesKey(this.net, 'Train', 'Acc'), event.accuracy);
        return true;
      case 'eval':
        this.lastEval = { ...event };
        t.set(event.step, seriesKey(this.net, 'Test', 'Loss'), event.testLoss);
        t.set(event.step, seriesKey(this.net, 'Test', 'Acc'), event.testAccuracy);
        return true;
      case 'layers':
      case 'tensors':
        return false;
      case 'diverged':
        this.divergedAt = event.step;
        this.news = `The ${this.net} network diverged at step ${event.step}.`;
        return false;
      case 'done':
        this.final = event.final;
        if (event.cancelled) this.status = 'cancelled';
        else if (event.diverged) this.status = 'diverged';
        else {
          this.status = 'done';
          const acc = event.final?.testAccuracy;
          this.news =
            `The ${this.net} network is done after ${event.steps} steps` +
            (acc == null ? '.' : `: test accuracy ${(acc * 100).toFixed(1)}%.`);
        }
        return false;
    }
  }
}
