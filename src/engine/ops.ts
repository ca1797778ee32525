/**
 * The compiled ops. Each op reads and writes preallocated Slots and Params; its backward rule
 * sits next to its forward rule. Backward passes ADD into their inputs' gradients (the model
 * zeroes them first), so a value used twice — by a block and by its shortcut — gets the sum of
 * both gradients without any special case.
 */
import type { Kernels } from './backend.ts';
import type { Act, ConvShape } from './kernels.ts';
import { BN_EPS, BN_MOMENTUM } from './kernels.ts';
import type { Arena, Param, Slot } from './tensor.ts';

/** The kinds of node the compiled graph has (Model.graph() names them). */
export type OpKind =
  | 'dense'
  | 'activation'
  | 'batchnorm'
  | 'scale'
  | 'add'
  | 'concat'
  | 'highway'
  | 'conv'
  | 'pool'
  | 'subsample';

/** Settings of a node that the graph shows (plain data). */
export interface OpAttributes {
  /** activation: the function */
  fn?: Act;
  /** dense: block-diagonal groups (ResNeXt's paths) */
  groups?: number;
  /** highway: whether the carry term x·(1 − T) is there */
  carry?: boolean;
  /** concat: which inputs enter as zeros (the plain twin's cut skip paths) */
  cut?: boolean[];
  /** batch norm: the ops folded into it (see Model's fusion pass) */
  fused?: ('relu' | 'scale')[];
  /** conv: the kernel's side (1 or 3) */
  kernel?: number;
  /** conv, subsample: the step between windows (2 halves the maps) */
  stride?: number;
  /** conv: zero padding on each side */
  padding?: number;
  /** pool: what it pools ('global average': every pixel of a map to one number) */
  pooling?: 'global average';
}

/**
 * Every op that computes through kernels takes the model's kernel set (`k`) first: the ts or the
 * wasm path (backend.ts), with the same signatures.
 */
export interface Op {
  readonly kind: OpKind;
  /** the node's name in the graph (set by the builder; '' until then) */
  name: string;
  /** the tensors it reads, writes and learns, in a fixed order (the graph lists them so) */
  readonly inputs: readonly Slot[];
  readonly outputs: readonly Slot[];
  readonly params: readonly Param[];
  attributes(): OpAttributes;
  /** n: rows in this batch; training: batch statistics (BN) and saved state for backward */
  forward(n: number, training: boolean): void;
  backward(n: number): void;
  /** reserves the op's own buffers (beyond its Slots and Params) in the model's arena */
  reserve?(arena: Arena): void;
}

/**
 * y = x·W + b. With groups > 1 (ResNeXt's aggregated paths) the layer is block-diagonal:
 * group g maps input features [g·in/G, (g+1)·in/G) to output features [g·out/G, …) with its own
 * (in/G × out/G) weights, stored one after another in W.
 */
export class Dense implements Op {
  readonly kind = 'dense';
  name = '';
  private readonly groupIn: number;
  private readonly groupOut: number;
  /** floats in one group's weight matrix */
  get weightBlock(): number {
    return this.groupIn * this.groupOut;
  }

  constructor(
    readonly k: Kernels,
    readonly x: Slot,
    readonly y: Slot,
    readonly weight: Param,
    readonly bias: Param | null,
    readonly groups = 1,
  ) {
    this.groupIn = x.dim / groups;
    this.groupOut = y.dim / groups;
    if (!Number.isInteger(this.groupIn) || !Number.isInteger(this.groupOut))
      throw new Error(`dense ${weight.name}: ${groups} groups must divide ${x.dim} and ${y.dim}`);
  }

  get inputs(): readonly Slot[] {
    return [this.x];
  }
  get outputs(): readonly Slot[] {
    return [this.y];
  }
  get params(): readonly Param[] {
    return this.bias ? [this.weight, this.bias] : [this.weight];
  }
  attributes(): OpAttributes {
    return this.groups > 1 ? { groups: this.groups } : {};
  }

  forward(n: number): void {
    const { k, x, y, groupIn: gi, groupOut: go } = this;
    for (let g = 0; g < this.groups; g++) {
      k.gemmNN(
        n,
        go,
        gi,
        x.value,
        g * gi,
        x.dim,
        this.weight.value,
        g * gi * go,
        go,
        y.value,
        g * go,
        y.dim,
        false,
      );
    }
    if (this.bias) k.addBias(n, y.dim, y.value, 0, y.dim, this.bias.value, 0);
  }

