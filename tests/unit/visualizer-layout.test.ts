/** The visualizer's layout, drawn from the model's own graph, and its log colour scale. */
import { describe, expect, it } from 'vitest';
import { Model } from '../../src/engine/model.ts';
import { layoutGraph, logScale } from '../../src/ui/visualizer/layout.ts';
import { makeSpec } from '../helpers/engine.ts';

const graphOf = (arch: 'plain' | 'resnet', depth: number) =>
  new Model(makeSpec({ arch, depth, width: 8, activation: 'relu', norm: 'batch' })).graph();

describe('layoutGraph', () => {
  it('places stem, blocks and head left to right in forward order, inside the width', () => {
    const g = graphOf('resnet', 8);
    const l = layoutGraph(g, { width: 640, maxBlocks: 12 });
    expect(l.items.map((i) => i.kind)).toEqual(['stem', 'block', 'block', 'block', 'head']);
    for (let k = 1; k < l.items.length; k++) expect(l.items[k].x).toBeGreaterThan(l.items[k - 1].x);
    for (const it of l.items) expect(it.x + it.w).toBeLessThanOrEqual(640);
    expect(l.items.flatMap((i) => i.nodes)).toEqual(g.nodes.map((n) => n.name));
  });

  it('collapses a stage into a group with its count and expands it by id', () => {
    const g = graphOf('resnet', 110);
    const l = layoutGraph(g, { width: 320 });
    const groups = l.items.filter((i) => i.kind === 'group');
    expect(groups.length).toBeGreaterThan(0);
    expect(
      groups.reduce((s, i) => s + i.blocks.length, 0) +
        l.items.filter((i) => i.kind === 'block').length,
    ).toBe(g.blocks.length);
    const open = layoutGraph(g, { width: 320, expanded: new Set([groups[0].id]) });
    expect(open.items.filter((i) => i.kind === 'group')).toHaveLength(groups.length - 1);
    expect(open.items.length).toBe(l.items.length - 1 + groups[0].blocks.length);
  });

  it('splits a long stage into groups of at most groupSize consecutive blocks, each its own', () => {
    const g = graphOf('resnet', 110); // 54 blocks in the lab's one stage
    const l = layoutGraph(g, { width: 640, groupSize: 9 });
    const groups = l.items.filter((i) => i.kind === 'group');
    expect(groups.map((i) => i.blocks.length)).toEqual([9, 9, 9, 9, 9, 9]);
    expect(groups.map((i) => i.label)).toEqual(Array(6).fill('9×'));
    expect(groups[0]!.id).toBe('group:blocks:1-9');
    expect(groups[1]!.title).toBe('blocks 10–18');
    expect(groups.flatMap((i) => i.blocks)).toEqual(g.blocks.map((b) => b.index));
    // a remainder makes a shorter last group; a chunk of one is a plain block
    const odd = layoutGraph(g, { groupSize: 8 }).items.filter((i) => i.kind === 'group');
    expect(odd.map((i) => i.blocks.length)).toEqual([8, 8, 8, 8, 8, 8, 6]);
    const ones = layoutGraph(graphOf('resnet', 20), { maxBlocks: 0, groupSize: 4 });
    expect(ones.items.map((i) => i.blocks.length)).toEqual([0, 4, 4, 1, 0]);
    expect(ones.items[3]!.kind).toBe('block');
    // expanding the second group opens only its nine blocks
    const open = layoutGraph(g, { groupSize: 9, expanded: new Set([groups[1]!.id]) });
    const shown = open.items.filter((i) => i.kind === 'block');
    expect(shown.map((i) => i.title)).toEqual(
      Array.from({ length: 9 }, (_, k) => `block ${k + 10}`),
    );
    expect(open.skips).toHaveLength(5 + 9);
  });

  it('a 110-layer graph fits a fixed width, expanded or not', () => {
    const g = graphOf('resnet', 110);
    const every = layoutGraph(g, { maxBlocks: 0 })
      .items.filter((i) => i.kind === 'group')
      .map((i) => i.id);
    for (const expanded of [new Set<string>(), new Set(every)]) {
      const l = layoutGraph(g, { width: 360, expanded, maxBlocks: 0 });
      for (const it of l.items) expect(it.x + it.w).toBeLessThanOrEqual(360);
      for (const s of l.skips) expect(s.x2).toBeLessThanOrEqual(360);
    }
  });

  it('one skip per residual block or group, none in a plain net', () => {
    for (const depth of [8, 110]) {
      const r = layoutGraph(graphOf('resnet', depth));
      const shown = r.items.filter((i) => i.kind === 'block' || i.kind === 'group');
      expect(r.skips).toHaveLength(shown.length);
      expect(r.skips.reduce((s, e) => s + e.count, 0)).toBe((depth - 2) / 2);
      expect(layoutGraph(graphOf('plain', depth)).skips).toHaveLength(0);
    }
  });
});

