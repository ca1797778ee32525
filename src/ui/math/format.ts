/** How the Mathematical Foundation writes products that may be far beyond float64's range. */

const SUPERSCRIPT: Record<string, string> = {
  '-': '⁻',
  '0': '⁰',
  '1': '¹',
  '2': '²',
  '3': '³',
  '4': '⁴',
  '5': '⁵',
  '6': '⁶',
  '7': '⁷',
  '8': '⁸',
  '9': '⁹',
};

/** "10⁻⁴¹" for 10^-41; "1" and "10" for 10^0 and 10^1. */
export function powerOfTen(exponent: number): string {
  if (exponent === 0) return '1';
  if (exponent === 1) return '10';
  return `10${[...String(exponent)].map((c) => SUPERSCRIPT[c] ?? c).join('')}`;
}

/**
 * A product from its float64 value (for the sign; it may have under/overflowed to ±0 or ±∞) and
 * its exact log10 |value|: "0.0523", "−1.94", "≈ 3.2 × 10⁻⁴¹", "exactly 0".
 */
export function product(value: number, log10: number): string {
  if (log10 === -Infinity) return 'exactly 0';
  const negative = value < 0 || Object.is(value, -0);
  const sign = negative ? '−' : '';
  if (Math.abs(log10) < 3) return sign + Math.abs(value).toPrecision(3);
  let e = Math.floor(log10);
  let m = 10 ** (log10 - e);
  if (m >= 9.95) {
    m = 1;
    e += 1;
  }
  return `≈ ${sign}${m.toFixed(1)} × ${powerOfTen(e)}`;
}

/** A measured ratio: "0.0004", "1.00", "5.47", "2.1 × 10⁻⁶". */
export function measured(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '–';
  if (v === 0) return '0';
  const l = Math.log10(Math.abs(v));
  return product(v, l);
}
