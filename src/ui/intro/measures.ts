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
export function meanBefore(
  values: readonly (number | null)[],
  end: number,
  n: number,
): number | null {
  let sum = 0;
  let k = 0;
  for (let i = Math.max(0, end - n); i < Math.min(end, values.length); i++) {
    const v = values[i] ?? null;
    if (v !== null && Number.isFinite(v)) {
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
