/**
 * Layout of a network diagram from the model's own graph (`Model.graph()`, docs/graph-schema.md).
 * Pure: no DOM. Items (the stem, each block or a group of a stage's consecutive blocks, the head)
 * are placed left to right and wrap into rows so the diagram fits a fixed width; every residual
 * block (or group) gets one skip edge, a plain network none. A convolutional network's stages
 * get a label each above their first box — its output C×H×W, "16×7×7" — and a mark
 * where one stage hands over to the next (the maps halve and the channels double there).
 */
import { isMap, shapeText } from '../../common/shape.ts';
import type { ModelGraph } from '../../engine/graph.ts';

export interface LayoutOptions {
  /** the diagram's width in user units */
  width: number;
  /** collapse a stage's blocks into groups when the network has more blocks than this */
  maxBlocks: number;
  /**
   * the most consecutive blocks one group stands for: the lab names every block of its one stage
   * alike, so a 110-layer net would otherwise be one group of 54 that opens into 54 boxes at once
   */
  groupSize: number;
  /** ids of groups to show expanded */
  expanded: ReadonlySet<string>;
  itemWidth: number;
  itemHeight: number;
  gap: number;
}

export const LAYOUT_DEFAULTS: LayoutOptions = {
  width: 640,
  maxBlocks: 12,
  groupSize: 9,
  expanded: new Set(),
  itemWidth: 44,
  itemHeight: 28,
  gap: 16,
};

export interface LayoutItem {
  /** 'stem', 'head', a block's name, or 'group:<stage>:<first>-<last>' (blocks counted from 1) */
  id: string;
  kind: 'stem' | 'block' | 'group' | 'head';
  label: string;
  /** what it stands for in words: "stem", "block 3", "blocks 1–9", "head" */
  title: string;
  /** block indices it stands for */
  blocks: number[];
  /** the graph's node names it stands for, in forward order */
  nodes: string[];
  x: number;
  y: number;
  w: number;
  h: number;
  /** whether the item's blocks have working shortcuts */
  shortcut: boolean;
}

export interface SkipEdge {
  /** the item it skips */
  item: string;
  /** how many blocks the skip stands for (a group's count) */
  count: number;
  x1: number;
  x2: number;
  y: number;
}

/** A stage of a convolutional network: its label, placed over its first box. */
export interface StageLabel {
  /** 'stage1' … */
  id: string;
  /** "stage 2" */
  title: string;
  /** its output, C×H×W */
  shape: string;
  /** the id of its first box */
  first: string;
  /** whether it starts where another stage ends (a transition: maps halved, channels doubled) */
  transition: boolean;
  x: number;
  y: number;
}

export interface Layout {
  items: LayoutItem[];
  skips: SkipEdge[];
  stages: StageLabel[];
  width: number;
  height: number;
}

/** the stage a block belongs to: `block1.2` → `block1`; the lab's one-stage `block7` → `blocks` */
export function stageOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? 'blocks' : name.slice(0, dot);
}

type Graphish = Pick<ModelGraph, 'nodes' | 'blocks'> & Partial<Pick<ModelGraph, 'tensors'>>;

/** room above a row for the stage labels of a convolutional network */
const STAGE_LABEL_ROOM = 14;

