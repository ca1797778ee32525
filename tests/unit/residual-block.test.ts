/**
 * Residual Block Architecture's pure parts: the block diagram laid out from the engine's graph
 * for every form and its plain twin, the node formulas, the block counts the address checks,
 * the option A/B shortcut costs (against src/arch and the literature's counts), and the words
 * that read the branch's share.
 */
import { describe, expect, it } from 'vitest';
import type { ModelGraph } from '../../src/engine/graph.ts';
import type { TrainConfig } from '../../src/experiments/config.ts';
import { runPart } from '../../src/experiments/jobs.ts';
import { graphOf } from '../../src/cli/inspect.ts';
import { analyzeArch, BUILTIN_ARCHS } from '../../src/arch/index.ts';
import { blocksForDepth } from '../../src/engine/model.ts';
import { TrainingRun } from '../../src/experiments/train.ts';
import {
  BLOCK_FORMS,
  BLOCK_NET_DEPTH,
  blockCount,
  nodeId,
  nodeKey,
} from '../../src/ui/block/forms.ts';
import { formatStat, formulaOf } from '../../src/ui/block/formulas.ts';
import { layoutBlock } from '../../src/ui/block/layout.ts';
import { blockConfig } from '../../src/ui/block/network.ts';
import { ratioText, sharesOf, shareSentence } from '../../src/ui/block/shares.ts';
import { SHORTCUT_NETS, shortcutCost } from '../../src/ui/block/shortcuts.ts';
import { decodePageState, encodePageState } from '../../src/ui/state/url.ts';

/** The graph the page asks its worker for: the `inspect` job, run here. */
const networkGraph = (config: TrainConfig): ModelGraph =>
  runPart({ kind: 'inspect', config }, {}) as ModelGraph;

/** nodes the engine builds per block in each form (the block's own, without in and out) */
const NODES_PER_BLOCK = {
  resnet: [8, 7],
  preact: [8, 7],
  bottleneck: [11, 10],
  resnext: [11, 10],
  highway: [6, 6],
} as const;

describe('the inspect job', () => {
  it('gives the graph the engine builds for the config, as `resnet-lab inspect` prints it', () => {
    for (const form of BLOCK_FORMS) {
      const config = blockConfig(form, true);
      expect(networkGraph(config)).toEqual(graphOf(config));
    }
  });
});

