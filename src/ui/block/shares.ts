/**
 * The branch and the shortcut in a residual block's output, from the engine's per-block
 * statistics (‖F(x)‖, ‖x‖, ‖F(x) + x‖ over a batch), and the sentence that reads them. Pure: the
 * words follow the numbers, so the page never claims what was not measured.
 */
import type { ResidualStats } from '../../engine/stats.ts';

export interface Shares {
  branch: number;
  shortcut: number;
  sum: number;
  /** ‖F(x)‖/‖x‖; null when ‖x‖ is 0 */
  ratio: number | null;
  /** ‖F(x)‖ / (‖F(x)‖ + ‖x‖): the branch's part of the two norms, 0…1; null when both are 0 */
  branchPart: number | null;
}

export function sharesOf(row: ResidualStats): Shares {
  const { branchNorm: branch, shortcutNorm: shortcut, sumNorm: sum } = row;
  return {
    branch,
    shortcut,
    sum,
    ratio: shortcut > 0 ? branch / shortcut : null,
    branchPart: branch + shortcut > 0 ? branch / (branch + shortcut) : null,
  };
}

/** "3.2%", "41%", "1.8×" — a ratio of two norms for reading. */
export function ratioText(r: number): string {
  if (r >= 1) return `${r >= 10 ? r.toFixed(0) : r.toFixed(1)}×`;
  const p = r * 100;
  return `${p < 0.1 ? p.toPrecision(1) : p < 10 ? p.toFixed(1) : p.toFixed(0)}%`;
}

/** "3.2% of the size of", "1.8× the size of" */
const sizeOf = (r: number): string => `${ratioText(r)}${r < 1 ? ' of' : ''} the size of`;

export interface ShareReading {
  /** the block, from 1 */
  block: number;
  /** highway: the transform H·T and the carry x·(1 − T) take the places of F(x) and x */
  highway: boolean;
  first: { step: number; ratio: number } | null;
  now: { step: number; ratio: number };
}

/** What the measured ratios say, in words that claim no more than the numbers show. */
export function shareSentence(r: ShareReading): string {
  const branch = r.highway ? 'the transform H·T' : 'the branch F(x)';
  const shortcut = r.highway ? 'the carried x·(1 − T)' : 'the shortcut’s x';
  const parts: string[] = [];
  if (r.first && r.first.step < r.now.step)
    parts.push(
      `At step ${r.first.step}, the first measurement, ${branch} of block ${r.block} was ${sizeOf(r.first.ratio)} ${shortcut}` +
        (r.first.ratio < 0.05 && !r.highway
          ? ': the block was still almost exactly the identity.'
          : '.'),
    );
  const now = `At step ${r.now.step} it is ${sizeOf(r.now.ratio)} ${shortcut}`;
  const trend = !r.first || r.first.step >= r.now.step ? null : r.now.ratio / r.first.ratio;
  let verdict = '.';
  if (r.now.ratio >= 1) verdict = `: ${branch} now outweighs ${shortcut}.`;
  else if (trend !== null && trend >= 2)
    verdict = r.now.ratio < 0.1 ? ': it has grown, and is still small.' : ': it has grown.';
  else if (trend !== null && trend <= 0.5) verdict = ': it has shrunk.';
  else if (r.now.ratio < 0.1) verdict = `: ${branch} is still small next to ${shortcut}.`;
  parts.push(now + verdict);
  return parts.join(' ');
}
