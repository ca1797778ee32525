/** Small pure helpers that turn live measurements into the numbers the article's text states. */

/** a / b when both are finite and b is not zero, else null */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a == null || b == null || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null;
  const r = a / b;
  return Number.isFinite(r) ? r : null;
}

/** "12×", "3.4×", "1 200×", "2.0e+6×" */
export function times(r: number | null): string {
  if (r === null) return '—';
  if (r >= 1e5) return `${r.toExponential(1)}×`;
  if (r >= 100) return `${Math.round(r).toLocaleString('en-GB')}×`;
  if (r >= 10) return `${r.toFixed(0)}×`;
  return `${r.toFixed(1)}×`;
}

/** A loss for the text: three decimals. */
export function loss(v: number | null | undefined): string {
  return v == null || !Number.isFinite(v) ? '—' : v.toFixed(3);
}

/** Mean of the values at indices [end - n, end), skipping non-finite ones; null if none. */
export function meanBefore(values: readonly number[], end: number, n: number): number | null {
  let sum = 0;
  let k = 0;
  for (let i = Math.max(0, end - n); i < Math.min(end, values.length); i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) {
      sum += v;
      k++;
    }
  }
  return k ? sum / k : null;
}

/** Mean of the non-null, finite values; null if none. */
export function mean(values: readonly (number | null)[]): number | null {
  const ok = values.filter((v): v is number => v !== null && Number.isFinite(v));
  return ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : null;
}

/** Percent with no decimals. */
export function percent(v: number | null): string {
  return v === null ? '—' : `${Math.round(v * 100)}%`;
}

/**
 * Loss curves of several runs on one x axis (uPlot's shape): every run logs at the same steps
 * (the same logEvery), so the longest run's steps are the axis and shorter ones end early.
 */
export function alignCurves(runs: readonly { lossSteps: number[]; lossValues: number[] }[]): {
  x: number[];
  columns: (number | null)[][];
} {
  let longest: number[] = [];
  for (const r of runs) if (r.lossSteps.length > longest.length) longest = r.lossSteps;
  const x = longest.slice();
  const columns = runs.map((r) => x.map((_, i) => r.lossValues[i] ?? null));
  return { x, columns };
}

/**
 * The curves up to the last step every run has reached, so that a counter read from the last
 * row agrees with the chart's "latest values" (one run may be ahead of the other).
 */
export function commonCurves(runs: readonly { lossSteps: number[]; lossValues: number[] }[]): {
  x: number[];
  columns: (number | null)[][];
} {
  const n = Math.min(...runs.map((r) => Math.min(r.lossSteps.length, r.lossValues.length)));
  const { x, columns } = alignCurves(runs);
  return { x: x.slice(0, n), columns: columns.map((c) => c.slice(0, n)) };
}
