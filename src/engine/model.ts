/**
 * A network = stem + blocks + head, compiled once into a flat list of ops over preallocated
 * Slots, with all learnable numbers in one flat vector. A training step (forward, loss,
 * backward) runs that list and allocates nothing.
 *
 * Depth counts weight layers as He et al. do: the stem layer, the block layers, and the head.
 */
import { createKernels, type KernelPath, type Kernels, resolveKernelPath } from './backend.ts';
import type { Act, ConvShape } from './kernels.ts';
import {
  type LossKind,
  type LossResult,
  sigmoidCrossEntropy,
  softmaxCrossEntropy,
} from './losses.ts';
import {
  Activation,
  Add,
  BatchNorm,
  Concat,
  Conv2d,
  Dense,
  GlobalAvgPool,
  SubsamplePad,
  windowsAlong,
  type GradientPath,
  HighwayCombine,
  type Op,
  Scale,
} from './ops.ts';
import { exp, sigmoid } from './math.ts';
import { Rng } from './rng.ts';
import {
  BLOCK_STATS,
  type BlockStats,
  computeRow,
  LAYER_STATS,
  type LayerContext,
  type LayerStats,
  moments,
  RESIDUAL_STATS,
  type ResidualStats,
  TENSOR_STATS,
  type TensorStats,
} from './stats.ts';
import { Arena, type Initializer, Param, type ParamRole, Slot } from './tensor.ts';
import { buildGraph, type ModelGraph } from './graph.ts';
import {
  type Arch,
  blocksForDepth,
  CONV_ARCHS,
  convBlocksPerStage,
  convDepthError,
  depthError,
  type ModelFamily,
  type ShortcutOption,
} from './choices.ts';

export type { BlockStats, LayerStats, ResidualStats, TensorStats } from './stats.ts';

export { type Arch, ARCHS, blocksForDepth, depthError, layersPerBlock } from './choices.ts';

export type InitKind = 'he' | 'glorot' | 'naive';
export type NormKind = 'none' | 'batch';

/** What a model needs (Model.footprint), known before it is allocated. */
export interface ModelFootprint {
  params: number;
  /** its one block of buffers: parameters, gradients, optimizer state, activations, scratch */
  bytes: number;
  /** multiply-adds of one example's forward pass through its dense and convolutional layers */
  macsPerExample: number;
}

export interface ModelSpec {
  /**
   * 'mlp' (the default): stacks of dense layers. 'conv': He et al.'s CIFAR family (§4.2) — a 3×3
   * stem, three stages of n basic blocks with w, 2w, 4w channels (each later stage halves the
   * maps), global average pooling, a dense head; depth 6n + 2, arch 'plain' or 'resnet',
   * `width` the first stage's channels, `image` the input map.
   */
  model?: ModelFamily;
  /** conv: one example's input map [height, width, channels], stored NHWC (inputDim = h·w·c) */
  image?: readonly [number, number, number];
  /** conv: how a shortcut crosses a change of shape (default 'A': subsample + zero channels) */
  shortcutOption?: ShortcutOption;
  arch: Arch;
  /** false: the block's plain twin — the same weight layers without the skip path */
  shortcut: boolean;
  depth: number;
  width: number;
  inputDim: number;
  /** number of classes; with the sigmoid loss and 2 classes the head has 1 output */
  classes: number;
  loss: LossKind;
  activation: Act;
  init: InitKind;
  norm: NormKind;
  /** initial value of the per-feature scale that ends every residual branch */
  residualInit: 'zero' | 'one';
  /** highway: initial bias of the transform gate */
  gateBias: number;
  /** densenet: features added by each layer */
  growthRate: number;
  /** resnext: groups of the middle layer */
  cardinality: number;
  /** largest batch a training step (or the run's evaluation, in chunks) will use */
  maxBatch: number;
  /**
   * largest batch a forward pass may take, if more than maxBatch: a study that evaluates a fixed
   * set in one pass (loss landscapes). Buffers are sized for it.
   */
  evalBatch?: number;
  seed: number;
  /**
   * kernel path (backend.ts): 'wasm' (the default) where WebAssembly SIMD is available, else
   * 'ts'; the paths agree to float32 rounding, not bit for bit. `Model.kernels` says which ran.
   */
  kernels?: KernelPath;
  /**
   * false: keep every op separate (a ReLU after a batch norm is its own op, with its own slot).
   * Default: fused — same numbers, one pass less; tests compare the two.
   */
  fuse?: boolean;
}

/** One weight (dense) layer, as the per-layer statistics see it. */
export interface WeightLayer {
  name: string;
  /** block index, or -1 for the stem, `blocks` for the head */
  block: number;
  weight: Param;
  bias: Param | null;
  /** the layer's output (before normalisation and activation) */
  output: Slot;
  /** the ReLU output that follows this layer, for the dead-unit fraction */
  relu: Slot | null;
  /** false for a highway gate, which the paper does not count as a layer */
  countsForDepth: boolean;
}

/**
 * A block as the model built it: its ops (a contiguous run of the op list), its input and output,
 * and — for residual blocks — the op that joins the branch and the shortcut.
 */
export interface BlockInfo {
  index: number;
  name: string;
  input: Slot;
  /** null for a custom build that did not call `endBlock` */
  output: Slot | null;
  /** the residual branch's output F(x), after its scale (null in a plain block) */
  branch: Slot | null;
  /** the op that adds the shortcut (Add), mixes it in (HighwayCombine) or concatenates it (Concat); null without one */
  join: Add | HighwayCombine | Concat[] | null;
  /** whether the block has a working shortcut (false in a plain twin) */
  shortcut: boolean;
  /** first op and one past the last op of the block in `Model.ops` (after fusion) */
  opStart: number;
  opEnd: number;
}

