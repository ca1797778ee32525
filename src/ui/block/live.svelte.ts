/**
 * The live networks of Residual Block Architecture: one run per block form and twin, created
 * when first shown and kept (paused) when the reader switches away, so coming back resumes it.
 * Each is a `PageRun` of the page's worker pool in a `LiveGroup` (paused off screen and in hidden
 * tabs), asked for every tensor's statistics every few steps; the share of the branch in each
 * block's output, ‖F(x)‖/‖x‖, is kept per step for the chart.
 */
import type { TrainConfig } from '../../experiments/config.ts';
import { CurveStore } from '../runs/curves.ts';
import { LiveGroup } from '../runs/liveGroup.svelte.ts';
import { PageRun, type TensorsEvent } from '../runs/pageRun.svelte.ts';
import { TENSOR_STATS_EVERY } from './network.ts';

/** The chart's series of block i (0-based). */
export const ratioKey = (block: number): string => `block${block + 1}`;

export class BlockNet {
  readonly run: PageRun;
  readonly group: LiveGroup;
  /** ‖F(x)‖/‖x‖ of every residual block, by step */
  readonly ratios = new CurveStore();
  /** bumped when `ratios` grew */
  version = $state(0);
  private lastStep = 0;

  constructor(
    readonly name: string,
    readonly config: TrainConfig,
  ) {
    this.run = new PageRun(name, {
      config,
      observe: { tensorStatsEvery: TENSOR_STATS_EVERY },
      onTensors: (event) => this.take(event),
    });
    this.group = new LiveGroup([this.run]);
  }

  private take(event: TensorsEvent): void {
    // a run started again: its steps begin anew
    if (event.step <= this.lastStep) this.ratios.clear();
    this.lastStep = event.step;
    for (const r of event.residuals)
      this.ratios.set(
        event.step,
        ratioKey(r.block),
        r.shortcutNorm > 0 ? r.branchNorm / r.shortcutNorm : null,
      );
    this.version++;
  }
}

// plain bookkeeping of the nets made so far, never read reactively
// eslint-disable-next-line svelte/prefer-svelte-reactivity
const nets = new Map<string, BlockNet>();

/** The live network of a config (one per form and twin), created on first use. */
export function blockNet(name: string, config: TrainConfig): BlockNet {
  let net = nets.get(name);
  if (!net) {
    net = new BlockNet(name, config);
    nets.set(name, net);
  }
  return net;
}
