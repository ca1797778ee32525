/**
 * Small live runs for the article's figures (the Introduction's plain/ResNet pair, the
 * Degradation Problem's shallow nets): each a `PageRun` of the page's worker pool, watched by
 * figures. A `LiveGroup` runs only while it is wanted (the reader has not pressed Pause, and —
 * with prefers-reduced-motion — has pressed Play), one of the figures that watch it is on
 * screen, and the tab is visible; otherwise its runs are paused (a paused run costs its worker
 * nothing).
 */
import {
  defaultTrainConfig,
  errorLine,
  type TrainConfig,
  validateTrainConfig,
} from '../../experiments/config.ts';
import type { PageRun } from './pageRun.svelte.ts';
import { isFinished } from './status.ts';

/** A full, validated config from the settings that differ from the defaults. */
export function liveConfig(settings: Partial<TrainConfig>): TrainConfig {
  const checked = validateTrainConfig({ ...defaultTrainConfig(), ...settings });
  if (!checked.ok)
    throw new Error(`live figure config: ${checked.errors.map((e) => errorLine(e)).join('; ')}`);
  return checked.value;
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

  constructor(readonly runs: readonly PageRun[]) {
    if (typeof document !== 'undefined')
      document.addEventListener('visibilitychange', () => {
        this.pageVisible = document.visibilityState !== 'hidden';
        this.apply();
      });
  }

  get done(): boolean {
    return this.runs.every((r) => isFinished(r.status));
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

  /**
   * Before its figures are mounted: runs as if one of them were on screen (the page opened at
   * its top, where the figure is), so training starts while the page is still mounting. The
   * figures' first observation corrects it: off screen after all, the runs pause.
   */
  presumeOnScreen(): void {
    this.onScreen = true;
    this.apply();
  }

  play(): void {
    this.wanted = true;
    if (this.done) for (const r of this.runs) void r.start();
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
      if (go && run.status === 'idle') void run.start();
      else if (go) run.resume();
      else run.pause();
    }
  }

  stop(): void {
    for (const r of this.runs) r.stop();
  }
}