export class Model {
  /** the kernel path this model computes with (the spec's request, resolved) */
  readonly kernels: KernelPath;
  /** its kernels; on the wasm path they own the WebAssembly memory all buffers live in */
  readonly k: Kernels;
  /** the compiled op list (after fusion): what forward and backward run */
  ops: Op[] = [];
  /** every op the builder made, fused ones included: the graph's nodes */
  readonly nodes: Op[] = [];
  /** op → the op it was folded into (the fusion pass) */
  readonly fusedInto = new Map<Op, Op>();
  /** op → its block (-1 stem, `blocks` head) */
  readonly opBlock = new Map<Op, number>();
  readonly blockInfo: BlockInfo[] = [];
  readonly slots: Slot[] = [];
  readonly params: Param[] = [];
  readonly layers: WeightLayer[] = [];
  /** block inputs, in order: where the gradient reaching each block is read */
  readonly blockInputs: Slot[] = [];
  readonly batchNorms: BatchNorm[] = [];
  readonly input: Slot;
  readonly logits: Slot;
  readonly labels: Int32Array;
  blocks: number;
  /** all learnable numbers, one after another; Param.value are views into it */
  flatParams!: Float32Array;
  flatGrads!: Float32Array;
  /** 1 where weight decay applies */
  decayMask!: Float32Array;
  /** two vectors like flatParams for an optimizer's state (see Optimizer.forModel) */
  optimizerState!: readonly [Float32Array, Float32Array];
  /** the optimizer state's views as the arena binds them */
  private stateViews: Float32Array[] = [];
  /** the parameters before the latest update, for ‖ΔW‖/‖W‖ (in the arena, like flatParams) */
  private snapshot!: Float32Array;
  /** whether `snapshot` holds the parameters from before the latest update */
  private snapshotTaken = false;
  private readonly lossOut: LossResult = { loss: 0, correct: 0 };
  /** examples in the batch last run forward */
  private n = 0;
  /** blocks replaced by the identity (lesions of plain blocks), by index; empty: none */
  private readonly bypassed: boolean[] = [];
  private anyBypassed = false;
  /** the parameters before the first `perturb`, restored by `restore` (allocated once) */
  private origin: Float32Array | null = null;
  private perturbed = false;

  /**
   * @param customBuild builds another network from the same parts (the benchmark's reference
   *   MLPs, future experiments); it returns the logits slot. Without it, the spec's arch, depth
   *   and width decide, and an invalid depth throws a message naming the nearest valid ones.
   */
  /**
   * What a model of `spec` would need, without allocating it: its parameter count, the bytes of
   * its one block of buffers (parameters, gradients, optimizer state, activations at capacity)
   * and the multiply-adds of one example's forward pass. Builds the op list only (a network of
   * a million parameters or a billion costs the same here), so limits can be checked before a
   * model that would not fit is made.
   */
  static footprint(spec: ModelSpec): ModelFootprint {
    const dry = new Model(spec, undefined, true);
    let macs = 0;
    for (const op of dry.ops) {
      if (op instanceof Dense) macs += op.weight.size;
      else if (op instanceof Conv2d) macs += op.macsPerExample;
    }
    return {
      params: dry.paramCount,
      bytes: dry.arena().size + 4 * dry.scratchFloats(),
      macsPerExample: macs,
    };
  }

  constructor(
    readonly spec: ModelSpec,
    customBuild?: (builder: LayerBuilder, input: Slot) => Slot,
    dry = false,
  ) {
    this.kernels = resolveKernelPath(spec.kernels);
    this.k = createKernels(this.kernels);
    const image = spec.model === 'conv' ? spec.image : undefined;
    // (a wrong image shape is reported by blocksOf, with a clearer message than the slot's)
    const fits = image && image[0] * image[1] * image[2] === spec.inputDim;
    this.input = this.slot('input', spec.inputDim, fits ? image : undefined);
    this.input.needsGrad = false;
    this.labels = new Int32Array(this.capacity);
    const builder = new LayerBuilder(this);
    if (customBuild) {
      this.logits = customBuild(builder, this.input);
      builder.finishBlocks();
      this.blocks = this.blockInputs.length;
    } else {
      this.blocks = Model.blocksOf(spec);
      this.logits = spec.model === 'conv' ? builder.buildConv() : builder.build();
      const outputs = spec.loss === 'sigmoid' && spec.classes === 2 ? 1 : spec.classes;
      if (this.logits.dim !== outputs) throw new Error('internal: head width mismatch');
    }
    this.compile();
    if (dry) {
      this.flatParams = new Float32Array(0);
      return;
    }
    this.layout();
    this.initialise(new Rng(spec.seed, 'init'));
  }

  /** The spec's number of blocks; throws a message naming what is wrong with it. */
  private static blocksOf(spec: ModelSpec): number {
    if (spec.model !== 'conv') {
      const blocks = blocksForDepth(spec.arch, spec.depth);
      if (blocks === null) throw new Error(`depth: ${depthError(spec.arch, spec.depth)}`);
      return blocks;
    }
    if (!CONV_ARCHS.includes(spec.arch))
      throw new Error(
        `arch: a convolutional network is built from ${CONV_ARCHS.join(' or ')} blocks, not ${spec.arch}`,
      );
    const image = spec.image;
    if (!image || image.some((d) => !Number.isInteger(d) || d < 1))
      throw new Error(
        'image: a convolutional network needs its input map [height, width, channels]',
      );
    if (image[0] * image[1] * image[2] !== spec.inputDim)
      throw new Error(
        `image: ${image.join('×')} does not hold the ${spec.inputDim} inputs of an example`,
      );
    const perStage = convBlocksPerStage(spec.depth);
    if (perStage === null) throw new Error(`depth: ${convDepthError(spec.depth)}`);
    return 3 * perStage;
  }

  /** the most rows one forward pass may take (maxBatch, or evalBatch when larger) */
  get capacity(): number {
    return Math.max(this.spec.maxBatch, this.spec.evalBatch ?? 0);
  }

  /** @internal used by the builder */
  slot(name: string, dim: number, shape?: readonly number[]): Slot {
    const s = new Slot(name, dim, this.capacity, shape);
    this.slots.push(s);
    return s;
  }

  /** @internal used by the builder */
  param(
    name: string,
    size: number,
    role: ParamRole,
    init: Initializer,
    shape?: readonly number[],
  ): Param {
    const p = new Param(name, size, role, init, shape);
    this.params.push(p);
    return p;
  }

