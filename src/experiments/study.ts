/**
 * The shape every study of "Plain vs ResNet, beyond the textbook" shares (lesions, the ensemble of
 * paths, loss landscapes, shattered gradients): train a network first — or not, for a study at
 * initialisation — then measure it, one unit of work per `advance()` so that a host can slice,
 * pause and cancel it like any job. A study file then only says how to measure: a generator that
 * does one unit (one lesion, one grid row, one depth) per `next()` and returns its result.
 */
import type { FinalMetrics } from './record.ts';
import { type Job, JobControl } from './job.ts';
import type { TrainEvent, TrainingRun } from './train.ts';

export type StudyEvent<R> =
  /** the training before the measurement ended (final: null when it was cancelled) */
  | { type: 'trained'; final: FinalMetrics | null; diverged: { step: number } | null }
  /** the measurement's result; a cancelled study has none */
  | { type: 'result'; result: R };

/** One unit of measurement per `next()`; its return value is the study's result. */
export type Measurement<R> = Generator<void, R, void>;

const NONE: readonly never[] = Object.freeze([]);

export class StudyJob<R> extends JobControl implements Job<StudyEvent<R>> {
  private measuring: Measurement<R> | null = null;
  private measured = 0;
  private finished = false;

  /**
   * @param run the training to run to its end first (null: measure the network as built)
   * @param measure starts the measurement once training is over (it reads `run.model`)
   * @param measureUnits how many `next()` calls the measurement takes, for progress
   */
  constructor(
    readonly kind: string,
    private readonly run: TrainingRun | null,
    private readonly measure: () => Measurement<R>,
    private readonly measureUnits: number,
  ) {
    super();
  }

  get done(): boolean {
    return this.finished;
  }
  get total(): number {
    return (this.run?.total ?? 0) + this.measureUnits;
  }
  get progress(): number {
    return Math.min(this.total, (this.run?.progress ?? 0) + this.measured);
  }

  advance(): readonly StudyEvent<R>[] {
    if (this.finished) return NONE;
    if (this.cancelled) return this.end([]);
    const run = this.run;
    if (run && !run.done) {
      const done = run
        .advance()
        .find((e): e is Extract<TrainEvent, { type: 'done' }> => e.type === 'done');
      return done ? [{ type: 'trained', final: done.final, diverged: done.diverged }] : NONE;
    }
    this.measuring ??= this.measure();
    const unit = this.measuring.next();
    this.measured++;
    return unit.done ? this.end([{ type: 'result', result: unit.value }]) : NONE;
  }

  private end(events: StudyEvent<R>[]): readonly StudyEvent<R>[] {
    this.finished = true;
    this.wakeUp();
    return events;
  }
}

/** The recorder of a study kind: its result, or null when it was cancelled. */
export function studyRecorder<R>(): {
  add(event: StudyEvent<R>): void;
  result(): R | null;
} {
  let result: R | null = null;
  return {
    add: (e) => {
      if (e.type === 'result') result = e.result;
    },
    result: () => result,
  };
}
