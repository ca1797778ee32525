/**
 * How counts are written, on the page and by the CLI alike (fixed locale: the output must not
 * depend on the machine): exact counts with thousands separators, multiply-adds as docs/arch.md
 * writes them.
 */

const COUNT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** An exact count with thousands separators: 25,557,032. Not a finite number: "—". */
export function formatCount(n: number): string {
  return Number.isFinite(n) ? COUNT.format(n) : '—';
}

/** Multiply-adds in G with three decimals, as the papers' tables: 4.089 G. */
export function formatGMacs(macs: number): string {
  return Number.isFinite(macs) ? `${(macs / 1e9).toFixed(3)} G` : '—';
}

/**
 * Multiply-adds at a readable scale: G (three decimals) from 10⁹, M (four significant digits)
 * from 10⁶, else the exact count — so a CIFAR or MNIST net does not read as "0.000 G".
 */
export function formatMacs(macs: number): string {
  if (!Number.isFinite(macs)) return '—';
  if (macs >= 1e9) return formatGMacs(macs);
  if (macs >= 1e6) return `${(macs / 1e6).toPrecision(4)} M`;
  return formatCount(macs);
}
