/**
 * The page's run colours, read once from its CSS custom properties (colour-blind safe,
 * Okabe–Ito), with the same values as fallbacks. The page has one theme, so one read is kept.
 */
import { onMount } from 'svelte';

const VARS = {
  plain: ['--plain', '#d55e00'],
  resnet: ['--resnet', '#0072b2'],
  shallow: ['--shallow', '#009e73'],
  shallow2: ['--shallow-2', '#cc79a7'],
} as const;

export type ColourName = keyof typeof VARS;
export type Colours = Record<ColourName, string>;

const fallbacks = (): Colours =>
  Object.fromEntries(Object.entries(VARS).map(([k, [, f]]) => [k, f])) as Colours;

let cached: Colours | null = null;

function read(): Colours {
  if (cached) return cached;
  const style = getComputedStyle(document.documentElement);
  cached = Object.fromEntries(
    Object.entries(VARS).map(([k, [name, f]]) => [k, style.getPropertyValue(name).trim() || f]),
  ) as Colours;
  return cached;
}

/**
 * The colours for a component (call it while the component initialises): the fallbacks until
 * it is mounted, then the page's (at once if already read).
 */
export function pageColours(): Colours {
  const colours = $state(cached ?? fallbacks());
  if (!cached) onMount(() => Object.assign(colours, read()));
  return colours;
}
