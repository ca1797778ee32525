/**
 * The job protocol: every experiment — a training run, a sweep, a study — is a job.
 *
 * - A **Job** runs in one thread: a pure, seeded, sliced generator of typed events. Each
 *   `advance()` does one unit of work (a training step) and returns the events that became due;
 *   it can be paused, resumed, stepped (advance while paused) and cancelled, and says how far it
 *   is (`progress` of `total` units). The host decides when to call it: the CLI in a loop, the
 *   browser's worker scheduler interleaved with other jobs.
 * - A **Plan** is a job made of independent parts: a generator that yields a list of parts
 *   (each a simple job: kind + config), receives their results in the same order, and may yield
 *   more parts or return the combined result. Hosts run the parts however they can — one after
 *   another, on Node's worker threads (`--jobs N`), or across the page's worker pool — and the
 *   result is the same, byte for byte, because each part is deterministic and the combination
 *   depends only on the ordered results.
 *
 * Each kind is registered once in jobs.ts with its settings (a field table and its validator).
 */
import type { FieldTable, Validation } from './fields.ts';

export interface JobEvent {
  readonly type: string;
}

export interface Job<E extends JobEvent = JobEvent> {
  readonly kind: string;
  /** one unit of work; the events that became due (a shared empty array when none) */
  advance(): readonly E[];
  readonly done: boolean;
  readonly paused: boolean;
  /** units of work done, and in all (training steps, for train) */
  readonly progress: number;
  readonly total: number;
  pause(): void;
  resume(): void;
  /** the job then ends at its next advance, with its own closing event */
  cancel(): void;
  /** resolves when the job is no longer paused (resumed, cancelled or done) */
  whenRunnable(): Promise<void>;
}

/** The pause/resume/cancel state every job shares. */
export class JobControl {
  private isPaused = false;
  protected cancelled = false;
  private wake: (() => void) | null = null;

  /** paused and not cancelled (a cancelled job runs on to its closing event) */
  get paused(): boolean {
    return this.isPaused && !this.cancelled;
  }

  pause(): void {
    this.isPaused = true;
  }

  resume(): void {
    this.isPaused = false;
    this.wakeUp();
  }

  cancel(): void {
    this.cancelled = true;
    this.wakeUp();
  }

  whenRunnable(): Promise<void> {
    if (!this.isPaused || this.cancelled) return Promise.resolve();
    return new Promise<void>((resolve) => (this.wake = resolve));
  }

  protected wakeUp(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

/** Runs a job to the end synchronously (the CLI's and the tests' path). */
export function* runJob<E extends JobEvent>(job: Job<E>): Generator<E> {
  while (!job.done) yield* job.advance();
}

/**
 * Runs a job to the end, yielding to the host every `sliceMs` of work so that messages (pause,
 * cancel, parameter changes) are handled; while paused it waits for `resume()`.
 */
export async function* streamJob<E extends JobEvent>(
  job: Job<E>,
  options: { sliceMs?: number; yieldToHost?: () => Promise<void> } = {},
): AsyncGenerator<E> {
  const sliceMs = options.sliceMs ?? 12;
  const yieldToHost = options.yieldToHost ?? (() => new Promise<void>((r) => setTimeout(r, 0)));
  let sliceStart = performance.now();
  while (!job.done) {
    if (job.paused) {
      await job.whenRunnable();
      sliceStart = performance.now();
      if (job.paused) continue;
    }
    yield* job.advance();
    if (performance.now() - sliceStart >= sliceMs) {
      await yieldToHost();
      sliceStart = performance.now();
    }
  }
}

/** What a job may need from its host that a pure function cannot load itself. */
export interface JobResources {
  /** the digits asset's bytes (public/data/digits-14.bin or -28.bin, matching digitsSize) */
  digits?: Uint8Array;
}

/**
 * What a host asks a job to report beyond its config: observations that read the model and
 * change none of its numbers (so they are not settings, and no record's config holds them).
 */
export interface JobObservation {
  /** train: steps between statistics of every tensor and residual block (0 or absent: none) */
  tensorStatsEvery?: number;
  /**
   * train, convolutional networks: at every evaluation, the first stage's block outputs for one
   * test digit (a forward pass in evaluation mode, which changes no number of the run)
   */
  featureMaps?: boolean;
}

/** Builds a job's result document from its events (train: the run record). */
export interface Recorder<E extends JobEvent = JobEvent, R = unknown> {
  add(event: E): void;
  result(): R;
}

/** One part of a plan: a simple job to run. */
export interface Part {
  kind: string;
  config: unknown;
}

/**
 * A part that could not finish (its worker died or the job threw), in place of its result: the
 * page's pool answers it so that a plan goes on with the other parts and reports what failed.
 */
export interface PartFailure {
  failed: string;
}

export function isPartFailure(result: unknown): result is PartFailure {
  return (
    typeof result === 'object' &&
    result !== null &&
    typeof (result as Partial<PartFailure>).failed === 'string'
  );
}

/** A job made of parts: yields lists of parts, receives their results, returns the combination. */
export type Plan<R> = Generator<Part[], R, unknown[]>;

interface DefinitionBase<C> {
  kind: string;
  /** one line for the CLI's command list */
  summary: string;
  fields: FieldTable;
  validate(input: unknown): Validation<C>;
  /** the digits asset side a config needs, or null */
  digits(config: C): 14 | 28 | null;
}

/** A job that runs in one thread. */
export interface SimpleJobDefinition<
  C = unknown,
  E extends JobEvent = JobEvent,
  R = unknown,
> extends DefinitionBase<C> {
  type: 'simple';
  /**
   * Loads code the job needs that a host should not carry until asked (the export's file
   * writers); a host awaits it before `create`. Absent: nothing to load.
   */
  prepare?(): Promise<void>;
  create(config: C, resources: JobResources, observe?: JobObservation): Job<E>;
  recorder(): Recorder<E, R>;
  /** units of work of a config (its job's `total`), for progress over many parts */
  units(config: C): number;
}

/** A job made of independent simple jobs. */
export interface PlanDefinition<C = unknown, R = unknown> extends DefinitionBase<C> {
  type: 'plan';
  plan(config: C): Plan<R>;
}

export type JobDefinition = SimpleJobDefinition | PlanDefinition;

/**
 * Runs a plan: each list of parts it yields goes to `runParts` (which may run them in parallel
 * but must answer in order), until it returns its result.
 */
export async function runPlan<R>(
  plan: Plan<R>,
  runParts: (parts: Part[]) => Promise<unknown[]>,
): Promise<R> {
  let step = plan.next([]);
  while (!step.done) step = plan.next(await runParts(step.value));
  return step.value;
}