describe('layoutGraph of a convolutional network', () => {
  const convGraphOf = (arch: 'plain' | 'resnet', depth: number) =>
    new Model(
      makeSpec({
        model: 'conv',
        image: [14, 14, 1],
        inputDim: 196,
        classes: 10,
        arch,
        shortcut: arch === 'resnet',
        depth,
        width: 8,
        activation: 'relu',
        norm: 'batch',
        maxBatch: 2,
      }),
    ).graph();

  it('labels each stage with its output C×H×W and marks the transitions', () => {
    const l = layoutGraph(convGraphOf('resnet', 20), { width: 640 });
    expect(l.stages.map((st) => st.shape)).toEqual(['8×14×14', '16×7×7', '32×4×4']);
    expect(l.stages.map((st) => st.transition)).toEqual([false, true, true]);
    expect(l.stages.map((st) => st.first)).toEqual([
      'stage1.block1',
      'stage2.block1',
      'stage3.block1',
    ]);
    // each label sits above its stage's first box, clear of the box
    for (const st of l.stages) {
      const first = l.items.find((it) => it.id === st.first)!;
      expect(st.y).toBeLessThan(first.y);
      expect(st.y).toBeGreaterThan(0);
    }
    // a dense net has no stages
    expect(layoutGraph(graphOf('resnet', 8)).stages).toEqual([]);
  });

  it('one skip per residual block, the stage transitions (option A) included; none when plain', () => {
    for (const depth of [8, 56]) {
      const g = convGraphOf('resnet', depth);
      const l = layoutGraph(g, { width: 360, maxBlocks: 30 });
      expect(l.skips).toHaveLength(g.blocks.length);
      expect(new Set(l.skips.map((s) => s.item))).toEqual(new Set(g.blocks.map((b) => b.name)));
      expect(l.skips.map((s) => s.item)).toContain('stage2.block1');
      expect(l.skips.map((s) => s.item)).toContain('stage3.block1');
      for (const it of l.items) expect(it.x + it.w).toBeLessThanOrEqual(360);
      expect(layoutGraph(convGraphOf('plain', depth)).skips).toHaveLength(0);
    }
  });
});

describe('logScale', () => {
  it('places plain numbers on a log scale and refuses what it cannot place', () => {
    const s = logScale([0.001, 0.1, 10, 0, -1, Number.NaN]);
    expect(s).not.toBeNull();
    if (!s) return;
    expect(s.lo).toBe(0.001);
    expect(s.hi).toBe(10);
    expect(s.t(0.001)).toBe(0);
    expect(s.t(10)).toBe(1);
    expect(s.t(0.1)).toBeCloseTo(0.5, 12);
    expect(s.t(0)).toBeNull();
    expect(s.colour(-1)).toBeNull();
    expect(s.colour(0.1)).toMatch(/^hsl\(/);
    expect(logScale([0, -2])).toBeNull();
    expect(logScale([3, 3])?.t(3)).toBe(0.5);
  });
});