  backward(n: number): void {
    const { k, x, y, groupIn: gi, groupOut: go } = this;
    for (let g = 0; g < this.groups; g++) {
      k.gemmTN(
        n,
        go,
        gi,
        x.value,
        g * gi,
        x.dim,
        y.grad,
        g * go,
        y.dim,
        this.weight.grad,
        g * gi * go,
        go,
        false,
      );
      if (x.needsGrad)
        k.gemmNT(
          n,
          go,
          gi,
          y.grad,
          g * go,
          y.dim,
          this.weight.value,
          g * gi * go,
          go,
          x.grad,
          g * gi,
          x.dim,
          true,
        );
    }
    if (this.bias) k.sumRows(n, y.dim, y.grad, 0, y.dim, this.bias.grad, 0, false);
  }
}

/** y = f(x) elementwise. */
export class Activation implements Op {
  readonly kind = 'activation';
  name = '';
  constructor(
    readonly k: Kernels,
    readonly x: Slot,
    readonly y: Slot,
    readonly fn: Act,
  ) {}

  get inputs(): readonly Slot[] {
    return [this.x];
  }
  get outputs(): readonly Slot[] {
    return [this.y];
  }
  get params(): readonly Param[] {
    return [];
  }
  attributes(): OpAttributes {
    return { fn: this.fn };
  }

  forward(n: number): void {
    this.k.activationForward(this.fn, this.x.value, this.y.value, n * this.x.dim);
  }

  backward(n: number): void {
    if (!this.x.needsGrad) return;
    this.k.activationBackward(
      this.fn,
      this.x.value,
      this.y.value,
      this.y.grad,
      this.x.grad,
      n * this.x.dim,
    );
  }
}

/**
 * Batch normalisation over the batch dimension, per feature (Ioffe & Szegedy 2015).
 * Training: batch mean and biased variance normalise the batch, and running estimates are
 * updated (momentum 0.1, unbiased variance — PyTorch's convention). Evaluation: the running
 * estimates normalise, and backward is then the plain per-feature scale.
 */
export class BatchNorm implements Op {
  readonly kind = 'batchnorm';
  name = '';
  static readonly EPS = BN_EPS;
  static readonly MOMENTUM = BN_MOMENTUM;
  /** the buffers below live in the model's arena (set when it is committed) */
  runningMean: Float32Array = new Float32Array(0);
  runningVar: Float32Array = new Float32Array(0);
  private xhat: Float32Array = new Float32Array(0);
  private invStd: Float32Array = new Float32Array(0);
  /** float64 scratch: 2 values per feature (sums) */
  private stats: Float64Array = new Float64Array(0);
  private trainedLast = true;
  /**
   * Fused with the ReLU that follows it (set by the model builder): y = relu(γ·x̂ + β), and the
   * gradient is masked by y > 0 inside the batch norm's own passes — a whole pass over the
   * activations saved forward and backward, bit for bit the same as the two ops.
   */
  relu = false;
  /**
   * Fused with the per-feature scale α that ends a residual branch (set by the model builder):
   * y = α·(γ·x̂ + β), α's gradient computed in the norm's backward sums — the Scale op's passes
   * saved, bit for bit its numbers. The unscaled output is kept in `raw` for α's gradient.
   */
  scale: Param | null = null;
  private raw: Float32Array | null = null;

  /** values per example that share one feature's statistics: 1, or a map's pixels (h·w) */
  readonly pixels: number;

  /**
   * @param features normalised features: x.dim for a dense layer's output, or the channels of
   *   an NHWC map — whose every pixel is then one more row of the same statistics.
   */
  constructor(
    readonly k: Kernels,
    readonly x: Slot,
    readonly y: Slot,
    readonly gamma: Param,
    readonly beta: Param,
    readonly features = x.dim,
  ) {
    this.pixels = x.dim / features;
    if (!Number.isInteger(this.pixels))
      throw new Error(`batch norm ${gamma.name}: ${features} features do not divide ${x.dim}`);
  }

