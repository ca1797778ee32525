/**
 * The statistics a model reports about itself, as tables: one column per statistic, with how it
 * is computed. The same tables drive the engine (Model.layerStats / tensorStats compute a row by
 * running the columns), the worker's packed wire format (src/worker/wire.ts), the run record
 * (src/experiments/record.ts) and the page's decoders — so adding a statistic is one entry here.
 *
 * Column order is the key order of the rows, of the record's objects and of the wire's numbers.
 * Everything is computed from the model's buffers through its kernels (`ctx.k`), so the
 * WebAssembly path computes them as kernels too.
 */
import type { Kernels } from './backend.ts';
import type { Slot } from './tensor.ts';

/** string: a name; number: always a number; nullable: a number or null (not applicable). */
export type ColumnType = 'string' | 'number' | 'nullable';

export interface Column<Ctx> {
  readonly key: string;
  readonly type: ColumnType;
  /** one line for docs/run-schema.md and the page's tooltips */
  readonly help: string;
  readonly compute: (ctx: Ctx) => string | number | null;
}

type ValueOf<T extends ColumnType> = T extends 'string'
  ? string
  : T extends 'number'
    ? number
    : number | null;

/** The row type of a table of columns: one key per column, typed by the column's type. */
export type RowOf<C extends readonly { key: string; type: ColumnType }[]> = {
  [K in C[number] as K['key']]: ValueOf<K['type']>;
};

export interface StatTable<Ctx> {
  /** what one row describes */
  readonly name: string;
  readonly columns: readonly Column<Ctx>[];
}

export type StatRow = Record<string, string | number | null>;

/** One row: every column computed, keys in column order. */
export function computeRow<Ctx>(table: StatTable<Ctx>, ctx: Ctx): StatRow {
  const row: StatRow = {};
  for (const column of table.columns) row[column.key] = column.compute(ctx);
  return row;
}

/** Sum and sum of squares of a tensor's first `len` values (float64, through the kernels). */
export interface Moments {
  len: number;
  sum: number;
  sumSq: number;
}

export function moments(k: Kernels, v: Float32Array, len: number): Moments {
  return { len, sum: k.sum(v, 0, len), sumSq: k.sumSquares(v, 0, len) };
}

export const meanOf = (m: Moments): number => m.sum / m.len;
/** population standard deviation, clamped at 0 against rounding */
export const stdOf = (m: Moments): number => {
  const mean = m.sum / m.len;
  return Math.sqrt(Math.max(0, m.sumSq / m.len - mean * mean));
};
export const normOf = (m: Moments): number => Math.sqrt(m.sumSq);

// ---------------------------------------------------------------------------------------------
// Per weight layer

/** What a layer row is computed from (Model.layerStats builds it). */
export interface LayerContext {
  name: string;
  /** block index; -1 the stem, `blocks` the head */
  block: number;
  k: Kernels;
  weight: Float32Array;
  weightGrad: Float32Array;
  /** the parameters before the latest update, at the weight's offset; null without a snapshot */
  snapshot: { values: Float32Array; offset: number } | null;
  /** the layer's output (before normalisation and activation), n rows */
  output: Moments;
  /** the ReLU that follows the layer: its output and width, for dead units */
  relu: { value: Float32Array; dim: number; rows: number } | null;
  /** ‖W‖, shared by two columns */
  weightNorm: number;
}

export const LAYER_COLUMNS = [
  { key: 'name', type: 'string', help: 'the layer', compute: (c: LayerContext) => c.name },
  {
    key: 'block',
    type: 'number',
    help: 'its block (-1 the stem, blocks the head)',
    compute: (c: LayerContext) => c.block,
  },
  {
    key: 'gradNorm',
    type: 'number',
    help: '‖∂loss/∂W‖',
    compute: (c: LayerContext) => Math.sqrt(c.k.sumSquares(c.weightGrad, 0, c.weightGrad.length)),
  },
  { key: 'weightNorm', type: 'number', help: '‖W‖', compute: (c: LayerContext) => c.weightNorm },
  {
    key: 'updateRatio',
    type: 'nullable',
    help: '‖ΔW‖/‖W‖ of the last update (null without a snapshot before it)',
    compute: (c: LayerContext) => {
      if (!c.snapshot) return null;
      const d2 = c.k.sumSquaredDiff(
        c.weight,
        0,
        c.snapshot.values,
        c.snapshot.offset,
        c.weight.length,
      );
      return c.weightNorm > 0 ? Math.sqrt(d2) / c.weightNorm : 0;
    },
  },
  {
    key: 'activationMean',
    type: 'number',
    help: "mean of the layer's output",
    compute: (c: LayerContext) => meanOf(c.output),
  },
  {
    key: 'activationStd',
    type: 'number',
    help: "standard deviation of the layer's output",
    compute: (c: LayerContext) => stdOf(c.output),
  },
  {
    key: 'deadFraction',
    type: 'nullable',
    help: 'share of the following ReLU units that are zero for every example (null without ReLU)',
    compute: (c: LayerContext) =>
      c.relu ? c.k.deadColumns(c.relu.rows, c.relu.dim, c.relu.value) / c.relu.dim : null,
  },
] as const satisfies readonly Column<LayerContext>[];

