/**
 * Block diagrams of the architectures as plain layout data: boxes, operator circles, polyline
 * edges and a legend, in the coordinates of one SVG view box. No DOM: the page draws it
 * (src/ui/variants/BlockDiagram.svelte) and the tests check it. Every label comes from the spec,
 * so a diagram of a custom spec shows that spec's widths.
 *
 * Edges of kind `skip` are the connections the architecture adds around its layers (identity
 * shortcuts, dense concatenations, the highway carry path); the page draws them as dashed
 * orange lines and names them in the legend, so colour is never the only cue.
 */
import type { ArchSpec } from './types.ts';

export type DiagramKind = 'basic' | 'bottleneck' | 'resnext' | 'dense' | 'highway';

/** `io`: a tensor entering or leaving; `layer`: a weight layer; `op`: +, ×, concatenation. */
export type DiagramNodeKind = 'io' | 'layer' | 'op';

export interface DiagramNode {
  readonly id: string;
  readonly kind: DiagramNodeKind;
  /** top-left corner and size; an `op` is a circle inscribed in its box */
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
  readonly label: string;
  readonly sublabel?: string;
}

/** `main`: the layers' path; `skip`: the added connection; `gate`: a gate's value (highway). */
export type DiagramEdgeKind = 'main' | 'skip' | 'gate';

export interface DiagramEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: DiagramEdgeKind;
  /** the polyline, first point on `from`'s outline, last on `to`'s (an arrowhead goes there) */
  readonly points: readonly (readonly [number, number])[];
  readonly label?: string;
  /** where the label's text starts (left end, baseline) */
  readonly labelAt?: readonly [number, number];
}

/** Free text in the drawing (path names, "…", the grouped-conv equivalence). */
export interface DiagramNote {
  readonly x: number;
  readonly y: number;
  readonly text: string;
  readonly anchor: 'start' | 'middle' | 'end';
}

export interface DiagramLegendItem {
  readonly kind: DiagramEdgeKind;
  readonly label: string;
  /** left end of the sample line, and its baseline */
  readonly x: number;
  readonly y: number;
}

export interface BlockDiagram {
  readonly kind: DiagramKind;
  /** the accessible name: "Bottleneck block (conv2_x widths)" */
  readonly title: string;
  /** the drawing in words, for screen readers (the SVG's desc) */
  readonly description: string;
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly DiagramNode[];
  readonly edges: readonly DiagramEdge[];
  readonly notes: readonly DiagramNote[];
  readonly legend: readonly DiagramLegendItem[];
}

/** Font sizes the drawing assumes (the component uses the same). */
export const DIAGRAM_FONT = { label: 12, sublabel: 10.5, note: 11 } as const;

/** A generous estimate of a label's width: the layout must not depend on font metrics. */
export function textWidth(text: string, size: number = DIAGRAM_FONT.label): number {
  return [...text].length * size * 0.62;
}

const MARGIN = 12;
const BOX_H = 38;
const OP = 24;
const LEGEND_LINE = 18;

type Point = readonly [number, number];
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

class Builder {
  readonly nodes: DiagramNode[] = [];
  readonly edges: DiagramEdge[] = [];
  readonly notes: DiagramNote[] = [];

  /** A node centred on `cx`, its top at `y`, wide enough for its text. */
  node(
    id: string,
    kind: DiagramNodeKind,
    cx: number,
    y: number,
    label: string,
    sublabel?: string,
    minW = 0,
  ): DiagramNode {
    let w: number;
    let h: number;
    if (kind === 'op') {
      w = h = OP;
    } else {
      const text = Math.max(
        textWidth(label),
        sublabel ? textWidth(sublabel, DIAGRAM_FONT.sublabel) : 0,
      );
      w = Math.max(minW, Math.ceil(text + 16));
      h = kind === 'io' ? 24 : sublabel ? BOX_H : 28;
    }
    const node: DiagramNode = {
      id,
      kind,
      x: cx - w / 2,
      y,
      w,
      h,
      label,
      ...(sublabel ? { sublabel } : {}),
    };
    this.nodes.push(node);
    return node;
  }

