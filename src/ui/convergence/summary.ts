/**
 * Pure summaries of a sweep record (experiments/sweep.ts) for Convergence Speed Analysis and the
 * Plain Network Issues / ResNet Advantages cards: per block type and depth, the median and the
 * spread over seeds of the final training loss and of the steps to the target accuracy.
 *
 * "Not reached within the budget" (stepsToTarget: null) is kept as such: for the median it counts
 * as later than every reached step (a censored value, as in survival statistics), so a median of
 * three seeds of which two did not reach the target is itself "not reached" — never a number the
 * runs did not reach.
 */
import type { Arch } from '../../engine/model.ts';
import type { SweepRecord, SweepRun } from '../../experiments/sweep.ts';

/** One block type at one depth, over its seeds. */
export interface DepthCell {
  arch: Arch;
  depth: number;
  runs: SweepRun[];
  /** median final training loss of the runs that finished (null: none did) */
  lossMedian: number | null;
  lossMin: number | null;
  lossMax: number | null;
  /** median final training accuracy, and its spread */
  accuracyMedian: number | null;
  accuracyMin: number | null;
  accuracyMax: number | null;
  /** median steps to the target; null when the median run did not reach it */
  stepsMedian: number | null;
  /** the fastest and slowest reached runs (null when none reached) */
  stepsMin: number | null;
  stepsMax: number | null;
  /** how many seeds did not reach the target within the budget */
  notReached: number;
  diverged: number;
}

/** The median of sorted numbers (mean of the middle two for an even count). */
function medianOfSorted(sorted: readonly number[]): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const mid = Math.floor(n / 2);
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function median(values: readonly number[]): number | null {
  return medianOfSorted([...values].sort((a, b) => a - b));
}

/**
 * The median of steps where null means "not reached" (later than any number): null when the
 * middle run(s) did not reach the target.
 */
export function censoredMedian(steps: readonly (number | null)[]): number | null {
  const n = steps.length;
  if (n === 0) return null;
  const sorted = [...steps].sort((a, b) => (a ?? Infinity) - (b ?? Infinity));
  const mid = Math.floor(n / 2);
  const pick = n % 2 === 1 ? [sorted[mid]!] : [sorted[mid - 1]!, sorted[mid]!];
  if (pick.some((x) => x === null)) return null;
  return (pick as number[]).reduce((a, b) => a + b, 0) / pick.length;
}

function finite(values: (number | null | undefined)[]): number[] {
  return values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
}

/** The cells of a sweep, per block type in the record's order, each sorted by depth. */
export function depthCells(record: Pick<SweepRecord, 'runs'>): Map<Arch, DepthCell[]> {
  const byArch = new Map<Arch, Map<number, SweepRun[]>>();
  for (const run of record.runs) {
    // a run that could not finish measured nothing: it is listed, never drawn or counted
    if (run.failed) continue;
    let depths = byArch.get(run.arch);
    if (!depths) byArch.set(run.arch, (depths = new Map()));
    let runs = depths.get(run.depth);
    if (!runs) depths.set(run.depth, (runs = []));
    runs.push(run);
  }
  const out = new Map<Arch, DepthCell[]>();
  for (const [arch, depths] of byArch) {
    const cells: DepthCell[] = [];
    for (const [depth, runs] of [...depths].sort((a, b) => a[0] - b[0])) {
      const losses = finite(runs.map((r) => r.final?.trainLoss));
      const accuracies = finite(runs.map((r) => r.final?.trainAccuracy));
      const reached = runs.map((r) => r.stepsToTarget).filter((s): s is number => s !== null);
      cells.push({
        arch,
        depth,
        runs,
        lossMedian: median(losses),
        lossMin: losses.length ? Math.min(...losses) : null,
        lossMax: losses.length ? Math.max(...losses) : null,
        accuracyMedian: median(accuracies),
        accuracyMin: accuracies.length ? Math.min(...accuracies) : null,
        accuracyMax: accuracies.length ? Math.max(...accuracies) : null,
        stepsMedian: censoredMedian(runs.map((r) => r.stepsToTarget)),
        stepsMin: reached.length ? Math.min(...reached) : null,
        stepsMax: reached.length ? Math.max(...reached) : null,
        notReached: runs.length - reached.length,
        diverged: runs.filter((r) => r.diverged !== null).length,
      });
    }
    out.set(arch, cells);
  }
  return out;
}

