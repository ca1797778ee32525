/**
 * Sections below the first screen load as they come near: the first screen's script holds the
 * shell and the Introduction, and each other section's code (KaTeX, the
 * variants catalogue, …) is its own chunk. A section loads when it comes within a screen or so
 * of the viewport; all of them at once when a link opens the page at a section
 * (`loadEverySection`, so the page can settle on its target); and otherwise one at a time when
 * the browser is idle after the first screen, so that the contents' links, the presets' jumps
 * and going offline find every section there.
 *
 * `document.documentElement.dataset.sections` says `loading`, then `loaded` (the browser tests
 * wait for `loaded`).
 */
import type { Component } from 'svelte';

export type SectionModule = { default: Component };

interface Entry {
  start(): void;
  loaded: boolean;
  /** resolves once the section is shown */
  done: Promise<void>;
}

const entries: Entry[] = [];

/** How far outside the viewport a section starts loading. */
const NEAR = '100% 0px';

/**
 * Set once the first screen is up — the Introduction has drawn its first live frame
 * (`firstScreenDrawn`), or FIRST_SCREEN_FALLBACK_MS have passed (reduced motion, a page opened
 * at a later section) — and at least IDLE_AFTER_MS after load: from then on idle time loads the
 * rest, so the other sections' chunks never compete with the first live frame.
 */
let idleEnabled = false;
const IDLE_AFTER_MS = 800;
const FIRST_SCREEN_FALLBACK_MS = 3000;
let firstScreenUp = false;
let earliestPassed = false;
function enableIdle(): void {
  if (idleEnabled || !firstScreenUp || !earliestPassed) return;
  idleEnabled = true;
  idleNext();
}
if (typeof window !== 'undefined') {
  setTimeout(() => {
    earliestPassed = true;
    enableIdle();
  }, IDLE_AFTER_MS);
  setTimeout(firstScreenDrawn, FIRST_SCREEN_FALLBACK_MS);
}

let firstScreenShown!: () => void;
const firstScreen = new Promise<void>((resolve) => (firstScreenShown = resolve));

/** The first screen has drawn its first live frame: the other sections may load when idle. */
export function firstScreenDrawn(): void {
  firstScreenUp = true;
  firstScreenShown();
  enableIdle();
}

/**
 * Resolves once the first screen is up (or the page was opened at a section): for what a
 * section below the first screen may fetch later without competing with the first live frame.
 */
export function afterFirstScreen(): Promise<void> {
  return firstScreen;
}

/**
 * Registers a section's loader; `show` gets its component once loaded. With `afterFirstScreen`
 * a section that is near when the page opens waits for the first screen to be up (the one just
 * below the Introduction: mounting it with the first screen delayed the first live frame).
 */
export function lazySection(
  host: Element,
  load: () => Promise<SectionModule>,
  show: (component: Component) => void,
  options: { afterFirstScreen?: boolean } = {},
): void {
  let started = false;
  let shown!: () => void;
  const entry: Entry = {
    loaded: false,
    done: new Promise<void>((resolve) => (shown = resolve)),
    start() {
      if (started) return;
      started = true;
      observer.disconnect();
      load().then(
        (m) => {
          show(m.default);
          entry.loaded = true;
          shown();
          if (entries.every((e) => e.loaded)) document.documentElement.dataset.sections = 'loaded';
          idleNext();
        },
        (e: unknown) => console.error('a section did not load:', e),
      );
    },
  };
  const observer = new IntersectionObserver(
    (seen) => {
      if (!seen.some((s) => s.isIntersecting)) return;
      if (options.afterFirstScreen) void firstScreen.then(() => entry.start());
      else entry.start();
    },
    { rootMargin: NEAR },
  );
  observer.observe(host);
  entries.push(entry);
  document.documentElement.dataset.sections = 'loading';
}

/** Loads every registered section now (the page opens at one of them); resolves when shown. */
export async function loadEverySection(): Promise<void> {
  firstScreenShown();
  for (const entry of entries) entry.start();
  await Promise.all(entries.map((e) => e.done));
}

/** Loads the next section not yet loaded when the browser is idle (one per idle period). */
function idleNext(): void {
  if (!idleEnabled) return;
  const run = () => entries.find((e) => !e.loaded)?.start();
  if ('requestIdleCallback' in window) requestIdleCallback(run, { timeout: 1500 });
  else setTimeout(run, 100);
}
