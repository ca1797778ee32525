/**
 * The contract between the page and the training worker. Only types live here, so the main
 * thread can import it without pulling the engine into its bundle.
 */
import type { TrainConfig } from '../experiments/config.ts';
import type { TrainEvent } from '../experiments/train.ts';
import type { WireBatch } from './wire.ts';

/** Everything one run has to say since its previous batch (at most ~20 batches a second). */
export interface EventBatch {
  /** the run's events since the previous batch, in order (may be empty: a progress tick) */
  events: TrainEvent[];
  /** training steps taken so far */
  step: number;
  /** the worker's clock (performance.now()) when the batch was sent */
  time: number;
  /** milliseconds the run has spent training (pauses excluded) */
  activeMs: number;
  /** whether the run is paused now */
  paused: boolean;
}

export type EventSink = (batch: EventBatch) => void;

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
 * One worker hosts several runs, each under an id its page chose (the pool's run handles), and
 * interleaves them fairly (scheduler.ts). Every call names its run; a run unknown to the worker
 * (never started, or released) is ignored, and asked for predictions or data it answers null.
 */
export interface TrainWorkerApi {
  /**
   * Trains `config` (validated again in the worker) as run `id`, sending batches of events to
   * `sink`. A run already under `id` is cancelled first. Resolves when the run has ended (done,
   * diverged or cancelled); rejects when the run cannot be built (bad config, missing asset).
   * @param digits the digits asset's bytes, required when the config's dataset is 'digits'
   */
  startRun(id: number, config: TrainConfig, sink: WireSink, digits?: Uint8Array): Promise<void>;
  pauseRun(id: number): void;
  resumeRun(id: number): void;
  /** one training step while paused (its events are sent at once) */
  stepRun(id: number): void;
  cancelRun(id: number): void;
  /** Cancels the run if it is going and forgets it (no more events; its model is freed). */
  releaseRun(id: number): void;
  /**
   * Class probabilities of run `id`'s model (evaluation mode) for `count` inputs, row-major:
   * count × classes values, or null when no such run is held. Handled between training steps;
   * it does not change the run.
   */
  predictRun(id: number, x: Float32Array, count: number): Float32Array | null;
  /** Run `id`'s data for plotting, or null when no such run is held. */
  dataViewRun(id: number, maxTrain: number, maxTest: number): DataView | null;

  /**
   * The single-run form (one run per worker, id SINGLE_RUN_ID), for callers that drive the
   * worker directly over the comlink wire (the browser tests of the kernel paths).
   */
  start(config: TrainConfig, sink: WireSink, digits?: Uint8Array): Promise<void>;
  pause(): void;
  resume(): void;
  step(): void;
  cancel(): void;
  predict(x: Float32Array, count: number): Float32Array | null;
  dataView(maxTrain: number, maxTest: number): DataView | null;
}

/** The id of the single-run form's run (the pool's ids are positive). */
export const SINGLE_RUN_ID = 0;

/** The longest the worker holds events before sending them. */
export const BATCH_INTERVAL_MS = 50;
