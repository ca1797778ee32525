/**
 * The lesion study on the page: runs when the reader presses Run, never on this thread — the
 * plan's two parts (plain, resnet: experiments/lesion.ts, the plan `resnet-lab lesion` runs) go
 * to the page's worker pool, in parallel where it has two workers, and the record is the one the
 * CLI writes for the same settings. While the figure is off-screen or the tab hidden the parts
 * are paused.
 */
import { runPlan } from '../../../experiments/job.ts';
import {
  LESION_NETS,
  lesionUnits,
  lesionPlan,
  type LesionConfig,
  type LesionRecord,
} from '../../../experiments/lesion.ts';
import { digitsFor, pausableParts, type PausableParts } from '../../runs/worker.ts';

export type LesionStatus = 'idle' | 'running' | 'done' | 'cancelled' | 'failed';

export interface LesionState {
  status: LesionStatus;
  /** the last complete study (null: none yet) */
  record: LesionRecord | null;
  /** the study being computed */
  running: LesionConfig | null;
  /** units done and in all (training steps and measurements of both networks) */
  done: number;
  total: number;
  /** paused because the figure is off-screen or the tab hidden */
  paused: boolean;
  /** wall seconds the last study took, pauses included (null: none finished) */
  seconds: number | null;
  error: string;
}

export const lesion: LesionState = $state({
  status: 'idle',
  record: null,
  running: null,
  done: 0,
  total: 0,
  paused: false,
  seconds: null,
  error: '',
});

/** The units of one network's part: its training steps and its measurements. */
function unitsOf(c: LesionConfig): number {
  return c.steps + lesionUnits(c);
}

let current: PausableParts | null = null;
/** bumped by every start and cancel: a study whose number is no longer current is dropped */
let generation = 0;
let visible = true;

/** Starts the study of `config` in the pool (one already running is cancelled first). */
export async function runLesion(config: LesionConfig): Promise<void> {
  cancelLesion();
  const mine = ++generation;
  const mineNow = () => generation === mine;
  lesion.status = 'running';
  lesion.running = config;
  lesion.error = '';
  lesion.done = 0;
  lesion.total = LESION_NETS.length * unitsOf(config);
  lesion.paused = !visible;
  const started = performance.now();
  try {
    const digits = await digitsFor(config);
    if (!mineNow()) return;
    const record = await runPlan(lesionPlan(config), (parts) => {
      const own = pausableParts(parts, {
        digits,
        paused: !visible,
        onProgress: (done) => {
          if (mineNow()) lesion.done = done;
        },
      });
      current = own;
      return own.results;
    });
    if (!mineNow()) return;
    lesion.record = record;
    lesion.status = 'done';
    lesion.seconds = (performance.now() - started) / 1000;
  } catch (error) {
    if (!mineNow()) return;
    lesion.status = 'failed';
    lesion.error = error instanceof Error ? error.message : String(error);
  } finally {
    if (mineNow()) {
      current = null;
      lesion.running = null;
      lesion.paused = false;
    }
  }
}

/** Stops the study being computed; the last complete one stays. */
export function cancelLesion(): void {
  if (lesion.status !== 'running') return;
  generation++;
  current?.cancel();
  current = null;
  lesion.status = 'cancelled';
  lesion.running = null;
  lesion.paused = false;
}

/** The figure came on or went off screen (or the tab was shown or hidden). */
export function setLesionVisible(on: boolean): void {
  visible = on;
  if (!current) return;
  lesion.paused = !on;
  if (on) current.resume();
  else current.pause();
}

// the browser tests read the study (only with ?e2e in the page's address)
if (typeof location !== 'undefined' && new URLSearchParams(location.search).has('e2e'))
  (window as unknown as { __lesion: LesionState }).__lesion = lesion;
