/**
 * A plain network and its residual twin training side by side in the page's worker pool (one
 * worker for both on a two-core machine, interleaved step by step; a worker each where there are
 * cores to spare), from the same seed (so on the same data, in the same batch order). Owns the pair's shared curves, the
 * once-per-frame redraw and the live decision maps / digit predictions.
 */
import type { TrainConfig } from '../../experiments/config.ts';
import { CurveStore } from '../runs/curves.ts';
import { FrameScheduler } from '../runs/frames.ts';
import { PageRun } from '../runs/pageRun.svelte.ts';
import { type GroupStatus, groupStatus } from '../runs/status.ts';
import type { DataView } from '../runs/worker.ts';
import { gridInputs, type Net, pairConfigs, pairSeries } from './pair.ts';

type Lab = PageRun<Net>;

/** Cells per side of a decision map. */
export const MAP_SIDE = 50;
/** Test digits shown with both networks' predictions. */
export const DIGIT_COUNT = 24;
/**
 * The curves and counters are redrawn at most this often (≈20 times a second: smooth enough to
 * read, and it leaves the main thread free while two workers share the processor with it).
 */
const MIN_FLUSH_MS = 50;
/**
 * Training points drawn on a map (each a filled, outlined marker: 600 made a map's repaint one of
 * the page's longest tasks on a busy two-core machine).
 */
const MAX_POINTS = 400;
/** The maps refresh at most this often while training… */
const MAP_MIN_INTERVAL_MS = 400;
/** …and predictions take at most 1 / this of a worker's time. */
const MAP_COST_FACTOR = 5;

export interface Predictions {
  /** class probabilities, (cells or digits) × classes */
  probs: Float32Array;
  /** the step of the network when they were computed (approximately: the latest seen) */
  step: number;
}

export class Comparison {
  readonly table = new CurveStore(pairSeries());
  /** bumped once per frame in which the curves changed (the arrays themselves are plain) */
  version = $state(0);
  /**
   * The accuracy chart's redraw counter: bumped one frame after `version`, so that the two
   * charts never redraw in the same frame — each frame stays short on a 2-core machine.
   */
  accuracyVersion = $state(0);
  readonly plain: Lab;
  readonly resnet: Lab;
  /** the configs of the latest start */
  configs = $state.raw<Record<Net, TrainConfig> | null>(null);
  /** the data of the latest run, for plotting (from the residual network's run) */
  view = $state.raw<DataView | null>(null);
  predictions = $state.raw<Record<Net, Predictions | null>>({ plain: null, resnet: null });
  /** the polite screen-reader line */
  announcement = $state('');
  /** frames in which the curves were redrawn, and the time of the latest (tests, figures) */
  frames = 0;
  record = false;

  private readonly scheduler = new FrameScheduler(() => this.flush(), MIN_FLUSH_MS);
  private runId = 0;
  private mapTimer: ReturnType<typeof setTimeout> | null = null;
  private mapBusy = false;
  private mapAgain = false;
  private mapCostMs = 0;
  private grid: Float32Array | null = null;

  constructor() {
    const options = {
      curves: [this.table],
      queued: () => this.scheduler.request(),
      // a convolutional pair shows one test digit's first-stage maps (dense runs have none)
      observe: { featureMaps: true },
    };
    this.plain = new PageRun('plain', options);
    this.resnet = new PageRun('resnet', options);
    // every event is kept: the runs' JSON export is built from them
    for (const l of this.labs) l.record = true;
  }

  get labs(): Lab[] {
    return [this.plain, this.resnet];
  }

  get status(): GroupStatus {
    return groupStatus(this.labs.map((l) => l.status));
  }

  get active(): boolean {
    return this.labs.some((l) => l.active);
  }

  /** Loads the workers ahead of the first run. */
  warm(): void {
    for (const l of this.labs) l.warm();
  }

  set recordEvents(on: boolean) {
    this.record = on;
    for (const l of this.labs) l.record = on;
  }

  async start(config: TrainConfig): Promise<void> {
    const id = ++this.runId;
    const configs = pairConfigs(config);
    this.configs = configs;
    this.clearView();
    let digits: Uint8Array | undefined;
    if (config.dataset === 'digits') {
      for (const l of this.labs) l.loading(config.steps);
      this.announce('Loading the digits…');
      try {
        digits = await this.resnet.loadDigits(config.digitsSize);
      } catch (error) {
        if (id !== this.runId) return;
        for (const l of this.labs) l.fail(error);
        this.announce(`Training failed: ${this.plain.error}`);
        return;
      }
      if (id !== this.runId) return;
    }
    this.announce(`Training both networks: ${config.steps} steps.`);
    this.scheduleMaps(MAP_MIN_INTERVAL_MS);
    await Promise.all([
      this.plain.start(configs.plain, digits),
      this.resnet.start(configs.resnet, digits),
    ]);
    if (id === this.runId) {
      this.refreshMaps();
      this.announce(this.summary());
    }
  }

