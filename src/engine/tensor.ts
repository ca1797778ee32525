/**
 * The engine's two kinds of storage. Both are plain Float32Arrays allocated once, when a model
 * is compiled; a training step only reads and writes them.
 */

/** An activation of shape [rows × dim] (rows ≤ capacity) with its gradient. */
export class Slot {
  readonly value: Float32Array;
  readonly grad: Float32Array;
  /** false for inputs whose gradient nobody asked for: the ops then skip computing it */
  needsGrad = true;

  constructor(
    readonly name: string,
    readonly dim: number,
    readonly capacity: number,
  ) {
    this.value = new Float32Array(capacity * dim);
    this.grad = new Float32Array(capacity * dim);
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
