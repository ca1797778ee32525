/**
 * Small live runs for the article's figures (the Introduction's plain/ResNet pair, the
 * Degradation Problem's shallow nets): each trains in the page's worker pool (which shares its
 * few workers among all the page's runs) and is watched by figures.
 *
 * - Worker batches are queued and applied at most once per animation frame, so the main thread
 *   does a little work per frame however fast the workers go.
 * - A `LiveGroup` runs only while it is wanted (the reader has not pressed Pause, and — with
 *   prefers-reduced-motion — has pressed Play), one of the figures that watch it is on screen,
 *   and the tab is visible; otherwise its runs are paused (a paused run costs its worker nothing).
 */
import {
  defaultTrainConfig,
  errorLine,
  type TrainConfig,
  validateTrainConfig,
} from '../../experiments/config.ts';
import type { TrainEvent } from '../../experiments/train.ts';
import type { EventBatch } from '../../worker/api.ts';
import { type RunHandle, sharedPool } from '../../worker/pool.ts';

/** Per-layer and per-block statistics of one `layers` event, as plain arrays. */
export interface LayerSnapshot {
  step: number;
  names: string[];
  gradNorm: number[];
  activationStd: number[];
  deadFraction: (number | null)[];
  /** ‖∂loss/∂x‖ at each block's input */
  blockGrad: number[];
}

export type RunStatus = 'idle' | 'running' | 'paused' | 'done' | 'error';

/** A full, validated config from the settings that differ from the defaults. */
export function liveConfig(settings: Partial<TrainConfig>): TrainConfig {
  const checked = validateTrainConfig({ ...defaultTrainConfig(), ...settings });
  if (!checked.ok)
    throw new Error(`live figure config: ${checked.errors.map((e) => errorLine(e)).join('; ')}`);
  return checked.value;
}

function snapshot(e: Extract<TrainEvent, { type: 'layers' }>): LayerSnapshot {
  return {
    step: e.step,
    names: e.layers.map((l) => l.name),
    gradNorm: e.layers.map((l) => l.gradNorm),
    activationStd: e.layers.map((l) => l.activationStd),
    deadFraction: e.layers.map((l) => l.deadFraction),
    blockGrad: e.blocks.map((b) => b.inputGradNorm),
  };
}

export class LiveRun {
  /** steps taken (from the worker's latest batch) */
  steps = $state(0);
  status: RunStatus = $state('idle');
  error = $state('');
  /** the step a non-finite loss appeared at */
  diverged: number | null = $state(null);
  /** the mean training loss since the previous point, every `logEvery` steps */
  lossSteps: number[] = [];
  lossValues: number[] = [];
  /** bumped when the loss arrays grew */
  version = $state(0);
  lastLoss: number | null = $state(null);
  /** the first and the latest per-layer statistics */
  firstLayers: LayerSnapshot | null = $state.raw(null);
  layers: LayerSnapshot | null = $state.raw(null);
  /** performance.now() when the first loss point arrived on the page */
  firstPointAt: number | null = null;

  private client: RunHandle | null = null;
  private queue: EventBatch[] = [];
  private frame = 0;
  private generation = 0;

  constructor(
    readonly label: string,
    readonly config: TrainConfig,
  ) {}

  get total(): number {
    return this.config.steps;
  }

  /** Starts the run in the pool (a finished run starts again from step 0). */
  start(): void {
    this.stop();
    this.reset();
    const generation = ++this.generation;
    const client = sharedPool().handle();
    this.client = client;
    this.status = 'running';
    client
      .start(this.config, (batch) => {
        if (generation === this.generation) this.enqueue(batch);
      })
      .catch((e: unknown) => {
        if (generation !== this.generation) return;
        this.status = 'error';
        this.error = e instanceof Error ? e.message : String(e);
      });
  }

  pause(): void {
    if (this.status !== 'running') return;
    this.status = 'paused';
    void this.client?.pause().catch(() => {});
  }

  resume(): void {
    if (this.status !== 'paused') return;
    this.status = 'running';
    void this.client?.resume().catch(() => {});
  }

