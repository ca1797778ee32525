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
    const at = (this.end + 15) & ~15;
    this.end = at + bytes;
    return at;
  }
}

/** An activation of shape [rows × dim] (rows ≤ capacity) with its gradient. */
export class Slot {
  /** set when the model's arena is committed */
  value: Float32Array = new Float32Array(0);
  grad: Float32Array = new Float32Array(0);
  /** false for inputs whose gradient nobody asked for: the ops then skip computing it */
  needsGrad = true;

  constructor(
    readonly name: string,
    readonly dim: number,
    readonly capacity: number,
  ) {}

  reserve(arena: Arena): void {
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

  constructor(
    readonly name: string,
    readonly size: number,
    readonly role: ParamRole,
    /** draws the initial values; run in parameter order from the model's 'init' stream */
    readonly init: Initializer,
  ) {}

  /** weight decay applies to weights only, never to biases or normalisation parameters */
  get decays(): boolean {
    return this.role === 'weight';
  }
}

export type Initializer = { kind: 'normal'; std: number } | { kind: 'constant'; value: number };
