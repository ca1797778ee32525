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
}

/** The longest the worker holds events before sending them. */
export const BATCH_INTERVAL_MS = 50;