  edge(
    from: DiagramNode,
    to: DiagramNode,
    kind: DiagramEdgeKind,
    points: Point[],
    label?: string,
    labelAt?: Point,
  ): void {
    const edge: Mutable<DiagramEdge> = { from: from.id, to: to.id, kind, points };
    if (label !== undefined) {
      edge.label = label;
      edge.labelAt = labelAt ?? points[0]!;
    }
    this.edges.push(edge);
  }

  /** Straight down from `a`'s bottom to `b`'s top (both centred on the same x). */
  down(a: DiagramNode, b: DiagramNode, kind: DiagramEdgeKind = 'main'): void {
    this.edge(a, b, kind, [
      [cx(a), a.y + a.h],
      [cx(b), b.y],
    ]);
  }

  note(x: number, y: number, text: string, anchor: DiagramNote['anchor'] = 'start'): void {
    this.notes.push({ x, y, text, anchor });
  }

  /** Moves everything right so that nothing starts left of the margin (a wide label). */
  private shiftRight(): void {
    let left = Infinity;
    for (const n of this.nodes) left = Math.min(left, n.x);
    for (const e of this.edges) for (const [x] of e.points) left = Math.min(left, x);
    for (const n of this.notes) {
      const w = textWidth(n.text, DIAGRAM_FONT.note);
      left = Math.min(
        left,
        n.anchor === 'start' ? n.x : n.anchor === 'middle' ? n.x - w / 2 : n.x - w,
      );
    }
    const dx = left < MARGIN ? Math.ceil(MARGIN - left) : 0;
    if (dx === 0) return;
    const move = (p: Point): Point => [p[0] + dx, p[1]];
    this.nodes.splice(0, Infinity, ...this.nodes.map((n) => ({ ...n, x: n.x + dx })));
    this.edges.splice(
      0,
      Infinity,
      ...this.edges.map((e) => ({
        ...e,
        points: e.points.map(move),
        ...(e.labelAt ? { labelAt: move(e.labelAt) } : {}),
      })),
    );
    this.notes.splice(0, Infinity, ...this.notes.map((n) => ({ ...n, x: n.x + dx })));
  }

  /** Closes the drawing: a legend under it and a view box around everything. */
  finish(
    kind: DiagramKind,
    title: string,
    description: string,
    legend: [DiagramEdgeKind, string][],
  ): BlockDiagram {
    this.shiftRight();
    let right = 0;
    let bottom = 0;
    for (const n of this.nodes) {
      right = Math.max(right, n.x + n.w);
      bottom = Math.max(bottom, n.y + n.h);
    }
    for (const e of this.edges) {
      for (const [x, y] of e.points) {
        right = Math.max(right, x);
        bottom = Math.max(bottom, y);
      }
      if (e.label && e.labelAt) {
        right = Math.max(right, e.labelAt[0] + textWidth(e.label, DIAGRAM_FONT.note));
        bottom = Math.max(bottom, e.labelAt[1] + 4);
      }
    }
    for (const n of this.notes) {
      const w = textWidth(n.text, DIAGRAM_FONT.note);
      const extent = n.anchor === 'start' ? w : n.anchor === 'middle' ? w / 2 : 0;
      right = Math.max(right, n.x + extent);
      bottom = Math.max(bottom, n.y + 4);
    }
    const items: DiagramLegendItem[] = legend.map(([k, label], i) => ({
      kind: k,
      label,
      x: MARGIN,
      y: bottom + 20 + i * LEGEND_LINE,
    }));
    for (const item of items)
      right = Math.max(right, item.x + 40 + textWidth(item.label, DIAGRAM_FONT.note));
    const height = Math.ceil((items.at(-1)?.y ?? bottom) + MARGIN);
    return {
      kind,
      title,
      description,
      width: Math.ceil(right + MARGIN),
      height,
      nodes: this.nodes,
      edges: this.edges,
      notes: this.notes,
      legend: items,
    };
  }
}

