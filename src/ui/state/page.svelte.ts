/**
 * The page's state — every training setting and the view (preset, section to open, hidden
 * controls, and the figures' own controls: the scalar chain, the variants' choices) — as one
 * rune, read from the address at load and written back to it.
 *
 * - `page` is initialised once, when this module loads, from `decodePageState(location.search)`;
 *   what the link got wrong is in `page.notices` (UrlNotice shows them).
 * - Syncing to the address: an `$effect.root` created here, at module load, watches
 *   `page.config` and `page.view` and writes them into the query with history.replaceState, at
 *   most once every SYNC_DELAY_MS (Chromium refuses bursts of history calls). The hash and the
 *   page's own parameters (`?e2e`) are kept. Nothing to call: importing this module is enough;
 *   `syncUrl()` writes at once (before copying a link, in tests).
 * - Change settings through `setConfig(input)`: it validates and changes nothing on error.
 *   `page.view` and its parts may be assigned directly (its values are typed); figures bind
 *   their controls to its parts (`page.view.chain`, `page.view.variants`).
 */
import {
  type FieldError,
  type TrainConfig,
  type TrainConfigInput,
  validateTrainConfig,
} from '../../experiments/config.ts';
import {
  addressWithState,
  decodePageState,
  defaultPageState,
  encodePageState,
  type FieldKey,
  presetBase,
  type ViewState,
} from './url.ts';
import type { PresetName } from './presets.ts';

export interface Page {
  config: TrainConfig;
  view: ViewState;
  /** what the link got wrong, and what was used instead; emptied when dismissed */
  notices: string[];
}

/** The fewest milliseconds between two writes of the address. */
export const SYNC_DELAY_MS = 100;

const inBrowser = typeof window !== 'undefined' && typeof location !== 'undefined';
const decoded = inBrowser
  ? decodePageState(location.search)
  : { state: defaultPageState(), notices: [] };

export const page: Page = $state({
  config: decoded.state.config,
  view: decoded.state.view,
  notices: decoded.notices,
});

/**
 * Validates `input` (a whole config, or the settings to change on top of the current ones:
 * missing keys take the current values) and, when valid, makes it the page's config. Returns the
 * errors (validateTrainConfig's); on error nothing changes.
 */
export function setConfig(input: TrainConfigInput): FieldError[] {
  const checked = validateTrainConfig({ ...page.config, ...input });
  if (!checked.ok) return checked.errors;
  page.config = checked.value;
  return [];
}

/** Whether a classroom link hides the control of `key`. */
export function isHidden(key: FieldKey): boolean {
  return page.view.hide.includes(key);
}

/**
 * What a "train it" button in the text does: loads a preset into Training Dynamics Comparison
 * (the form shows it; Start trains it) and takes the reader there, focus included, so keyboard
 * and screen-reader users land where the click sent them. The address follows (`?preset=…`).
 */
export function usePreset(name: PresetName): void {
  page.config = presetBase(name);
  page.view.preset = name;
  goToTrainingDynamics();
}

/**
 * Opens one run's settings in Training Dynamics Comparison (a figure's "open this run"): the form
 * shows them, Start trains the run beside its twin, and the reader is taken there.
 */
export function openInTrainingDynamics(config: TrainConfig): void {
  page.config = { ...config };
  page.view.preset = null;
  goToTrainingDynamics();
}

function goToTrainingDynamics(): void {
  if (!inBrowser) return;
  const section = document.getElementById('training-dynamics');
  if (!section) return;
  const reduce = matchMedia('(prefers-reduced-motion: reduce)').matches;
  section.scrollIntoView({ block: 'start', behavior: reduce ? 'auto' : 'smooth' });
  const heading = section.querySelector<HTMLElement>('h2');
  if (heading) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  }
}

export function dismissNotices(): void {
  page.notices = [];
}

let timer: ReturnType<typeof setTimeout> | 0 = 0;

/** Writes the page's state into the address now (the effect below does it on every change). */
export function syncUrl(): void {
  if (timer) clearTimeout(timer);
  timer = 0;
  if (!inBrowser) return;
  const next = addressWithState(location.href, { config: page.config, view: page.view });
  if (next !== location.href) history.replaceState(history.state, '', next);
}

if (inBrowser) {
  $effect.root(() => {
    $effect(() => {
      encodePageState(page); // reads, and so tracks, every setting and the view
      timer ||= setTimeout(syncUrl, SYNC_DELAY_MS);
    });
  });
}

let opened = false;

/**
 * Scrolls once to the section the link names (`?section=…`), unless the address has a hash of
 * its own (the browser already went there). This module calls it on the first animation frames
 * after it loads (the page is mounted by then) and UrlNotice once it is mounted; nobody else
 * needs to. Calls after the scroll do nothing; a call before the section exists does nothing and
 * a later call tries again.
 */
export function openSection(): void {
  if (opened || !inBrowser) return;
  const section = page.view.section;
  if (!section || location.hash) {
    opened = true;
    return;
  }
  const target = document.getElementById(section);
  if (!target) return; // not mounted yet: a later call tries again
  opened = true;
  target.scrollIntoView({ block: 'start' });
}

if (inBrowser) {
  // after the app's mount() (which follows this module's loading): try for a few frames
  let frames = 0;
  const tryOpen = () => {
    openSection();
    if (!opened && ++frames < 30) requestAnimationFrame(tryOpen);
  };
  requestAnimationFrame(tryOpen);
  // the browser tests read the store (only with ?e2e in the page's address)
  if (new URLSearchParams(location.search).has('e2e'))
    (window as unknown as { __pageState: Page }).__pageState = page;
}
