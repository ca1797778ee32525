/**
 * The page's view of one training run. Batches from the worker are queued as they arrive and
 * applied once per animation frame, so the page redraws at most once a frame however the
 * messages are spaced.
 */
import type { TrainConfig } from '../../experiments/config.ts';
import type { DatasetSummary, Metrics, ModelSummary, TrainEvent } from '../../experiments/train.ts';
import type { EventBatch } from '../../worker/api.ts';
import { TrainWorkerClient } from '../../worker/client.ts';

export type RunStatus =
  'idle' | 'loading' | 'running' | 'paused' | 'done' | 'diverged' | 'cancelled' | 'error';

/** Loss curves as plain, aligned arrays (uPlot's shape): one x (step) per point. */
export class LossSeries {
  readonly steps: number[] = [];
  readonly train: (number | null)[] = [];
  readonly test: (number | null)[] = [];

  add(step: number, series: 'train' | 'test', value: number | null): void {
    const last = this.steps.length - 1;
    if (last < 0 || this.steps[last] !== step) {
      this.steps.push(step);
      this.train.push(null);
      this.test.push(null);
    }
    this[series][this.steps.length - 1] = value;
  }

  get points(): number {
    return this.steps.length;
  }

  /** Empties the arrays in place (a chart holding them sees the change on its next draw). */
  clear(): void {
    this.steps.length = 0;
    this.train.length = 0;
    this.test.length = 0;
  }
}

export type FinalMetrics = Metrics & { steps: number };
export type EvalMetrics = Metrics & { step: number };

/** How often the screen-reader progress line speaks during a run. */
const ANNOUNCE_EVERY_MS = 5000;
/** The window of worker time the steps/s figure averages over. */
const RATE_WINDOW_MS = 1000;

export class Lab {
  status = $state<RunStatus>('idle');
  step = $state(0);
  total = $state(0);
  /** steps per second of worker training time, recent window (whole run once finished) */
  rate = $state<number | null>(null);
  model = $state.raw<ModelSummary | null>(null);
  dataset = $state.raw<DatasetSummary | null>(null);
  trainLoss = $state<number | null>(null);
  lastEval = $state.raw<EvalMetrics | null>(null);
  divergedAt = $state<number | null>(null);
  final = $state.raw<FinalMetrics | null>(null);
  error = $state<string | null>(null);
  /** the polite screen-reader line: state changes and a progress note every few seconds */
  announcement = $state('');
  /** bumped whenever `series` changes (the arrays themselves are plain, not reactive) */
  seriesVersion = $state(0);
  readonly series = new LossSeries();

  /** every event received, kept only when `record` is set (the browser tests read them) */
  readonly received: TrainEvent[] = [];
  record = false;
  batches = 0;
  /** performance.now() of the latest start() and of the first batch that followed it */
  startedAt: number | null = null;
  firstBatchAt: number | null = null;

  private readonly client = new TrainWorkerClient();
  private runId = 0;
  private queue: EventBatch[] = [];
  private frame = 0;
  private rateWindow: { activeMs: number; step: number }[] = [];
  private lastAnnounced = 0;

  get active(): boolean {
    return this.status === 'loading' || this.status === 'running' || this.status === 'paused';
  }

  /** Loads the worker ahead of the first run. */
  warm(): void {
    this.client.warm();
  }

  /** Starts a run of a validated config; a run in progress is dropped. */
  async start(config: TrainConfig): Promise<void> {
    const id = ++this.runId;
    this.clear();
    this.startedAt = performance.now();
    this.firstBatchAt = null;
    this.total = config.steps;
    try {
      let digits: Uint8Array | undefined;
      if (config.dataset === 'digits') {
        this.status = 'loading';
        this.announce('Loading the digits…');
        digits = await this.client.loadDigits(config.digitsSize);
        if (id !== this.runId) return;
      }
      this.status = 'running';
      this.announce(`Training started: ${config.steps} steps.`);
      await this.client.start(
        config,
        (batch) => {
          if (id === this.runId) this.enqueue(batch);
        },
        digits,
      );
    } catch (error) {
      if (id !== this.runId) return;
      this.status = 'error';
      this.error = error instanceof Error ? error.message : String(error);
      this.announce(`Training failed: ${this.error}`);
    }
  }

  pause(): void {
    if (this.status !== 'running') return;
    this.status = 'paused';
    this.rateWindow = [];
    void this.client.pause();
    this.announce(`Paused at step ${this.step}.`);
  }

  resume(): void {
    if (this.status !== 'paused') return;
    this.status = 'running';
    void this.client.resume();
    this.announce('Resumed.');
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
    this.announce('Reset.');
  }

  private clear(): void {
    this.queue = [];
    this.received.length = 0;
    this.series.clear();
    this.seriesVersion++;
    this.step = 0;
    this.rate = null;
    this.model = null;
    this.dataset = null;
    this.trainLoss = null;
    this.lastEval = null;
    this.divergedAt = null;
    this.final = null;
    this.error = null;
    this.rateWindow = [];
    this.lastAnnounced = performance.now();
  }

  private announce(text: string): void {
    this.announcement = text;
    this.lastAnnounced = performance.now();
  }

  private enqueue(batch: EventBatch): void {
    this.batches++;
    this.firstBatchAt ??= performance.now();
    this.queue.push(batch);
    if (!this.frame) this.frame = requestAnimationFrame(() => this.flush());
  }

  private flush(): void {
    this.frame = 0;
    const queue = this.queue;
    this.queue = [];
    let seriesChanged = false;
    for (const batch of queue) {
      for (const event of batch.events) seriesChanged = this.apply(event) || seriesChanged;
      this.step = batch.step;
      this.measureRate(batch);
    }
    if (seriesChanged) this.seriesVersion++;
    if (this.status === 'running' && performance.now() - this.lastAnnounced > ANNOUNCE_EVERY_MS)
      this.announce(`Step ${this.step} of ${this.total}.`);
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

  /** Applies one event; returns whether the loss series changed. */
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
        this.series.add(event.step, 'train', event.loss);
        return true;
      case 'eval':
        this.lastEval = { ...event };
        this.series.add(event.step, 'test', event.testLoss);
        return true;
      case 'layers':
        return false;
      case 'diverged':
        this.divergedAt = event.step;
        this.announce(`The run diverged at step ${event.step}.`);
        return false;
      case 'done':
        this.final = event.final;
        if (event.cancelled) this.status = 'cancelled';
        else if (event.diverged) this.status = 'diverged';
        else {
          this.status = 'done';
          const acc = event.final?.testAccuracy;
          this.announce(
            `Done after ${event.steps} steps` +
              (acc == null ? '.' : `: test accuracy ${(acc * 100).toFixed(1)}%.`),
          );
        }
        return false;
    }
  }
}
