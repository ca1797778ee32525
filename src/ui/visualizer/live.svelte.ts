/**
 * The visualizer's runs, all in the page's worker pool: the live pair (the plain twin and the
 * residual net of the chosen settings, training with per-layer and per-tensor statistics every
 * LIVE_STATS_EVERY steps, as a LiveGroup: paused off-screen, in hidden tabs, and until Play under
 * reduced motion), and the pair at initialisation (one step each: the gradients of the initial
 * weights). New settings replace all four runs.
 */
import { PageRun } from '../runs/pageRun.svelte.ts';
import { LiveGroup } from '../runs/liveGroup.svelte.ts';
import { initPair, LIVE_STATS_EVERY, livePair, type VizView } from './settings.ts';

export type Net = 'plain' | 'resnet';

export interface VizRuns {
  key: string;
  live: Record<Net, PageRun>;
  init: Record<Net, PageRun>;
  group: LiveGroup;
}

export class VizLab {
  runs = $state.raw<VizRuns | null>(null);
  // plain bookkeeping of the figures to hand to each new group: not reactive on purpose
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly watched = new Set<Element>();
  private stops: (() => void)[] = [];

  constructor(private readonly reducedMotion: boolean) {}

  /** Runs for `view` (the current ones when its training configs are unchanged). */
  configure(view: VizView): VizRuns {
    const live = livePair(view);
    const key = JSON.stringify(live);
    if (this.runs && this.runs.key === key) return this.runs;
    const wanted = this.runs ? this.runs.group.wanted : !this.reducedMotion;
    this.stop();
    const init = initPair(view);
    const name = (net: Net) => `${net === 'plain' ? 'Plain' : 'ResNet'}-${view.depth}`;
    // a convolutional pair also sends one test digit's first-stage maps at each evaluation
    const observe = { tensorStatsEvery: LIVE_STATS_EVERY, featureMaps: view.model === 'conv' };
    const pair = {
      plain: new PageRun(name('plain'), { config: live.plain, observe }),
      resnet: new PageRun(name('resnet'), { config: live.resnet, observe }),
    };
    const runs: VizRuns = {
      key,
      live: pair,
      init: {
        plain: new PageRun(`${name('plain')} at initialisation`, {
          config: init.plain,
          releaseWhenDone: true,
        }),
        resnet: new PageRun(`${name('resnet')} at initialisation`, {
          config: init.resnet,
          releaseWhenDone: true,
        }),
      },
      group: new LiveGroup([pair.plain, pair.resnet]),
    };
    runs.group.wanted = wanted;
    for (const el of this.watched) this.stops.push(runs.group.observe(el));
    void runs.init.plain.start();
    void runs.init.resnet.start();
    this.runs = runs;
    return runs;
  }

  /** Watches a figure: the live pair runs while one of the watched figures is on screen. */
  observe(el: Element): () => void {
    this.watched.add(el);
    const stop = this.runs?.group.observe(el);
    if (stop) this.stops.push(stop);
    return () => {
      this.watched.delete(el);
      stop?.();
    };
  }

  /** Ends every run (the section is leaving, or the settings changed). */
  stop(): void {
    const old = this.runs;
    if (!old) return;
    old.group.wanted = false;
    for (const stop of this.stops) stop();
    this.stops = [];
    old.group.stop();
    old.init.plain.stop();
    old.init.resnet.stop();
  }
}
