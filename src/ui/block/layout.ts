/**
 * One block of a network drawn from the model's own graph (`Model.graph()`): every node the
 * engine built for that block, in forward order and with its real kind, the tensors between them
 * as edges, and the block's shortcut (identity, or highway's carry) as one skip edge. Pure: no
 * DOM. Nodes that read the same tensor side by side (highway's H and gate T) get lanes of their
 * own; a grouped weight layer (ResNeXt) says how many paths it holds; ops the engine computes in
 * one pass (batch norm + ReLU, batch norm + α) are grouped in a fusion box.
 */
import { isMap, shapeText } from '../../common/shape.ts';
import type { GraphNode, ModelGraph } from '../../engine/graph.ts';

export type BlockNodeKind = 'io' | 'layer' | 'op';

/** What a node does, in the words the page and the formulas use. */
export type BlockRole =
  | 'input'
  | 'output'
  | 'dense'
  | 'grouped'
  | 'gate-dense'
  | 'batchnorm'
  | 'relu'
  | 'activation'
  | 'gate'
  | 'scale'
  | 'add'
  | 'highway'
  | 'concat'
  | 'conv'
  | 'projection'
  | 'subsample'
  | 'pool';

export interface BlockNode {
  /** the graph's node name; `in` and `out` for the block's input and output */
  id: string;
  kind: BlockNodeKind;
  role: BlockRole;
  label: string;
  sublabel: string;
  /** the tensor this node writes (its input x for `in`) */
  tensor: string;
  /** false when a fusion left that tensor unstored (its storage holds `storedAs`) */
  stored: boolean;
  storedAs: string | null;
  /** one example's shape of that tensor */
  shape: number[];
  /** the node a fusion folded this one into, or null */
  fusedInto: string | null;
  /** parallel paths of a grouped weight layer (1 otherwise) */
  paths: number;
  /** its learnable parameters: name, shape */
  params: { name: string; shape: number[] }[];
  lane: number;
  row: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

export type BlockEdgeKind = 'main' | 'skip' | 'gate';

export interface BlockEdge {
  from: string;
  to: string;
  kind: BlockEdgeKind;
  /** the tensor it carries */
  tensor: string;
  points: [number, number][];
  label?: string;
  labelAt?: [number, number];
}

export interface FusionBox {
  into: string;
  folded: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface BlockLayout {
  /** the block's index in the graph (0-based) and name */
  index: number;
  name: string;
  /** identity, carry (highway), or null: the plain twin has no shortcut */
  shortcut: 'identity' | 'carry' | 'concat' | null;
  /**
   * how the shortcut crosses a change of shape (a convolutional stage's first block): option A's
   * subsample with zero channels, option B's 1×1 projection; null where x passes as it is
   */
  crossing: 'subsample' | 'projection' | null;
  nodes: BlockNode[];
  edges: BlockEdge[];
  fusions: FusionBox[];
  width: number;
  height: number;
}

const MARGIN = 12;
const NODE_W = 172;
const NODE_H = 36;
const IO_H = 30;
/** a grouped layer is taller: its paths are drawn inside it */
const GROUPED_H = 54;
const OP = 30;
const ROW_GAP = 16;
const LANE_GAP = 24;
/** the skip path runs on a lane left of the nodes */
const SKIP_LANE = 40;

/** The role of a graph node inside its block. */
function roleOf(
  node: GraphNode,
  gateNodes: ReadonlySet<string>,
  shortcutNodes: ReadonlySet<string>,
): BlockRole {
  switch (node.kind) {
    case 'dense':
      if (gateNodes.has(node.name)) return 'gate-dense';
      return (node.attributes.groups ?? 1) > 1 ? 'grouped' : 'dense';
    case 'batchnorm':
      return 'batchnorm';
    case 'activation':
      if (gateNodes.has(node.name)) return 'gate';
      return node.attributes.fn === 'relu' ? 'relu' : 'activation';
    case 'scale':
      return 'scale';
    case 'add':
      return 'add';
    case 'highway':
      return 'highway';
    case 'concat':
      return 'concat';
    case 'conv':
      return shortcutNodes.has(node.name) ? 'projection' : 'conv';
    case 'subsample':
      return 'subsample';
    case 'pool':
      return 'pool';
  }
}

/** A node's label and sublabel: plain words, with the widths read from the graph. */
function labelsOf(
  role: BlockRole,
  node: GraphNode,
  shapeOf: (tensor: string) => number[],
): [string, string] {
  const width = (t: string | undefined) => (t ? (shapeOf(t)[0] ?? 0) : 0);
  const inW = width(node.inputs[0]);
  const outW = width(node.outputs[0]);
  const outShape = node.outputs[0] ? shapeOf(node.outputs[0]) : [];
  const inShape = node.inputs[0] ? shapeOf(node.inputs[0]) : [];
  // a map's per-channel parameters (γ, β, α) number its channels, its values C×H×W
  const channels = isMap(outShape) ? outShape[2]! : outW;
  const values = isMap(outShape) ? shapeText(outShape) : `${outW} units`;
  const stride = (node.attributes.stride ?? 1) > 1 ? `stride ${node.attributes.stride} · ` : '';
  const k = node.attributes.kernel ?? 3;
  switch (role) {
    case 'dense':
      return ['weight layer', `${inW} → ${outW}`];
    case 'grouped':
      return ['grouped weight layer', `${inW} → ${outW} in ${node.attributes.groups} paths`];
    case 'gate-dense':
      return ['gate layer', `${inW} → ${outW}, bias b_T`];
    case 'batchnorm': {
      const fused = node.attributes.fused?.length ? ' (one pass)' : '';
      const each = isMap(outShape) ? `${channels} channels` : `${channels} each`;
      return ['batch norm', `γ, β: ${each}${fused}`];
    }
    case 'relu':
      return ['ReLU', node.fusedInto ? 'inside the batch norm' : values];
    case 'activation':
      return [node.attributes.fn ?? 'activation', values];
    case 'conv':
      return [`${k}×${k} convolution`, `${stride}${shapeText(inShape)} → ${shapeText(outShape)}`];
    case 'projection':
      return [
        `${k}×${k} projection (B)`,
        `${stride}${shapeText(inShape)} → ${shapeText(outShape)}`,
      ];
    case 'subsample':
      return ['subsample + zeros (A)', `${stride}${shapeText(inShape)} → ${shapeText(outShape)}`];
    case 'pool':
      return ['average over the map', `${shapeText(inShape)} → ${shapeText(outShape)}`];
    case 'gate':
      return ['sigmoid: gate T', 'T between 0 and 1'];
    case 'scale':
      return [
        'branch scale × α',
        node.fusedInto ? 'inside the batch norm' : `${channels} values of α`,
      ];
    case 'add':
      return ['+', 'x + F(x)'];
    case 'highway':
      return node.attributes.carry === false
        ? ['H·T', 'no carry (plain twin)']
        : ['H·T + x·(1 − T)', 'transform + carry'];
    case 'concat':
      return ['concatenate', `${outW} features`];
    case 'input':
    case 'output':
      return ['', ''];
  }
}

/**
 * The layout of block `index` (0-based) of `graph`. Throws when the graph has no such block.
 */
export function layoutBlock(graph: ModelGraph, index: number): BlockLayout {
  const block = graph.blocks[index];
  if (!block) throw new Error(`block ${index + 1}: the network has ${graph.blocks.length} blocks`);
  const tensors = new Map(graph.tensors.map((t) => [t.name, t]));
  const shapeOf = (name: string) => [...(tensors.get(name)?.shape ?? [])];
  const paramShape = new Map(graph.parameters.map((p) => [p.name, p.shape]));
  const inBlock = graph.nodes.filter((n) => n.block === index);
  const shortcut = graph.shortcuts.find((s) => s.block === index) ?? null;

  // highway: the nodes on the way to the gate input T of the combine (its second input)
  const gateNodes = new Set<string>();
  const writerNode = new Map<string, GraphNode>();
  for (const n of inBlock) for (const t of n.outputs) writerNode.set(t, n);
  for (const n of inBlock)
    if (n.kind === 'highway') {
      let t: string | undefined = n.inputs[1];
      while (t !== undefined) {
        const w = writerNode.get(t);
        if (!w) break;
        gateNodes.add(w.name);
        t = w.inputs[0];
      }
    }

  // a convolutional stage's first block: the nodes between the block's input and the addition
  // that are not the branch (option A's subsample, option B's projection and its batch norm)
  const shortcutNodes = new Set<string>();
  const join = shortcut ? inBlock.find((n) => shortcut.into.includes(n.name)) : undefined;
  if (join?.kind === 'add') {
    let t: string | undefined = join.inputs.find((x) => x !== block.branch);
    while (t !== undefined && t !== block.input) {
      const w = writerNode.get(t);
      if (!w) break;
      shortcutNodes.add(w.name);
      t = w.inputs[0];
    }
  }
  const crossing: BlockLayout['crossing'] = inBlock.some(
    (n) => shortcutNodes.has(n.name) && n.kind === 'conv',
  )
    ? 'projection'
    : shortcutNodes.size > 0
      ? 'subsample'
      : null;
  const features = (shape: readonly number[] | undefined) =>
    shape && isMap(shape) ? `${shapeText(shape)} maps` : `${shape?.[0] ?? 0} features`;

  const nodes: BlockNode[] = [];
  const byId = new Map<string, BlockNode>();
  const writer = new Map<string, string>([[block.input, 'in']]);
  const inputT = tensors.get(block.input);
  const make = (
    id: string,
    kind: BlockNodeKind,
    role: BlockRole,
    label: string,
    sublabel: string,
    tensor: string,
    extra: Partial<BlockNode> = {},
  ): BlockNode => {
    const t = tensors.get(tensor);
    const node: BlockNode = {
      id,
      kind,
      role,
      label,
      sublabel,
      tensor,
      stored: t?.stored ?? true,
      storedAs: t?.storedAs ?? null,
      shape: shapeOf(tensor),
      fusedInto: null,
      paths: 1,
      params: [],
      lane: 0,
      row: 0,
      x: 0,
      y: 0,
      w: 0,
      h: 0,
      ...extra,
    };
    nodes.push(node);
    byId.set(id, node);
    return node;
  };
  make(
    'in',
    'io',
    'input',
    index === 0 ? 'x: from the stem' : `x: output of block ${index}`,
    features(inputT?.shape),
    block.input,
  );

  /** edges before routing: [from, to, kind, tensor] */
  const links: [string, string, BlockEdgeKind, string][] = [];
  /** how many nodes so far read only the block's input: each one after the first takes a lane */
  let fromInput = 0;
  for (const g of inBlock) {
    const role = roleOf(g, gateNodes, shortcutNodes);
    const [label, sublabel] = labelsOf(role, g, shapeOf);
    const kind: BlockNodeKind = role === 'add' ? 'op' : 'layer';
    const node = make(g.name, kind, role, label, sublabel, g.outputs[0] ?? '', {
      fusedInto: g.fusedInto,
      paths: role === 'grouped' ? (g.attributes.groups ?? 1) : 1,
      params: g.params.map((p) => ({ name: p, shape: [...(paramShape.get(p) ?? [])] })),
    });
    const sources: string[] = [];
    g.inputs.forEach((t, i) => {
      const from = writer.get(t);
      if (from === undefined) return;
      const isShortcut = !!shortcut && t === shortcut.from && shortcut.into.includes(g.name);
      // the plain twin's highway layer still lists x as an input, but drops the carry term
      if (g.kind === 'highway' && g.attributes.carry === false && t === block.input) return;
      if (isShortcut && from === 'in' && (g.kind === 'add' || g.kind === 'highway')) {
        links.push([from, g.name, 'skip', t]);
        return;
      }
      // the crossing shortcut: into, along and out of its own nodes, drawn as the shortcut
      if (shortcutNodes.has(g.name) || shortcutNodes.has(from)) {
        links.push([from, g.name, 'skip', t]);
        // a shortcut node sits below its source; the addition's place comes from the branch
        if (shortcutNodes.has(g.name)) sources.push(from);
        return;
      }
      links.push([from, g.name, g.kind === 'highway' && i === 1 ? 'gate' : 'main', t]);
      sources.push(from);
    });
    const sourceNodes = sources.map((s) => byId.get(s)!);
    node.row = 1 + Math.max(0, ...sourceNodes.map((s) => s.row));
    if (sources.length > 0 && sources.every((s) => s === 'in')) node.lane = fromInput++;
    else node.lane = Math.min(...sourceNodes.filter((s) => s.id !== 'in').map((s) => s.lane));
    for (const t of g.outputs) writer.set(t, g.name);
  }
  const last = block.output ? writer.get(block.output) : undefined;
  const out = make(
    'out',
    'io',
    'output',
    `output of block ${index + 1}`,
    features(shapeOf(block.output ?? '')),
    block.output ?? '',
  );
  out.row = 1 + Math.max(...nodes.map((n) => n.row));
  if (last) links.push([last, 'out', 'main', block.output!]);

  // geometry: lanes left to right, rows top to bottom, the skip lane on the left
  const lanes = 1 + Math.max(...nodes.map((n) => n.lane));
  const laneW = NODE_W + LANE_GAP;
  const left = MARGIN + SKIP_LANE;
  for (const n of nodes) {
    if (n.kind === 'op') n.w = n.h = OP;
    else {
      n.w = NODE_W;
      n.h = n.kind === 'io' ? IO_H : n.paths > 1 ? GROUPED_H : NODE_H;
    }
    n.x = left + n.lane * laneW + NODE_W / 2 - n.w / 2;
  }
  // rows as tall as their tallest node, a fixed gap between them
  const rows = 1 + Math.max(...nodes.map((n) => n.row));
  const rowH = Array.from({ length: rows }, (_, r) =>
    Math.max(0, ...nodes.filter((n) => n.row === r).map((n) => n.h)),
  );
  const rowTop: number[] = [];
  let top = MARGIN;
  for (let r = 0; r < rows; r++) {
    rowTop.push(top);
    top += rowH[r]! + ROW_GAP;
  }
  for (const n of nodes) n.y = rowTop[n.row]! + (rowH[n.row]! - n.h) / 2;
  const cxOf = (n: BlockNode) => n.x + n.w / 2;
  const cyOf = (n: BlockNode) => n.y + n.h / 2;

  /** down from a into b: straight within a lane; into another lane down a little, across, down */
  const routeOf = (a: BlockNode, b: BlockNode): [number, number][] => {
    if (cxOf(a) === cxOf(b))
      return [
        [cxOf(a), a.y + a.h],
        [cxOf(b), b.y],
      ];
    const bend = a.y + a.h + (b.y - a.y - a.h) / 2;
    return [
      [cxOf(a), a.y + a.h],
      [cxOf(a), bend],
      [cxOf(b), bend],
      [cxOf(b), b.y],
    ];
  };

  const edges: BlockEdge[] = links.map(([from, to, kind, tensor]) => {
    const a = byId.get(from)!;
    const b = byId.get(to)!;
    const crossingEdge = shortcutNodes.has(from) || shortcutNodes.has(to);
    if (kind === 'skip' && crossingEdge) {
      if (to !== join?.name) return { from, to, kind, tensor, points: routeOf(a, b) };
      // down its own lane, then into the addition from above its side (its words sit beside it)
      const route: [number, number][] = [
        [cxOf(a), a.y + a.h],
        [cxOf(a), b.y - 10],
        [cxOf(a) > cxOf(b) ? b.x + b.w * 0.85 : b.x + b.w * 0.15, b.y + b.h * 0.15],
      ];
      const [x, y] = route[1]!;
      return {
        from,
        to,
        kind,
        tensor,
        points: route,
        label: crossing === 'projection' ? 'projected x' : 'x, subsampled',
        labelAt: [x + 6, (a.y + a.h + y) / 2],
      };
    }
    if (kind === 'skip') {
      const lane = MARGIN + SKIP_LANE / 2;
      const start: [number, number] = [a.x, cyOf(a)];
      return {
        from,
        to,
        kind,
        tensor,
        points: [start, [lane, start[1]], [lane, cyOf(b)], [b.x, cyOf(b)]],
        label: shortcut?.kind === 'carry' ? 'carry x' : 'identity x',
        labelAt: [lane + 4, (start[1] + cyOf(b)) / 2],
      };
    }
    if (kind === 'gate' && a.lane !== b.lane) {
      // from the gate's column down, then across into the mixing node's right side
      return {
        from,
        to,
        kind,
        tensor,
        points: [
          [cxOf(a), a.y + a.h],
          [cxOf(a), cyOf(b)],
          [b.x + b.w, cyOf(b)],
        ],
        label: 'T',
        labelAt: [cxOf(a) + 6, a.y + a.h + 14],
      };
    }
    return { from, to, kind, tensor, points: routeOf(a, b) };
  });

  const fusions: FusionBox[] = [];
  for (const n of nodes) {
    if (!n.fusedInto) continue;
    const into = byId.get(n.fusedInto);
    if (!into) continue;
    const x = Math.min(into.x, n.x) - 5;
    const y = Math.min(into.y, n.y) - 5;
    const right = Math.max(into.x + into.w, n.x + n.w) + 5;
    const bottom = Math.max(into.y + into.h, n.y + n.h) + 5;
    fusions.push({ into: into.id, folded: n.id, x, y, w: right - x, h: bottom - y });
  }

  const width = Math.ceil(left + lanes * laneW - LANE_GAP + MARGIN);
  const height = Math.ceil(Math.max(...nodes.map((n) => n.y + n.h)) + MARGIN);
  return {
    index,
    name: block.name,
    shortcut: shortcut?.kind ?? null,
    crossing,
    nodes,
    edges,
    fusions,
    width,
    height,
  };
}