  get inputs(): readonly Slot[] {
    return [this.x];
  }
  get outputs(): readonly Slot[] {
    return [this.y];
  }
  /** γ and β; a fused scale α belongs to its own (folded) Scale node in the graph */
  get params(): readonly Param[] {
    return [this.gamma, this.beta];
  }
  attributes(): OpAttributes {
    const fused: ('relu' | 'scale')[] = [];
    if (this.relu) fused.push('relu');
    if (this.scale) fused.push('scale');
    return fused.length ? { fused } : {};
  }

  reserve(arena: Arena): void {
    const d = this.features;
    arena.f32(d, (v) => (this.runningMean = v));
    arena.f32(d, (v) => (this.runningVar = v.fill(1)));
    arena.f32(this.x.capacity * this.x.dim, (v) => (this.xhat = v));
    arena.f32(d, (v) => (this.invStd = v));
    arena.f64(2 * d, (v) => (this.stats = v));
    if (this.scale) arena.f32(this.x.capacity * this.x.dim, (v) => (this.raw = v));
  }

  forward(n: number, training: boolean): void {
    this.trainedLast = training;
    this.k.batchNormForward(
      n * this.pixels,
      this.features,
      this.x.value,
      this.y.value,
      this.gamma.value,
      this.beta.value,
      this.xhat,
      this.invStd,
      this.stats,
      this.runningMean,
      this.runningVar,
      training,
      this.relu,
      this.scale?.value ?? null,
      this.raw,
    );
  }

  backward(n: number): void {
    this.k.batchNormBackward(
      n * this.pixels,
      this.features,
      this.y.grad,
      this.xhat,
      this.gamma.value,
      this.invStd,
      this.stats,
      this.gamma.grad,
      this.beta.grad,
      this.x.needsGrad ? this.x.grad : null,
      this.trainedLast,
      this.relu ? this.y.value : null,
      this.scale?.value ?? null,
      this.raw,
      this.scale?.grad ?? null,
    );
  }
}

/** y = x·s with a learnable per-feature scale s — the scale that ends every residual branch. */
export class Scale implements Op {
  readonly kind = 'scale';
  name = '';
  constructor(
    readonly k: Kernels,
    readonly x: Slot,
    readonly y: Slot,
    readonly scale: Param,
  ) {}

  get inputs(): readonly Slot[] {
    return [this.x];
  }
  get outputs(): readonly Slot[] {
    return [this.y];
  }
  get params(): readonly Param[] {
    return [this.scale];
  }
  attributes(): OpAttributes {
    return {};
  }

  forward(n: number): void {
    this.k.scaleColumns(n, this.x.dim, this.x.value, this.scale.value, this.y.value);
  }

  backward(n: number): void {
    this.k.scaleBackward(
      n,
      this.x.dim,
      this.x.value,
      this.y.grad,
      this.scale.value,
      this.scale.grad,
      this.x.needsGrad ? this.x.grad : null,
    );
  }
}

/** Where an addition sends its gradient back: both inputs, or only one (forward unchanged). */
export type GradientPath = 'both' | 'shortcut' | 'branch';

/**
 * y = a + b: the shortcut's addition (a: the shortcut x, b: the residual branch F(x)). With
 * `branchOn` false — a lesion (Veit et al. 2016) — y = a: the branch is still computed but
 * contributes nothing, and receives no gradient. `gradientPath` restricts the backward pass
 * alone to one input (Veit et al.'s sampled paths: the forward pass stays intact).
 */
export class Add implements Op {
  readonly kind = 'add';
  name = '';
  branchOn = true;
  gradientPath: GradientPath = 'both';
  constructor(
    readonly k: Kernels,
    readonly a: Slot,
    readonly b: Slot,
    readonly y: Slot,
  ) {}

  get inputs(): readonly Slot[] {
    return [this.a, this.b];
  }
  get outputs(): readonly Slot[] {
    return [this.y];
  }
  get params(): readonly Param[] {
    return [];
  }
  attributes(): OpAttributes {
    return {};
  }

  forward(n: number): void {
    const len = n * this.y.dim;
    if (this.branchOn) this.k.add(this.a.value, this.b.value, this.y.value, len);
    else this.k.copy(this.a.value, this.y.value, len);
  }

