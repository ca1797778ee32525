/**
 * What a curve chart draws of a long history: every k-th row (k a power of two, so the drawn
 * points stay put as the run grows and change only when k doubles) and always the latest row.
 * Each drawn point is a real point at its real step — no averaging — and the owner's arrays,
 * which the exports read, keep the whole history.
 */

/** The most rows a chart draws (about two per pixel of a wide chart). */
export const MAX_DRAWN_ROWS = 4000;

/** The stride for `rows` rows: 1 while they fit, else the least power of two that fits them. */
export function strideFor(rows: number, max = MAX_DRAWN_ROWS): number {
  let k = 1;
  while (Math.ceil(rows / k) > max) k *= 2;
  return k;
}

/**
 * Columns thinned to at most `max` + 1 rows: rows 0, k, 2k, … and the last. With k = 1 the
 * columns themselves are returned (no copy).
 */
export function thinRows<T extends readonly (number | null)[]>(
  columns: readonly T[],
  max = MAX_DRAWN_ROWS,
): { columns: (number | null)[][] | readonly T[]; stride: number } {
  const rows = columns[0]?.length ?? 0;
  const stride = strideFor(rows, max);
  if (stride === 1) return { columns, stride };
  const kept = Math.ceil(rows / stride);
  const lastKept = (kept - 1) * stride;
  const out = columns.map((column) => {
    const thin: (number | null)[] = [];
    for (let i = 0; i < rows; i += stride) thin.push(column[i] ?? null);
    if (lastKept !== rows - 1) thin.push(column[rows - 1] ?? null);
    return thin;
  });
  return { columns: out, stride };
}
