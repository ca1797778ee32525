/**
 * Losses over a batch of logits. Each returns the mean loss over the batch (float64) and writes
 * ∂loss/∂logits into the logits' gradient — overwriting it, as the loss is where backward starts.
 */
import { exp, log, log1p, sigmoid } from './math.ts';
import type { Slot } from './tensor.ts';

export type LossKind = 'softmax' | 'sigmoid';

export interface LossResult {
  loss: number;
  /** examples whose predicted class equals the label */
  correct: number;
}

/** Softmax cross-entropy with integer labels; logits [n × classes]. */
export function softmaxCrossEntropy(
  logits: Slot,
  labels: Int32Array,
  n: number,
  out: LossResult,
  withGrad: boolean,
): void {
  const c = logits.dim;
  const z = logits.value;
  const g = logits.grad;
  let total = 0;
  let correct = 0;
  for (let r = 0; r < n; r++) {
    const row = r * c;
    let max = z[row]!;
    let arg = 0;
    for (let j = 1; j < c; j++) {
      if (z[row + j]! > max) {
        max = z[row + j]!;
        arg = j;
      }
    }
    let sum = 0;
    for (let j = 0; j < c; j++) sum += exp(z[row + j]! - max);
    const label = labels[r]!;
    total += log(sum) + max - z[row + label]!;
    if (arg === label) correct++;
    if (withGrad) {
      for (let j = 0; j < c; j++) {
        const p = exp(z[row + j]! - max) / sum;
        g[row + j] = (p - (j === label ? 1 : 0)) / n;
      }
    }
  }
  out.loss = total / n;
  out.correct = correct;
}

/**
 * Sigmoid cross-entropy. With one output the label (0 or 1) is the target; with several
 * outputs the target is the label's one-hot vector (one-vs-all), and the loss is summed over
 * outputs and averaged over examples.
 */
export function sigmoidCrossEntropy(
  logits: Slot,
  labels: Int32Array,
  n: number,
  out: LossResult,
  withGrad: boolean,
): void {
  const c = logits.dim;
  const z = logits.value;
  const g = logits.grad;
  let total = 0;
  let correct = 0;
  for (let r = 0; r < n; r++) {
    const row = r * c;
    const label = labels[r]!;
    let arg = 0;
    for (let j = 0; j < c; j++) {
      const v = z[row + j]!;
      const t = c === 1 ? label : j === label ? 1 : 0;
      // log(1 + e^v) − v·t, written so that it never overflows
      total += Math.max(v, 0) - v * t + log1p(exp(-Math.abs(v)));
      if (withGrad) g[row + j] = (sigmoid(v) - t) / n;
      if (v > z[row + arg]!) arg = j;
    }
    const predicted = c === 1 ? (z[row]! > 0 ? 1 : 0) : arg;
    if (predicted === label) correct++;
  }
  out.loss = total / n;
  out.correct = correct;
}
