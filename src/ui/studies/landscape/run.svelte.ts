/**
 * The page's loss-landscape pair: Plain-N and ResNet-N computed together in the page's worker
 * pool when the reader presses Run — the plans of experiments/landscape.ts, which the CLI runs,
 * zipped so that the pool's workers share both networks' parts. Parts start only while the figure
 * is on screen and the tab is visible, so scrolling away pauses the study between parts (a part is
 * one training run or a band of grid rows). Training never runs on this thread.
 */
import { isPartFailure, type Part, runPlan } from '../../../experiments/job.ts';
import {
  landscapePlan,
  type LandscapeRecord,
  landscapeUnits,
  zipPlans,
} from '../../../experiments/landscape.ts';
import { poolLoad, runPlanParts } from '../../runs/worker.ts';
import { landscapeConfigOf, type LandscapeView } from './view.ts';

export type LandscapeStatus = 'idle' | 'running' | 'done' | 'cancelled' | 'failed';

export interface LandscapePair {
  plain: LandscapeRecord;
  resnet: LandscapeRecord;
}

export interface LandscapeRunState {
  status: LandscapeStatus;
  /** waiting for the figure to come back on screen (or the tab to be shown) */
  waiting: boolean;
  done: number;
  total: number;
  /** the last pair computed, and the view it was computed for */
  pair: LandscapePair | null;
  view: LandscapeView | null;
  /** wall seconds the last pair took (waiting off-screen included) */
  seconds: number | null;
  error: string;
}

class LandscapeRun implements LandscapeRunState {
  status: LandscapeStatus = $state('idle');
  waiting = $state(false);
  done = $state(0);
  total = $state(0);
  /**
   * Raw, not a deep proxy: the records are replaced, never changed in place, and proxied every
   * read of their 2 × 2,601 losses went through a trap (~25 ms to summarise them once).
   */
  pair: LandscapePair | null = $state.raw(null);
  view: LandscapeView | null = $state(null);
  seconds: number | null = $state(null);
  error = $state('');
}

export const landscape: LandscapeRunState = new LandscapeRun();

let onScreen = false;
let pageVisible = typeof document === 'undefined' || document.visibilityState !== 'hidden';
/** lanes waiting for the figure to come back on screen */
let waiters: (() => void)[] = [];

function mayRun(): boolean {
  return onScreen && pageVisible;
}

function wakeAll(): void {
  const all = waiters;
  waiters = [];
  landscape.waiting = false;
  for (const w of all) w();
}

function update(): void {
  if (mayRun()) wakeAll();
}

if (typeof document !== 'undefined')
  document.addEventListener('visibilitychange', () => {
    pageVisible = document.visibilityState !== 'hidden';
    update();
  });

/** The figure tells whether it is on screen (an IntersectionObserver in the component). */
export function setOnScreen(visible: boolean): void {
  onScreen = visible;
  update();
}

function whenMayRun(): Promise<void> {
  if (mayRun()) return Promise.resolve();
  landscape.waiting = true;
  return new Promise<void>((resolve) => waiters.push(resolve));
}

class Cancelled extends Error {}

interface RunSignal {
  cancelled: boolean;
  running: Set<{ cancelled: boolean; cancel?: () => void }>;
}

let current: RunSignal | null = null;

/**
 * Runs parts on as many lanes as the pool has workers, each part through the pool
 * (runPlanParts), a new part only while the figure may run; answers in part order.
 */
async function gatedParts(
  parts: Part[],
  signal: RunSignal,
  onProgress: (done: number) => void,
): Promise<unknown[]> {
  const results = new Array<unknown>(parts.length);
  const done = new Array<number>(parts.length).fill(0);
  let next = 0;
  const lane = async () => {
    while (next < parts.length) {
      await whenMayRun();
      if (signal.cancelled) throw new Cancelled();
      const index = next++;
      const own: { cancelled: boolean; cancel?: () => void } = { cancelled: false };
      signal.running.add(own);
      try {
        const [result] = await runPlanParts([parts[index]!], {
          signal: own,
          onProgress: (d) => {
            done[index] = d;
            onProgress(done.reduce((a, b) => a + b, 0));
          },
        });
        if (isPartFailure(result)) throw new Error(result.failed);
        results[index] = result;
      } finally {
        signal.running.delete(own);
      }
      if (signal.cancelled) throw new Cancelled();
    }
  };
  const lanes = Math.max(1, Math.min(poolLoad().size, parts.length));
  await Promise.all(Array.from({ length: lanes }, lane));
  return results;
}

/** Computes the pair for `view`; a pair already being computed is cancelled. */
export async function runLandscapes(view: LandscapeView): Promise<void> {
  cancelLandscapes();
  // plain bookkeeping of the parts in flight, never rendered: not reactive on purpose
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  const signal: RunSignal = { cancelled: false, running: new Set() };
  current = signal;
  const plain = landscapeConfigOf(view, 'plain');
  const resnet = landscapeConfigOf(view, 'resnet');
  landscape.status = 'running';
  landscape.error = '';
  landscape.done = 0;
  landscape.total = landscapeUnits(plain) + landscapeUnits(resnet);
  const started = performance.now();
  let before = 0;
  try {
    const [p, r] = await runPlan(
      zipPlans([landscapePlan(plain), landscapePlan(resnet)]),
      async (parts) => {
        let latest = 0;
        const results = await gatedParts(parts, signal, (d) => {
          latest = d;
          if (!signal.cancelled) landscape.done = before + d;
        });
        before += latest;
        return results;
      },
    );
    if (signal.cancelled) return;
    landscape.pair = { plain: p!, resnet: r! };
    landscape.view = { ...view };
    landscape.seconds = (performance.now() - started) / 1000;
    landscape.done = landscape.total;
    landscape.status = 'done';
  } catch (error) {
    if (signal.cancelled || error instanceof Cancelled) return;
    landscape.status = 'failed';
    landscape.error = error instanceof Error ? error.message : String(error);
  } finally {
    if (current === signal) current = null;
    landscape.waiting = false;
  }
}

export function cancelLandscapes(): void {
  const s = current;
  if (!s) return;
  current = null;
  s.cancelled = true;
  for (const part of s.running) {
    if (part.cancel) part.cancel();
    else part.cancelled = true;
  }
  // a lane waiting for the screen gives up at once
  wakeAll();
  if (landscape.status === 'running') landscape.status = 'cancelled';
}

// the browser tests read the state (only with ?e2e in the page's address)
if (typeof location !== 'undefined' && new URLSearchParams(location.search).has('e2e'))
  (window as unknown as { __landscape: LandscapeRunState }).__landscape = landscape;
