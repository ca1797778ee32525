/**
 * The two figures of Convergence Speed Analysis as plain data for DepthChart: steps to the
 * target accuracy against depth, and final training loss against depth, per block type, from a
 * sweep record (summary.ts for the medians and spreads). A run with no value (not reached,
 * diverged) keeps null, which the chart draws in its top band.
 */
import type { Arch } from '../../engine/model.ts';
import type { SweepRecord, SweepRun } from '../../experiments/sweep.ts';
import { type DepthCell, depthCells, netName } from './summary.ts';

export type Metric = 'steps' | 'loss';

export interface ChartRun {
  /** unique within the chart: "plain-56-2" */
  key: string;
  depth: number;
  seed: number;
  /** null: drawn in the top band */
  value: number | null;
  /** the screen reader's and the tooltip's words for the run */
  label: string;
}

export interface ChartSeries {
  label: string;
  colour: string;
  dash?: string;
  marker: 'circle' | 'square';
  runs: ChartRun[];
  /** per depth: the median (null: in the band) and the spread of the values */
  medians: {
    depth: number;
    value: number | null;
    lo: number | null;
    hi: number | null;
    band: boolean;
  }[];
}

export function runKey(run: Pick<SweepRun, 'arch' | 'depth' | 'seed'>): string {
  return `${run.arch}-${run.depth}-${run.seed}`;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** The words for one run: what both figures and the hover line say about it. */
export function runLabel(run: SweepRun, record: SweepRecord): string {
  const { steps, targetAccuracy } = record.config;
  const name = `${netName(run.arch, run.depth)}, seed ${run.seed}`;
  const reached =
    run.stepsToTarget === null
      ? `did not reach ${pct(targetAccuracy)} training accuracy within ${steps} steps`
      : `reached ${pct(targetAccuracy)} training accuracy at step ${run.stepsToTarget}`;
  const diverged = run.diverged ? `; diverged at step ${run.diverged.step}` : '';
  const f = run.final;
  const final =
    f && f.trainLoss !== null && f.trainAccuracy !== null
      ? `; final training loss ${f.trainLoss.toFixed(3)}, training accuracy ${pct(f.trainAccuracy)}, test accuracy ${f.testAccuracy === null ? '—' : pct(f.testAccuracy)}`
      : '';
  return `${name}: ${reached}${diverged}${final}`;
}

const STYLE: Partial<Record<Arch, { marker: 'circle' | 'square'; dash?: string }>> = {
  plain: { marker: 'square', dash: '7 4' },
  resnet: { marker: 'circle' },
};

function valueOf(run: SweepRun, metric: Metric): number | null {
  if (metric === 'steps') return run.stepsToTarget;
  const loss = run.final?.trainLoss;
  return typeof loss === 'number' && Number.isFinite(loss) && loss > 0 ? loss : null;
}

function medianOf(cell: DepthCell, metric: Metric): ChartSeries['medians'][number] {
  if (metric === 'steps')
    return {
      depth: cell.depth,
      value: cell.stepsMedian,
      lo: cell.stepsMin,
      hi: cell.stepsMax,
      band: cell.notReached > 0,
    };
  const missing = cell.runs.filter((r) => valueOf(r, 'loss') === null).length;
  return {
    depth: cell.depth,
    // with more than half the runs missing, the median is in the band too
    value: missing * 2 > cell.runs.length ? null : cell.lossMedian,
    lo: cell.lossMin,
    hi: cell.lossMax,
    band: missing > 0,
  };
}

export function chartSeries(
  record: SweepRecord,
  metric: Metric,
  colours: Record<string, string>,
): ChartSeries[] {
  const out: ChartSeries[] = [];
  for (const [arch, cells] of depthCells(record)) {
    const style = STYLE[arch] ?? { marker: 'circle' as const };
    out.push({
      label:
        arch === 'plain' ? 'Plain' : arch === 'resnet' ? 'ResNet' : netName(arch, 0).slice(0, -2),
      colour: colours[arch] ?? colours.resnet ?? '#0072b2',
      ...style,
      runs: cells.flatMap((c) =>
        c.runs.map((run) => ({
          key: runKey(run),
          depth: run.depth,
          seed: run.seed,
          value: valueOf(run, metric),
          label: runLabel(run, record),
        })),
      ),
      medians: cells.map((c) => medianOf(c, metric)),
    });
  }
  return out;
}

/** The figure's medians as CSV rows: block type, depth, median, lowest, highest, runs without a value. */
export function mediansCsvRows(record: SweepRecord, metric: Metric): (string | number | null)[][] {
  const rows: (string | number | null)[][] = [];
  for (const [arch, cells] of depthCells(record))
    for (const c of cells) {
      const m = medianOf(c, metric);
      const missing = c.runs.filter((r) => valueOf(r, metric) === null).length;
      rows.push([arch, c.depth, m.value, m.lo, m.hi, c.runs.length, missing]);
    }
  return rows;
}