export const LAYER_STATS: StatTable<LayerContext> = {
  name: 'weight layer',
  columns: LAYER_COLUMNS,
};
export type LayerStats = RowOf<typeof LAYER_COLUMNS>;

// ---------------------------------------------------------------------------------------------
// Per block: the gradient reaching it

export interface BlockContext {
  block: number;
  /** ∂loss/∂x at the block's input x */
  inputGrad: Moments;
}

export const BLOCK_COLUMNS = [
  { key: 'block', type: 'number', help: 'the block', compute: (c: BlockContext) => c.block },
  {
    key: 'inputGradNorm',
    type: 'number',
    help: "‖∂loss/∂x‖ over the batch at the block's input",
    compute: (c: BlockContext) => normOf(c.inputGrad),
  },
] as const satisfies readonly Column<BlockContext>[];

export const BLOCK_STATS: StatTable<BlockContext> = { name: 'block', columns: BLOCK_COLUMNS };
export type BlockStats = RowOf<typeof BLOCK_COLUMNS>;

// ---------------------------------------------------------------------------------------------
// Per tensor of the graph

export interface TensorContext {
  slot: Slot;
  block: number;
  value: Moments;
  /** null when its gradient is not computed (the input, unless asked for) */
  grad: Moments | null;
}

export const TENSOR_COLUMNS = [
  { key: 'name', type: 'string', help: 'the tensor', compute: (c: TensorContext) => c.slot.name },
  {
    key: 'block',
    type: 'number',
    help: 'the block of the node that writes it (-1 the stem and input, blocks the head)',
    compute: (c: TensorContext) => c.block,
  },
  {
    key: 'mean',
    type: 'number',
    help: 'mean value',
    compute: (c: TensorContext) => meanOf(c.value),
  },
  {
    key: 'std',
    type: 'number',
    help: 'standard deviation of the values',
    compute: (c: TensorContext) => stdOf(c.value),
  },
  {
    key: 'norm',
    type: 'number',
    help: '‖value‖ over the batch',
    compute: (c: TensorContext) => normOf(c.value),
  },
  {
    key: 'gradMean',
    type: 'nullable',
    help: 'mean of ∂loss/∂value (null where no gradient is computed)',
    compute: (c: TensorContext) => (c.grad ? meanOf(c.grad) : null),
  },
  {
    key: 'gradStd',
    type: 'nullable',
    help: 'standard deviation of ∂loss/∂value',
    compute: (c: TensorContext) => (c.grad ? stdOf(c.grad) : null),
  },
  {
    key: 'gradNorm',
    type: 'nullable',
    help: '‖∂loss/∂value‖ over the batch',
    compute: (c: TensorContext) => (c.grad ? normOf(c.grad) : null),
  },
] as const satisfies readonly Column<TensorContext>[];

export const TENSOR_STATS: StatTable<TensorContext> = { name: 'tensor', columns: TENSOR_COLUMNS };
export type TensorStats = RowOf<typeof TENSOR_COLUMNS>;

// ---------------------------------------------------------------------------------------------
// Per residual block: the branch F(x), the shortcut x, and their sum

export interface ResidualContext {
  block: number;
  /** ‖F(x)‖ (the scaled branch), ‖x‖ (what the shortcut carries) and ‖F(x) + x‖, over the batch */
  branch: number;
  shortcut: number;
  sum: number;
}

export const RESIDUAL_COLUMNS = [
  { key: 'block', type: 'number', help: 'the block', compute: (c: ResidualContext) => c.block },
  {
    key: 'branchNorm',
    type: 'number',
    help: '‖F(x)‖: the residual branch, after its scale α (highway: H·T)',
    compute: (c: ResidualContext) => c.branch,
  },
  {
    key: 'shortcutNorm',
    type: 'number',
    help: '‖x‖: what the shortcut carries (highway: x·(1 − T))',
    compute: (c: ResidualContext) => c.shortcut,
  },
  {
    key: 'sumNorm',
    type: 'number',
    help: '‖F(x) + x‖ before any activation after the addition',
    compute: (c: ResidualContext) => c.sum,
  },
] as const satisfies readonly Column<ResidualContext>[];

export const RESIDUAL_STATS: StatTable<ResidualContext> = {
  name: 'residual block',
  columns: RESIDUAL_COLUMNS,
};
export type ResidualStats = RowOf<typeof RESIDUAL_COLUMNS>;
