/**
 * The ensemble-of-paths study's settings, record, path counts and CSV (experiments/paths.ts
 * measures): a module without the engine's model, so that the page's main thread may build its
 * config, count paths and export its record while the measurement runs in a worker.
 *
 * A residual network of n blocks unrolls into 2ⁿ paths (Veit et al. 2016): each block is either
 * passed through its residual branch or skipped by its shortcut, and a path's length is the
 * number of branches it goes through, so C(n, k) paths have length k — a Binomial(n, ½) spread.
 */
import { type Arch, blocksForDepth } from '../engine/choices.ts';
import { TRAIN_FIELDS, type TrainConfig } from './config.ts';
import { defaultsOf } from './fields.ts';
import type { Metrics } from './train.ts';

export const PATHS_SCHEMA = 'resnet-lab/paths@1';

/** The block types whose shortcut joins by an addition: their paths can be chosen one by one. */
export const PATH_ARCHS: readonly Arch[] = ['resnet', 'preact', 'bottleneck', 'resnext'];

export interface PathsConfig extends TrainConfig {
  /** random choices of k blocks per path length k */
  pathSamples: number;
}

export const PATHS_FIELDS = {
  ...TRAIN_FIELDS,
  pathSamples: {
    kind: 'int',
    min: 1,
    max: 100,
    default: 5,
    flag: 'path-samples',
    help: 'paths sampled per length k (k blocks chosen at random, seeded)',
  },
} as const;

export function defaultPathsConfig(): PathsConfig {
  return defaultsOf<PathsConfig>(PATHS_FIELDS);
}

/** Exact path counts C(n, k) for k = 0 … n (BigInt: 2⁵⁴ paths overflow a double's integers). */
export function pathCounts(n: number): bigint[] {
  const counts: bigint[] = [1n];
  for (let k = 1; k <= n; k++) counts.push((counts[k - 1]! * BigInt(n - k + 1)) / BigInt(k));
  return counts;
}

/** The share of the 2ⁿ paths that has each length k (sums to 1). */
export function pathShares(n: number): number[] {
  const total = 2 ** n;
  return pathCounts(n).map((c) => Number(c) / total);
}

/** The share of all paths whose length is in [from, to] (the exact count, then one division). */
export function shareBetween(n: number, from: number, to: number): number {
  const counts = pathCounts(n);
  let sum = 0n;
  for (let k = Math.max(0, from); k <= Math.min(n, to); k++) sum += counts[k]!;
  return Number(sum) / 2 ** n;
}

/** One path length's measurement. */
export interface PathLength {
  /** the length: residual branches on the path */
  k: number;
  /** C(n, k), exact, as a decimal string */
  paths: string;
  /** C(n, k) / 2ⁿ */
  pathShare: number;
  /** ‖∂loss/∂(first block's input)‖ along one sampled path of length k, per sample */
  magnitudes: number[];
  /** their mean */
  meanMagnitude: number;
  /** pathShare · meanMagnitude, normalised over k: the share of the total gradient magnitude */
  gradientShare: number;
}

export interface PathsRecord {
  schema: typeof PATHS_SCHEMA;
  config: PathsConfig;
  /** residual blocks n */
  blocks: number;
  /** 2ⁿ, exact, as a decimal string */
  totalPaths: string;
  /** training rows the fixed batch holds (the first ones of the training set) */
  batch: number;
  /** the trained network's loss and accuracy on the whole sets (evaluation mode) */
  final: Metrics;
  /** ‖∂loss/∂(first block's input)‖ of the whole network (every path at once) */
  fullMagnitude: number;
  /** one entry per length k = 0 … n */
  lengths: PathLength[];
}

/** Residual blocks of a (valid) config's network, or null when its depth builds none. */
export function blocksOf(config: Pick<TrainConfig, 'arch' | 'depth'>): number | null {
  return blocksForDepth(config.arch, config.depth);
}

/**
 * The shortest range of lengths around the largest share that holds at least `mass` of the total
 * gradient (grown one length at a time toward the larger neighbour).
 */
export function carryingRange(
  lengths: readonly PathLength[],
  mass: number,
): { from: number; to: number; share: number } {
  let peak = 0;
  lengths.forEach((l, i) => {
    if (l.gradientShare > lengths[peak]!.gradientShare) peak = i;
  });
  let from = peak;
  let to = peak;
  let share = lengths[peak]?.gradientShare ?? 0;
  while (share < mass && (from > 0 || to < lengths.length - 1)) {
    const left = from > 0 ? lengths[from - 1]!.gradientShare : -1;
    const right = to < lengths.length - 1 ? lengths[to + 1]!.gradientShare : -1;
    if (right >= left) share += lengths[++to]!.gradientShare;
    else share += lengths[--from]!.gradientShare;
  }
  return { from: lengths[from]?.k ?? 0, to: lengths[to]?.k ?? 0, share };
}

/** The record as CSV: one row per path length. */
export function pathsCSV(record: PathsRecord): string {
  const rows = ['k,paths,path_share,mean_magnitude,gradient_share,magnitudes'];
  for (const l of record.lengths)
    rows.push(
      `${l.k},${l.paths},${l.pathShare},${l.meanMagnitude},${l.gradientShare},"${l.magnitudes.join(' ')}"`,
    );
  return `${rows.join('\n')}\n`;
}
