/**
 * What the visualizer's boxes show, from the engine's statistics (pure, no DOM): for each laid-out
 * item (stem, block, group of blocks, head) the statistics of its weight layers combined and of
 * its output tensor, the tensor's shape, and the legend's ticks of the shared log scale.
 */
import type { GraphTensor, ModelGraph } from '../../engine/graph.ts';
import type { LayerSnapshot, TensorSnapshot } from '../runs/pageRun.svelte.ts';
import type { LayoutItem, LogScale } from './layout.ts';

export type NodeStat = 'activationStd' | 'gradNorm' | 'updateRatio' | 'deadFraction';

export const NODE_STATS: readonly NodeStat[] = [
  'activationStd',
  'gradNorm',
  'updateRatio',
  'deadFraction',
];

/** The statistics' names on the page, and how an item's value is made from its layers. */
export const STAT_LABELS: Record<NodeStat, { name: string; short: string; how: string }> = {
  activationStd: {
    name: 'activation std',
    short: 'std',
    how: 'standard deviation of the output of the stem, block or group',
  },
  gradNorm: {
    name: 'gradient norm',
    short: '‖g‖',
    how: '‖∂loss/∂W‖ of its weight layers together',
  },
  updateRatio: {
    name: 'update ratio',
    short: '‖ΔW‖/‖W‖',
    how: '‖ΔW‖/‖W‖ of its weight layers together, for the last update',
  },
  deadFraction: {
    name: 'dead-ReLU share',
    short: 'dead',
    how: 'share of its ReLU units that are zero for every example of the batch (mean over its layers)',
  },
};

export interface ItemStats {
  activationStd: number | null;
  gradNorm: number | null;
  updateRatio: number | null;
  deadFraction: number | null;
  /** the tensor the item hands on, its shape for one example, and its mean */
  tensor: string | null;
  shape: number[] | null;
  activationMean: number | null;
  /** ‖∂loss/∂output‖ of that tensor */
  outputGradNorm: number | null;
  /** weight layers it holds */
  layers: number;
}

/** The block index of each item's weight layers: the stem is -1, the head `blocks`. */
function blocksOf(item: LayoutItem, blockCount: number): number[] {
  if (item.kind === 'stem') return [-1];
  if (item.kind === 'head') return [blockCount];
  return item.blocks;
}

/**
 * The tensor an item hands on: the last stored output of its nodes (a fusion keeps the fused
 * op's output, e.g. `stem.relu`), or null.
 */
export function outputTensor(
  item: LayoutItem,
  graph: Pick<ModelGraph, 'nodes' | 'tensors'>,
): GraphTensor | null {
  const tensors = new Map(graph.tensors.map((t) => [t.name, t]));
  const nodes = new Map(graph.nodes.map((n) => [n.name, n]));
  for (let i = item.nodes.length - 1; i >= 0; i--) {
    const node = nodes.get(item.nodes[i]!);
    for (const out of node?.outputs ?? []) {
      const t = tensors.get(out);
      if (t?.stored) return t;
    }
  }
  return null;
}

/**
 * An item's statistics. Over its weight layers: the gradient norm is √Σ‖∂loss/∂Wᵢ‖² (the norm of
 * their gradients taken together), the update ratio √Σ‖ΔWᵢ‖² / √Σ‖Wᵢ‖², the dead share the mean
 * over the layers followed by a ReLU. The activation std, mean and output gradient are those of
 * the tensor it hands on (from the per-tensor statistics).
 */
export function itemStats(
  item: LayoutItem,
  graph: Pick<ModelGraph, 'nodes' | 'tensors' | 'blocks'>,
  layers: LayerSnapshot | null,
  tensors: TensorSnapshot | null,
): ItemStats {
  const out = outputTensor(item, graph);
  const row = out && tensors ? tensors.tensors.find((t) => t.name === out.name) : undefined;
  const wanted = new Set(blocksOf(item, graph.blocks.length));
  let g2 = 0;
  let w2 = 0;
  let d2 = 0;
  let ratioKnown = true;
  let dead = 0;
  let deadCount = 0;
  let count = 0;
  if (layers)
    layers.block.forEach((b, i) => {
      if (!wanted.has(b)) return;
      count++;
      g2 += layers.gradNorm[i]! ** 2;
      const w = layers.weightNorm[i]!;
      const r = layers.updateRatio[i];
      w2 += w * w;
      if (r === null || r === undefined) ratioKnown = false;
      else d2 += (r * w) ** 2;
      const d = layers.deadFraction[i];
      if (d !== null && d !== undefined) {
        dead += d;
        deadCount++;
      }
    });
  return {
    activationStd: row ? row.std : null,
    activationMean: row ? row.mean : null,
    outputGradNorm: row ? row.gradNorm : null,
    gradNorm: count ? Math.sqrt(g2) : null,
    updateRatio: count && ratioKnown && w2 > 0 ? Math.sqrt(d2) / Math.sqrt(w2) : null,
    deadFraction: deadCount ? dead / deadCount : null,
    tensor: out?.name ?? null,
    shape: out?.shape ?? null,
    layers: count,
  };
}

/** The whole decades inside [lo, hi]; the two ends themselves when no decade lies between. */
export function scaleTicks(scale: Pick<LogScale, 'lo' | 'hi'>, most = 5): number[] {
  const a = Math.ceil(Math.log10(scale.lo) - 1e-9);
  const b = Math.floor(Math.log10(scale.hi) + 1e-9);
  if (b < a) return scale.lo === scale.hi ? [scale.lo] : [scale.lo, scale.hi];
  const stride = Math.max(1, Math.ceil((b - a + 1) / most));
  const out: number[] = [];
  for (let e = a; e <= b; e += stride) out.push(Number(`1e${e}`));
  return out;
}

/** A statistic's value as the page prints it: three significant digits, or a share in %. */
export function formatStat(stat: NodeStat, v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '—';
  if (stat === 'deadFraction') return `${(v * 100).toFixed(v > 0 && v < 0.01 ? 1 : 0)}%`;
  return formatNumber(v);
}

export function formatNumber(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '—';
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(2) : v.toPrecision(3);
}
