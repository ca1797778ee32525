/**
 * Optimizers over the model's flat parameter and gradient vectors: one loop over one array,
 * whatever the architecture. Weight decay is an L2 term added to the gradient of weights only
 * (decayMask is 1 for weights, 0 for biases and normalisation parameters).
 */
import { type Kernels, TS_KERNELS } from './backend.ts';
import { cos } from './math.ts';

export type OptimizerKind = 'sgd' | 'momentum' | 'adam';
export type ScheduleKind = 'constant' | 'step' | 'cosine';

export interface OptimizerOptions {
  kind: OptimizerKind;
  /** momentum coefficient, and Adam's β₁ */
  momentum: number;
  weightDecay: number;
  /** Adam only */
  beta2?: number;
  epsilon?: number;
}

/**
 * One optimizer over a model's flat vectors. Its update loops are kernels (sgdStep, momentumStep,
 * adamStep): `Optimizer.forModel` runs them on the model's kernel path, with the optimizer's
 * state in the model's memory; the plain constructor uses the TypeScript kernels.
 */
export class Optimizer {
  private readonly velocity: Float32Array;
  private readonly secondMoment: Float32Array;
  private t = 0;
  private beta1Power = 1;
  private beta2Power = 1;

  /**
   * @param k the kernels to update with (the TypeScript ones by default)
   * @param state two zeroed vectors of params.length for the optimizer's state (momentum or
   *   Adam's moments), in memory `k` can address; allocated here when omitted
   */
  constructor(
    private readonly params: Float32Array,
    private readonly grads: Float32Array,
    private readonly decayMask: Float32Array,
    readonly options: OptimizerOptions,
    private readonly k: Kernels = TS_KERNELS,
    state?: readonly [Float32Array, Float32Array],
  ) {
    const size = params.length;
    this.velocity = state?.[0] ?? new Float32Array(options.kind === 'sgd' ? 0 : size);
    this.secondMoment = state?.[1] ?? new Float32Array(options.kind === 'adam' ? size : 0);
  }

  /** An optimizer for `model`'s parameters on its kernel path, its state in the model's memory. */
  static forModel(
    model: {
      flatParams: Float32Array;
      flatGrads: Float32Array;
      decayMask: Float32Array;
      k: Kernels;
      optimizerState: readonly [Float32Array, Float32Array];
    },
    options: OptimizerOptions,
  ): Optimizer {
    const state = model.optimizerState;
    state[0].fill(0);
    state[1].fill(0);
    return new Optimizer(
      model.flatParams,
      model.flatGrads,
      model.decayMask,
      options,
      model.k,
      state,
    );
  }

  step(lr: number): void {
    const { params: p, grads: g, decayMask: mask, k } = this;
    const wd = this.options.weightDecay;
    const mu = this.options.momentum;
    const len = p.length;
    this.t++;
    switch (this.options.kind) {
      case 'sgd':
        k.sgdStep(len, lr, wd, p, g, mask);
        return;
      case 'momentum':
        // PyTorch's form: v ← μv + g;  p ← p − lr·v
        k.momentumStep(len, lr, mu, wd, p, g, mask, this.velocity);
        return;
      case 'adam': {
        const b1 = mu;
        const b2 = this.options.beta2 ?? 0.999;
        const eps = this.options.epsilon ?? 1e-8;
        // β^t as running products: exact repeated multiplication, the same in every engine
        this.beta1Power *= b1;
        this.beta2Power *= b2;
        const c1 = 1 - this.beta1Power;
        const c2 = 1 - this.beta2Power;
        const stepSize = (lr * Math.sqrt(c2)) / c1;
        const epsHat = eps * Math.sqrt(c2);
        k.adamStep(len, stepSize, b1, b2, epsHat, wd, p, g, mask, this.velocity, this.secondMoment);
        return;
      }
    }
  }
}

/**
 * Learning rate at `step` (0-based) of `total`: linear warm-up over `warmup` steps, then
 * constant, step (÷10 at 50% and again at 75% of the run, as in He et al.'s CIFAR schedule,
 * 32k/48k of 64k), or cosine decay to zero.
 */
export function learningRate(
  schedule: ScheduleKind,
  base: number,
  step: number,
  total: number,
  warmup: number,
): number {
  if (step < warmup) return (base * (step + 1)) / warmup;
  switch (schedule) {
    case 'constant':
      return base;
    case 'step': {
      const f = step / total;
      return f < 0.5 ? base : f < 0.75 ? base * 0.1 : base * 0.01;
    }
    case 'cosine': {
      const span = Math.max(1, total - warmup);
      const progress = Math.min(1, (step - warmup) / span);
      return 0.5 * base * (1 + cos(Math.PI * progress));
    }
  }
}