  /**
   * Fixes the op list: names every op (builders name theirs), attributes each to its block, and
   * — unless the spec asks for the ops unfused — folds ops into the batch norm before them:
   * a ReLU (y = relu(γ·x̂ + β)) or the scale α that ends a residual branch (y = α·(γ·x̂ + β)),
   * when the norm's output feeds that op alone. Same numbers, one pass less each way; the folded
   * op's output tensor then lives in the norm's storage (Slot.storedIn), and the graph lists the
   * fusion. Fusion is a pass over the finished list, so builders never need to know about it.
   */
  private compile(): void {
    const all = this.ops;
    let block = -1;
    all.forEach((op, i) => {
      if (!op.name) op.name = `${op.kind}${i}`;
      const b = this.opBlock.get(op);
      if (b === undefined) this.opBlock.set(op, block);
      else block = b;
      this.nodes.push(op);
    });
    if (this.spec.fuse !== false) {
      const readers = new Map<Slot, Op[]>();
      for (const op of all)
        for (const x of op.inputs) {
          const list = readers.get(x);
          if (list) list.push(op);
          else readers.set(x, [op]);
        }
      for (const op of all) {
        if (!(op instanceof BatchNorm) || op.y === this.logits) continue;
        const users = readers.get(op.y) ?? [];
        if (users.length !== 1) continue;
        const next = users[0]!;
        if (next instanceof Activation && next.fn === 'relu' && next.x === op.y) {
          op.relu = true;
          this.fold(next, op, next.y);
        } else if (next instanceof Scale && next.x === op.y && op.pixels === 1) {
          op.scale = next.scale;
          this.fold(next, op, next.y);
        }
      }
    }
    this.ops = all.filter((op) => !this.fusedInto.has(op));
    for (const info of this.blockInfo) {
      const inBlock = this.ops.flatMap((op, i) => (this.opBlock.get(op) === info.index ? [i] : []));
      info.opStart = inBlock[0] ?? 0;
      info.opEnd = (inBlock.at(-1) ?? -1) + 1;
    }
  }

  /** `op` is computed inside `into`, and its output `y` lives in `into`'s output storage */
  private fold(op: Op, into: BatchNorm, y: Slot): void {
    this.fusedInto.set(op, into);
    y.storedIn = into.y;
    into.y.replacedBy = y;
  }

  get paramCount(): number {
    return this.params.reduce((s, p) => s + p.size, 0);
  }

  /** weight layers that count for depth (highway gates excluded) */
  get depth(): number {
    return this.layers.filter((l) => l.countsForDepth).length;
  }

  /**
   * Lays out every buffer — Slots, the flat parameter, gradient and decay-mask vectors, the ops'
   * own state — in one block allocated by the kernels (the WebAssembly memory on the wasm path).
   */
  private layout(): void {
    const arena = this.arena();
    const { buffer, base } = this.k.allocate(arena.size, 4 * this.scratchFloats());
    arena.commit(buffer, base);
    for (const s of this.slots)
      if (s.storedIn) {
        s.value = s.storedIn.value;
        s.grad = s.storedIn.grad;
      }
    this.optimizerState = [this.stateViews[0]!, this.stateViews[1]!];
    let offset = 0;
    for (const p of this.params) {
      p.offset = offset;
      p.value = this.flatParams.subarray(offset, offset + p.size);
      p.grad = this.flatGrads.subarray(offset, offset + p.size);
      if (p.decays) this.decayMask.fill(1, offset, offset + p.size);
      offset += p.size;
    }
  }

  /** the largest weight block a Dense or Conv2d op needs as scratch (beside the arena) */
  private scratchFloats(): number {
    let scratch = 0;
    for (const op of this.ops)
      if (op instanceof Dense || op instanceof Conv2d) scratch = Math.max(scratch, op.weightBlock);
    return scratch;
  }

  /** Reserves every buffer of the model in an arena (views are bound on `commit`). */
  private arena(): Arena {
    const total = this.paramCount;
    const arena = new Arena();
    arena.f32(total, (v) => (this.flatParams = v));
    arena.f32(total, (v) => (this.flatGrads = v));
    arena.f32(total, (v) => (this.decayMask = v));
    this.stateViews = [];
    arena.f32(total, (v) => this.stateViews.push(v));
    arena.f32(total, (v) => this.stateViews.push(v));
    arena.f32(total, (v) => (this.snapshot = v));
    for (const s of this.slots) s.reserve(arena);
    for (const op of this.ops) op.reserve?.(arena);
    // One buffer of unfolded windows serves every convolution: each fills it when it runs.
    const convs = this.ops.filter((op): op is Conv2d => op instanceof Conv2d);
    const cols = Math.max(0, ...convs.map((op) => op.colsFloats));
    if (cols > 0) arena.f32(cols, (v) => convs.forEach((op) => (op.cols = v)));
    return arena;
  }

  private initialise(rng: Rng): void {
    for (const p of this.params) {
      const init = p.init;
      if (init.kind === 'constant') p.value.fill(init.value);
      else for (let i = 0; i < p.size; i++) p.value[i] = init.std * rng.normal();
    }
  }

  /**
   * Runs the op list on the first n rows of `input.value`. training: batch statistics in
   * batch norm. Returns the logits slot (rows 0..n-1 are valid).
   */
  forward(n: number, training: boolean): Slot {
    if (n < 1 || n > this.capacity)
      throw new Error(`batch of ${n} rows: must be in [1, ${this.capacity}]`);
    this.n = n;
    const ops = this.ops;
    if (this.anyBypassed) this.forwardBypassing(n, training);
    else for (let i = 0; i < ops.length; i++) ops[i]!.forward(n, training);
    return this.logits;
  }

  /** The forward pass with some blocks replaced by the identity: their output is their input. */
  private forwardBypassing(n: number, training: boolean): void {
    const ops = this.ops;
    let i = 0;
    for (const info of this.blockInfo) {
      if (!this.bypassed[info.index]) continue;
      for (; i < info.opStart; i++) ops[i]!.forward(n, training);
      this.k.copy(info.input.value, info.output!.value, n * info.input.dim);
      i = info.opEnd;
    }
    for (; i < ops.length; i++) ops[i]!.forward(n, training);
  }

