/**
 * The contract between the page and the training worker. Only types live here, so the main
 * thread can import it without pulling the engine into its bundle.
 */
import type { TrainConfig } from '../experiments/config.ts';
import type { TrainEvent } from '../experiments/train.ts';

/** Everything the worker has to say since its previous batch (at most ~20 batches a second). */
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

export interface TrainWorkerApi {
  /**
   * Trains `config` (validated again in the worker), sending batches of events to `sink`.
   * A run already in progress is cancelled first. Resolves when the run has ended (done,
   * diverged or cancelled); rejects when the run cannot be built (bad config, missing asset).
   * @param digits the digits asset's bytes, required when the config's dataset is 'digits'
   */
  start(config: TrainConfig, sink: EventSink, digits?: Uint8Array): Promise<void>;
  pause(): void;
  resume(): void;
  /** one training step while paused (its events are sent at once) */
  step(): void;
  cancel(): void;
  /**
   * Class probabilities of the current run's model (evaluation mode) for `count` inputs,
   * row-major: count × classes values, or null when no run has been built. Handled between
   * training steps; it does not change the run.
   */
  predict(x: Float32Array, count: number): Float32Array | null;
  /** The current run's data for plotting, or null when no run has been built. */
  dataView(maxTrain: number, maxTest: number): DataView | null;
}

/** The longest the worker holds events before sending them. */
export const BATCH_INTERVAL_MS = 50;
