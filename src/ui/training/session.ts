/**
 * The Training Dynamics section's run state, created once per page, and — only with ?e2e in the
 * page's address — the hook the browser tests read.
 */
import type { TrainEvent } from '../../experiments/train.ts';
import { poolFaults, poolLoad, type WorkerLoad } from '../runs/worker.ts';
import { Comparison } from './comparison.svelte.ts';
import type { Net } from './pair.ts';

/** What the browser tests read (only with ?e2e in the page's address). */
export interface LabTestHook {
  /** every event the page received from each network's run */
  readonly events: Record<Net, readonly TrainEvent[]>;
  /** batches received from the workers (both together) */
  readonly batches: number;
  /** performance.now() when a chart first drew a loss point */
  firstPointAt: number | null;
  /** performance.now() when the latest run was started, and when its first batch arrived */
  readonly startedAt: number | null;
  readonly firstBatchAt: number | null;
  /** loss-chart draws so far, the points in the latest, and performance.now() of each draw */
  draws: number;
  points: number;
  drawTimes: number[];
  /** decision-map / digit-grid paints so far */
  mapPaints: number;
  /** the page's training workers: the most it may start, and each one's runs (busy: training) */
  readonly poolSize: number;
  readonly workers: WorkerLoad[];
  /** faults on purpose: a worker stopped as a crash would, the liveness check */
  readonly faults: typeof poolFaults;
}

export const lab = new Comparison();
export let onDraw: ((points: number) => void) | undefined;
export let onMapPaint: (() => void) | undefined;

if (new URLSearchParams(location.search).has('e2e')) {
  lab.recordEvents = true;
  const hook: LabTestHook = {
    get events() {
      return { plain: lab.plain.received, resnet: lab.resnet.received };
    },
    get batches() {
      return lab.plain.batches + lab.resnet.batches;
    },
    get startedAt() {
      return lab.resnet.startedAt;
    },
    get firstBatchAt() {
      const t = [lab.plain.firstBatchAt, lab.resnet.firstBatchAt].filter((x) => x !== null);
      return t.length ? Math.min(...t) : null;
    },
    firstPointAt: null,
    draws: 0,
    points: 0,
    drawTimes: [],
    mapPaints: 0,
    get poolSize() {
      return poolLoad().size;
    },
    get workers() {
      return poolLoad().loads;
    },
    faults: poolFaults,
  };
  onDraw = (points) => {
    hook.draws++;
    hook.points = points;
    if (points > 0) hook.drawTimes.push(performance.now());
    if (points > 0 && hook.firstPointAt === null) hook.firstPointAt = performance.now();
  };
  onMapPaint = () => {
    hook.mapPaints++;
  };
  (window as unknown as { __lab: LabTestHook }).__lab = hook;
}

// Load a training worker once the page is idle, so that Start answers at once.
if ('requestIdleCallback' in window) requestIdleCallback(() => lab.warm(), { timeout: 1000 });
else setTimeout(() => lab.warm(), 200);
