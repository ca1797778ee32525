/**
 * The contract between the page and the worker that runs jobs. Only types live here, so the main
 * thread can import it without pulling the engine into its bundle.
 */
import type { JobEvent, JobObservation, JobResources } from '../experiments/job.ts';
import type { TrainEvent } from '../experiments/train.ts';
import type { WireBatch } from './wire.ts';

/** Everything one job has to say since its previous batch (at most ~20 batches a second). */
export interface EventBatch<E extends JobEvent = TrainEvent> {
  /** the job's events since the previous batch, in order (may be empty: a progress tick) */
  events: E[];
  /** units of work done so far (training steps, for a training run) */
  step: number;
  /** the worker's clock (performance.now()) when the batch was sent */
  time: number;
  /** milliseconds the run has spent training (pauses excluded) */
  activeMs: number;
  /** whether the run is paused now */
  paused: boolean;
}

export type EventSink<E extends JobEvent = TrainEvent> = (batch: EventBatch<E>) => void;

/** The page's side of a run's event stream: batches as they travel (see wire.ts). */
export type WireSink = (batch: WireBatch) => void;

/** The run's data as the page plots it (a few points and images, not the whole set). */
export interface DataView {
  name: string;
  inputDim: number;
  classes: number;
  /** 2-D sets: the square [-extent, extent]² holding every point */
  extent: number | null;
  /** digits: the image side */
  imageSize: number | null;
  /** up to `maxTrain` training points (row-major, inputDim each) and their labels */
  trainX: Float32Array;
  trainY: Int32Array;
  /** the first `maxTest` test examples and their labels */
  testX: Float32Array;
  testY: Int32Array;
}

/**
 * One worker hosts several jobs, each under an id its page chose (the pool's run handles), and
 * interleaves them fairly (scheduler.ts). Every call names its job; a job unknown to the worker
 * (never started, or released) is ignored, and asked for predictions, data or a result it
 * answers null. Train-specific queries (predict, dataView) answer null for other kinds.
 */
export interface JobWorkerApi {
  /**
   * Runs a job of `kind` (experiments/jobs.ts) with `config` (validated in the worker) as `id`,
   * sending batches of events to `sink`. A job already under `id` is cancelled first. Resolves
   * when the job has ended (done, diverged or cancelled); rejects when it cannot be built (bad
   * config, missing asset). With `record`, the worker keeps the job's result (see `result`).
   */
  start(
    id: number,
    kind: string,
    config: unknown,
    sink: WireSink,
    resources?: JobResources,
    options?: { record?: boolean } & JobObservation,
  ): Promise<void>;
  pause(id: number): void;
  resume(id: number): void;
  /** one unit of work while paused (its events are sent at once) */
  step(id: number): void;
  cancel(id: number): void;
  /** Cancels the job if it is going and forgets it (no more events; its model is freed). */
  release(id: number): void;
  /** the job's result document (train: the run record) once done, if it was started with record */
  result(id: number): unknown;
  /**
   * Class probabilities of training run `id`'s model (evaluation mode) for `count` inputs,
   * row-major: count × classes values, or null. Handled between training steps; it does not
   * change the run.
   */
  predict(id: number, x: Float32Array, count: number): Float32Array | null;
  /** Training run `id`'s data for plotting, or null. */
  dataView(id: number, maxTrain: number, maxTest: number): DataView | null;
  /** Answers at once between work slices: the pool's check that a silent worker is alive. */
  ping(): true;
}

/** The longest the worker holds events before sending them. */
export const BATCH_INTERVAL_MS = 50;