const cx = (n: DiagramNode) => n.x + n.w / 2;
/** A number with a true minus sign (−2, not -2), as the text around the drawing writes it. */
export const signed = (v: number): string => (v < 0 ? `−${-v}` : String(v));
const cy = (n: DiagramNode) => n.y + n.h / 2;

/**
 * A residual block drawn vertically: input, the branch's layers, ⊕, ReLU, output, and the
 * identity shortcut on a lane to the right.
 */
function residualBlock(
  kind: 'basic' | 'bottleneck',
  channelsIn: number,
  layers: [string, string][],
  title: string,
  description: string,
): BlockDiagram {
  const b = new Builder();
  const mid = MARGIN + 90;
  const input = b.node('in', 'io', mid, MARGIN, `${channelsIn}-d in`);
  let y = input.y + input.h + 22;
  let prev = input;
  const boxes = layers.map(([label, sub], i) => {
    const box = b.node(`conv${i + 1}`, 'layer', mid, y, label, sub, 150);
    b.down(prev, box);
    prev = box;
    y += box.h + 20;
    return box;
  });
  const add = b.node('add', 'op', mid, y + 6, '+');
  b.down(prev, add);
  const relu = b.node('relu', 'layer', mid, add.y + add.h + 18, 'ReLU', undefined, 60);
  b.down(add, relu);
  const out = b.node('out', 'io', mid, relu.y + relu.h + 18, `${channelsIn}-d out`);
  b.down(relu, out);
  const widest = Math.max(...boxes.map((n) => n.x + n.w));
  const lane = widest + 28;
  const start: Point = [input.x + input.w, cy(input)];
  b.edge(
    input,
    add,
    'skip',
    [start, [lane, start[1]], [lane, cy(add)], [add.x + add.w, cy(add)]],
    'identity x',
    // on the top run, not beside the lane: the drawing stays narrow enough for a phone
    [start[0] + 6, start[1] - 5],
  );
  return b.finish(kind, title, description, [
    ['main', 'main path (weight layers)'],
    ['skip', 'skip connection: identity shortcut, added at ⊕'],
  ]);
}