  /** Ends the run and frees it in its worker (the page is leaving, or the run restarts). */
  stop(): void {
    this.generation++;
    this.client?.terminate();
    this.client = null;
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.queue = [];
  }

  private reset(): void {
    this.steps = 0;
    this.error = '';
    this.diverged = null;
    this.lossSteps = [];
    this.lossValues = [];
    this.lastLoss = null;
    this.firstLayers = null;
    this.layers = null;
    this.version++;
  }

  private enqueue(batch: EventBatch): void {
    this.queue.push(batch);
    if (!this.frame) this.frame = requestAnimationFrame(() => this.flush());
  }

  /** Applies every batch that arrived since the previous frame. */
  private flush(): void {
    this.frame = 0;
    const batches = this.queue;
    this.queue = [];
    let grew = false;
    let latest: LayerSnapshot | null = null;
    for (const batch of batches) {
      this.steps = batch.step;
      for (const e of batch.events) {
        if (e.type === 'step') {
          this.lossSteps.push(e.step);
          this.lossValues.push(e.loss);
          grew = true;
        } else if (e.type === 'layers') {
          latest = snapshot(e);
          if (!this.firstLayers) this.firstLayers = latest;
        } else if (e.type === 'diverged') {
          this.diverged = e.step;
        } else if (e.type === 'done') {
          this.status = 'done';
          this.client?.terminate();
          this.client = null;
        }
      }
    }
    if (latest) this.layers = latest;
    if (grew) {
      this.lastLoss = this.lossValues[this.lossValues.length - 1] ?? null;
      if (this.firstPointAt === null) this.firstPointAt = performance.now();
      this.version++;
    }
  }
}

/**
 * Runs that play and pause together, watched by figures: `observe(element)` registers a figure;
 * the group runs while one of them is on screen, the tab is visible, and `wanted` is true.
 */
export class LiveGroup {
  /** the reader's choice (Play/Pause) */
  wanted = $state(false);
  /** a figure that watches the group is on screen */
  onScreen = $state(false);
  pageVisible = $state(typeof document === 'undefined' || document.visibilityState !== 'hidden');
  // plain bookkeeping, read only inside the observer callback: not reactive on purpose
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly seen = new Map<Element, boolean>();
  private observer: IntersectionObserver | null = null;

  constructor(readonly runs: LiveRun[]) {
    if (typeof document !== 'undefined')
      document.addEventListener('visibilitychange', () => {
        this.pageVisible = document.visibilityState !== 'hidden';
        this.apply();
      });
  }

  get done(): boolean {
    return this.runs.every((r) => r.status === 'done' || r.status === 'error');
  }
  get running(): boolean {
    return this.runs.some((r) => r.status === 'running');
  }
  get started(): boolean {
    return this.runs.some((r) => r.status !== 'idle');
  }

  /** Watches `element`: while it (or another watched figure) is on screen, the group may run. */
  observe(element: Element): () => void {
    this.observer ??= new IntersectionObserver(
      (entries) => {
        for (const entry of entries) this.seen.set(entry.target, entry.isIntersecting);
        this.onScreen = [...this.seen.values()].some(Boolean);
        this.apply();
      },
      // a little ahead of the window, so a figure is already moving when it scrolls in
      { rootMargin: '0px 0px 160px 0px' },
    );
    this.seen.set(element, false);
    this.observer.observe(element);
    return () => {
      this.observer?.unobserve(element);
      this.seen.delete(element);
      this.onScreen = [...this.seen.values()].some(Boolean);
      this.apply();
    };
  }

  play(): void {
    this.wanted = true;
    if (this.done) for (const r of this.runs) r.start();
    this.apply();
  }

  pause(): void {
    this.wanted = false;
    this.apply();
  }

  /** Starts, pauses or resumes the runs to match what is wanted and what is seen. */
  apply(): void {
    const go = this.wanted && this.onScreen && this.pageVisible;
    for (const run of this.runs) {
      if (go && run.status === 'idle') run.start();
      else if (go) run.resume();
      else run.pause();
    }
  }

  stop(): void {
    for (const r of this.runs) r.stop();
  }
}