  backward(n: number): void {
    const len = n * this.y.dim;
    const path = this.gradientPath;
    if (this.a.needsGrad && path !== 'branch') this.k.addInto(this.a.grad, this.y.grad, len);
    if (this.b.needsGrad && this.branchOn && path !== 'shortcut')
      this.k.addInto(this.b.grad, this.y.grad, len);
  }
}

/**
 * y = [x₀, x₁, …] along the feature axis: DenseNet's connectivity. An input marked as cut
 * contributes zeros (and receives no gradient) — the block's plain twin, with the same weight
 * shapes but no information flowing through the skipped paths.
 */
export class Concat implements Op {
  readonly kind = 'concat';
  name = '';
  /**
   * Inputs switched off by a lesion (Model.setBranch): like a cut input they enter as zeros and
   * get no gradient, but they can be switched back on.
   */
  readonly off: boolean[];
  constructor(
    readonly inputs: readonly Slot[],
    readonly y: Slot,
    readonly cut: readonly boolean[],
  ) {
    const total = inputs.reduce((s, x) => s + x.dim, 0);
    if (total !== y.dim) throw new Error(`concat: inputs have ${total} features, output ${y.dim}`);
    this.off = inputs.map(() => false);
  }

  get outputs(): readonly Slot[] {
    return [this.y];
  }
  get params(): readonly Param[] {
    return [];
  }
  attributes(): OpAttributes {
    return this.cut.some(Boolean) ? { cut: [...this.cut] } : {};
  }

  forward(n: number): void {
    const yd = this.y.dim;
    const y = this.y.value;
    let col = 0;
    for (let k = 0; k < this.inputs.length; k++) {
      const x = this.inputs[k]!;
      const d = x.dim;
      const xv = x.value;
      const cut = this.cut[k] || this.off[k];
      for (let r = 0; r < n; r++) {
        const yRow = r * yd + col;
        const xRow = r * d;
        if (cut) for (let j = 0; j < d; j++) y[yRow + j] = 0;
        else for (let j = 0; j < d; j++) y[yRow + j] = xv[xRow + j]!;
      }
      col += d;
    }
  }

  backward(n: number): void {
    const yd = this.y.dim;
    const dy = this.y.grad;
    let col = 0;
    for (let k = 0; k < this.inputs.length; k++) {
      const x = this.inputs[k]!;
      const d = x.dim;
      if (!this.cut[k] && !this.off[k] && x.needsGrad) {
        const dx = x.grad;
        for (let r = 0; r < n; r++) {
          const yRow = r * yd + col;
          const xRow = r * d;
          for (let j = 0; j < d; j++) dx[xRow + j] += dy[yRow + j]!;
        }
      }
      col += d;
    }
  }
}

/**
 * Highway combination y = H·T + x·(1 − T) (Srivastava et al. 2015, C = 1 − T). Without the
 * carry (the plain twin) y = H·T: the same weights, no path for x.
 */
export class HighwayCombine implements Op {
  readonly kind = 'highway';
  name = '';
  /**
   * false — a lesion: the transform path is off (T taken as 0), so y = x with the carry and
   * y = 0 without it; H and T still run but get no gradient.
   */
  branchOn = true;
  constructor(
    readonly h: Slot,
    readonly t: Slot,
    readonly x: Slot,
    readonly y: Slot,
    readonly carry: boolean,
  ) {}

  get inputs(): readonly Slot[] {
    return [this.h, this.t, this.x];
  }
  get outputs(): readonly Slot[] {
    return [this.y];
  }
  get params(): readonly Param[] {
    return [];
  }
  attributes(): OpAttributes {
    return { carry: this.carry };
  }

  forward(n: number): void {
    const len = n * this.y.dim;
    if (!this.branchOn) {
      if (this.carry) this.y.value.set(this.x.value.subarray(0, len));
      else this.y.value.fill(0, 0, len);
      return;
    }
    const h = this.h.value;
    const t = this.t.value;
    const x = this.x.value;
    const y = this.y.value;
    if (this.carry) for (let i = 0; i < len; i++) y[i] = h[i]! * t[i]! + x[i]! * (1 - t[i]!);
    else for (let i = 0; i < len; i++) y[i] = h[i]! * t[i]!;
  }