  /**
   * Loss of the last forward pass against `labels` (rows 0..n-1); with grad, also writes
   * ∂loss/∂logits. Returns a reused result object: copy what you keep.
   */
  loss(withGrad: boolean): LossResult {
    const f = this.spec.loss === 'softmax' ? softmaxCrossEntropy : sigmoidCrossEntropy;
    f(this.logits, this.labels, this.n, this.lossOut, withGrad);
    return this.lossOut;
  }

  /** Classes the network predicts among (2 for a one-output sigmoid head). */
  get classes(): number {
    return this.spec.classes;
  }

  /**
   * Class probabilities of the last forward pass, rows 0..n-1, written to `out` from `offset`
   * (n × classes): softmax of the logits, or the sigmoid's p with 1 − p for a one-output head,
   * or independent sigmoids for a one-vs-all head.
   */
  probabilities(n: number, out: Float32Array, offset = 0): void {
    const z = this.logits.value;
    const d = this.logits.dim;
    const classes = this.spec.classes;
    for (let r = 0; r < n; r++) {
      const row = r * d;
      const at = offset + r * classes;
      if (this.spec.loss === 'sigmoid') {
        if (d === 1) {
          const p = sigmoid(z[row]);
          out[at] = 1 - p;
          out[at + 1] = p;
        } else for (let j = 0; j < d; j++) out[at + j] = sigmoid(z[row + j]);
        continue;
      }
      let max = z[row];
      for (let j = 1; j < d; j++) if (z[row + j] > max) max = z[row + j];
      let sum = 0;
      for (let j = 0; j < d; j++) {
        const e = exp(z[row + j] - max);
        out[at + j] = e;
        sum += e;
      }
      for (let j = 0; j < d; j++) out[at + j] /= sum;
    }
  }