export function layoutGraph(graph: Graphish, options: Partial<LayoutOptions> = {}): Layout {
  const o = { ...LAYOUT_DEFAULTS, ...options };
  const nb = graph.blocks.length;
  const collapse = nb > o.maxBlocks;
  const raw: Omit<LayoutItem, 'x' | 'y' | 'w' | 'h'>[] = [];
  const nodesOf = (block: number) =>
    graph.nodes.filter((n) => n.block === block).map((n) => n.name);
  raw.push({
    id: 'stem',
    kind: 'stem',
    label: 'stem',
    title: 'stem',
    blocks: [],
    nodes: nodesOf(-1),
    shortcut: false,
  });
  let i = 0;
  while (i < nb) {
    const stage = stageOf(graph.blocks[i].name);
    let j = i;
    while (j < nb && stageOf(graph.blocks[j].name) === stage) j++;
    const run = graph.blocks.slice(i, j);
    const size = Math.max(1, Math.floor(o.groupSize));
    for (let c = 0; c < run.length; c += size) {
      const chunk = run.slice(c, c + size);
      const first = chunk[0]!.index + 1;
      const last = chunk[chunk.length - 1]!.index + 1;
      const id = `group:${stage}:${first}-${last}`;
      if (collapse && chunk.length > 1 && !o.expanded.has(id)) {
        raw.push({
          id,
          kind: 'group',
          label: `${chunk.length}×`,
          title: `blocks ${first}–${last}`,
          blocks: chunk.map((b) => b.index),
          nodes: chunk.flatMap((b) => b.nodes),
          shortcut: chunk.every((b) => b.shortcut),
        });
        continue;
      }
      for (const b of chunk) {
        raw.push({
          id: b.name,
          kind: 'block',
          label: String(b.index + 1),
          title: `block ${b.index + 1}`,
          blocks: [b.index],
          nodes: b.nodes,
          shortcut: b.shortcut,
        });
      }
    }
    i = j;
  }
  raw.push({
    id: 'head',
    kind: 'head',
    label: 'head',
    title: 'head',
    blocks: [],
    nodes: nodesOf(nb),
    shortcut: false,
  });

  // the stages whose blocks output maps (a convolutional network), each with its last output
  const shapes = new Map((graph.tensors ?? []).map((t) => [t.name, t.shape]));
  const stageShapes = new Map<string, readonly number[]>();
  for (const b of graph.blocks) {
    const shape = shapes.get(b.output ?? '');
    if (shape && isMap(shape)) stageShapes.set(stageOf(b.name), shape);
  }
  const room = stageShapes.size > 0 ? STAGE_LABEL_ROOM : 0;
  const rowHeight = o.itemHeight + 2 * o.gap + room;
  const perRow = Math.max(1, Math.floor((o.width - o.gap) / (o.itemWidth + o.gap)));
  const items: LayoutItem[] = raw.map((r, k) => ({
    ...r,
    x: o.gap + (k % perRow) * (o.itemWidth + o.gap),
    y: o.gap * 1.5 + room + Math.floor(k / perRow) * rowHeight,
    w: o.itemWidth,
    h: o.itemHeight,
  }));
  const skips: SkipEdge[] = items
    .filter((it) => (it.kind === 'block' || it.kind === 'group') && it.shortcut)
    .map((it) => ({
      item: it.id,
      count: it.blocks.length,
      x1: it.x - o.gap / 2,
      x2: it.x + it.w + o.gap / 2,
      y: it.y - o.gap / 2,
    }));
  const stages: StageLabel[] = [];
  for (const [id, shape] of stageShapes) {
    const first = items.find(
      (it) => it.blocks.length > 0 && stageOf(graph.blocks[it.blocks[0]!]!.name) === id,
    );
    if (!first) continue;
    const number = /(\d+)$/.exec(id)?.[1] ?? id;
    stages.push({
      id,
      title: `stage ${number}`,
      shape: shapeText(shape),
      first: first.id,
      transition: stages.length > 0,
      x: first.x - o.gap / 2,
      y: first.y - o.gap / 2 - 5,
    });
  }
  const rows = Math.ceil(items.length / perRow);
  return { items, skips, stages, width: o.width, height: o.gap + rows * rowHeight };
}

/** A logarithmic colour scale over positive numbers (non-positive and non-finite values: null). */
export interface LogScale {
  lo: number;
  hi: number;
  /** position 0…1 on the scale, clamped; null for a value the scale cannot place */
  t(v: number): number | null;
  /** a CSS colour for the value, null when it cannot be placed */
  colour(v: number): string | null;
}

export function logScale(values: readonly number[]): LogScale | null {
  const pos = values.filter((v) => Number.isFinite(v) && v > 0);
  if (pos.length === 0) return null;
  const lo = Math.min(...pos);
  const hi = Math.max(...pos);
  const a = Math.log10(lo);
  const b = Math.log10(hi);
  const t = (v: number): number | null => {
    if (!Number.isFinite(v) || v <= 0) return null;
    if (b === a) return 0.5;
    return Math.min(1, Math.max(0, (Math.log10(v) - a) / (b - a)));
  };
  const colour = (v: number): string | null => {
    const x = t(v);
    if (x === null) return null;
    // a blue → yellow ramp with rising lightness, so the order reads without colour too
    const hue = 240 - 180 * x;
    const light = 25 + 50 * x;
    return `hsl(${hue.toFixed(0)} 70% ${light.toFixed(0)}%)`;
  };
  return { lo, hi, t, colour };
}