function resnextBlock(
  channelsIn: number,
  width: number,
  groups: number,
  out: number,
): BlockDiagram {
  const b = new Builder();
  const d = width / groups;
  // draw every path up to three; beyond that the first two, "…" and the last
  const shown = groups <= 3 ? Array.from({ length: groups }, (_, i) => i + 1) : [1, 2, groups];
  const labels: [string, string][] = [
    [`${channelsIn}, 1×1, ${d}`, 'BN, ReLU'],
    [`${d}, 3×3, ${d}`, 'BN, ReLU'],
    [`${d}, 1×1, ${out}`, 'BN'],
  ];
  const colW = Math.max(
    88,
    ...labels.map(([l, s]) =>
      Math.ceil(Math.max(textWidth(l), textWidth(s, DIAGRAM_FONT.sublabel)) + 16),
    ),
  );
  const gap = 10;
  const ellipsis = groups > 3 ? 26 : 0;
  const centres: number[] = [];
  let x = MARGIN + colW / 2;
  shown.forEach((_, i) => {
    if (groups > 3 && i === 2) x += ellipsis;
    centres.push(x);
    x += colW + gap;
  });
  const span = centres.at(-1)! - centres[0]!;
  const mid = centres[0]! + span / 2;
  const input = b.node('in', 'io', mid, MARGIN, `${channelsIn}-d in`);
  const fork = input.y + input.h + 14;
  const top = fork + 28;
  let bottom = top;
  shown.forEach((p, i) => {
    const c = centres[i]!;
    // beside the line that comes down into the path, not across it
    b.note(c + 5, top - 6, `path ${p}`);
    let y = top;
    let prev: DiagramNode | null = null;
    labels.forEach(([label, sub], j) => {
      const box = b.node(`p${p}-conv${j + 1}`, 'layer', c, y, label, sub, colW);
      if (prev) b.down(prev, box);
      else
        b.edge(input, box, 'main', [
          [mid, input.y + input.h],
          [mid, fork],
          [c, fork],
          [c, box.y],
        ]);
      prev = box;
      y += box.h + 16;
    });
    bottom = y - 16;
  });
  if (groups > 3) {
    const between = (centres[1]! + colW / 2 + centres[2]! - colW / 2) / 2;
    b.note(between, top + 60, '…', 'middle');
  }
  const add = b.node('add', 'op', mid, bottom + 34, '+');
  shown.forEach((p, i) => {
    const c = centres[i]!;
    const last = b.nodes.find((n) => n.id === `p${p}-conv3`)!;
    b.edge(last, add, 'main', [
      [c, last.y + last.h],
      [c, bottom + 16],
      [mid, bottom + 16],
      [mid, add.y],
    ]);
  });
  const relu = b.node('relu', 'layer', mid, add.y + add.h + 16, 'ReLU', undefined, 60);
  b.down(add, relu);
  const output = b.node('out', 'io', mid, relu.y + relu.h + 16, `${out}-d out`);
  b.down(relu, output);
  const lane = centres.at(-1)! + colW / 2 + 26;
  const start: Point = [input.x + input.w, cy(input)];
  b.edge(
    input,
    add,
    'skip',
    [start, [lane, start[1]], [lane, cy(add)], [add.x + add.w, cy(add)]],
    'identity x',
    [start[0] + 6, start[1] - 5],
  );
  b.note(
    MARGIN,
    output.y + output.h + 18,
    `${groups} paths = one grouped conv: 1×1, ${width} → 3×3, ${width}, ${groups} groups → 1×1, ${out}`,
  );
  return b.finish(
    'resnext',
    `ResNeXt block, cardinality ${groups} (conv2_x widths)`,
    `The input (${channelsIn} channels) feeds ${groups} parallel paths, each a 1×1 conv to ${d} channels, a 3×3 conv of ${d} channels and a 1×1 conv back to ${out}${groups > 3 ? `; paths 1, 2 and ${groups} are drawn` : ''}. The paths' outputs and the identity shortcut are summed at ⊕, followed by ReLU. Together the paths are one grouped convolution: 1×1, ${width}; 3×3, ${width} in ${groups} groups; 1×1, ${out}.`,
    [
      ['main', 'main path: C parallel transformations'],
      ['skip', 'skip connection: identity shortcut, added at ⊕'],
    ],
  );
}

