/**
 * What the lesion study's figures draw and say, from its record alone (pure, no DOM): the points
 * of the single-block and the k-block figures, the measured findings, the captions' sentences and
 * the figures' CSV tables. Every number a sentence gives is read from the record.
 */
import {
  type Accuracy,
  LESION_NETS,
  type LesionNet,
  type LesionNetResult,
  type LesionRecord,
  median,
} from '../../../experiments/lesion.ts';

export const NET_NAMES: Record<LesionNet, string> = { plain: 'plain net', resnet: 'ResNet' };
export const NET_LABELS: Record<LesionNet, string> = { plain: 'Plain', resnet: 'ResNet' };

export interface ChartPoint {
  x: number;
  y: number | null;
  /** the spread over draws (k figure): lowest and highest */
  lo?: number | null;
  hi?: number | null;
}

/** Test accuracy after deleting block x (numbered from 1, as the page names blocks). */
export function singlePoints(r: LesionNetResult): ChartPoint[] {
  return r.single.map((s) => ({ x: s.block + 1, y: s.testAccuracy }));
}

function finite(values: readonly Accuracy[]): number[] {
  return values.filter((v): v is number => v !== null);
}

/** Median, lowest and highest test accuracy over draws for k = 0 (nothing deleted) … n. */
export function randomPoints(r: LesionNetResult): ChartPoint[] {
  const base = r.baseline.testAccuracy;
  const points: ChartPoint[] = [{ x: 0, y: base, lo: base, hi: base }];
  for (const k of r.random) {
    const xs = finite(k.testAccuracy);
    points.push({
      x: k.k,
      y: median(k.testAccuracy),
      lo: xs.length ? Math.min(...xs) : null,
      hi: xs.length ? Math.max(...xs) : null,
    });
  }
  return points;
}

/** Guessing: one over the number of classes. */
export function chanceOf(record: LesionRecord): number {
  return 1 / record.plain.dataset.classes;
}

export interface NetFindings {
  net: LesionNet;
  baseline: number | null;
  diverged: number | null;
  /** its trained accuracy is at least halfway from chance to 100 % */
  learned: boolean;
  /** the single deletion that cost most: its block (from 1) and the accuracy left */
  worst: { block: number; accuracy: number } | null;
  /** points of accuracy the worst and the median single deletion cost */
  worstCost: number | null;
  medianCost: number | null;
  /** single deletions that leave it at chance level or below */
  atChance: number;
  /** the largest k up to which every median over draws stays within 10 points of the baseline */
  kWithin10: number;
  /** the first k whose median is at chance level or below (null: none) */
  kAtChance: number | null;
}

/** The highest accuracy counted as "near chance": a tenth of the way from chance to 100 %. */
export function nearChance(chance: number): number {
  return chance + 0.1 * (1 - chance);
}

/** "Near chance": at most a tenth of the way from chance to 100 % (or below chance). */
export function isAtChance(accuracy: number, chance: number): boolean {
  return accuracy <= nearChance(chance);
}

export function netFindings(record: LesionRecord, net: LesionNet): NetFindings {
  const r = record[net];
  const chance = chanceOf(record);
  const baseline = r.baseline.testAccuracy;
  const singles = r.single.filter(
    (s): s is { block: number; testAccuracy: number } => s.testAccuracy !== null,
  );
  let worst: NetFindings['worst'] = null;
  for (const s of singles)
    if (worst === null || s.testAccuracy < worst.accuracy)
      worst = { block: s.block + 1, accuracy: s.testAccuracy };
  const costs = baseline === null ? [] : singles.map((s) => baseline - s.testAccuracy);
  let kWithin10 = 0;
  let kAtChance: number | null = null;
  if (baseline !== null) {
    for (const p of randomPoints(r).slice(1)) {
      if (p.y === null) break;
      if (kWithin10 === p.x - 1 && p.y >= baseline - 0.1) kWithin10 = p.x;
      if (kAtChance === null && isAtChance(p.y, chance)) kAtChance = p.x;
    }
  }
  return {
    net,
    baseline,
    diverged: r.diverged?.step ?? null,
    learned: baseline !== null && baseline - chance >= 0.5 * (1 - chance),
    worst,
    worstCost: worst && baseline !== null ? baseline - worst.accuracy : null,
    medianCost: costs.length ? median(costs) : null,
    atChance: singles.filter((s) => isAtChance(s.testAccuracy, chance)).length,
    kWithin10,
    kAtChance,
  };
}

export const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
export const points = (x: number) => `${(100 * x).toFixed(1)} points`;

/** Why a network's lesions cannot be read (it diverged or did not learn), or null. */
export function notLearned(f: NetFindings, chance: number): string | null {
  const name = NET_NAMES[f.net];
  if (f.diverged !== null)
    return `The ${name}'s training diverged at step ${f.diverged.toLocaleString('en')} (its loss was no longer finite): it has no accuracy to lose, so its lesions say nothing.`;
  if (!f.learned)
    return `The ${name} did not learn this task (test accuracy ${f.baseline === null ? '–' : pct(f.baseline)}; chance is ${pct(chance)}), so its lesions say nothing about its architecture — choose a smaller depth, where it trains (20 on the two spirals).`;
  return null;
}