/** The name a reader knows a network by: "Plain-56", "ResNet-20". */
export function netName(arch: Arch, depth: number): string {
  const names: Record<Arch, string> = {
    plain: 'Plain',
    resnet: 'ResNet',
    preact: 'Pre-activation ResNet',
    bottleneck: 'Bottleneck ResNet',
    highway: 'Highway',
    densenet: 'DenseNet',
    resnext: 'ResNeXt',
  };
  return `${names[arch]}-${depth}`;
}

/** The loss of a network that guesses uniformly: ln(classes). */
export function chanceLoss(classes: number): number {
  return Math.log(classes);
}

/** Classes of a sweep's dataset (the 2-D sets: blobs has 3, the others 2; digits 10). */
export function classesOf(dataset: string): number {
  if (dataset === 'digits') return 10;
  return dataset === 'blobs' ? 3 : 2;
}

// ── the cards: every claim checked against the sweep ──

/** Where a claim's evidence is drawn. */
export type FigureId = 'conv-steps-figure' | 'conv-loss-figure';

export interface Claim {
  id: string;
  title: string;
  /** whether this sweep shows it */
  supported: boolean;
  /** the measured sentence (or why the sweep cannot tell) */
  text: string;
  figure: FigureId;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const steps = (n: number) => n.toLocaleString('en');
const lossText = (x: number) => (x < 0.01 ? x.toPrecision(2) : x.toFixed(3));

function stepsText(cell: DepthCell, budget: number): string {
  if (cell.stepsMedian === null)
    return `not reached within ${steps(budget)} steps (${cell.notReached} of ${cell.runs.length} seeds)`;
  const suffix = cell.notReached ? `; ${cell.notReached} of ${cell.runs.length} seeds did not` : '';
  return `${cell.stepsMedian} steps (median${suffix})`;
}

/**
 * The eight claims of the two cards, each measured on the sweep: plain networks' issues (loss
 * plateaus early, accuracy degrades with depth, unstable training, slow convergence when deep)
 * and the residual networks' advantages (smooth loss reduction, consistent accuracy, stable at
 * every depth, fast convergence when very deep). A claim the sweep does not show says so.
 */
export function cardClaims(record: SweepRecord): { plain: Claim[]; resnet: Claim[] } | null {
  const cells = depthCells(record);
  const plain = cells.get('plain');
  const resnet = cells.get('resnet');
  if (!plain?.length || !resnet?.length) return null;
  const budget = record.config.steps;
  const target = record.config.targetAccuracy;
  const pShallow = plain[0]!;
  const pDeep = plain[plain.length - 1]!;
  const rShallow = resnet[0]!;
  const rDeep = resnet[resnet.length - 1]!;
  const chance = chanceLoss(classesOf(record.config.dataset));
  const few = plain.length < 2 || resnet.length < 2;
  const needsDepths = 'not supported by this sweep: it needs at least two depths';

  // 1. plateau: the deepest plain net ends near the loss of guessing, where training starts
  const plateau = pDeep.lossMedian !== null && pDeep.lossMedian > 0.8 * chance;
  const plateauText =
    pDeep.lossMedian === null
      ? 'not supported by this sweep: no plain run finished'
      : plateau
        ? `${netName('plain', pDeep.depth)} ends at a training loss of ${lossText(pDeep.lossMedian)} (median of ${pDeep.runs.length} seeds) after ${steps(budget)} steps — ${pct(pDeep.lossMedian / chance)} of the ${lossText(chance)} of a network that only guesses: it has learnt next to nothing. (The sweep keeps final values, so when its loss stopped falling is not measured here; Training Dynamics draws the curve.)`
        : `not supported by this sweep: ${netName('plain', pDeep.depth)} ends at a training loss of ${lossText(pDeep.lossMedian)}, well below the ${lossText(chance)} of guessing (the sweep keeps final values only, not the curve; watch one in Training Dynamics).`;

  // 2. accuracy degrades with depth (median final training accuracy, shallowest vs deepest)
  const degrade =
    !few &&
    pShallow.accuracyMedian !== null &&
    pDeep.accuracyMedian !== null &&
    pShallow.accuracyMedian - pDeep.accuracyMedian > 0.05;
  const degradeText = few
    ? needsDepths
    : pShallow.accuracyMedian === null || pDeep.accuracyMedian === null
      ? 'not supported by this sweep: no plain run finished'
      : `${degrade ? '' : 'not supported by this sweep: '}median final training accuracy ${pct(pShallow.accuracyMedian)} at ${pShallow.depth} layers, ${pct(pDeep.accuracyMedian)} at ${pDeep.depth} — on the training data itself, so not overfitting.`;

  // 3. unstable: divergence, or seeds that disagree far more than the residual nets' do
  const plainDiverged = plain.reduce((a, c) => a + c.diverged, 0);
  const spread = (c: DepthCell) =>
    c.accuracyMax !== null && c.accuracyMin !== null ? c.accuracyMax - c.accuracyMin : null;
  const pSpread = spread(pDeep);
  const rSpread = spread(rDeep);
  const unstable =
    plainDiverged > 0 || (pSpread !== null && rSpread !== null && pSpread > 2 * rSpread + 0.01);
  const unstableText =
    pSpread === null || rSpread === null
      ? 'not supported by this sweep: a run did not finish'
      : `${unstable ? '' : 'not supported by this sweep: '}over ${pDeep.runs.length} seeds, ${netName('plain', pDeep.depth)}'s final training accuracy spans ${pct(pDeep.accuracyMin!)}–${pct(pDeep.accuracyMax!)} (${(100 * pSpread).toFixed(1)} points), ${netName('resnet', rDeep.depth)}'s ${pct(rDeep.accuracyMin!)}–${pct(rDeep.accuracyMax!)} (${(100 * rSpread).toFixed(1)} points)${plainDiverged ? `; ${plainDiverged} plain run${plainDiverged === 1 ? '' : 's'} diverged` : '; no run diverged'}.`;

  // 4. slow convergence when deep: later (or never) than the shallow plain net
  const later = (deep: DepthCell, shallow: DepthCell) =>
    shallow.stepsMedian !== null &&
    (deep.stepsMedian === null || deep.stepsMedian > shallow.stepsMedian * 1.5);
  const slow = !few && later(pDeep, pShallow);
  const slowText = few
    ? needsDepths
    : `${slow ? '' : 'not supported by this sweep: '}to reach ${pct(target)} training accuracy, ${netName('plain', pShallow.depth)} takes ${stepsText(pShallow, budget)}; ${netName('plain', pDeep.depth)} ${stepsText(pDeep, budget)}.`;

  // 5. smooth loss reduction: a sweep record keeps final values, not curves, so smoothness
  // itself is not measured; what it does show is said
  const rWorst = Math.max(...resnet.map((c) => c.lossMedian ?? Infinity));
  const endsLow =
    Number.isFinite(rWorst) && rWorst < 0.5 * chance && resnet.every((c) => c.diverged === 0);
  const smooth = false;
  const smoothText = `not measured by this sweep: it keeps each run's final values, not its curve (Training Dynamics draws the curves). What it does show: ${
    endsLow
      ? `at every depth the ResNets' median final training loss is at most ${lossText(rWorst)} (guessing: ${lossText(chance)}), and no ResNet run diverged.`
      : `a ResNet's median final training loss is ${Number.isFinite(rWorst) ? lossText(rWorst) : 'missing'} (guessing: ${lossText(chance)}).`
  }`;

  // 6. consistent accuracy: the deepest ResNet at least as accurate as the shallowest
  const consistent =
    !few &&
    rShallow.accuracyMedian !== null &&
    rDeep.accuracyMedian !== null &&
    rDeep.accuracyMedian >= rShallow.accuracyMedian - 0.005;
  const consistentText = few
    ? needsDepths
    : `${consistent ? '' : 'not supported by this sweep: '}median final training accuracy ${resnet.map((c) => `${pct(c.accuracyMedian ?? NaN)} at ${c.depth}`).join(', ')} layers; the plain nets: ${plain.map((c) => `${pct(c.accuracyMedian ?? NaN)} at ${c.depth}`).join(', ')}.`;

  // 7. stable at every depth: every ResNet run finished, none diverged, all reached the target
  const rRuns = resnet.reduce((a, c) => a + c.runs.length, 0);
  const rDiverged = resnet.reduce((a, c) => a + c.diverged, 0);
  const rMissed = resnet.reduce((a, c) => a + c.notReached, 0);
  const stable = rDiverged === 0 && rMissed === 0;
  const stableText = `${stable ? '' : 'not supported by this sweep: '}${rRuns - rDiverged} of ${rRuns} ResNet runs (depths ${resnet.map((c) => c.depth).join(', ')}, ${rDeep.runs.length} seeds each) trained without diverging, and ${rRuns - rMissed} of ${rRuns} reached ${pct(target)} training accuracy within ${steps(budget)} steps.`;

  // 8. fast convergence when very deep: the deepest ResNet reaches the target, no later than
  // twice the shallowest ResNet, and sooner than the deepest plain net
  const fast =
    !few &&
    rDeep.stepsMedian !== null &&
    (pDeep.stepsMedian === null || rDeep.stepsMedian < pDeep.stepsMedian) &&
    rShallow.stepsMedian !== null &&
    rDeep.stepsMedian <= 2 * rShallow.stepsMedian;
  const fastText = few
    ? needsDepths
    : `${fast ? '' : 'not supported by this sweep: '}${netName('resnet', rDeep.depth)} reaches ${pct(target)} in ${stepsText(rDeep, budget)}, ${netName('resnet', rShallow.depth)} in ${stepsText(rShallow, budget)}; ${netName('plain', pDeep.depth)}: ${stepsText(pDeep, budget)}.`;

  const sentence = (c: Claim): Claim => ({
    ...c,
    text: c.text[0]!.toUpperCase() + c.text.slice(1),
  });
  const cards: { plain: Claim[]; resnet: Claim[] } = {
    plain: [
      {
        id: 'plateau',
        title: 'Loss plateaus early',
        supported: plateau,
        text: plateauText,
        figure: 'conv-loss-figure',
      },
      {
        id: 'degrades',
        title: 'Accuracy degrades with depth',
        supported: degrade,
        text: degradeText,
        figure: 'conv-loss-figure',
      },
      {
        id: 'unstable',
        title: 'Unstable training dynamics',
        supported: unstable,
        text: unstableText,
        figure: 'conv-loss-figure',
      },
      {
        id: 'slow',
        title: 'Slow convergence for deep networks',
        supported: slow,
        text: slowText,
        figure: 'conv-steps-figure',
      },
    ],
    resnet: [
      {
        id: 'smooth',
        title: 'Smooth loss reduction',
        supported: smooth,
        text: smoothText,
        figure: 'conv-loss-figure',
      },
      {
        id: 'consistent',
        title: 'Consistent accuracy improvement',
        supported: consistent,
        text: consistentText,
        figure: 'conv-loss-figure',
      },
      {
        id: 'stable',
        title: 'Stable training across all depths',
        supported: stable,
        text: stableText,
        figure: 'conv-steps-figure',
      },
      {
        id: 'fast',
        title: 'Fast convergence even for very deep networks',
        supported: fast,
        text: fastText,
        figure: 'conv-steps-figure',
      },
    ],
  };
  return { plain: cards.plain.map(sentence), resnet: cards.resnet.map(sentence) };
}