  /** Backpropagates from the logits' gradient (set by `loss(true)`) into every parameter. */
  backward(): void {
    const n = this.n;
    const slots = this.slots;
    const logits = this.logits;
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i]!;
      if (s !== logits && s.needsGrad && !s.storedIn) s.grad.fill(0, 0, n * s.dim);
    }
    const ops = this.ops;
    if (!this.anyBypassed) {
      for (let i = ops.length - 1; i >= 0; i--) ops[i]!.backward(n);
      return;
    }
    let i = ops.length - 1;
    for (let b = this.blockInfo.length - 1; b >= 0; b--) {
      const info = this.blockInfo[b]!;
      if (!this.bypassed[info.index]) continue;
      for (; i >= info.opEnd; i--) ops[i]!.backward(n);
      if (info.input.needsGrad)
        this.k.addInto(info.input.grad, info.output!.grad, n * info.input.dim);
      i = info.opStart - 1;
    }
    for (; i >= 0; i--) ops[i]!.backward(n);
  }

  /** forward + loss + backward on the first n rows of input/labels. */
  computeGradients(n: number): LossResult {
    this.forward(n, true);
    const result = this.loss(true);
    this.backward();
    return result;
  }

  /** Ask for ∂loss/∂input too (off by default: the stem then skips that product). */
  set inputGradient(on: boolean) {
    this.input.needsGrad = on;
  }

  /** Copies the parameters aside so that the next stats can report ‖ΔW‖/‖W‖. */
  snapshotParams(): void {
    this.snapshot.set(this.flatParams);
    this.snapshotTaken = true;
  }

  /** Per weight layer and per block statistics of the last forward/backward (opt-in; allocates). */
  layerStats(): { layers: LayerStats[]; blocks: BlockStats[] } {
    const n = this.n;
    const k = this.k;
    const snapshot = this.snapshotTaken ? this.snapshot : null;
    const layers = this.layers.map((l) => {
      const w = l.weight;
      const ctx: LayerContext = {
        name: l.name,
        block: l.block,
        k,
        weight: w.value,
        weightGrad: w.grad,
        snapshot: snapshot && { values: snapshot, offset: w.offset },
        output: moments(k, l.output.value, n * l.output.dim),
        relu: l.relu && { value: l.relu.value, dim: l.relu.dim, rows: n },
        weightNorm: Math.sqrt(k.sumSquares(w.value, 0, w.size)),
      };
      return computeRow(LAYER_STATS, ctx) as LayerStats;
    });
    const blocks = this.blockInputs.map(
      (s, block) =>
        computeRow(BLOCK_STATS, {
          block,
          inputGrad: moments(k, s.grad, n * s.dim),
        }) as BlockStats,
    );
    this.snapshotTaken = false;
    return { layers, blocks };
  }

  /**
   * Statistics of every stored tensor of the graph (value and gradient: mean, std, norm) after
   * the last forward and backward, and per residual block the norms of the branch F(x), the
   * shortcut x and their sum (opt-in; allocates). A gradient column is null where no gradient is
   * computed (the input, unless asked for). Tensors a fusion skipped (Slot.stored false) are left
   * out: their storage holds the fused op's output.
   */
  tensorStats(): { tensors: TensorStats[]; residuals: ResidualStats[] } {
    const n = this.n;
    const k = this.k;
    const writer = new Map<Slot, number>();
    for (const op of this.nodes) for (const y of op.outputs) writer.set(y, this.opBlock.get(op)!);
    const tensors = this.slots
      .filter((s) => s.stored)
      .map(
        (s) =>
          computeRow(TENSOR_STATS, {
            slot: s,
            block: writer.get(s) ?? -1,
            value: moments(k, s.value, n * s.dim),
            grad: s.needsGrad || s === this.logits ? moments(k, s.grad, n * s.dim) : null,
          }) as TensorStats,
      );
    const residuals: ResidualStats[] = [];
    for (const info of this.blockInfo) {
      const parts = this.residualParts(info, n);
      if (parts) residuals.push(computeRow(RESIDUAL_STATS, parts) as ResidualStats);
    }
    return { tensors, residuals };
  }

  /** ‖F(x)‖, ‖x‖, ‖F(x) + x‖ of a block with a working shortcut, over the last n rows */
  private residualParts(
    info: BlockInfo,
    n: number,
  ): { block: number; branch: number; shortcut: number; sum: number } | null {
    const k = this.k;
    const join = info.join;
    if (!info.shortcut || !join || Array.isArray(join)) return null;
    const norm = (s: Slot) => Math.sqrt(k.sumSquares(s.value, 0, n * s.dim));
    if (join instanceof Add)
      return { block: info.index, branch: norm(join.b), shortcut: norm(join.a), sum: norm(join.y) };
    // highway: the transform H·T and the carry x·(1 − T) are not stored; form them here
    const len = n * join.y.dim;
    const h = join.h.value;
    const t = join.t.value;
    const x = join.x.value;
    let branch = 0;
    let carry = 0;
    for (let i = 0; i < len; i++) {
      const a = h[i]! * t[i]!;
      const c = x[i]! * (1 - t[i]!);
      branch += a * a;
      carry += c * c;
    }
    return {
      block: info.index,
      branch: Math.sqrt(branch),
      shortcut: Math.sqrt(carry),
      sum: norm(join.y),
    };
  }

  /** The compiled network as plain data: typed nodes, tensors, parameters, shortcuts, fusions. */
  graph(): ModelGraph {
    return buildGraph(this);
  }

  // -------------------------------------------------------------------------------------------
  // Interventions (the studies): none allocates after its first use.

  /** Whether block `b` has a shortcut whose branch can be switched off (see setBranch). */
  hasBranchSwitch(b: number): boolean {
    const info = this.blockInfo[b];
    return !!info && info.shortcut && info.join !== null && info.branch !== null;
  }

  /**
   * Switches block b's residual branch off (false) or on: a lesion (Veit et al. 2016). The
   * shortcut stays — y = x + F(x) becomes y = x (then any activation after the addition, as in
   * the paper's post-activation blocks); a highway layer then only carries x; a DenseNet block's
   * new features enter its concatenations as zeros. Only for blocks with a shortcut.
   */
  setBranch(b: number, on: boolean): void {
    const info = this.blockInfo[b];
    if (!info || !this.hasBranchSwitch(b))
      throw new Error(`block ${b}: no residual branch to switch (a plain block: use setIdentity)`);
    const join = info.join!;
    if (Array.isArray(join))
      for (const cat of join) cat.inputs.forEach((x, i) => (cat.off[i] = !on && i > 0));
    else join.branchOn = on;
  }

  /**
   * Replaces block b by the identity (on = true) or restores it: its output is its input, its ops
   * are skipped forward and backward (the gradient passes straight through). The lesion of a
   * plain block, whose only path is the block itself.
   */
  setIdentity(b: number, on: boolean): void {
    const info = this.blockInfo[b];
    if (!info || !info.output) throw new Error(`block ${b}: not a block with a known output`);
    if (info.output.dim !== info.input.dim)
      throw new Error(`block ${b}: its input and output differ in width; it has no identity`);
    this.bypassed[b] = on;
    this.anyBypassed = this.bypassed.some(Boolean);
  }

  /** The lesion of block b as Veit et al. define it: its branch off, or (plain) the identity. */
  lesion(b: number, on: boolean): void {
    if (this.hasBranchSwitch(b)) this.setBranch(b, !on);
    else this.setIdentity(b, on);
  }

  /**
   * Restricts block b's backward pass to its shortcut or its residual branch ('both': as built);
   * the forward pass is unchanged. A path of the unrolled network (Veit et al. 2016) is one
   * choice per block: the gradient then flows along that path alone. Only for blocks whose
   * shortcut joins by an addition (resnet, preact, bottleneck, resnext).
   */
  setGradientPath(b: number, path: GradientPath): void {
    const join = this.blockInfo[b]?.join;
    if (!this.hasBranchSwitch(b) || !(join instanceof Add))
      throw new Error(`block ${b}: no shortcut addition whose gradient paths can be chosen`);
    join.gradientPath = path;
  }

  /** Undoes every lesion. */
  clearLesions(): void {
    for (const info of this.blockInfo) {
      if (this.hasBranchSwitch(info.index)) this.setBranch(info.index, true);
      this.bypassed[info.index] = false;
    }
    this.anyBypassed = false;
  }

  /**
   * Sets the parameters to θ* + Σ cᵢ·dᵢ, θ* being the parameters at the first call since the last
   * `restore` (saved then, in a buffer allocated once). Each direction is a vector like
   * `flatParams`. Loss landscapes: perturb, evaluate, perturb again, …, restore.
   */
  perturb(directions: readonly Float32Array[], coefficients: readonly number[]): void {
    const size = this.flatParams.length;
    if (directions.length !== coefficients.length)
      throw new Error(
        `perturb: ${directions.length} directions, ${coefficients.length} coefficients`,
      );
    for (const d of directions)
      if (d.length !== size)
        throw new Error(`perturb: a direction has ${d.length} values, the model ${size}`);
    this.origin ??= new Float32Array(size);
    if (!this.perturbed) this.origin.set(this.flatParams);
    this.perturbed = true;
    this.flatParams.set(this.origin); // (origin is not in the kernels' memory: no kernel copy)
    for (let i = 0; i < directions.length; i++)
      this.k.axpy(this.flatParams, directions[i]!, coefficients[i]!, size);
  }

  /** Puts back the parameters saved by the first `perturb`, bit for bit. */
  restore(): void {
    if (!this.perturbed) return;
    this.flatParams.set(this.origin!);
    this.perturbed = false;
  }

  /**
   * Each neuron's incoming weights as one filter (Li et al. 2018's unit of normalisation): for
   * dense weights stored [in × out] row-major, neuron j's weights are column j — `count` values
   * from `start` (an index into flatParams) every `stride`. Grouped layers give one filter per
   * neuron of each group; a convolution one per output channel (its [kh·kw·cin × cout] matrix).
   */
  filters(): Filter[] {
    const out: Filter[] = [];
    for (const op of this.ops) {
      if (!(op instanceof Dense) && !(op instanceof Conv2d)) continue;
      const w = op.weight;
      // a convolution's filter is one output channel's window weights (kh·kw·cin/groups)
      const go = op instanceof Conv2d ? op.cOut / op.groups : op.y.dim / op.groups;
      const gi = w.size / op.groups / go;
      for (let g = 0; g < op.groups; g++)
        for (let j = 0; j < go; j++)
          out.push({ param: w.name, start: w.offset + g * gi * go + j, stride: go, count: gi });
    }
    return out;
  }

  /**
   * ∂output[unit]/∂input for each of the first n rows of `input.value`, in evaluation mode
   * (rows are independent: one backward pass gives every row's gradient). Returns the input slot;
   * its `grad` holds the result. Overwrites the parameter gradients.
   */
  outputGradient(n: number, unit: number): Slot {
    const d = this.logits.dim;
    if (!Number.isInteger(unit) || unit < 0 || unit >= d)
      throw new Error(`output unit ${unit}: the model has ${d} outputs`);
    const wanted = this.input.needsGrad;
    this.input.needsGrad = true;
    this.forward(n, false);
    const g = this.logits.grad;
    g.fill(0, 0, n * d);
    for (let r = 0; r < n; r++) g[r * d + unit] = 1;
    this.backward();
    this.input.needsGrad = wanted;
    return this.input;
  }
}

