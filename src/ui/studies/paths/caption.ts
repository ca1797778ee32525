/**
 * The ensemble-of-paths figure's words, computed from the measured record: which path lengths
 * carry most of the gradient, what share of the paths they are, and how that compares with Veit
 * et al. (2016): in ResNet-110 (54 blocks) the effective paths are 5–17 blocks long, 0.45% of all.
 */
import { carryingRange, type PathsRecord, shareBetween } from '../../../experiments/pathsConfig.ts';

/** The share of the gradient the caption names a range for. */
export const CARRYING_MASS = 0.9;

const pct = (v: number) =>
  v >= 0.1
    ? `${(100 * v).toFixed(1)}%`
    : v >= 1e-4
      ? `${(100 * v).toFixed(3)}%`
      : `${(100 * v).toExponential(1)}%`;

export interface PathsCaption {
  /** the setup and the trained network's accuracy */
  setup: string;
  /** the lengths that carry the gradient */
  carrying: string;
  /** the comparison with Veit et al. */
  paper: string;
}

export function pathsCaptionOf(record: PathsRecord): PathsCaption {
  const { config, blocks: n } = record;
  const range = carryingRange(record.lengths, CARRYING_MASS);
  const pathsShare = shareBetween(n, range.from, range.to);
  const peak = record.lengths.reduce((m, l) => (l.gradientShare > m.gradientShare ? l : m));
  const accuracy = record.final.trainAccuracy;
  const setup = `A ${config.depth}-layer residual network (${n} blocks, so 2^${n} = ${BigInt(record.totalPaths).toLocaleString('en')} paths, mean length ${n / 2}) trained ${config.steps} steps on the ${config.dataset === 'spiral' ? 'two spirals' : config.dataset}, seed ${config.seed}${accuracy === null ? '' : `, training accuracy ${(100 * accuracy).toFixed(1)}%`}; ${config.pathSamples} sampled paths per length; gradient magnitude ‖∂loss/∂(first block's input)‖ on the first ${record.batch} training examples.`;
  const carrying = `Paths of length ${range.from}–${range.to} carry ${pct(range.share)} of the gradient, although they are only ${pct(pathsShare)} of the paths; the largest share comes from length ${peak.k} (${pct(peak.gradientShare)}). Each extra branch on a path shrinks its gradient (length 0: ${record.lengths[0]!.meanMagnitude.toExponential(1)}, length ${n}: ${record.lengths[n]!.meanMagnitude.toExponential(1)}), so the long paths — the most numerous — carry almost nothing.`;
  const ours = `${Math.round((100 * range.from) / n)}–${Math.round((100 * range.to) / n)}%`;
  const paper = `Veit et al. found the effective paths of ResNet-110 (54 blocks, CIFAR-10) 5–17 blocks long (9–31% of its depth), 0.45% of all paths; ours are ${ours} of the depth. Where we differ: two-dimensional spirals, a ${config.width}-unit width and ${config.pathSamples} samples per length instead of CIFAR-10 and wide convolutions; like the paper, the forward pass is intact and only the gradient is routed along the path.`;
  return { setup, carrying, paper };
}
