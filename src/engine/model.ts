/**
 * A network = stem + blocks + head, compiled once into a flat list of ops over preallocated
 * Slots, with all learnable numbers in one flat vector. A training step (forward, loss,
 * backward) runs that list and allocates nothing.
 *
 * Depth counts weight layers as He et al. do: the stem layer, the block layers, and the head.
 */
import { createKernels, type KernelPath, type Kernels, resolveKernelPath } from './backend.ts';
import type { Act } from './kernels.ts';
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
  Dense,
  HighwayCombine,
  type Op,
  Scale,
} from './ops.ts';
import { exp, sigmoid } from './math.ts';
import { Rng } from './rng.ts';
import { Arena, type Initializer, Param, type ParamRole, Slot } from './tensor.ts';

export type Arch =
  'plain' | 'resnet' | 'preact' | 'bottleneck' | 'highway' | 'densenet' | 'resnext';
export const ARCHS: readonly Arch[] = [
  'plain',
  'resnet',
  'preact',
  'bottleneck',
  'highway',
  'densenet',
  'resnext',
];

export type InitKind = 'he' | 'glorot' | 'naive';
export type NormKind = 'none' | 'batch';

export interface ModelSpec {
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
  /** largest batch a step or an evaluation will use */
  maxBatch: number;
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

/** Weight layers per block: the unit of depth. */
export function layersPerBlock(arch: Arch): number {
  switch (arch) {
    case 'plain':
    case 'resnet':
    case 'preact':
      return 2;
    case 'bottleneck':
    case 'resnext':
    case 'densenet': // two densely connected layers + the compressing transition
      return 3;
    case 'highway': // one highway layer: H with its gate T, counted as one layer as in the paper
      return 1;
  }
}

/** Blocks for a depth, or null if the depth cannot be built from whole blocks. */
export function blocksForDepth(arch: Arch, depth: number): number | null {
  const per = layersPerBlock(arch);
  const blocks = (depth - 2) / per;
  return Number.isInteger(blocks) && blocks >= 1 ? blocks : null;
}

/** null if the depth is valid, otherwise a message naming the nearest valid depths. */
export function depthError(arch: Arch, depth: number): string | null {
  if (blocksForDepth(arch, depth) !== null) return null;
  const per = layersPerBlock(arch);
  const lower = depth - 2 - ((((depth - 2) % per) + per) % per) + 2;
  const above = [lower, lower + per].filter((d) => d >= 2 + per);
  // Below the smallest net (e.g. depth 1 for two-layer blocks) both neighbours are too small;
  // name the smallest valid depth rather than an empty list.
  const candidates = above.length > 0 ? above : [2 + per];
  const rule = per === 1 ? '2 + blocks' : `2 + ${per}·blocks`;
  return `${depth} is not a valid depth for ${arch} blocks (depth = ${rule}: stem + ${per} weight layer${per > 1 ? 's' : ''} per block + head); nearest valid: ${candidates.join(' or ')}`;
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

export interface LayerStats {
  name: string;
  block: number;
  gradNorm: number;
  weightNorm: number;
  /** ‖ΔW‖/‖W‖ of the last update; null when no snapshot was taken before it */
  updateRatio: number | null;
  activationMean: number;
  activationStd: number;
  /** units of the following ReLU that are zero for every example of the batch; null without ReLU */
  deadFraction: number | null;
}

export interface BlockStats {
  block: number;
  /** ‖∂loss/∂x‖ over the batch, x the block's input */
  inputGradNorm: number;
}

export class Model {
  /** the kernel path this model computes with (the spec's request, resolved) */
  readonly kernels: KernelPath;
  /** its kernels; on the wasm path they own the WebAssembly memory all buffers live in */
  readonly k: Kernels;
  readonly ops: Op[] = [];
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
  /** the parameters before the latest update, for ‖ΔW‖/‖W‖ (in the arena, like flatParams) */
  private snapshot!: Float32Array;
  /** whether `snapshot` holds the parameters from before the latest update */
  private snapshotTaken = false;
  private readonly lossOut: LossResult = { loss: 0, correct: 0 };
  /** examples in the batch last run forward */
  private n = 0;

  /**
   * @param customBuild builds another network from the same parts (the benchmark's reference
   *   MLPs, future experiments); it returns the logits slot. Without it, the spec's arch, depth
   *   and width decide, and an invalid depth throws a message naming the nearest valid ones.
   */
  constructor(
    readonly spec: ModelSpec,
    customBuild?: (builder: LayerBuilder, input: Slot) => Slot,
  ) {
    this.kernels = resolveKernelPath(spec.kernels);
    this.k = createKernels(this.kernels);
    this.input = this.slot('input', spec.inputDim);
    this.input.needsGrad = false;
    this.labels = new Int32Array(spec.maxBatch);
    const builder = new LayerBuilder(this);
    if (customBuild) {
      this.logits = customBuild(builder, this.input);
      this.blocks = this.blockInputs.length;
    } else {
      const blocks = blocksForDepth(spec.arch, spec.depth);
      const problem = depthError(spec.arch, spec.depth);
      if (blocks === null || problem) throw new Error(`depth: ${problem}`);
      this.blocks = blocks;
      this.logits = builder.build();
      const outputs = spec.loss === 'sigmoid' && spec.classes === 2 ? 1 : spec.classes;
      if (this.logits.dim !== outputs) throw new Error('internal: head width mismatch');
    }
    this.layout();
    this.initialise(new Rng(spec.seed, 'init'));
  }

  /** @internal used by the builder */
  slot(name: string, dim: number): Slot {
    const s = new Slot(name, dim, this.spec.maxBatch);
    this.slots.push(s);
    return s;
  }

  /** @internal used by the builder */
  param(name: string, size: number, role: ParamRole, init: Initializer): Param {
    const p = new Param(name, size, role, init);
    this.params.push(p);
    return p;
  }

  get paramCount(): number {
    return this.flatParams.length;
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
    const total = this.params.reduce((s, p) => s + p.size, 0);
    const arena = new Arena();
    arena.f32(total, (v) => (this.flatParams = v));
    arena.f32(total, (v) => (this.flatGrads = v));
    arena.f32(total, (v) => (this.decayMask = v));
    const state: Float32Array[] = [];
    arena.f32(total, (v) => state.push(v));
    arena.f32(total, (v) => state.push(v));
    arena.f32(total, (v) => (this.snapshot = v));
    for (const s of this.slots) s.reserve(arena);
    for (const op of this.ops) op.reserve?.(arena);
    let scratch = 0;
    for (const op of this.ops) if (op instanceof Dense) scratch = Math.max(scratch, op.weightBlock);
    const { buffer, base } = this.k.allocate(arena.size, 4 * scratch);
    arena.commit(buffer, base);
    this.optimizerState = [state[0]!, state[1]!];
    let offset = 0;
    for (const p of this.params) {
      p.offset = offset;
      p.value = this.flatParams.subarray(offset, offset + p.size);
      p.grad = this.flatGrads.subarray(offset, offset + p.size);
      if (p.decays) this.decayMask.fill(1, offset, offset + p.size);
      offset += p.size;
    }
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
    if (n < 1 || n > this.spec.maxBatch)
      throw new Error(`batch of ${n} rows: must be in [1, ${this.spec.maxBatch}]`);
    this.n = n;
    const ops = this.ops;
    for (let i = 0; i < ops.length; i++) ops[i]!.forward(n, training);
    return this.logits;
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
      if (s !== logits && s.needsGrad) s.grad.fill(0, 0, n * s.dim);
    }
    const ops = this.ops;
    for (let i = ops.length - 1; i >= 0; i--) ops[i]!.backward(n);
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
    const layers = this.layers.map((l): LayerStats => {
      const w = l.weight;
      const weightNorm = Math.sqrt(k.sumSquares(w.value, 0, w.size));
      let updateRatio: number | null = null;
      if (snapshot) {
        const d2 = k.sumSquaredDiff(w.value, 0, snapshot, w.offset, w.size);
        updateRatio = weightNorm > 0 ? Math.sqrt(d2) / weightNorm : 0;
      }
      const out = l.output;
      const len = n * out.dim;
      const sum = k.sum(out.value, 0, len);
      const sumSq = k.sumSquares(out.value, 0, len);
      const mean = sum / len;
      let deadFraction: number | null = null;
      if (l.relu) deadFraction = k.deadColumns(n, l.relu.dim, l.relu.value) / l.relu.dim;
      return {
        name: l.name,
        block: l.block,
        gradNorm: Math.sqrt(k.sumSquares(w.grad, 0, w.size)),
        weightNorm,
        updateRatio,
        activationMean: mean,
        activationStd: Math.sqrt(Math.max(0, sumSq / len - mean * mean)),
        deadFraction,
      };
    });
    const blocks = this.blockInputs.map((s, block): BlockStats => ({
      block,
      inputGradNorm: Math.sqrt(k.sumSquares(s.grad, 0, n * s.dim)),
    }));
    this.snapshotTaken = false;
    return { layers, blocks };
  }
}

/**
 * Appends layers to a Model's op list. `build()` makes the spec's architecture; the public
 * methods are the parts, for custom networks (see the Model constructor).
 */
export class LayerBuilder {
  private readonly spec: ModelSpec;
  private lastLayer: WeightLayer | null = null;
  /** block index that new weight layers are attributed to (-1: stem) */
  block = -1;
  private readonly useNorm: boolean;

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
      this.beginBlock(h);
      h = this.buildBlock(h, `block${b + 1}`);
    }
    this.block = model.blocks;
    if (preActivation) h = this.act(this.norm(h, 'final'), 'final');
    const outputs = spec.loss === 'sigmoid' && spec.classes === 2 ? 1 : spec.classes;
    return this.dense(h, outputs, 'head', { bias: true });
  }

  /** Marks `x` as the input of a new block (for per-block gradient statistics). */
  beginBlock(x: Slot): void {
    this.block = this.model.blockInputs.length;
    this.model.blockInputs.push(x);
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
        this.model.ops.push(new HighwayCombine(hOut, t, x, y, skip));
        return y;
      }
      case 'densenet': {
        const k = spec.growthRate;
        const l1 = this.dense(this.act(this.norm(x, `${name}.1`), `${name}.1`), k, `${name}.1`);
        const c1 = this.concat([x, l1], [!skip, false], `${name}.cat1`);
        const l2 = this.dense(this.act(this.norm(c1, `${name}.2`), `${name}.2`), k, `${name}.2`);
        const c2 = this.concat([x, l1, l2], [!skip, !skip, false], `${name}.cat2`);
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
   * plain twin, whose signal would otherwise be cut), then the shortcut's addition.
   */
  residual(x: Slot, branch: Slot, skip: boolean, name: string): Slot {
    const init = skip && this.spec.residualInit === 'zero' ? 0 : 1;
    const scale = this.model.param(`${name}.scale`, branch.dim, 'scale', {
      kind: 'constant',
      value: init,
    });
    // A branch ending in a batch norm applies α inside it (BatchNorm.scale): same numbers, the
    // Scale op's passes saved.
    const last = this.model.ops.at(-1);
    let scaled: Slot;
    if (
      this.spec.fuse !== false &&
      last instanceof BatchNorm &&
      last.y === branch &&
      !last.relu &&
      !last.scale
    ) {
      last.scale = scale;
      scaled = branch;
    } else {
      scaled = this.model.slot(`${name}.scaled`, branch.dim);
      this.model.ops.push(new Scale(this.model.k, branch, scaled, scale));
    }
    return skip ? this.add(x, scaled, `${name}.sum`) : scaled;
  }

  /** y = a + b */
  add(a: Slot, b: Slot, name: string): Slot {
    const y = this.model.slot(name, a.dim);
    this.model.ops.push(new Add(this.model.k, a, b, y));
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
    const weight = model.param(`${name}.W`, fanIn * fanOut * groups, 'weight', {
      kind: 'normal',
      std,
    });
    // A bias before batch norm is redundant (the norm's β replaces it), as in torchvision.
    const withBias = opts.bias ?? !this.useNorm;
    const bias = withBias
      ? model.param(`${name}.b`, outDim, 'bias', { kind: 'constant', value: opts.biasInit ?? 0 })
      : null;
    const y = model.slot(`${name}.out`, outDim);
    model.ops.push(new Dense(model.k, x, y, weight, bias, groups));
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

  norm(x: Slot, name: string): Slot {
    if (!this.useNorm) return x;
    const { model } = this;
    const gamma = model.param(`${name}.bn.gamma`, x.dim, 'gamma', { kind: 'constant', value: 1 });
    const beta = model.param(`${name}.bn.beta`, x.dim, 'beta', { kind: 'constant', value: 0 });
    const y = model.slot(`${name}.bn.out`, x.dim);
    const op = new BatchNorm(model.k, x, y, gamma, beta);
    model.ops.push(op);
    model.batchNorms.push(op);
    return y;
  }

  act(x: Slot, name: string): Slot {
    const y = this.fuseRelu(x) ?? this.applyActivation(x, this.spec.activation, name);
    if (this.spec.activation === 'relu' && this.lastLayer && !this.lastLayer.relu)
      this.lastLayer.relu = y;
    return y;
  }

  /**
   * A ReLU straight after a batch norm runs inside it (BatchNorm.relu): the norm's output slot
   * becomes the activation's. Only when the norm's output feeds nothing else yet (it was just
   * made) and the spec does not ask for the ops unfused.
   */
  private fuseRelu(x: Slot): Slot | null {
    if (this.spec.activation !== 'relu' || this.spec.fuse === false) return null;
    const last = this.model.ops.at(-1);
    if (!(last instanceof BatchNorm) || last.y !== x || last.relu || last.scale) return null;
    last.relu = true;
    return x;
  }

  applyActivation(x: Slot, fn: Act, name: string): Slot {
    if (fn === 'identity') return x; // no op: nothing to compute
    const y = this.model.slot(`${name}.${fn}`, x.dim);
    this.model.ops.push(new Activation(this.model.k, x, y, fn));
    return y;
  }

  concat(inputs: Slot[], cut: boolean[], name: string): Slot {
    const dim = inputs.reduce((s, x) => s + x.dim, 0);
    const y = this.model.slot(name, dim);
    this.model.ops.push(new Concat(inputs, y, cut));
    return y;
  }
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