describe('layoutBlock', () => {
  for (const form of BLOCK_FORMS)
    for (const shortcut of [true, false])
      it(`${form}${shortcut ? '' : ' (plain twin)'}: every node of the block, in forward order, one skip edge or none`, () => {
        const graph = networkGraph(blockConfig(form, shortcut));
        expect(graph.blocks).toHaveLength(blockCount(form));
        for (const index of [0, 1, graph.blocks.length - 1]) {
          const layout = layoutBlock(graph, index);
          const block = graph.blocks[index]!;
          const ids = layout.nodes.map((n) => n.id);
          // the graph's own nodes of that block, in its order, between the input and the output
          expect(ids).toEqual(['in', ...block.nodes, 'out']);
          expect(block.nodes).toHaveLength(NODES_PER_BLOCK[form][shortcut ? 0 : 1]);
          const skips = layout.edges.filter((e) => e.kind === 'skip');
          expect(skips).toHaveLength(shortcut ? 1 : 0);
          expect(layout.shortcut).toBe(
            shortcut ? (form === 'highway' ? 'carry' : 'identity') : null,
          );
          if (shortcut) {
            const skip = skips[0]!;
            expect(skip.from).toBe('in');
            expect(skip.tensor).toBe(block.input);
            expect(graph.shortcuts.find((s) => s.block === index)!.into).toContain(skip.to);
          }
          // every edge joins two drawn nodes and carries a tensor the graph has
          const tensors = new Set(graph.tensors.map((t) => t.name));
          for (const e of layout.edges) {
            expect(ids).toContain(e.from);
            expect(ids).toContain(e.to);
            expect(tensors.has(e.tensor)).toBe(true);
          }
          // forward order top to bottom: every main edge goes down; nothing overlaps
          for (const e of layout.edges.filter((x) => x.kind !== 'skip')) {
            const a = layout.nodes.find((n) => n.id === e.from)!;
            const b = layout.nodes.find((n) => n.id === e.to)!;
            expect(b.y).toBeGreaterThan(a.y);
          }
          for (const a of layout.nodes)
            for (const b of layout.nodes)
              if (a !== b)
                expect(
                  a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y,
                  `${a.id} overlaps ${b.id}`,
                ).toBe(true);
          for (const n of layout.nodes) {
            expect(n.x).toBeGreaterThanOrEqual(0);
            expect(n.x + n.w).toBeLessThanOrEqual(layout.width);
            expect(n.y + n.h).toBeLessThanOrEqual(layout.height);
          }
        }
      });

  it.each(['A', 'B'] as const)(
    'a convolutional block crossing a stage (option %s): its shortcut path drawn as the shortcut, maps as C×H×W',
    (shortcutOption) => {
      const config = {
        ...blockConfig('resnet', true),
        model: 'conv' as const,
        dataset: 'digits' as const,
        depth: 8,
        width: 4,
        shortcutOption,
      };
      const graph = networkGraph(config);
      const first = layoutBlock(graph, 0);
      expect(first.crossing).toBeNull();
      expect(first.nodes.find((n) => n.id === 'in')!.sublabel).toBe('4×14×14 maps');
      const conv = first.nodes.find((n) => n.id === 'stage1.block1.1')!;
      expect([conv.role, conv.label, conv.sublabel]).toEqual([
        'conv',
        '3×3 convolution',
        '4×14×14 → 4×14×14',
      ]);
      expect(first.nodes.find((n) => n.id === 'stage1.block1.1.bn')!.sublabel).toMatch(
        /^γ, β: 4 channels/,
      );
      const cross = layoutBlock(graph, 1);
      const ids = cross.nodes.map((n) => n.id);
      expect(ids).toEqual(['in', ...graph.blocks[1]!.nodes, 'out']);
      expect(cross.nodes.find((n) => n.id === 'stage2.block1.1')!.sublabel).toBe(
        'stride 2 · 4×14×14 → 8×7×7',
      );
      expect(cross.crossing).toBe(shortcutOption === 'A' ? 'subsample' : 'projection');
      const path = cross.nodes.filter((n) => n.role === 'subsample' || n.role === 'projection');
      expect(path.map((n) => [n.role, n.sublabel])).toEqual([
        [shortcutOption === 'A' ? 'subsample' : 'projection', 'stride 2 · 4×14×14 → 8×7×7'],
      ]);
      // the shortcut runs from the input through its own nodes into the addition, all dashed
      const skips = cross.edges.filter((e) => e.kind === 'skip');
      expect(skips[0]!.from).toBe('in');
      expect(skips[skips.length - 1]!.to).toBe('stage2.block1.add');
      expect(skips.find((e) => e.label)!.label).toBe(
        shortcutOption === 'A' ? 'x, subsampled' : 'projected x',
      );
      for (const a of cross.nodes)
        for (const b of cross.nodes)
          if (a !== b)
            expect(
              a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y,
              `${a.id} overlaps ${b.id}`,
            ).toBe(true);
      for (const n of cross.nodes) {
        expect(formulaOf(n, 0).words.length).toBeGreaterThan(10);
        expect(n.x + n.w).toBeLessThanOrEqual(cross.width);
      }
    },
  );

  it('draws the α branch scale that ends every residual branch, and the fusions the engine made', () => {
    const graph = networkGraph(blockConfig('resnet', true));
    const layout = layoutBlock(graph, 1);
    const scale = layout.nodes.find((n) => n.role === 'scale')!;
    expect(scale.id).toBe('block2.scale');
    expect(scale.params).toEqual([{ name: 'block2.scale', shape: [16] }]);
    expect(scale.fusedInto).toBe('block2.2.bn');
    // the fusion boxes are exactly the graph's fusions in this block
    const fused = graph.fusions.filter((f) => f.folded.startsWith('block2.'));
    expect(layout.fusions.map((f) => [f.into, f.folded])).toEqual(
      fused.map((f) => [f.into, f.folded]),
    );
    // a fused batch norm's own output is not stored: the panel must say so, not show numbers
    const bn = layout.nodes.find((n) => n.id === 'block2.1.bn')!;
    expect(bn.stored).toBe(false);
    expect(bn.storedAs).toBe('block2.1.relu');
  });

  it('ResNeXt: the middle layer holds its cardinality of paths; highway: a gate lane and a carry', () => {
    const next = layoutBlock(networkGraph(blockConfig('resnext', true)), 0);
    const grouped = next.nodes.filter((n) => n.role === 'grouped');
    expect(grouped).toHaveLength(1);
    expect(grouped[0]!.paths).toBe(blockConfig('resnext', true).cardinality);
    const hw = layoutBlock(networkGraph(blockConfig('highway', true)), 0);
    expect(hw.nodes.filter((n) => n.lane === 1).map((n) => n.role)).toEqual(['gate-dense', 'gate']);
    expect(hw.edges.filter((e) => e.kind === 'gate')).toHaveLength(1);
    expect(hw.edges.find((e) => e.kind === 'skip')!.label).toBe('carry x');
    // the plain twin drops the carry term: no edge from x into the mixing node at all
    const twin = layoutBlock(networkGraph(blockConfig('highway', false)), 0);
    const mix = twin.nodes.find((n) => n.role === 'highway')!;
    expect(twin.edges.filter((e) => e.to === mix.id && e.from === 'in')).toHaveLength(0);
    expect(mix.label).toBe('H·T');
  });

  it('refuses a block the network does not have', () => {
    const graph = networkGraph(blockConfig('resnet', true));
    expect(() => layoutBlock(graph, graph.blocks.length)).toThrow(/has 9 blocks/);
  });
});