/** One neuron's incoming weights in flatParams: indices start, start + stride, … (count of them). */
export interface Filter {
  param: string;
  start: number;
  stride: number;
  count: number;
}

/**
 * Appends layers to a Model's op list. `build()` makes the spec's architecture; the public
 * methods are the parts, for custom networks (see the Model constructor). Builders only append
 * ops: fusions are the model's own pass over the finished list (Model.compile).
 */
export class LayerBuilder {
  private readonly spec: ModelSpec;
  private lastLayer: WeightLayer | null = null;
  /** block index that new ops and weight layers are attributed to (-1: stem) */
  block = -1;
  private readonly useNorm: boolean;
  /** the block being built (its output, branch and join are filled in as it is built) */
  private current: BlockInfo | null = null;

  constructor(private readonly model: Model) {
    this.spec = model.spec;
    this.useNorm = this.spec.norm === 'batch';
  }

  build(): Slot {
    const { spec, model } = this;
    const w = spec.width;
    const preActivation = spec.arch === 'preact' || spec.arch === 'densenet';
    // Stem. Pre-activation nets (and DenseNet) start with a bare layer: each block begins with
    // its own norm → activation.
    let h = this.dense(model.input, w, 'stem', { bias: !this.useNorm });
    if (!preActivation) h = this.act(this.norm(h, 'stem'), 'stem');
    for (let b = 0; b < model.blocks; b++) {
      this.beginBlock(h, `block${b + 1}`);
      h = this.buildBlock(h, `block${b + 1}`);
      this.endBlock(h);
    }
    this.block = model.blocks;
    if (preActivation) h = this.act(this.norm(h, 'final'), 'final');
    const outputs = spec.loss === 'sigmoid' && spec.classes === 2 ? 1 : spec.classes;
    return this.dense(h, outputs, 'head', { bias: true });
  }

  /**
   * He et al.'s CIFAR family (§4.2) on NHWC maps: a 3×3 stem of w channels, three stages of n
   * basic blocks (two 3×3 layers) with w, 2w, 4w channels — the first block of stages 2 and 3
   * halves the maps with stride 2 and crosses the change of shape by option A or B — then
   * global average pooling and the dense head. The plain twin has the same weight layers.
   */
  buildConv(): Slot {
    const { spec, model } = this;
    const [h0, w0, c0] = spec.image!;
    const perStage = model.blocks / 3;
    const skip = spec.shortcut && spec.arch !== 'plain';
    let map: MapShape = { h: h0, w: w0, c: c0 };
    const x = this.conv(model.input, map, spec.width, 3, 1, 'stem');
    map = x.map;
    let h = this.act(this.norm(x.y, 'stem', map.c), 'stem');
    for (let stage = 0; stage < 3; stage++) {
      const channels = spec.width * 2 ** stage;
      for (let i = 0; i < perStage; i++) {
        const name = `stage${stage + 1}.block${i + 1}`;
        const stride = stage > 0 && i === 0 ? 2 : 1;
        this.beginBlock(h, name);
        const a = this.conv(h, map, channels, 3, stride, `${name}.1`);
        const h1 = this.act(this.norm(a.y, `${name}.1`, channels), `${name}.1`);
        const b = this.conv(h1, a.map, channels, 3, 1, `${name}.2`);
        // zero-γ: the branch's last norm starts at 0, so each block starts as the identity
        const zero = skip && spec.residualInit === 'zero';
        const branch = this.norm(b.y, `${name}.2`, channels, zero ? 0 : 1);
        let out = branch;
        if (this.current) {
          this.current.branch = branch;
          this.current.shortcut = skip;
        }
        if (skip) {
          const shortcut =
            stride === 1 && channels === map.c ? h : this.shortcutAcross(h, map, b.map, name);
          out = this.add(shortcut, branch, `${name}.sum`);
          if (this.current) this.current.join = model.ops.at(-1) as Add;
        }
        h = this.act(out, name);
        map = b.map;
        this.endBlock(h);
      }
    }
    this.block = model.blocks;
    const pooled = model.slot('pool.out', map.c);
    this.push(new GlobalAvgPool(model.k, h, pooled), 'pool');
    const outputs = spec.loss === 'sigmoid' && spec.classes === 2 ? 1 : spec.classes;
    return this.dense(pooled, outputs, 'head', { bias: true });
  }

