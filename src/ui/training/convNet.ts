/**
 * A convolutional network read from its own graph (`Model.graph()`), as the page tells it: the
 * stem, each stage (its blocks, channels and map size), the average over the map and the head —
 * every shape the engine built, written C×H×W — and the blocks a reader may pick to draw. Pure.
 */
import { shapeText } from '../../common/shape.ts';
import type { ModelGraph } from '../../engine/graph.ts';

export interface ConvPart {
  /** 'stem', 'stage1' …, 'pool', 'head' */
  id: string;
  title: string;
  /** what it computes, in words */
  what: string;
  /** its output, C×H×W (a vector: its length) */
  shape: string;
}

export interface ConvBlockChoice {
  index: number;
  label: string;
}

/** `stage2.block3` → 2; a name outside a stage → null */
function stageNumber(name: string): number | null {
  const m = /^stage(\d+)\./.exec(name);
  return m ? Number(m[1]) : null;
}

export function convParts(graph: ModelGraph): ConvPart[] {
  const shapes = new Map(graph.tensors.map((t) => [t.name, t.shape]));
  const out = (tensor: string | undefined) => shapeText(shapes.get(tensor ?? '') ?? []);
  const parts: ConvPart[] = [];
  const stemConv = graph.nodes.find((n) => n.block === -1 && n.kind === 'conv');
  const stemLast = graph.nodes.filter((n) => n.block === -1).at(-1);
  if (stemConv)
    parts.push({
      id: 'stem',
      title: 'Stem',
      what: `${stemConv.attributes.kernel ?? 3}×${stemConv.attributes.kernel ?? 3} convolution of the ${out(stemConv.inputs[0])} digit`,
      shape: out(stemLast?.outputs[0]),
    });
  const stages = new Map<number, ModelGraph['blocks']>();
  for (const b of graph.blocks) {
    const s = stageNumber(b.name);
    if (s !== null) stages.set(s, [...(stages.get(s) ?? []), b]);
  }
  for (const [s, blocks] of stages) {
    const shortcuts = blocks.filter((b) => b.shortcut).length;
    parts.push({
      id: `stage${s}`,
      title: `Stage ${s}`,
      what: `${blocks.length} block${blocks.length > 1 ? 's' : ''} of two 3×3 convolutions, ${shortcuts > 0 ? 'each with a shortcut' : 'no shortcuts'}`,
      shape: out(blocks.at(-1)!.output ?? undefined),
    });
  }
  const pool = graph.nodes.find((n) => n.kind === 'pool');
  if (pool)
    parts.push({
      id: 'pool',
      title: 'Pool',
      what: 'average over each map',
      shape: out(pool.outputs[0]),
    });
  const head = graph.nodes
    .filter((n) => n.block === graph.blocks.length && n.kind === 'dense')
    .at(-1);
  if (head)
    parts.push({
      id: 'head',
      title: 'Head',
      what: 'dense layer to the classes',
      shape: out(head.outputs[0]),
    });
  return parts;
}

/** The blocks to choose from, named by stage; the first block of stage 2 crosses a stage. */
export function convBlockChoices(graph: ModelGraph): ConvBlockChoice[] {
  const counts = new Map<number, number>();
  return graph.blocks.map((b) => {
    const s = stageNumber(b.name) ?? 0;
    const k = (counts.get(s) ?? 0) + 1;
    counts.set(s, k);
    const crosses = s > 1 && k === 1 ? ' (crosses a stage)' : '';
    return { index: b.index, label: `Stage ${s}, block ${k}${crosses}` };
  });
}

/** The block drawn first: the first one that crosses a stage (its shortcut is the interesting one). */
export function firstCrossing(graph: ModelGraph): number {
  const b = graph.blocks.find((x) => stageNumber(x.name) === 2);
  return b?.index ?? 0;
}
