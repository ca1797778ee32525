/**
 * The compiled network as plain data (Model.graph()): what every diagram draws and every
 * statistic is keyed by. Nodes are the ops the builder made, in order — fused ones included,
 * with the node they were folded into — each with a typed kind, its block, the tensors it reads
 * and writes and the parameters it learns. Tensors have one example's shape (a dense feature
 * vector: `[dim]`; a convolution's map: `[h, w, c]`, stored NHWC — shown to people as C×H×W). Shortcuts are named as such, one per block with a working skip path.
 */
import type { Model } from './model.ts';
import { Add, Concat, HighwayCombine, type OpAttributes, type OpKind } from './ops.ts';
import type { ParamRole } from './tensor.ts';

export interface GraphTensor {
  name: string;
  /** one example's shape */
  shape: number[];
  /** false: a fusion skipped this tensor (its storage holds `storedAs`) */
  stored: boolean;
  /** the tensor that took over its storage, when not stored */
  storedAs: string | null;
}

export interface GraphParam {
  name: string;
  shape: number[];
  size: number;
  role: ParamRole;
  /** the node that learns it */
  node: string;
}

export interface GraphNode {
  name: string;
  kind: OpKind;
  /** -1 the stem, 0… the blocks, `blocks` the head */
  block: number;
  inputs: string[];
  outputs: string[];
  params: string[];
  attributes: OpAttributes;
  /** the node this one is computed inside (a fusion), or null */
  fusedInto: string | null;
}

export type ShortcutKind = 'identity' | 'carry' | 'concat';

export interface GraphShortcut {
  block: number;
  /** identity: y = x + F(x); carry: highway's x·(1 − T); concat: DenseNet's [x, …] */
  kind: ShortcutKind;
  /** the tensor the shortcut carries (the block's input) */
  from: string;
  /** the nodes where it rejoins the branch */
  into: string[];
}

export interface GraphBlock {
  index: number;
  name: string;
  input: string;
  output: string | null;
  /** the residual branch's output F(x) (after its scale); null in a plain block */
  branch: string | null;
  /** whether it has a working shortcut (false in a plain twin) */
  shortcut: boolean;
  nodes: string[];
}

export interface GraphFusion {
  /** the node that computes both */
  into: string;
  /** the node folded into it */
  folded: string;
  /** what was folded */
  kind: 'relu' | 'scale';
}

export interface ModelGraph {
  input: string;
  output: string;
  nodes: GraphNode[];
  tensors: GraphTensor[];
  parameters: GraphParam[];
  blocks: GraphBlock[];
  shortcuts: GraphShortcut[];
  fusions: GraphFusion[];
  /** learnable numbers, as the run record's model.params */
  params: number;
}

export function buildGraph(model: Model): ModelGraph {
  const nodes: GraphNode[] = model.nodes.map((op) => ({
    name: op.name,
    kind: op.kind,
    block: model.opBlock.get(op) ?? -1,
    inputs: op.inputs.map((s) => s.name),
    outputs: op.outputs.map((s) => s.name),
    params: op.params.map((p) => p.name),
    attributes: op.attributes(),
    fusedInto: model.fusedInto.get(op)?.name ?? null,
  }));
  const learner = new Map<string, string>();
  for (const op of model.nodes) for (const p of op.params) learner.set(p.name, op.name);
  const fusions: GraphFusion[] = [];
  for (const [op, into] of model.fusedInto)
    fusions.push({
      into: into.name,
      folded: op.name,
      kind: op.kind === 'scale' ? 'scale' : 'relu',
    });
  const shortcuts: GraphShortcut[] = [];
  const blocks: GraphBlock[] = model.blockInfo.map((info) => {
    const join = info.join;
    if (info.shortcut && join) {
      const kind: ShortcutKind =
        join instanceof Add ? 'identity' : join instanceof HighwayCombine ? 'carry' : 'concat';
      const into = Array.isArray(join) ? join.map((c: Concat) => c.name) : [join.name];
      shortcuts.push({ block: info.index, kind, from: info.input.name, into });
    }
    return {
      index: info.index,
      name: info.name,
      input: info.input.name,
      output: info.output?.name ?? null,
      branch: info.branch?.name ?? null,
      shortcut: info.shortcut,
      nodes: model.nodes.filter((op) => model.opBlock.get(op) === info.index).map((op) => op.name),
    };
  });
  return {
    input: model.input.name,
    output: model.logits.name,
    nodes,
    tensors: model.slots.map((s) => ({
      name: s.name,
      shape: [...s.shape],
      stored: s.stored,
      storedAs: s.replacedBy?.name ?? null,
    })),
    parameters: model.params.map((p) => ({
      name: p.name,
      shape: [...p.shape],
      size: p.size,
      role: p.role,
      node: learner.get(p.name) ?? '',
    })),
    blocks,
    shortcuts,
    fusions,
    params: model.paramCount,
  };
}