  pause(): void {
    for (const l of this.labs) l.pause();
    this.announce(`Paused at step ${this.resnet.step}.`);
    this.refreshSoon();
  }

  resume(): void {
    for (const l of this.labs) l.resume();
    this.announce('Resumed.');
    this.scheduleMaps(MAP_MIN_INTERVAL_MS);
  }

  /** One step of both networks (those paused). */
  stepOnce(): void {
    for (const l of this.labs) l.stepOnce();
    this.refreshSoon();
  }

  reset(): void {
    this.runId++;
    for (const l of this.labs) l.reset();
    this.configs = null;
    this.clearView();
    this.announce('Reset.');
  }

  private clearView(): void {
    this.table.clear();
    this.version++;
    this.accuracyVersion++;
    this.view = null;
    this.grid = null;
    this.predictions = { plain: null, resnet: null };
    if (this.mapTimer) clearTimeout(this.mapTimer);
    this.mapTimer = null;
    this.mapAgain = false;
  }

  private summary(): string {
    const part = (l: Lab) =>
      l.divergedAt !== null
        ? `${l.id} diverged at step ${l.divergedAt}`
        : l.final?.testAccuracy != null
          ? `${l.id} test accuracy ${(l.final.testAccuracy * 100).toFixed(1)}%`
          : `${l.id} ${l.status}`;
    return `Done: ${part(this.plain)}, ${part(this.resnet)}.`;
  }

  private announce(text: string): void {
    this.announcement = text;
  }

  /** Applies both networks' queued batches (once per animation frame). */
  private flush(): void {
    let changed = false;
    for (const l of this.labs) {
      const news = l.news;
      changed = l.flush() || changed;
      if (l.news !== news && l.news) this.announce(l.news);
    }
    if (changed) {
      this.version++;
      this.frames++;
      requestAnimationFrame(() => this.accuracyVersion++);
    }
    if (!this.view && this.resnet.model) void this.loadView();
  }

  private async loadView(): Promise<void> {
    if (this.view || this.grid) return;
    const id = this.runId;
    this.grid = new Float32Array(0); // loading
    const view = await this.resnet.dataView(MAX_POINTS, DIGIT_COUNT);
    if (id !== this.runId || !view) {
      if (id === this.runId) this.grid = null;
      return;
    }
    this.grid = view.extent != null ? gridInputs(view.extent, MAP_SIDE) : view.testX;
    this.view = view;
    this.refreshMaps();
  }

  private scheduleMaps(delay: number): void {
    if (this.mapTimer) clearTimeout(this.mapTimer);
    this.mapTimer = setTimeout(() => {
      this.mapTimer = null;
      this.refreshMaps();
    }, delay);
  }

  /** A refresh after a pause or single step (once the worker has answered it). */
  private refreshSoon(): void {
    this.scheduleMaps(60);
  }

  /** Asks both networks for their predictions on the map grid (or the digits). */
  refreshMaps(): void {
    const grid = this.grid;
    const view = this.view;
    if (!grid || !view || grid.length === 0) return;
    if (this.mapBusy) {
      this.mapAgain = true;
      return;
    }
    this.mapBusy = true;
    const id = this.runId;
    const count = grid.length / view.inputDim;
    const t0 = performance.now();
    // Each network's answer is applied as it arrives, so its map repaints in a task of its
    // own (two maps in one task doubled the page's longest task).
    const ask = async (l: Lab) => {
      if (!l.model) return;
      const probs = await l.predict(grid, count);
      if (id !== this.runId || !probs) return;
      this.predictions = { ...this.predictions, [l.id]: { probs, step: l.step } };
    };
    void Promise.all(this.labs.map(ask))
      .then(() => {
        if (id === this.runId) this.mapCostMs = performance.now() - t0;
      })
      .catch(() => {})
      .finally(() => {
        this.mapBusy = false;
        if (id !== this.runId) return;
        if (this.mapAgain) {
          this.mapAgain = false;
          this.refreshMaps();
        } else if (this.labs.some((l) => l.status === 'running'))
          this.scheduleMaps(Math.max(MAP_MIN_INTERVAL_MS, this.mapCostMs * MAP_COST_FACTOR));
      });
  }
}
