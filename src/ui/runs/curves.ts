/**
 * The curves of N runs as one table in uPlot's shape: a shared x (step) column and one column
 * per series, aligned by step. A series is one run's metric (`seriesKey(runId, metric)`); runs
 * may log at the same steps while one runs ahead of another, so a value for a step already in
 * the table fills its row and a new step appends (or inserts) one. The columns are plain arrays
 * changed in place: the owner bumps a version when they changed.
 */

/** What a run writes into a store that declares it. */
export type Metric = 'trainLoss' | 'testLoss' | 'trainAcc' | 'testAcc';
export const METRICS: readonly Metric[] = ['trainLoss', 'testLoss', 'trainAcc', 'testAcc'];

/** `plain` + `trainLoss` → `plainTrainLoss` (the CSV column `plain_train_loss`). */
export function seriesKey(runId: string, metric: Metric): string {
  return `${runId}${metric[0]!.toUpperCase()}${metric.slice(1)}`;
}

export class CurveStore {
  readonly steps: number[] = [];
  readonly columns: Record<string, (number | null)[]> = {};

  /** @param keys the series it holds (their columns exist, empty, from the start) */
  constructor(keys: readonly string[] = []) {
    for (const k of keys) this.columns[k] = [];
  }

  get length(): number {
    return this.steps.length;
  }

  has(key: string): boolean {
    return key in this.columns;
  }

  /** The column of `key` (added, all empty, when absent). */
  column(key: string): (number | null)[] {
    return (this.columns[key] ??= this.steps.map(() => null));
  }

  /** The row of `step`, appended (or inserted in order) when absent. */
  private row(step: number): number {
    const steps = this.steps;
    const hi = steps.length;
    if (hi === 0 || steps[hi - 1]! < step) return this.insert(hi, step);
    // usually near the end: search backwards
    let i = hi - 1;
    while (i >= 0 && steps[i]! > step) i--;
    if (i >= 0 && steps[i] === step) return i;
    return this.insert(i + 1, step);
  }

  private insert(at: number, step: number): number {
    this.steps.splice(at, 0, step);
    for (const column of Object.values(this.columns)) column.splice(at, 0, null);
    return at;
  }

  set(step: number, key: string, value: number | null): void {
    const column = this.column(key);
    column[this.row(step)] = value;
  }

  /** uPlot's data for some series: [steps, ...columns]. */
  data(keys: readonly string[]): [number[], ...(number | null)[][]] {
    return [this.steps, ...keys.map((k) => this.column(k))];
  }

  /**
   * The leading rows in which every one of `keys` has a value: how far all those runs have got
   * (they log at the same steps, so row i is each one's i-th point).
   */
  commonRows(keys: readonly string[]): number {
    let n = 0;
    while (n < this.steps.length && keys.every((k) => (this.columns[k]?.[n] ?? null) !== null)) n++;
    return n;
  }

  /** Every column as CSV with a header row; empty cells where a series has no value. */
  csv(keys: readonly string[] = Object.keys(this.columns)): string {
    const names = keys.map((k) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
    const rows = [['step', ...names].join(',')];
    for (let i = 0; i < this.steps.length; i++)
      rows.push([this.steps[i], ...keys.map((k) => this.column(k)[i] ?? '')].join(','));
    return rows.join('\n') + '\n';
  }

  /** Empties some series (a run starts again); rows left with no value at all go. */
  clearSeries(keys: readonly string[]): void {
    for (const k of keys) this.columns[k]?.fill(null);
    const columns = Object.values(this.columns);
    for (let i = this.steps.length - 1; i >= 0; i--) {
      if (columns.some((c) => c[i] !== null)) continue;
      this.steps.splice(i, 1);
      for (const c of columns) c.splice(i, 1);
    }
  }

  /** Empties every series, in place (charts keep their arrays). */
  clear(): void {
    this.steps.length = 0;
    for (const column of Object.values(this.columns)) column.length = 0;
  }
}