  backward(n: number): void {
    const len = n * this.y.dim;
    if (!this.branchOn) {
      if (this.carry && this.x.needsGrad)
        for (let i = 0; i < len; i++) this.x.grad[i] += this.y.grad[i]!;
      return;
    }
    const h = this.h.value;
    const t = this.t.value;
    const x = this.x.value;
    const dy = this.y.grad;
    const dh = this.h.grad;
    const dt = this.t.grad;
    for (let i = 0; i < len; i++) {
      const g = dy[i]!;
      dh[i] += g * t[i]!;
      dt[i] += this.carry ? g * (h[i]! - x[i]!) : g * h[i]!;
    }
    if (this.carry && this.x.needsGrad) {
      const dx = this.x.grad;
      for (let i = 0; i < len; i++) dx[i] += dy[i]! * (1 - t[i]!);
    }
  }
}

/** The output side of a window sliding over `side` pixels (PyTorch's and the paper's rule). */
export function windowsAlong(side: number, kernel: number, stride: number, pad: number): number {
  return Math.floor((side + 2 * pad - kernel) / stride) + 1;
}

/**
 * A 2-D convolution over NHWC maps: y = conv(x, W) (+ b). A 3×3 (or strided) window is one GEMM
 * after `im2col` unfolds the windows into the model's shared scratch (`cols`); a 1×1 stride-1
 * convolution is the GEMM on x itself. With groups > 1 each group of channels has its own
 * weights, stored one after another as [kh, kw, cin/groups, cout/groups]. Backward unfolds
 * again (cheaper than keeping every layer's windows) and folds the windows' gradient back.
 */
export class Conv2d implements Op {
  readonly kind = 'conv';
  name = '';
  /** the model's one scratch buffer for unfolded windows (bound when the arena is committed) */
  cols: Float32Array = new Float32Array(0);
  readonly shape: ConvShape;
  /** channels in and out per group, and the unfolded row length kh·kw·cin/groups */
  private readonly groupIn: number;
  private readonly groupOut: number;
  private readonly window: number;
  /** a 1×1, stride-1, unpadded convolution needs no unfolding */
  private readonly direct: boolean;

  constructor(
    readonly k: Kernels,
    readonly x: Slot,
    readonly y: Slot,
    readonly weight: Param,
    readonly bias: Param | null,
    shape: ConvShape,
    readonly cOut: number,
    readonly groups = 1,
  ) {
    this.shape = shape;
    this.groupIn = shape.c / groups;
    this.groupOut = cOut / groups;
    if (!Number.isInteger(this.groupIn) || !Number.isInteger(this.groupOut))
      throw new Error(`conv ${weight.name}: ${groups} groups must divide ${shape.c} and ${cOut}`);
    this.window = shape.kh * shape.kw * this.groupIn;
    this.direct = shape.kh === 1 && shape.kw === 1 && shape.stride === 1 && shape.pad === 0;
    if (x.dim !== shape.h * shape.w * shape.c || y.dim !== shape.ho * shape.wo * cOut)
      throw new Error(`conv ${weight.name}: tensor sizes do not match its shape`);
  }

  get inputs(): readonly Slot[] {
    return [this.x];
  }
  get outputs(): readonly Slot[] {
    return [this.y];
  }
  get params(): readonly Param[] {
    return this.bias ? [this.weight, this.bias] : [this.weight];
  }
  attributes(): OpAttributes {
    const { kh, stride, pad } = this.shape;
    const a: OpAttributes = { kernel: kh, stride, padding: pad };
    if (this.groups > 1) a.groups = this.groups;
    return a;
  }

  /** floats of one group's weight matrix (window × groupOut) */
  get weightBlock(): number {
    return this.window * this.groupOut;
  }

  /** scratch floats the unfolded windows of a full batch take (0 for a direct convolution) */
  get colsFloats(): number {
    return this.direct ? 0 : this.x.capacity * this.shape.ho * this.shape.wo * this.window;
  }

  /** multiply-adds of one example's forward pass */
  get macsPerExample(): number {
    return this.shape.ho * this.shape.wo * this.weight.size;
  }

