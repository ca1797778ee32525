/**
 * A spec as the editor shows it, as text. Apart from specCheck.ts (which validates, counts and
 * draws) because the page's address reads and writes spec texts at load: this module keeps the
 * first screen's script free of the architecture analysis and diagrams.
 */
import { BUILTIN_ARCHS } from '../../arch/builtins.ts';

/** A builtin as the editor shows it: two-space JSON with number arrays on one line. */
export function specText(name: string): string {
  const spec = BUILTIN_ARCHS[name];
  return spec ? prettySpec(spec) : '';
}

/** Any JSON value as the editor shows a spec (a link's spec is loaded this way). */
export function prettySpec(value: unknown): string {
  return (JSON.stringify(value, null, 2) ?? '').replace(
    /\[\s*(-?\d[\d.eE+-]*(?:,\s*-?\d[\d.eE+-]*)*)\s*\]/g,
    (_, items: string) => `[${items.split(/,\s*/).join(', ')}]`,
  );
}
