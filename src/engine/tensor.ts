/**
 * The engine's two kinds of storage. Both are Float32Array views laid out once, when a model is
 * compiled, in one buffer (the model's Arena: an ArrayBuffer on the ts kernel path, the model's
 * WebAssembly memory on the wasm path); a training step only reads and writes them.
 */

/**
 * Lays out a model's buffers in one block: owners reserve their arrays (16-byte aligned, for
 * SIMD), the model allocates the block once, and `commit` hands each owner its view.
 */
export class Arena {
  private end = 0;
  private readonly binds: ((buffer: ArrayBuffer, base: number) => void)[] = [];

  /** bytes reserved so far */
  get size(): number {
    return this.end;
  }

  f32(length: number, assign: (view: Float32Array) => void): void {
    const at = this.reserve(4 * length);
    this.binds.push((buffer, base) => assign(new Float32Array(buffer, base + at, length)));
  }

  f64(length: number, assign: (view: Float64Array) => void): void {
    const at = this.reserve(8 * length);
    this.binds.push((buffer, base) => assign(new Float64Array(buffer, base + at, length)));
  }

  /** Creates every view; `base` (a multiple of 16) is where the block starts in `buffer`. */
  commit(buffer: ArrayBuffer, base: number): void {
    for (const bind of this.binds) bind(buffer, base);
  }

  private reserve(bytes: number): number {
    // arithmetic, not `& ~15`: past 2 GiB a bitwise mask wraps to a negative offset
    const at = Math.ceil(this.end / 16) * 16;
    this.end = at + bytes;
    return at;
  }
}

/**
 * A tensor of the compiled graph: an activation of shape [rows × dim] (rows ≤ capacity) with its
 * gradient. `shape` is one example's shape: `[dim]` for a dense feature vector, `[h, w, c]` for a
 * convolution's map (stored NHWC: a pixel's c channels are contiguous; dim = h·w·c), so the
 * graph can describe tensors that are not vectors without the ops changing how they address them.
 */
export class Slot {
  /** set when the model's arena is committed */
  value: Float32Array = new Float32Array(0);
  grad: Float32Array = new Float32Array(0);
  /** false for inputs whose gradient nobody asked for: the ops then skip computing it */
  needsGrad = true;
  /**
   * Set by a fusion (model.ts): this tensor lives in another slot's storage, because the op that
   * produced it was folded into the op that produces that slot (a ReLU into the batch norm before
   * it). The other slot's own value is then never stored: its storage holds this tensor.
   */
  storedIn: Slot | null = null;
  /** the tensor whose storage this slot took over (the inverse of `storedIn`), or null */
  replacedBy: Slot | null = null;
  readonly shape: readonly number[];

  constructor(
    readonly name: string,
    readonly dim: number,
    readonly capacity: number,
    shape?: readonly number[],
  ) {
    this.shape = shape ?? [dim];
    if (this.shape.reduce((a, b) => a * b, 1) !== dim)
      throw new Error(`tensor ${name}: shape [${this.shape.join(', ')}] does not hold ${dim}`);
  }

  /** whether this tensor's values exist after a forward pass (false: a fusion skipped them) */
  get stored(): boolean {
    return this.replacedBy === null;
  }

  reserve(arena: Arena): void {
    if (this.storedIn) return; // takes its views from the slot it lives in (Model.layout)
    arena.f32(this.capacity * this.dim, (v) => (this.value = v));
    arena.f32(this.capacity * this.dim, (v) => (this.grad = v));
  }
}

export type ParamRole = 'weight' | 'bias' | 'gamma' | 'beta' | 'scale';

/**
 * A learnable tensor: a view into the model's single flat parameter vector (and gradient
 * vector), so the optimizer, weight snapshots and — later — loss-landscape perturbations are
 * one loop over one array.
 */
export class Param {
  /** set by the model when it lays out the flat vectors */
  value: Float32Array = new Float32Array(0);
  grad: Float32Array = new Float32Array(0);
  offset = 0;

  /** the tensor's shape (a dense weight: [in, out], or [groups, in/groups, out/groups]) */
  readonly shape: readonly number[];

  constructor(
    readonly name: string,
    readonly size: number,
    readonly role: ParamRole,
    /** draws the initial values; run in parameter order from the model's 'init' stream */
    readonly init: Initializer,
    shape?: readonly number[],
  ) {
    this.shape = shape ?? [size];
    if (this.shape.reduce((a, b) => a * b, 1) !== size)
      throw new Error(`parameter ${name}: shape [${this.shape.join(', ')}] does not hold ${size}`);
  }

  /** weight decay applies to weights only, never to biases or normalisation parameters */
  get decays(): boolean {
    return this.role === 'weight';
  }
}

export type Initializer = { kind: 'normal'; std: number } | { kind: 'constant'; value: number };
