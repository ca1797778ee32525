/**
 * Batch norm trains and evaluates differently: a step normalises with the mini-batch's own
 * statistics (training mode), an evaluation with the running averages of them (evaluation
 * mode). When the two disagree, the same network has two very different losses; this measures
 * the disagreement from a run's own numbers, so the page can say so where it happens.
 */
import { powerOfTen } from '../math/format.ts';

/** The losses of one network at one step, in both modes. */
export interface ModeGap {
  step: number;
  /** the mean mini-batch loss of the step event (training mode) */
  batchLoss: number;
  /** the loss on training examples in evaluation mode (running statistics) */
  evalLoss: number;
  /** evalLoss / batchLoss */
  ratio: number;
}

/**
 * A gap is worth a note when evaluation's loss is this many times the mini-batches'. (A lower
 * evaluation loss is the ordinary case: the network has learned since those batches.)
 */
export const NOTABLE_RATIO = 3;

/**
 * The gap at `step`, or null when either loss is missing or not finite, or when evaluation's is
 * less than NOTABLE_RATIO times the mini-batches'.
 */
export function modeGap(
  step: number,
  batchLoss: number | null | undefined,
  evalLoss: number | null | undefined,
): ModeGap | null {
  if (batchLoss == null || evalLoss == null) return null;
  if (!Number.isFinite(batchLoss) || !Number.isFinite(evalLoss)) return null;
  if (!(batchLoss > 0) || !(evalLoss > 0)) return null;
  const ratio = evalLoss / batchLoss;
  if (ratio < NOTABLE_RATIO) return null;
  return { step, batchLoss, evalLoss, ratio };
}

/** The row of `step` in a table's steps (searched from the end), or -1. */
export function rowOf(steps: readonly number[], step: number): number {
  for (let i = steps.length - 1; i >= 0; i--) {
    if (steps[i] === step) return i;
    if (steps[i]! < step) return -1;
  }
  return -1;
}

/** "682.86", "2.300", "1.35 × 10³¹" */
export function lossWords(v: number): string {
  if (Math.abs(v) >= 1e6) {
    const [m, e] = v.toExponential(2).split('e');
    return `${m} × ${powerOfTen(Number(e))}`;
  }
  return v >= 100 ? v.toFixed(2) : v.toFixed(3);
}

/** "2.4", "38", "7.85 × 10¹⁸": how many times one loss is another */
export function ratioWords(ratio: number): string {
  if (ratio >= 1e6) return lossWords(ratio);
  return ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(1);
}