function denseBlock(
  k0: number,
  k: number,
  bottleneck: number,
  layersInBlock: number,
): BlockDiagram {
  const b = new Builder();
  const drawn = Math.min(layersInBlock, 4);
  const mid = MARGIN + 110;
  const boxW = Math.max(
    180,
    Math.ceil(
      Math.max(
        textWidth(`BN-ReLU-1×1, ${bottleneck}`),
        textWidth(`BN-ReLU-3×3, ${k}`, DIAGRAM_FONT.sublabel),
      ) + 16,
    ),
  );
  const sources: DiagramNode[] = [];
  const concats: DiagramNode[] = [];
  const input = b.node('x0', 'io', mid, MARGIN, `x₀: ${k0} channels`);
  sources.push(input);
  let y = input.y + input.h + 20;
  let prev = input;
  for (let l = 1; l <= drawn + 1; l++) {
    const c = b.node(`cat${l}`, 'op', mid, y, '‖');
    b.note(c.x - 8, cy(c) + 4, `${k0 + k * (l - 1)} ch`, 'end');
    concats.push(c);
    b.down(prev, c);
    y = c.y + c.h + 16;
    if (l > drawn) break;
    const h = b.node(
      `h${l}`,
      'layer',
      mid,
      y,
      `BN-ReLU-1×1, ${bottleneck}`,
      `BN-ReLU-3×3, ${k}`,
      boxW,
    );
    b.down(c, h);
    sources.push(h);
    prev = h;
    y = h.y + h.h + 16;
  }
  const rest = layersInBlock - drawn;
  const lastCat = concats.at(-1)!;
  const output = b.node(
    'out',
    'io',
    mid,
    lastCat.y + lastCat.h + 16,
    rest > 0
      ? `${rest} more layer${rest > 1 ? 's' : ''}, then a transition`
      : 'transition: 1×1 conv, 2×2 avg pool',
  );
  b.down(lastCat, output);
  // one lane per source, the earliest outermost, so a source's own run never crosses another's
  const right = mid + boxW / 2;
  const lanes = sources.length - 1; // the last layer feeds only the final concatenation (main)
  for (let j = 0; j < lanes; j++) {
    const source = sources[j]!;
    const lane = right + 16 + (lanes - 1 - j) * 12;
    for (let i = j + 2; i <= drawn + 1; i++) {
      const target = concats[i - 1]!;
      b.edge(
        source,
        target,
        'skip',
        [
          [source.x + source.w, cy(source)],
          [lane, cy(source)],
          [lane, cy(target)],
          [target.x + target.w, cy(target)],
        ],
        j === 0 && i === drawn + 1 ? 'concatenated' : undefined,
        [right + 16 + lanes * 12, cy(target) + 4],
      );
    }
  }
  const connections = ((drawn + 1) * drawn) / 2;
  return b.finish(
    'dense',
    `Dense block (${drawn} of its ${layersInBlock} layers), growth rate ${k}`,
    `The block's input x₀ has ${k0} channels. Each layer is BN-ReLU-1×1 conv to ${bottleneck} channels, then BN-ReLU-3×3 conv to ${k} channels, and takes the concatenation (‖) of x₀ and every earlier layer's output, so layer ℓ sees ${k0} + ${k}·(ℓ−1) channels. ${drawn} layers are drawn: layer ℓ takes ℓ inputs, ${connections} connections in all, and the last concatenation joins all ${drawn + 1} feature sets.${rest > 0 ? ` ${rest} more layers follow before the transition.` : ''}`,
    [
      ['main', 'main path (each layer’s own input)'],
      ['skip', 'skip connections: earlier outputs, concatenated at ‖'],
    ],
  );
}

function highwayLayer(width: number, gateBias: number): BlockDiagram {
  const b = new Builder();
  const input = b.node('in', 'io', MARGIN + 150, MARGIN, `x (${width})`);
  const split = input.y + input.h + 16;
  const h = b.node(
    'H',
    'layer',
    MARGIN + 70,
    split + 18,
    `H: fc ${width}→${width}`,
    'transform',
    130,
  );
  const t = b.node(
    'T',
    'layer',
    MARGIN + 220,
    split + 18,
    `T: fc ${width}→${width}`,
    `sigmoid, b_T = ${signed(gateBias)}`,
    130,
  );
  for (const n of [h, t])
    b.edge(input, n, 'main', [
      [cx(input), input.y + input.h],
      [cx(input), split],
      [cx(n), split],
      [cx(n), n.y],
    ]);
  const row = h.y + h.h + 36;
  const m1 = b.node('mulHT', 'op', cx(h), row, '×');
  const carryX = t.x + t.w + 44;
  const m2 = b.node('mulCarry', 'op', carryX, row, '×');
  b.down(h, m1);
  b.edge(
    t,
    m1,
    'gate',
    [
      [cx(t), t.y + t.h],
      [cx(t), cy(m1)],
      [m1.x + m1.w, cy(m1)],
    ],
    'T',
    [cx(t) + 6, cy(m1) - 6],
  );
  const gateLane = t.x + t.w + 16;
  b.edge(
    t,
    m2,
    'gate',
    [
      [t.x + t.w, cy(t)],
      [gateLane, cy(t)],
      [gateLane, cy(m2)],
      [m2.x, cy(m2)],
    ],
    '1 − T',
    [gateLane - 34, cy(m2) + 20],
  );
  b.edge(
    input,
    m2,
    'skip',
    [
      [input.x + input.w, cy(input)],
      [carryX, cy(input)],
      [carryX, m2.y],
    ],
    'carry x',
    [input.x + input.w + 6, cy(input) - 5],
  );
  const add = b.node('add', 'op', cx(input), row + OP + 28, '+');
  b.edge(m1, add, 'main', [
    [cx(m1), m1.y + m1.h],
    [cx(m1), cy(add)],
    [add.x, cy(add)],
  ]);
  b.edge(m2, add, 'skip', [
    [cx(m2), m2.y + m2.h],
    [cx(m2), cy(add)],
    [add.x + add.w, cy(add)],
  ]);
  const out = b.node('out', 'io', cx(input), add.y + add.h + 16, `y = H·T + x·(1 − T)`);
  b.down(add, out);
  return b.finish(
    'highway',
    `Highway layer, width ${width}`,
    `The input x (${width} units) feeds two fully connected layers: the transform H and the gate T, a sigmoid whose bias starts at ${gateBias}. H's output is multiplied by T; on the carry path, x itself is multiplied by 1 − T. The two products are added: y = H·T + x·(1 − T). With T near 0 the layer passes x through unchanged.`,
    [
      ['main', 'transform path H·T'],
      ['gate', 'gate values T and 1 − T'],
      ['skip', 'skip connection: carry path x·(1 − T)'],
    ],
  );
}

