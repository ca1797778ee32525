/**
 * The compiled ops. Each op reads and writes preallocated Slots and Params; its backward rule
 * sits next to its forward rule. Backward passes ADD into their inputs' gradients (the model
 * zeroes them first), so a value used twice — by a block and by its shortcut — gets the sum of
 * both gradients without any special case.
 */
import * as K from './kernels.ts';
import type { Param, Slot } from './tensor.ts';

export interface Op {
  readonly kind: string;
  /** n: rows in this batch; training: batch statistics (BN) and saved state for backward */
  forward(n: number, training: boolean): void;
  backward(n: number): void;
}

/**
 * y = x·W + b. With groups > 1 (ResNeXt's aggregated paths) the layer is block-diagonal:
 * group g maps input features [g·in/G, (g+1)·in/G) to output features [g·out/G, …) with its own
 * (in/G × out/G) weights, stored one after another in W.
 */
export class Dense implements Op {
  readonly kind = 'dense';
  private readonly groupIn: number;
  private readonly groupOut: number;

  constructor(
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

  forward(n: number): void {
    const { x, y, groupIn: gi, groupOut: go } = this;
    for (let g = 0; g < this.groups; g++) {
      K.gemmNN(
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
    if (this.bias) K.addBias(n, y.dim, y.value, 0, y.dim, this.bias.value, 0);
  }

  backward(n: number): void {
    const { x, y, groupIn: gi, groupOut: go } = this;
    for (let g = 0; g < this.groups; g++) {
      K.gemmTN(
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
        K.gemmNT(
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
    if (this.bias) K.sumRows(n, y.dim, y.grad, 0, y.dim, this.bias.grad, 0, false);
  }
}

/** y = f(x) elementwise. */
export class Activation implements Op {
  readonly kind = 'activation';
  constructor(
    readonly x: Slot,
    readonly y: Slot,
    readonly fn: K.Act,
  ) {}

  forward(n: number): void {
    K.activationForward(this.fn, this.x.value, this.y.value, n * this.x.dim);
  }

  backward(n: number): void {
    if (!this.x.needsGrad) return;
    K.activationBackward(
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
  static readonly EPS = 1e-5;
  static readonly MOMENTUM = 0.1;
  readonly runningMean: Float32Array;
  readonly runningVar: Float32Array;
  private readonly xhat: Float32Array;
  private readonly invStd: Float32Array;
  private readonly sum: Float64Array;
  private readonly sumSq: Float64Array;
  private trainedLast = true;

  constructor(
    readonly x: Slot,
    readonly y: Slot,
    readonly gamma: Param,
    readonly beta: Param,
  ) {
    const d = x.dim;
    this.runningMean = new Float32Array(d);
    this.runningVar = new Float32Array(d).fill(1);
    this.xhat = new Float32Array(x.capacity * d);
    this.invStd = new Float32Array(d);
    this.sum = new Float64Array(d);
    this.sumSq = new Float64Array(d);
  }

  forward(n: number, training: boolean): void {
    const d = this.x.dim;
    const x = this.x.value;
    const y = this.y.value;
    const gamma = this.gamma.value;
    const beta = this.beta.value;
    const { xhat, invStd, sum, sumSq } = this;
    this.trainedLast = training;
    if (training) {
      sum.fill(0);
      sumSq.fill(0);
      for (let r = 0; r < n; r++) {
        const row = r * d;
        for (let j = 0; j < d; j++) sum[j] += x[row + j]!;
      }
      for (let j = 0; j < d; j++) sum[j] = sum[j]! / n; // now the mean
      for (let r = 0; r < n; r++) {
        const row = r * d;
        for (let j = 0; j < d; j++) {
          const c = x[row + j]! - sum[j]!;
          sumSq[j] += c * c;
        }
      }
      const m = BatchNorm.MOMENTUM;
      for (let j = 0; j < d; j++) {
        const variance = sumSq[j]! / n;
        invStd[j] = 1 / Math.sqrt(variance + BatchNorm.EPS);
        const unbiased = n > 1 ? sumSq[j]! / (n - 1) : variance;
        this.runningMean[j] = (1 - m) * this.runningMean[j]! + m * sum[j]!;
        this.runningVar[j] = (1 - m) * this.runningVar[j]! + m * unbiased;
      }
    } else {
      for (let j = 0; j < d; j++) {
        sum[j] = this.runningMean[j]!;
        invStd[j] = 1 / Math.sqrt(this.runningVar[j]! + BatchNorm.EPS);
      }
    }
    for (let r = 0; r < n; r++) {
      const row = r * d;
      for (let j = 0; j < d; j++) {
        const h = (x[row + j]! - sum[j]!) * invStd[j]!;
        xhat[row + j] = h;
        y[row + j] = gamma[j]! * h + beta[j]!;
      }
    }
  }

  backward(n: number): void {
    const d = this.x.dim;
    const dy = this.y.grad;
    const { xhat, invStd, sum: dBetaAcc, sumSq: dGammaAcc } = this;
    const gamma = this.gamma.value;
    dBetaAcc.fill(0);
    dGammaAcc.fill(0);
    for (let r = 0; r < n; r++) {
      const row = r * d;
      for (let j = 0; j < d; j++) {
        const g = dy[row + j]!;
        dBetaAcc[j] += g;
        dGammaAcc[j] += g * xhat[row + j]!;
      }
    }
    const dGamma = this.gamma.grad;
    const dBeta = this.beta.grad;
    for (let j = 0; j < d; j++) {
      dGamma[j] = dGammaAcc[j]!;
      dBeta[j] = dBetaAcc[j]!;
    }
    if (!this.x.needsGrad) return;
    const dx = this.x.grad;
    if (this.trainedLast) {
      // dx = γ·invStd/n · (n·dy − Σdy − x̂·Σ(dy·x̂))
      for (let r = 0; r < n; r++) {
        const row = r * d;
        for (let j = 0; j < d; j++) {
          const k = (gamma[j]! * invStd[j]!) / n;
          dx[row + j] += k * (n * dy[row + j]! - dBetaAcc[j]! - xhat[row + j]! * dGammaAcc[j]!);
        }
      }
    } else {
      for (let r = 0; r < n; r++) {
        const row = r * d;
        for (let j = 0; j < d; j++) dx[row + j] += dy[row + j]! * gamma[j]! * invStd[j]!;
      }
    }
  }
}

/** y = x·s with a learnable per-feature scale s — the scale that ends every residual branch. */
export class Scale implements Op {
  readonly kind = 'scale';
  constructor(
    readonly x: Slot,
    readonly y: Slot,
    readonly scale: Param,
  ) {}

  forward(n: number): void {
    K.scaleColumns(n, this.x.dim, this.x.value, this.scale.value, this.y.value);
  }

  backward(n: number): void {
    const d = this.x.dim;
    const x = this.x.value;
    const dy = this.y.grad;
    const s = this.scale.value;
    const ds = this.scale.grad;
    ds.fill(0);
    for (let r = 0; r < n; r++) {
      const row = r * d;
      for (let j = 0; j < d; j++) ds[j] += dy[row + j]! * x[row + j]!;
    }
    if (!this.x.needsGrad) return;
    const dx = this.x.grad;
    for (let r = 0; r < n; r++) {
      const row = r * d;
      for (let j = 0; j < d; j++) dx[row + j] += dy[row + j]! * s[j]!;
    }
  }
}

/** y = a + b: the shortcut's addition. */
export class Add implements Op {
  readonly kind = 'add';
  constructor(
    readonly a: Slot,
    readonly b: Slot,
    readonly y: Slot,
  ) {}

  forward(n: number): void {
    K.add(this.a.value, this.b.value, this.y.value, n * this.y.dim);
  }

  backward(n: number): void {
    const len = n * this.y.dim;
    if (this.a.needsGrad) K.addInto(this.a.grad, this.y.grad, len);
    if (this.b.needsGrad) K.addInto(this.b.grad, this.y.grad, len);
  }
}

/**
 * y = [x₀, x₁, …] along the feature axis: DenseNet's connectivity. An input marked as cut
 * contributes zeros (and receives no gradient) — the block's plain twin, with the same weight
 * shapes but no information flowing through the skipped paths.
 */
export class Concat implements Op {
  readonly kind = 'concat';
  constructor(
    readonly inputs: readonly Slot[],
    readonly y: Slot,
    readonly cut: readonly boolean[],
  ) {
    const total = inputs.reduce((s, x) => s + x.dim, 0);
    if (total !== y.dim) throw new Error(`concat: inputs have ${total} features, output ${y.dim}`);
  }

  forward(n: number): void {
    const yd = this.y.dim;
    const y = this.y.value;
    let col = 0;
    for (let k = 0; k < this.inputs.length; k++) {
      const x = this.inputs[k]!;
      const d = x.dim;
      const xv = x.value;
      const cut = this.cut[k];
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
      if (!this.cut[k] && x.needsGrad) {
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
  constructor(
    readonly h: Slot,
    readonly t: Slot,
    readonly x: Slot,
    readonly y: Slot,
    readonly carry: boolean,
  ) {}

  forward(n: number): void {
    const len = n * this.y.dim;
    const h = this.h.value;
    const t = this.t.value;
    const x = this.x.value;
    const y = this.y.value;
    if (this.carry) for (let i = 0; i < len; i++) y[i] = h[i]! * t[i]! + x[i]! * (1 - t[i]!);
    else for (let i = 0; i < len; i++) y[i] = h[i]! * t[i]!;
  }

  backward(n: number): void {
    const len = n * this.y.dim;
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
