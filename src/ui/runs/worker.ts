/**
 * The page's one adapter to the worker pool: every call the page's runs make to `src/worker`
 * goes through here, so a change of the pool's API is an edit of this file only.
 */
import type { TrainConfig } from '../../experiments/config.ts';
import type { JobObservation, Part } from '../../experiments/job.ts';
import type { DataView, EventBatch } from '../../worker/api.ts';
import { type RunHandle, sharedPool, type TrainPool, type WorkerLoad } from '../../worker/pool.ts';

export type { DataView, EventBatch, WorkerLoad };

/** One run's remote control (a run handle of the page's shared pool). */
export interface RunConnection {
  warm(): void;
  loadDigits(side: 14 | 28): Promise<Uint8Array>;
  /** Trains `config`; resolves when the run ends. A run in progress is replaced. */
  train(
    config: TrainConfig,
    onBatch: (batch: EventBatch) => void,
    digits?: Uint8Array,
    observe?: JobObservation,
  ): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  step(): Promise<void>;
  cancel(): Promise<void>;
  /** Ends the run and frees it in its worker. */
  release(): void;
  predict(x: Float32Array, count: number): Promise<Float32Array | null>;
  dataView(maxTrain: number, maxTest: number): Promise<DataView | null>;
}

export function connectRun(): RunConnection {
  const handle: RunHandle = sharedPool().handle();
  return {
    warm: () => handle.warm(),
    loadDigits: (side) => handle.loadDigits(side),
    train: (config, onBatch, digits, observe) => handle.start(config, onBatch, digits, observe),
    pause: () => handle.pause(),
    resume: () => handle.resume(),
    step: () => handle.step(),
    cancel: () => handle.cancel(),
    release: () => handle.terminate(),
    predict: (x, count) => handle.predict(x, count),
    dataView: (maxTrain, maxTest) => handle.dataView(maxTrain, maxTest),
  };
}

/**
 * Runs a plan's parts (experiments/job.ts `runPlan`) across the page's pool, answering their
 * results in part order (TrainPool.runParts).
 */
export function runParts(
  parts: Part[],
  options: Parameters<TrainPool['runParts']>[1] = {},
): Promise<unknown[]> {
  return sharedPool().runParts(parts, options);
}

/** The pool's size and each worker's runs (the browser tests read them). */
export function poolLoad(): { size: number; loads: WorkerLoad[] } {
  const pool = sharedPool();
  return { size: pool.size, loads: pool.loads };
}
