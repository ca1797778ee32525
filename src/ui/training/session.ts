/**
 * The Training Dynamics section's run state, created once per page, and — only with ?e2e in the
 * page's address — the hook the browser tests read.
 */
import { Lab } from '../state/lab.svelte.ts';

/** What the browser tests read (only with ?e2e in the page's address). */
export interface LabTestHook {
  /** every event the page received from the worker */
  readonly events: readonly unknown[];
  /** batches received from the worker */
  readonly batches: number;
  /** performance.now() when the chart first drew a loss point */
  firstPointAt: number | null;
  /** performance.now() when the latest run was started, and when its first batch arrived */
  readonly startedAt: number | null;
  readonly firstBatchAt: number | null;
  /** chart draws so far, and the points in the latest */
  draws: number;
  points: number;
}

export const lab = new Lab();
export let onDraw: ((points: number) => void) | undefined;

if (new URLSearchParams(location.search).has('e2e')) {
  lab.record = true;
  const hook: LabTestHook = {
    get events() {
      return lab.received;
    },
    get batches() {
      return lab.batches;
    },
    get startedAt() {
      return lab.startedAt;
    },
    get firstBatchAt() {
      return lab.firstBatchAt;
    },
    firstPointAt: null,
    draws: 0,
    points: 0,
  };
  onDraw = (points) => {
    hook.draws++;
    hook.points = points;
    if (points > 0 && hook.firstPointAt === null) hook.firstPointAt = performance.now();
  };
  (window as unknown as { __lab: LabTestHook }).__lab = hook;
}

// Load the training worker once the page is idle, so that Start answers at once.
if ('requestIdleCallback' in window) requestIdleCallback(() => lab.warm(), { timeout: 1000 });
else setTimeout(() => lab.warm(), 200);
