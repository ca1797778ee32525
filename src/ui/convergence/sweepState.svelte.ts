/**
 * The page's current depth sweep, shared by Convergence Speed Analysis and the Plain Network
 * Issues / ResNet Advantages cards: first the bundled, precomputed default sweep (shown at once),
 * then — after "Recompute live" — a sweep run in the page's worker pool, its runs streaming in as
 * they end. Training never runs on this thread: the pool's workers run the sweep's parts
 * (experiments/sweep.ts `sweepPlan`, the plan the CLI runs), so the live record is the one
 * `resnet-lab sweep` writes for the same settings.
 */
import { runPlan } from '../../experiments/job.ts';
import {
  partRun,
  sweepPlan,
  sweepRuns,
  type SweepConfig,
  type SweepRecord,
  type SweepRun,
} from '../../experiments/sweep.ts';
import { readSweepFile, sweepFileTooBig } from '../../experiments/sweepFile.ts';
import { digitsFor, runPlanParts } from '../runs/worker.ts';
import precomputedConvJson from './defaultConvSweep.json';
import precomputedJson from './defaultSweep.json';
import type { SweepFamily } from './preset.ts';

// The JSON's strings are typed as plain strings; the files are the CLI's sweep records (a unit
// test regenerates them), so they have the record's shape.
export const PRECOMPUTED: SweepRecord = precomputedJson as unknown as SweepRecord;
export const PRECOMPUTED_CONV: SweepRecord = precomputedConvJson as unknown as SweepRecord;

/** The bundled sweep of a family of networks. */
export function precomputedFor(family: SweepFamily): SweepRecord {
  return family === 'conv' ? PRECOMPUTED_CONV : PRECOMPUTED;
}

export type SweepStatus = 'precomputed' | 'running' | 'done' | 'cancelled' | 'failed';

export interface SweepState {
  /** the last complete sweep: what the cards read */
  complete: SweepRecord;
  /** whether `complete` is the bundled file, was computed on this page, or opened from a file */
  source: 'precomputed' | 'live' | 'file';
  /** the opened file's name (source 'file') */
  fileName: string;
  /** what was wrong with the last file opened (empty: nothing) */
  fileProblems: string[];
  status: SweepStatus;
  /** the sweep being computed: its config and the runs that have ended, in sweep order */
  live: { config: SweepConfig; runs: (SweepRun | null)[] } | null;
  /** training steps done and in all (over every run of the live sweep) */
  done: number;
  total: number;
  /** seconds left, estimated from the pace so far; null before there is a pace */
  secondsLeft: number | null;
  /** wall seconds the last live sweep took (null: none finished) */
  seconds: number | null;
  error: string;
}

export const sweep: SweepState = $state({
  complete: PRECOMPUTED,
  source: 'precomputed',
  fileName: '',
  fileProblems: [],
  status: 'precomputed',
  live: null,
  done: 0,
  total: 0,
  secondsLeft: null,
  seconds: null,
  error: '',
});

/** What the figures draw: the live sweep's ended runs while it runs, else the complete one. */
export function shownRecord(state: SweepState): SweepRecord {
  if (state.status === 'running' && state.live)
    return {
      schema: state.complete.schema,
      config: state.live.config,
      runs: state.live.runs.filter((r): r is SweepRun => r !== null),
    };
  return state.complete;
}

let signal: { cancelled: boolean; cancel?: () => void } | null = null;

/**
 * Runs `config` in the page's worker pool; the runs appear in `sweep.live` as they end, and the
 * record becomes `sweep.complete` when the last one has. A sweep already running is cancelled.
 */
export async function recompute(config: SweepConfig): Promise<void> {
  cancel();
  const own = { cancelled: false } as { cancelled: boolean; cancel?: () => void };
  signal = own;
  const order = sweepRuns(config);
  sweep.live = { config, runs: order.map(() => null) };
  sweep.status = 'running';
  sweep.error = '';
  sweep.done = 0;
  sweep.total = order.length * config.steps;
  sweep.secondsLeft = null;
  const started = performance.now();
  try {
    const digits = await digitsFor(config);
    const record = await runPlan(sweepPlan(config), (parts) =>
      runPlanParts(parts, {
        digits,
        signal: own,
        onProgress: (done) => {
          if (own.cancelled) return;
          sweep.done = done;
          const elapsed = (performance.now() - started) / 1000;
          // a pace needs a few per cent of the work: earlier guesses swing wildly
          sweep.secondsLeft =
            done > sweep.total * 0.03 ? (elapsed / done) * (sweep.total - done) : null;
        },
        onPartDone: (index, result) => {
          if (own.cancelled || !sweep.live) return;
          // a part whose worker died is kept as failed (the pool goes on with the others)
          sweep.live.runs[index] = partRun(order[index]!, result, config.targetAccuracy);
        },
      }),
    );
    if (own.cancelled) return;
    sweep.complete = record;
    sweep.source = 'live';
    sweep.status = 'done';
    sweep.seconds = (performance.now() - started) / 1000;
    sweep.live = null;
  } catch (error) {
    if (own.cancelled) return;
    sweep.status = 'failed';
    sweep.error = error instanceof Error ? error.message : String(error);
    sweep.live = null;
  } finally {
    if (signal === own) signal = null;
  }
}

/**
 * Shows a sweep record from a file (one `resnet-lab sweep --out` wrote, or the page's JSON
 * export): refused over the size limit before it is read, and checked against the schema; what
 * is wrong is listed and the figures keep what they showed.
 */
export async function openSweepFile(file: File): Promise<void> {
  sweep.fileProblems = [];
  // refused before its text is read
  const tooBig = sweepFileTooBig(file.size);
  if (tooBig) {
    sweep.fileProblems = [tooBig];
    return;
  }
  const result = readSweepFile(await file.text(), file.size);
  if (!result.ok) {
    sweep.fileProblems = result.problems;
    return;
  }
  cancel();
  sweep.complete = result.record;
  sweep.source = 'file';
  sweep.fileName = file.name;
  sweep.status = 'done';
  sweep.seconds = null;
}

/**
 * The section now sweeps `family`: a precomputed sweep of the other family gives way to this
 * one's (a sweep computed live or opened from a file stays until another replaces it).
 */
export function showFamily(family: SweepFamily): void {
  if (family === shownFamily) return;
  shownFamily = family;
  if (sweep.source !== 'precomputed' || sweep.status === 'running') return;
  sweep.complete = precomputedFor(family);
}
/** the family whose precomputed sweep `showFamily` last put up (plain data: no effect reads it) */
let shownFamily: SweepFamily = 'mlp';

/** Stops the live sweep: every running part is ended in its worker; the last complete sweep stays. */
export function cancel(): void {
  if (!signal) return;
  const s = signal;
  signal = null;
  if (s.cancel) s.cancel();
  else s.cancelled = true;
  if (sweep.status === 'running') {
    sweep.status = 'cancelled';
    sweep.live = null;
    sweep.secondsLeft = null;
  }
}

// the browser tests read the sweep (only with ?e2e in the page's address)
if (typeof location !== 'undefined' && new URLSearchParams(location.search).has('e2e'))
  (window as unknown as { __convergence: SweepState }).__convergence = sweep;
