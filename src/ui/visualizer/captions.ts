/**
 * The visualizer's captions, computed from what was measured (pure): each states the numbers and
 * then what they show — and says so when an expected effect did not appear.
 */
import type { SweepRecord, SweepRun } from '../../experiments/sweep.ts';
import { times } from '../intro/measures.ts';
import { formatNumber } from './stats.ts';

/**
 * ‖g_first‖ / ‖g_last‖: the first weight layer's (the stem's) gradient norm over the last's (the
 * head's). 0 when the first is 0 and the last is not; null when it cannot be formed.
 */
export function firstOverLast(g: readonly number[] | null | undefined): number | null {
  if (!g || g.length < 2) return null;
  const first = g[0]!;
  const last = g[g.length - 1]!;
  if (!Number.isFinite(first) || !Number.isFinite(last) || last <= 0) return null;
  return first / last;
}

/** The ratio in words: a number, or why there is none. */
export function ratioText(g: readonly number[] | null | undefined): string {
  if (!g) return '—';
  if (g.length > 0 && g.every((v) => v === 0)) return 'undefined (every gradient is 0)';
  const r = firstOverLast(g);
  return r === null ? '—' : formatNumber(r);
}

const within = (r: number) => r >= 0.1 && r <= 10;

function resnetClause(r: number | null): string {
  if (r === null) return '';
  if (within(r)) return ", while the ResNet's stays within an order of magnitude";
  if (r < 0.1) return `, and the ResNet's shrinks too (by ${times(1 / r)})`;
  return `, and the ResNet's grows too (by ${times(r)})`;
}

export interface GradientMeasurement {
  depth: number;
  /** per-layer gradient norms at initialisation (the first step's gradient) */
  plainInit: readonly number[] | null;
  resnetInit: readonly number[] | null;
  /** the latest per-layer gradient norms, and their step */
  plainLive: readonly number[] | null;
  resnetLive: readonly number[] | null;
  liveStep: number | null;
  /** the latest training losses (for "yet it trains worse") */
  plainLoss: number | null;
  resnetLoss: number | null;
}

/** Two sentences: the ratios measured, then what they show. Empty until the first measurement. */
export function gradientCaption(m: GradientMeasurement): string[] {
  if (!m.plainInit || !m.resnetInit) return [];
  const d = m.depth;
  let first = `At initialisation ‖g_first‖/‖g_last‖ (stem over head) is ${ratioText(m.plainInit)} in Plain-${d} and ${ratioText(m.resnetInit)} in ResNet-${d}`;
  if (m.plainLive && m.resnetLive && m.liveStep !== null)
    first += `; at step ${m.liveStep} it is ${ratioText(m.plainLive)} and ${ratioText(m.resnetLive)}`;
  first += '.';
  const rp = firstOverLast(m.plainInit);
  const rr = firstOverLast(m.resnetInit);
  const zeros = m.plainInit.filter((v) => v === 0).length;
  let second: string;
  if (zeros === m.plainInit.length)
    second = `The plain net's gradient vanished completely — it is exactly 0 in float32 at all ${zeros} weight layers, because its signal died on the way forward${resnetClause(rr)}.`;
  else if (rp !== null && rp < 0.1)
    second = `The plain net's gradient shrinks ${rp === 0 ? 'to exactly 0' : `${times(1 / rp)}`} on its way back to the first layer${zeros > 0 ? ` (0 in ${zeros} of its ${m.plainInit.length} layers)` : ''}${resnetClause(rr)}.`;
  else if (rp !== null && rp > 10)
    second = `The plain net's gradient grows ${times(rp)} on its way back instead of vanishing${resnetClause(rr)}.`;
  else {
    second =
      "The plain net's gradient did not vanish here: from head to stem it stays within an order of magnitude";
    if (m.plainLoss !== null && m.resnetLoss !== null && m.liveStep !== null)
      second +=
        m.plainLoss > m.resnetLoss * 1.05
          ? `, and yet at step ${m.liveStep} it trains worse, with a training loss of ${m.plainLoss.toFixed(3)} against the ResNet's ${m.resnetLoss.toFixed(3)}.`
          : `, and at step ${m.liveStep} it does not train worse either, with a training loss of ${m.plainLoss.toFixed(3)} against the ResNet's ${m.resnetLoss.toFixed(3)}.`;
    else second += '.';
  }
  return [first, second];
}

/** A note when the ResNet's block layers start with no gradient (every branch scaled by zero). */
export function zeroBranchNote(resnetInit: readonly number[] | null): string | null {
  if (!resnetInit) return null;
  const zeros = resnetInit.filter((v) => v === 0).length;
  if (zeros === 0) return null;
  return `${zeros} of the ResNet's ${resnetInit.length} weight layers have no bar at initialisation: their gradient is exactly 0, since every residual branch starts scaled by zero (each block is the identity) and only that scale learns in the first step.`;
}

const lossOf = (r: SweepRun | undefined): number | null => r?.final?.trainLoss ?? null;

function lossWords(r: SweepRun | undefined): string {
  if (!r) return '—';
  if (r.diverged) return `diverged at step ${r.diverged.step}`;
  const v = lossOf(r);
  return v === null ? '—' : v.toFixed(3);
}

/** What the demonstration measured, in two sentences. */
export function demoCaption(record: SweepRecord): string[] {
  const depths = record.config.depths;
  const find = (arch: string, depth: number) =>
    record.runs.find((r) => r.arch === arch && r.depth === depth);
  const shallow = depths[0]!;
  const deep = depths[depths.length - 1]!;
  const p0 = find('plain', shallow);
  const p1 = find('plain', deep);
  const r1 = find('resnet', deep);
  const a = lossOf(p0);
  const b = lossOf(p1);
  const first =
    a !== null && b !== null && !p1?.diverged
      ? b > a * 1.05
        ? `After ${record.config.steps} steps the ${deep}-layer plain net ends with a higher training loss than the ${shallow}-layer one (${lossWords(p1)} against ${lossWords(p0)}): it is worse on its own training data, so this is degradation, not overfitting.`
        : `After ${record.config.steps} steps the ${deep}-layer plain net is not worse than the ${shallow}-layer one (training loss ${lossWords(p1)} against ${lossWords(p0)}): at this scale no degradation appeared.`
      : `After ${record.config.steps} steps the plain nets' final training losses are ${lossWords(p0)} at ${shallow} layers and ${lossWords(p1)} at ${deep}.`;
  const c = lossOf(r1);
  const second =
    b !== null && c !== null
      ? c < b * 0.95
        ? `At ${deep} layers the ResNet reaches ${lossWords(r1)}, lower than its plain twin's ${lossWords(p1)}.`
        : `At ${deep} layers the ResNet reaches ${lossWords(r1)}, not lower than its plain twin's ${lossWords(p1)}.`
      : `At ${deep} layers the ResNet's final training loss is ${lossWords(r1)} and the plain net's ${lossWords(p1)}.`;
  return [first, second];
}
