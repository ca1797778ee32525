/**
 * What the Degradation section says of the precomputed convolutional sweep: its medians by
 * depth, its command, and the switch that opens it in Convergence Speed Analysis. A module of its
 * own, loaded when the section has mounted, so that the sweep file and the sweep summaries stay
 * out of the first screen's script.
 */
import type { SweepRecord } from '../../experiments/sweep.ts';
import convSweepJson from './defaultConvSweep.json';
import { defaultSweepCommand } from './preset.ts';
import { depthCells } from './summary.ts';
import { type ConvergenceView, defaultConvergenceView } from './view.ts';

export interface ConvDepthClaim {
  /** median final training loss: plain nets of 8, 20 and 56 layers, and ResNet-56 */
  p8: number | null;
  p20: number | null;
  p56: number | null;
  r56: number | null;
  /** Plain-56 well above Plain-8, and ResNet-56 well below Plain-56 */
  shows: boolean;
  /** the command that writes the sweep (without its --out) */
  command: string;
}

export function convDepthClaim(): ConvDepthClaim {
  // (the file is what `resnet-lab sweep` writes: a record of that shape)
  const cells = depthCells(convSweepJson as unknown as SweepRecord);
  const loss = (arch: 'plain' | 'resnet', depth: number): number | null =>
    cells.get(arch)?.find((c) => c.depth === depth)?.lossMedian ?? null;
  const [p8, p20, p56, r56] = [
    loss('plain', 8),
    loss('plain', 20),
    loss('plain', 56),
    loss('resnet', 56),
  ];
  const shows = p8 !== null && p56 !== null && r56 !== null && p56 > 2 * p8 && r56 < p56 / 2;
  const command = defaultSweepCommand('conv').replace(/ --out \S+$/, '');
  return { p8, p20, p56, r56, shows, command };
}

/** Convergence Speed Analysis switched to its convolutional sweep. */
export function showConvSweep(view: ConvergenceView): void {
  Object.assign(view, defaultConvergenceView('conv'));
}