  forward(n: number): void {
    const { k, x, y, groupIn: gi, groupOut: go, window: kk } = this;
    const rows = n * this.shape.ho * this.shape.wo;
    for (let g = 0; g < this.groups; g++) {
      const wOff = g * kk * go;
      if (this.direct)
        k.gemmNN(
          rows,
          go,
          gi,
          x.value,
          g * gi,
          this.shape.c,
          this.weight.value,
          wOff,
          go,
          y.value,
          g * go,
          this.cOut,
          false,
        );
      // im2col + GEMM (the wasm path in blocks of output pixels, while the windows are in cache)
      else
        k.convForward(
          n,
          this.shape,
          g * gi,
          gi,
          x.value,
          this.weight.value,
          wOff,
          go,
          y.value,
          g * go,
          this.cOut,
          this.cols,
        );
    }
    if (this.bias) k.addBias(rows, this.cOut, y.value, 0, this.cOut, this.bias.value, 0);
  }

  backward(n: number): void {
    const { k, x, y, groupIn: gi, groupOut: go, window: kk } = this;
    const rows = n * this.shape.ho * this.shape.wo;
    for (let g = 0; g < this.groups; g++) {
      const wOff = g * kk * go;
      if (this.direct) {
        k.gemmTN(
          rows,
          go,
          gi,
          x.value,
          g * gi,
          this.shape.c,
          y.grad,
          g * go,
          this.cOut,
          this.weight.grad,
          wOff,
          go,
          false,
        );
        if (x.needsGrad)
          k.gemmNT(
            rows,
            go,
            gi,
            y.grad,
            g * go,
            this.cOut,
            this.weight.value,
            wOff,
            go,
            x.grad,
            g * gi,
            this.shape.c,
            true,
          );
        continue;
      }
      k.convBackward(
        n,
        this.shape,
        g * gi,
        gi,
        x.value,
        this.weight.value,
        wOff,
        go,
        y.grad,
        g * go,
        this.cOut,
        this.weight.grad,
        x.needsGrad ? x.grad : null,
        this.cols,
      );
    }
    if (this.bias) k.sumRows(rows, this.cOut, y.grad, 0, this.cOut, this.bias.grad, 0, false);
  }
}

/** Global average pooling: each channel of an NHWC map (hw pixels × c) becomes its mean. */
export class GlobalAvgPool implements Op {
  readonly kind = 'pool';
  name = '';
  constructor(
    readonly k: Kernels,
    readonly x: Slot,
    readonly y: Slot,
  ) {
    if (x.dim % y.dim !== 0) throw new Error(`pool: ${y.dim} channels do not divide ${x.dim}`);
  }

  get inputs(): readonly Slot[] {
    return [this.x];
  }
  get outputs(): readonly Slot[] {
    return [this.y];
  }
  get params(): readonly Param[] {
    return [];
  }
  attributes(): OpAttributes {
    return { pooling: 'global average' };
  }

  forward(n: number): void {
    this.k.avgPoolForward(n, this.x.dim / this.y.dim, this.y.dim, this.x.value, this.y.value);
  }

  backward(n: number): void {
    if (!this.x.needsGrad) return;
    this.k.avgPoolBackward(n, this.x.dim / this.y.dim, this.y.dim, this.y.grad, this.x.grad);
  }
}

/**
 * He et al.'s option A shortcut across a change of shape: every stride-th pixel, its c channels
 * in the middle of the cOut new ones ([c0, c0 + c)), the rest zero — no parameters.
 */
export class SubsamplePad implements Op {
  readonly kind = 'subsample';
  name = '';
  readonly c0: number;
  constructor(
    readonly k: Kernels,
    readonly x: Slot,
    readonly y: Slot,
    readonly shape: ConvShape,
    readonly cOut: number,
  ) {
    this.c0 = Math.floor((cOut - shape.c) / 2);
  }

  get inputs(): readonly Slot[] {
    return [this.x];
  }
  get outputs(): readonly Slot[] {
    return [this.y];
  }
  get params(): readonly Param[] {
    return [];
  }
  attributes(): OpAttributes {
    return { stride: this.shape.stride };
  }

  forward(n: number): void {
    this.k.subsamplePadForward(n, this.shape, this.cOut, this.c0, this.x.value, this.y.value);
  }

  backward(n: number): void {
    if (!this.x.needsGrad) return;
    this.k.subsamplePadBackward(n, this.shape, this.cOut, this.c0, this.y.grad, this.x.grad);
  }
}