describe('forms and the address', () => {
  it('counts the blocks as the engine does', () => {
    for (const form of BLOCK_FORMS)
      expect(blockCount(form)).toBe(blocksForDepth(form, BLOCK_NET_DEPTH));
  });

  it('names a node the same way in every block', () => {
    expect(nodeKey('block3.2.bn', 'block3')).toBe('2.bn');
    expect(nodeKey('in', 'block3')).toBe('in');
    expect(nodeId('2.bn', 'block7')).toBe('block7.2.bn');
    expect(nodeId('out', 'block7')).toBe('out');
  });

  it('round-trips the block view through the URL, and refuses a block the form lacks', () => {
    const { state, notices } = decodePageState(
      '?block-form=bottleneck&block-shortcut=off&block-n=6&block-node=2.bn',
    );
    expect(notices).toEqual([]);
    expect(state.view.block).toEqual({
      form: 'bottleneck',
      shortcut: false,
      block: 6,
      node: '2.bn',
    });
    expect(encodePageState(state)).toBe(
      '?block-form=bottleneck&block-shortcut=off&block-n=6&block-node=2.bn',
    );
    const bad = decodePageState('?block-form=bottleneck&block-n=7&block-form2=x');
    expect(bad.state.view.block.block).toBe(2);
    expect(bad.notices.join('\n')).toMatch(/block-n=7: expected a block from 1 to 6/);
    expect(decodePageState('?block-form=densenet').notices[0]).toMatch(/expected one of resnet/);
  });
});