/** The sentence of the single-block figure. */
export function singleSentence(record: LesionRecord): string {
  const n = record.resnet.single.length;
  const chance = chanceOf(record);
  const [plain, resnet] = LESION_NETS.map((net) => netFindings(record, net));
  const part = (f: NetFindings, lead: string) =>
    f.worst && f.baseline !== null
      ? `${lead} ${points(f.worstCost!)} (${pct(f.baseline)} → ${pct(f.worst.accuracy)}, block ${f.worst.block}; over all blocks a median of ${points(f.medianCost!)})`
      : `${lead} – (no accuracy was measured)`;
  return (
    `${part(resnet!, `Deleting any one of the ResNet's ${n} blocks costs at most`)}; ` +
    `${part(plain!, 'deleting one block of the plain net costs up to')}. Chance is ${pct(chance)}.`
  );
}

/** The sentence of the k-block figure. */
export function randomSentence(record: LesionRecord): string {
  const draws = record.config.draws;
  const chance = chanceOf(record);
  const n = record.resnet.single.length;
  const text = (f: NetFindings) => {
    const name = NET_NAMES[f.net];
    const within =
      f.kWithin10 === 0
        ? `falls more than 10 points below its trained accuracy already at k = 1`
        : f.kWithin10 === n
          ? `stays within 10 points of its trained accuracy even with all ${n} deleted`
          : `stays within 10 points of its trained accuracy up to k = ${f.kWithin10}`;
    const atChance =
      f.kAtChance === null
        ? `and never comes near chance (${pct(nearChance(chance))} or less)`
        : `and is near chance (${pct(nearChance(chance))} or less) from k = ${f.kAtChance}`;
    return `the ${name}'s median ${within} ${atChance}`;
  };
  const [plain, resnet] = LESION_NETS.map((net) => netFindings(record, net));
  return `With k random blocks deleted (${draws} draw${draws === 1 ? '' : 's'} for each k, the same blocks in both networks), ${text(resnet!)}; ${text(plain!)}.`;
}

/**
 * What is left with every block deleted (the stem and the head alone, the same layers in both
 * networks): if that still does well, the task needs few blocks, and surviving their deletion
 * says little about the shortcuts.
 */
export function allDeletedSentence(record: LesionRecord): string {
  const n = record.resnet.single.length;
  const chance = chanceOf(record);
  const left = (net: LesionNet) => record[net].random[n - 1]?.testAccuracy[0] ?? null;
  const resnet = left('resnet');
  const plain = left('plain');
  if (resnet === null || plain === null) return '';
  const text = `With all ${n} blocks deleted — the first and last layers alone — the ResNet scores ${pct(resnet)} and the plain net ${pct(plain)}`;
  return resnet - chance >= 0.5 * (1 - chance)
    ? `${text}: this task needs few of the blocks, so surviving their deletion says little about the shortcuts here.`
    : `${text}: the blocks do the work on this task.`;
}

/**
 * How our result compares with Veit et al.'s (literature §6): their ResNet-110 on CIFAR-10 barely
 * noticed the deletion of any single block but the downsampling ones, while deleting any layer of
 * a VGG network brought it to chance.
 */
export function paperComparison(record: LesionRecord): string {
  const chance = chanceOf(record);
  const [plain, resnet] = LESION_NETS.map((net) => netFindings(record, net));
  const n = record.resnet.single.length;
  if (!plain!.learned || !resnet!.learned || plain!.diverged !== null || resnet!.diverged !== null)
    return 'With a network that did not learn, this comparison cannot be made.';
  const r = resnet!;
  const p = plain!;
  const resnetPart =
    r.worstCost! <= 0.02
      ? `As there, no single deletion costs the ResNet more than ${points(0.02)}`
      : `Unlike there, the ResNet's worst single deletion costs ${points(r.worstCost!)} (the median one ${points(r.medianCost!)}): our networks are far smaller (${n} blocks of ${record.config.width} units, against 54 blocks), so each block likely carries a larger share of the work — and ours has no downsampling blocks, the paper's exception`;
  const plainPart =
    p.atChance > 0
      ? `; like the VGG network, the plain net falls near or below chance (${pct(nearChance(chance))} or less) when one block is deleted, in ${p.atChance} of its ${n} single deletions`
      : `; unlike the VGG network, no single deletion brings the plain net near chance (its worst leaves ${pct(p.worst!.accuracy)}, chance is ${pct(chance)}), though it costs ${points(p.worstCost!)}`;
  const allDeleted = record.resnet.random[n - 1]?.testAccuracy[0] ?? null;
  const caveat =
    allDeleted !== null && allDeleted - chance >= 0.5 * (1 - chance)
      ? ` But with every block deleted the ResNet still scores ${pct(allDeleted)}: this task needs few of its blocks, so the agreement says less than it seems.`
      : '';
  return `${resnetPart}${plainPart}.${caveat}`;
}

/** The single-block figure's table: one row per block. */
export function singleCsvRows(record: LesionRecord): (number | string | null)[][] {
  return record.resnet.single.map((s, i) => [
    s.block + 1,
    record.plain.single[i]?.testAccuracy ?? null,
    s.testAccuracy,
  ]);
}
export const SINGLE_CSV_COLUMNS = ['deleted block', 'plain test accuracy', 'resnet test accuracy'];

/** The k-block figure's table: one row per k (0: nothing deleted). */
export function randomCsvRows(record: LesionRecord): (number | null)[][] {
  const plain = randomPoints(record.plain);
  const resnet = randomPoints(record.resnet);
  return plain.map((p, i) => {
    const r = resnet[i]!;
    return [p.x, p.y, p.lo ?? null, p.hi ?? null, r.y, r.lo ?? null, r.hi ?? null];
  });
}
export const RANDOM_CSV_COLUMNS = [
  'deleted blocks k',
  'plain median',
  'plain lowest',
  'plain highest',
  'resnet median',
  'resnet lowest',
  'resnet highest',
];
