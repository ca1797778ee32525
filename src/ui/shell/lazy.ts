/**
 * Sections below the first screen load as they come near: the first screen's script holds the
 * shell, the Introduction and the Degradation Problem, and each other section's code (KaTeX, the
 * variants catalogue, …) is its own chunk. A section loads when it comes within a screen or so
 * of the viewport; when a link opens the page at a section (then every section loads at once, so
 * the page can settle on its target); and otherwise one at a time when the browser is idle after
 * the first screen, so that the contents' links, the presets' jumps and going offline find every
 * section there.
 *
 * `document.documentElement.dataset.sections` says `loading`, then `loaded` (the browser tests
 * wait for `loaded`).
 */
import type { Component } from 'svelte';

export type SectionModule = { default: Component };

interface Entry {
  start(): void;
  loaded: boolean;
}

const entries: Entry[] = [];
let idleScheduled = false;
/** set once the first screen has had its first frames: from then on, idle time loads the rest */
let idleEnabled = false;

/** How far outside the viewport a section starts loading. */
const NEAR = '100% 0px';

/**
 * Registers a section's loader; `show` gets its component once loaded. Returns a function that
 * loads it now.
 */
export function lazySection(
  host: Element,
  load: () => Promise<SectionModule>,
  show: (component: Component) => void,
): () => void {
  let started = false;
  const entry: Entry = {
    loaded: false,
    start() {
      if (started) return;
      started = true;
      observer.disconnect();
      load().then(
        (m) => {
          show(m.default);
          entry.loaded = true;
          if (entries.every((e) => e.loaded)) document.documentElement.dataset.sections = 'loaded';
          idleNext();
        },
        (e: unknown) => console.error('a section did not load:', e),
      );
    },
  };
  const observer = new IntersectionObserver(
    (seen) => {
      if (seen.some((s) => s.isIntersecting)) entry.start();
    },
    { rootMargin: NEAR },
  );
  observer.observe(host);
  entries.push(entry);
  document.documentElement.dataset.sections = 'loading';
  if (location.hash.length > 1 || new URLSearchParams(location.search).has('section'))
    entry.start();
  if (!idleScheduled) {
    idleScheduled = true;
    // the first screen gets its first frames before anything else
    setTimeout(() => {
      idleEnabled = true;
      idleNext();
    }, 800);
  }
  return () => entry.start();
}

/** Loads the next section not yet loaded when the browser is idle (one per idle period). */
function idleNext(): void {
  if (!idleEnabled) return;
  const run = () => entries.find((e) => !e.loaded)?.start();
  if ('requestIdleCallback' in window) requestIdleCallback(run, { timeout: 1500 });
  else setTimeout(run, 100);
}