describe('option A against option B', () => {
  it('equals src/arch counted both ways, and the literature’s option-B counts', () => {
    const published = {
      'cifar-resnet20': 272_474,
      'cifar-resnet56': 855_770,
      'cifar-resnet110': 1_730_714,
    };
    for (const name of SHORTCUT_NETS) {
      const c = shortcutCost(name);
      const spec = BUILTIN_ARCHS[name]!;
      expect(c.paramsA).toBe(analyzeArch(spec).params); // the builtins are option A
      expect(c.paramsB).toBe(published[name]);
      expect(c.extra).toBe(c.paramsB - c.paramsA);
      // the two stages that double the width: a 1×1 conv + BN each, 16→32 and 32→64
      expect(c.stages.map((s) => s.paramsB - s.paramsA)).toEqual([
        16 * 32 + 2 * 32,
        32 * 64 + 2 * 64,
      ]);
    }
    expect(shortcutCost('cifar-resnet20').paramsA).toBe(269_722);
    expect(() => shortcutCost('resnet50')).toThrow(/not a CIFAR ResNet/);
  });
});

describe('formulas and words', () => {
  it('gives every node of every form a formula and says where α starts', () => {
    for (const form of BLOCK_FORMS) {
      const layout = layoutBlock(networkGraph(blockConfig(form, true)), 0);
      for (const node of layout.nodes) {
        const f = formulaOf(node, 0);
        expect(f.tex.length, node.id).toBeGreaterThan(0);
        expect(f.text.length, node.id).toBeGreaterThan(0);
      }
    }
    const scale = layoutBlock(networkGraph(blockConfig('resnet', true)), 0).nodes.find(
      (n) => n.role === 'scale',
    )!;
    expect(formulaOf(scale, 0).words).toMatch(/starts at 0, so the branch adds nothing/);
    expect(formulaOf(scale, 1).words).not.toMatch(/adds nothing/);
  });

  it('formats statistics and ratios for reading', () => {
    expect(formatStat(0.000123)).toBe('1.23 × 10⁻⁴');
    expect(formatStat(-2.5)).toBe('−2.5');
    expect(formatStat(null)).toBe('–');
    expect(ratioText(0.027)).toBe('2.7%');
    expect(ratioText(0.39)).toBe('39%');
    expect(ratioText(1.84)).toBe('1.8×');
  });

  it('says only what the numbers show', () => {
    const grew = shareSentence({
      block: 2,
      highway: false,
      first: { step: 5, ratio: 0.027 },
      now: { step: 2000, ratio: 0.39 },
    });
    expect(grew).toMatch(/step 5.*2\.7% of the size.*almost exactly the identity/);
    expect(grew).toMatch(/step 2000 it is 39% of the size.*: it has grown\.$/);
    const small = shareSentence({
      block: 1,
      highway: false,
      first: { step: 5, ratio: 0.02 },
      now: { step: 10, ratio: 0.025 },
    });
    expect(small).toMatch(/is still small/);
    const big = shareSentence({ block: 1, highway: true, first: null, now: { step: 5, ratio: 2 } });
    expect(big).toMatch(/transform H·T now outweighs/);
    expect(big).not.toMatch(/identity/);
  });
});

describe('the live network', () => {
  it('starts every residual block as the identity: ‖F(x)‖ = 0 exactly at the first step', () => {
    const config = { ...blockConfig('resnet', true), steps: 2, kernels: 'ts' as const };
    const run = new TrainingRun(config, {}, { tensorStatsEvery: 1 });
    const first = [...run].find((e) => e.type === 'tensors');
    if (first?.type !== 'tensors') throw new Error('no tensors event');
    expect(first.step).toBe(1);
    expect(first.residuals).toHaveLength(blockCount('resnet'));
    for (const r of first.residuals) {
      const s = sharesOf(r);
      expect(s.branch).toBe(0);
      expect(s.shortcut).toBeGreaterThan(0);
      expect(s.sum).toBeCloseTo(s.shortcut, 4);
    }
  });
});
