/** The visualizer's boxes: each item's statistics from the engine's per-layer and per-tensor rows. */
import { describe, expect, it } from 'vitest';
import { Model } from '../../src/engine/model.ts';
import type { LayerSnapshot, TensorSnapshot } from '../../src/ui/runs/pageRun.svelte.ts';
import { layoutGraph } from '../../src/ui/visualizer/layout.ts';
import { formatStat, itemStats, outputTensor, scaleTicks } from '../../src/ui/visualizer/stats.ts';
import { fillBatch, makeSpec } from '../helpers/engine.ts';

/** A 20-layer ResNet after one gradient, update and snapshot, with its statistics as the page holds them. */
function measured() {
  const model = new Model(
    makeSpec({
      arch: 'resnet',
      depth: 20,
      width: 8,
      activation: 'relu',
      norm: 'batch',
      kernels: 'ts',
      residualInit: 'one',
    }),
  );
  fillBatch(model, 8);
  model.computeGradients(8);
  model.snapshotParams();
  for (let i = 0; i < model.flatParams.length; i++)
    model.flatParams[i]! -= 0.01 * model.flatGrads[i]!;
  const { layers: rows } = model.layerStats();
  const layers: LayerSnapshot = {
    step: 1,
    names: rows.map((r) => r.name),
    gradNorm: rows.map((r) => r.gradNorm),
    activationStd: rows.map((r) => r.activationStd),
    deadFraction: rows.map((r) => r.deadFraction),
    blockGrad: [],
    block: rows.map((r) => r.block),
    weightNorm: rows.map((r) => r.weightNorm),
    updateRatio: rows.map((r) => r.updateRatio),
  };
  const tensors: TensorSnapshot = { step: 1, ...model.tensorStats() };
  return { graph: model.graph(), rows, layers, tensors };
}

describe('itemStats', () => {
  const { graph, rows, layers, tensors } = measured();

  it("a block's numbers combine exactly its own weight layers and read its output tensor", () => {
    const layout = layoutGraph(graph, { maxBlocks: 100 });
    const block = layout.items.find((i) => i.id === 'block3')!;
    const s = itemStats(block, graph, layers, tensors);
    const own = rows.filter((r) => r.block === 2);
    expect(own.map((r) => r.name)).toEqual(['block3.1', 'block3.2']);
    expect(s.layers).toBe(2);
    expect(s.gradNorm).toBeCloseTo(Math.hypot(...own.map((r) => r.gradNorm)), 12);
    const d = Math.hypot(...own.map((r) => r.updateRatio! * r.weightNorm));
    expect(s.updateRatio).toBeCloseTo(d / Math.hypot(...own.map((r) => r.weightNorm)), 12);
    expect(s.deadFraction).toBeCloseTo((own[0]!.deadFraction! + own[1]!.deadFraction!) / 2, 12);
    expect(s.tensor).toBe('block3.relu');
    expect(s.shape).toEqual([8]);
    const t = tensors.tensors.find((r) => r.name === 'block3.relu')!;
    expect(s.activationStd).toBe(t.std);
    expect(s.outputGradNorm).toBe(t.gradNorm);
  });

  it('a group stands for all its blocks; the stem and head for theirs', () => {
    const layout = layoutGraph(graph, { maxBlocks: 0, groupSize: 4 });
    const group = layout.items.find((i) => i.kind === 'group')!;
    expect(group.blocks).toEqual([0, 1, 2, 3]);
    const s = itemStats(group, graph, layers, tensors);
    expect(s.layers).toBe(8);
    const own = rows.filter((r) => r.block >= 0 && r.block <= 3);
    expect(s.gradNorm).toBeCloseTo(Math.hypot(...own.map((r) => r.gradNorm)), 12);
    expect(s.tensor).toBe('block4.relu');
    const stem = itemStats(layout.items[0]!, graph, layers, tensors);
    expect(stem.tensor).toBe('stem.relu');
    expect(stem.gradNorm).toBe(rows[0]!.gradNorm);
    const head = itemStats(layout.items[layout.items.length - 1]!, graph, layers, tensors);
    expect(head.tensor).toBe('head.out');
    expect(head.deadFraction).toBeNull();
    expect(head.shape).toEqual([3]);
  });

  it('without statistics every number is null, the shape still known', () => {
    const item = layoutGraph(graph).items[1]!;
    const s = itemStats(item, graph, null, null);
    expect([s.gradNorm, s.activationStd, s.updateRatio, s.deadFraction]).toEqual([
      null,
      null,
      null,
      null,
    ]);
    expect(s.shape).toEqual([8]);
    expect(outputTensor(item, graph)?.name).toBe(s.tensor);
  });
});

describe('scaleTicks and formatStat', () => {
  it('ticks at whole decades inside the range, or the two ends', () => {
    expect(scaleTicks({ lo: 0.002, hi: 30 })).toEqual([0.01, 0.1, 1, 10]);
    expect(scaleTicks({ lo: 2, hi: 5 })).toEqual([2, 5]);
    expect(scaleTicks({ lo: 3, hi: 3 })).toEqual([3]);
    expect(scaleTicks({ lo: 1e-9, hi: 1 }, 5)).toEqual([1e-9, 1e-7, 1e-5, 1e-3, 1e-1]);
  });
  it('prints three significant digits and shares in per cent', () => {
    expect(formatStat('gradNorm', 0.012345)).toBe('0.0123');
    expect(formatStat('gradNorm', 1.5e-6)).toBe('1.50e-6');
    expect(formatStat('deadFraction', 0.25)).toBe('25%');
    expect(formatStat('activationStd', null)).toBe('—');
  });
});