  /** The shortcut of a block that changes the map's shape: option A or B (spec.shortcutOption). */
  private shortcutAcross(x: Slot, from: MapShape, to: MapShape, name: string): Slot {
    const { model } = this;
    const stride = from.h === to.h ? 1 : 2;
    if ((this.spec.shortcutOption ?? 'A') === 'B') {
      const p = this.conv(x, from, to.c, 1, stride, `${name}.projection`, false);
      return this.norm(p.y, `${name}.projection`, to.c);
    }
    const shape = windowShape(from, 1, stride, 0);
    const y = model.slot(`${name}.shortcut`, to.h * to.w * to.c, [to.h, to.w, to.c]);
    this.push(new SubsamplePad(model.k, x, y, shape, to.c), `${name}.subsample`);
    return y;
  }

  /**
   * A convolution of `x` (an NHWC map of shape `map`) to `cOut` channels with a kernel×kernel
   * window, padding kernel/2 (the map keeps its side at stride 1, halves it at stride 2).
   * countsForDepth false: a projection shortcut, which the paper does not count as a layer.
   */
  conv(
    x: Slot,
    map: MapShape,
    cOut: number,
    kernel: number,
    stride: number,
    name: string,
    countsForDepth = true,
    groups = 1,
  ): { y: Slot; map: MapShape } {
    const { model, spec } = this;
    const shape = windowShape(map, kernel, stride, Math.floor(kernel / 2));
    const out: MapShape = { h: shape.ho, w: shape.wo, c: cOut };
    const fanIn = (kernel * kernel * map.c) / groups;
    const std = initStd(spec.init, fanIn, (kernel * kernel * cOut) / groups, spec.activation);
    const weight = model.param(
      `${name}.W`,
      fanIn * cOut,
      'weight',
      { kind: 'normal', std },
      groups > 1
        ? [groups, kernel, kernel, map.c / groups, cOut / groups]
        : [kernel, kernel, map.c, cOut],
    );
    const bias = this.useNorm
      ? null
      : model.param(`${name}.b`, cOut, 'bias', { kind: 'constant', value: 0 });
    const y = model.slot(`${name}.out`, out.h * out.w * cOut, [out.h, out.w, cOut]);
    this.push(new Conv2d(model.k, x, y, weight, bias, shape, cOut, groups), name);
    const layer: WeightLayer = {
      name,
      block: this.block,
      weight,
      bias,
      output: y,
      relu: null,
      countsForDepth,
    };
    model.layers.push(layer);
    if (countsForDepth) this.lastLayer = layer;
    return { y, map: out };
  }

  /** Marks `x` as the input of a new block (for per-block statistics and interventions). */
  beginBlock(x: Slot, name = `block${this.model.blockInputs.length + 1}`): void {
    if (this.current) this.endBlock(null);
    this.block = this.model.blockInputs.length;
    this.model.blockInputs.push(x);
    this.current = {
      index: this.block,
      name,
      input: x,
      output: null,
      branch: null,
      join: null,
      shortcut: false,
      opStart: 0,
      opEnd: 0,
    };
  }

  /** Ends the block begun last, with its output `y` (null: unknown — no identity lesion). */
  endBlock(y: Slot | null): void {
    const info = this.current;
    if (!info) return;
    info.output = y;
    this.model.blockInfo.push(info);
    this.current = null;
  }

  /** @internal closes a block a custom build left open */
  finishBlocks(): void {
    if (this.current) this.endBlock(null);
  }

  /** Appends an op under a node name, attributed to the current block. */
  push<T extends Op>(op: T, name: string): T {
    op.name = name;
    this.model.ops.push(op);
    this.model.opBlock.set(op, this.block);
    return op;
  }

  private buildBlock(x: Slot, name: string): Slot {
    const { spec } = this;
    const w = spec.width;
    const skip = spec.shortcut && spec.arch !== 'plain';
    switch (spec.arch) {
      case 'plain':
      case 'resnet': {
        let h = this.act(this.norm(this.dense(x, w, `${name}.1`), `${name}.1`), `${name}.1`);
        h = this.norm(this.dense(h, w, `${name}.2`), `${name}.2`);
        return this.act(this.residual(x, h, skip, name), name);
      }
      case 'preact': {
        let h = this.dense(this.act(this.norm(x, `${name}.1`), `${name}.1`), w, `${name}.1`);
        h = this.dense(this.act(this.norm(h, `${name}.2`), `${name}.2`), w, `${name}.2`);
        return this.residual(x, h, skip, name);
      }
      case 'bottleneck':
      case 'resnext': {
        const isNext = spec.arch === 'resnext';
        const inner = isNext ? Math.floor(w / 2) : Math.floor(w / 4);
        let h = this.act(this.norm(this.dense(x, inner, `${name}.1`), `${name}.1`), `${name}.1`);
        const groups = isNext ? spec.cardinality : 1;
        h = this.act(
          this.norm(this.dense(h, inner, `${name}.2`, { groups }), `${name}.2`),
          `${name}.2`,
        );
        h = this.norm(this.dense(h, w, `${name}.3`), `${name}.3`);
        return this.act(this.residual(x, h, skip, name), name);
      }
      case 'highway': {
        const hOut = this.act(this.norm(this.dense(x, w, `${name}.H`), `${name}.H`), `${name}.H`);
        const tPre = this.dense(x, w, `${name}.T`, {
          bias: true,
          biasInit: spec.gateBias,
          countsForDepth: false,
          fixedAct: 'sigmoid',
        });
        const t = this.applyActivation(tPre, 'sigmoid', `${name}.T`);
        const y = this.model.slot(`${name}.out`, w);
        const combine = this.push(new HighwayCombine(hOut, t, x, y, skip), `${name}.combine`);
        if (this.current) {
          this.current.join = combine;
          this.current.branch = hOut;
          this.current.shortcut = skip;
        }
        return y;
      }
      case 'densenet': {
        const k = spec.growthRate;
        const l1 = this.dense(this.act(this.norm(x, `${name}.1`), `${name}.1`), k, `${name}.1`);
        const c1 = this.concat([x, l1], [!skip, false], `${name}.cat1`);
        const l2 = this.dense(this.act(this.norm(c1, `${name}.2`), `${name}.2`), k, `${name}.2`);
        const c2 = this.concat([x, l1, l2], [!skip, !skip, false], `${name}.cat2`);
        if (this.current) {
          const cats = this.model.ops.filter(
            (op): op is Concat => op instanceof Concat && this.model.opBlock.get(op) === this.block,
          );
          this.current.join = cats;
          this.current.branch = l2;
          this.current.shortcut = skip;
        }
        return this.dense(
          this.act(this.norm(c2, `${name}.t`), `${name}.t`),
          w,
          `${name}.transition`,
        );
      }
    }
  }