/**
 * The block a spec is built from, laid out: a residual block of its first stage (basic or
 * bottleneck; ResNeXt's paths where `groups` > 1), the start of its first dense block, or one
 * highway layer.
 */
export function blockDiagram(spec: ArchSpec): BlockDiagram {
  switch (spec.family) {
    case 'resnet': {
      if (spec.block === 'basic')
        return residualBlock(
          'basic',
          64,
          [
            ['3×3, 64', 'BN, ReLU'],
            ['3×3, 64', 'BN'],
          ],
          'Basic residual block (conv2_x widths)',
          'Two 3×3 convolutions of 64 channels (BN and ReLU after the first, BN after the second) on the main path; the identity shortcut carries the 64-channel input around them to ⊕, where the two are added, followed by ReLU.',
        );
      // torchvision: width = ⌊planes·widthPerGroup/64⌋·groups with planes = 64 in conv2_x
      const width = Math.floor((64 * spec.widthPerGroup) / 64) * spec.groups;
      const out = 64 * 4;
      if (spec.groups > 1) return resnextBlock(out, width, spec.groups, out);
      return residualBlock(
        'bottleneck',
        out,
        [
          [`1×1, ${width}`, 'BN, ReLU'],
          [`3×3, ${width}`, 'BN, ReLU'],
          [`1×1, ${out}`, 'BN'],
        ],
        'Bottleneck block (conv2_x widths)',
        `A 1×1 convolution reduces the ${out}-channel input to ${width} channels, a 3×3 convolution works at ${width}, and a second 1×1 convolution restores ${out} channels (BN after each, ReLU after the first two). The identity shortcut carries the input around the three layers to ⊕, where the two are added, followed by ReLU.`,
      );
    }
    case 'cifar-resnet':
      return residualBlock(
        'basic',
        16,
        [
          ['3×3, 16', 'BN, ReLU'],
          ['3×3, 16', 'BN'],
        ],
        'Basic residual block (32×32 maps, 16 filters)',
        'Two 3×3 convolutions of 16 channels (BN and ReLU after the first, BN after the second) on the main path; the identity shortcut carries the 16-channel input around them to ⊕, where the two are added, followed by ReLU.',
      );
    case 'densenet':
      return denseBlock(
        spec.numInitFeatures,
        spec.growthRate,
        spec.bnSize * spec.growthRate,
        spec.blockConfig[0] ?? 1,
      );
    case 'highway':
      return highwayLayer(spec.width, spec.gateBias);
  }
}
