/**
 * The curves of a plain/ResNet pair as one table in uPlot's shape: a shared x (step) column and
 * one column per series, aligned by step. Both networks log and evaluate at the same steps, but
 * one may run ahead of the other, so a value for a step already in the table fills its row and a
 * new step appends one.
 */

export type Net = 'plain' | 'resnet';
export const NETS: readonly Net[] = ['plain', 'resnet'];

/** The series of the table, in column order. */
export const SERIES = [
  'plainTrainLoss',
  'plainTestLoss',
  'resnetTrainLoss',
  'resnetTestLoss',
  'plainTrainAcc',
  'plainTestAcc',
  'resnetTrainAcc',
  'resnetTestAcc',
] as const;
export type SeriesKey = (typeof SERIES)[number];

export function seriesKey(net: Net, set: 'Train' | 'Test', metric: 'Loss' | 'Acc'): SeriesKey {
  return `${net}${set}${metric}` as SeriesKey;
}

export class CurveTable {
  readonly steps: number[] = [];
  readonly columns = Object.fromEntries(SERIES.map((k) => [k, [] as (number | null)[]])) as Record<
    SeriesKey,
    (number | null)[]
  >;

  get length(): number {
    return this.steps.length;
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
    for (const k of SERIES) this.columns[k].splice(at, 0, null);
    return at;
  }

  set(step: number, key: SeriesKey, value: number | null): void {
    this.columns[key][this.row(step)] = value;
  }

  /** uPlot's data for some series: [steps, ...columns]. */
  data(keys: readonly SeriesKey[]): [number[], ...(number | null)[][]] {
    return [this.steps, ...keys.map((k) => this.columns[k])];
  }

  /** Every column as CSV with a header row; empty cells where a series has no value. */
  csv(keys: readonly SeriesKey[] = SERIES): string {
    const names = keys.map((k) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
    const rows = [['step', ...names].join(',')];
    for (let i = 0; i < this.steps.length; i++)
      rows.push([this.steps[i], ...keys.map((k) => this.columns[k][i] ?? '')].join(','));
    return rows.join('\n') + '\n';
  }

  clear(): void {
    this.steps.length = 0;
    for (const k of SERIES) this.columns[k].length = 0;
  }
}