  /**
   * Ends a residual branch: a per-feature scale (initialised to `residualInit`, or to 1 in the
   * plain twin, whose signal would otherwise be cut), then the shortcut's addition. (A branch
   * ending in a batch norm gets α applied inside the norm by the model's fusion pass.)
   */
  residual(x: Slot, branch: Slot, skip: boolean, name: string): Slot {
    const init = skip && this.spec.residualInit === 'zero' ? 0 : 1;
    const scale = this.model.param(`${name}.scale`, branch.dim, 'scale', {
      kind: 'constant',
      value: init,
    });
    const scaled = this.model.slot(`${name}.scaled`, branch.dim);
    this.push(new Scale(this.model.k, branch, scaled, scale), `${name}.scale`);
    if (this.current) {
      this.current.branch = scaled;
      this.current.shortcut = skip;
    }
    if (!skip) return scaled;
    const sum = this.add(x, scaled, `${name}.sum`);
    if (this.current) this.current.join = this.model.ops.at(-1) as Add;
    return sum;
  }

  /** y = a + b */
  add(a: Slot, b: Slot, name: string): Slot {
    const y = this.model.slot(name, a.dim, a.shape);
    // the node is "<block>.add" for the tensor "<block>.sum"
    this.push(new Add(this.model.k, a, b, y), `${name.replace(/\.sum$/, '')}.add`);
    return y;
  }

  dense(
    x: Slot,
    outDim: number,
    name: string,
    opts: {
      bias?: boolean;
      biasInit?: number;
      groups?: number;
      countsForDepth?: boolean;
      fixedAct?: Act;
    } = {},
  ): Slot {
    const { model, spec } = this;
    const groups = opts.groups ?? 1;
    const fanIn = x.dim / groups;
    const fanOut = outDim / groups;
    const act = opts.fixedAct ?? spec.activation;
    const std = initStd(spec.init, fanIn, fanOut, act);
    const weight = model.param(
      `${name}.W`,
      fanIn * fanOut * groups,
      'weight',
      { kind: 'normal', std },
      groups > 1 ? [groups, fanIn, fanOut] : [fanIn, fanOut],
    );
    // A bias before batch norm is redundant (the norm's β replaces it), as in torchvision.
    const withBias = opts.bias ?? !this.useNorm;
    const bias = withBias
      ? model.param(`${name}.b`, outDim, 'bias', { kind: 'constant', value: opts.biasInit ?? 0 })
      : null;
    const y = model.slot(`${name}.out`, outDim);
    this.push(new Dense(model.k, x, y, weight, bias, groups), name);
    const layer: WeightLayer = {
      name,
      block: this.block,
      weight,
      bias,
      output: y,
      relu: null,
      countsForDepth: opts.countsForDepth ?? true,
    };
    model.layers.push(layer);
    if (layer.countsForDepth) this.lastLayer = layer;
    return y;
  }

  /**
   * Batch norm of x's `features` (all of x.dim for a dense output; a map's channels, each over
   * every pixel, for a convolution's). gammaInit: 0 starts a residual branch at zero.
   */
  norm(x: Slot, name: string, features = x.dim, gammaInit = 1): Slot {
    if (!this.useNorm) return x;
    const { model } = this;
    const gamma = model.param(`${name}.bn.gamma`, features, 'gamma', {
      kind: 'constant',
      value: gammaInit,
    });
    const beta = model.param(`${name}.bn.beta`, features, 'beta', { kind: 'constant', value: 0 });
    const y = model.slot(`${name}.bn.out`, x.dim, x.shape);
    const op = this.push(new BatchNorm(model.k, x, y, gamma, beta, features), `${name}.bn`);
    model.batchNorms.push(op);
    return y;
  }

  act(x: Slot, name: string): Slot {
    const y = this.applyActivation(x, this.spec.activation, name);
    if (this.spec.activation === 'relu' && this.lastLayer && !this.lastLayer.relu)
      this.lastLayer.relu = y;
    return y;
  }

  applyActivation(x: Slot, fn: Act, name: string): Slot {
    if (fn === 'identity') return x; // no op: nothing to compute
    const y = this.model.slot(`${name}.${fn}`, x.dim, x.shape);
    this.push(new Activation(this.model.k, x, y, fn), `${name}.${fn}`);
    return y;
  }

  concat(inputs: Slot[], cut: boolean[], name: string): Slot {
    const dim = inputs.reduce((s, x) => s + x.dim, 0);
    const y = this.model.slot(name, dim);
    this.push(new Concat(inputs, y, cut), name);
    return y;
  }
}

/** One example's NHWC map: height, width, channels. */
interface MapShape {
  h: number;
  w: number;
  c: number;
}

/** The window geometry of a kernel × kernel convolution (or subsampling) over `map`. */
function windowShape(map: MapShape, kernel: number, stride: number, pad: number): ConvShape {
  return {
    ...map,
    kh: kernel,
    kw: kernel,
    stride,
    pad,
    ho: windowsAlong(map.h, kernel, stride, pad),
    wo: windowsAlong(map.w, kernel, stride, pad),
  };
}

/**
 * Standard deviation of the initial weights. He: √(2/fan_in), preserves the variance of
 * ReLU layers' outputs; Glorot: √(2/(fan_in + fan_out)), preserves it for linear/tanh layers
 * in both directions; naive: 0.01, the fixed small Gaussian of early deep-learning practice,
 * which makes deep plain networks' signals vanish.
 */
export function initStd(kind: InitKind, fanIn: number, fanOut: number, _activation: Act): number {
  switch (kind) {
    case 'he':
      return Math.sqrt(2 / fanIn);
    case 'glorot':
      return Math.sqrt(2 / (fanIn + fanOut));
    case 'naive':
      return 0.01;
  }
}
