/**
 * The page's one adapter to the worker pool: every call the page's runs make to `src/worker`
 * goes through here, so a change of the pool's API is an edit of this file only.
 */
import type { TrainConfig } from '../../experiments/config.ts';
import type { ExportConfig, ExportResult } from '../../experiments/exportConfig.ts';
import type { ModelGraph } from '../../engine/graph.ts';
import type { JobObservation, Part } from '../../experiments/job.ts';
import type { DataView, EventBatch } from '../../worker/api.ts';
import { loadDigits, type RunHandle, sharedPool, type WorkerLoad } from '../../worker/pool.ts';

/** The digits asset's bytes for a config that trains on them (fetched once per page), else none. */
export function digitsFor(config: {
  dataset: string;
  digitsSize: 14 | 28;
}): Promise<Uint8Array | undefined> {
  return config.dataset === 'digits' ? loadDigits(config.digitsSize) : Promise.resolve(undefined);
}

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
 * The compiled graph of the network `config` builds (nodes, tensors, shortcuts), computed by a
 * worker of the pool: the page's own script holds no engine.
 */
export async function networkGraphOf(config: TrainConfig): Promise<ModelGraph> {
  const handle = sharedPool().handle();
  try {
    await handle.startJob('inspect', config, () => {}, { record: true });
    const graph = (await handle.result()) as ModelGraph | null;
    if (!graph) throw new Error('the worker sent no graph');
    return graph;
  } finally {
    handle.terminate();
  }
}

/** A study running in a worker of the pool (a simple job whose result is fetched at its end). */
export interface StudyRun<R> {
  /** the study's result; null when it was cancelled */
  result: Promise<R | null>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  cancel(): Promise<void>;
}

/**
 * Runs a study of a simple kind (experiments/jobs.ts: shattered, …) in a worker of the pool;
 * `onProgress` gets the units done as they are reported. The handle is freed at the end.
 */
export function startStudy<R>(
  kind: string,
  config: unknown,
  onProgress: (done: number) => void,
): StudyRun<R> {
  const handle = sharedPool().handle();
  const result = (async () => {
    try {
      await handle.startJob(kind, config, (batch) => onProgress(batch.step), { record: true });
      return ((await handle.result()) as R | null) ?? null;
    } finally {
      handle.terminate();
    }
  })();
  return {
    result,
    pause: () => handle.pause(),
    resume: () => handle.resume(),
    cancel: () => handle.cancel(),
  };
}

/**
 * An export (experiments/export.ts: an ONNX file, trained first or not, or the PyTorch folder's
 * files) built in a worker of the pool, with the digits when the config trains on them;
 * `onProgress` gets the units done (training steps, then the writing).
 */
export function startExport(
  config: ExportConfig,
  onProgress: (done: number) => void,
): StudyRun<ExportResult> {
  const handle = sharedPool().handle();
  const result = (async () => {
    try {
      const digits = await digitsFor(config);
      await handle.startJob('export', config, (batch) => onProgress(batch.step), {
        resources: digits ? { digits } : {},
        record: true,
      });
      return ((await handle.result()) as ExportResult | null) ?? null;
    } finally {
      handle.terminate();
    }
  })();
  return {
    result,
    pause: () => handle.pause(),
    resume: () => handle.resume(),
    cancel: () => handle.cancel(),
  };
}

/** The pool's size and each worker's runs (the browser tests read them). */
export function poolLoad(): { size: number; loads: WorkerLoad[] } {
  const pool = sharedPool();
  return { size: pool.size, loads: pool.loads };
}

/**
 * Browser tests: stop worker `index` as a crash would (`error`: with that error event; else
 * silently, as a system killing it), and the pool's liveness check with a short wait.
 */
export const poolFaults = {
  stopWorker: (index: number, error?: string) => sharedPool().stopWorker(index, error),
  checkWorkers: (timeoutMs: number) => sharedPool().checkWorkers(timeoutMs),
};

/**
 * Runs a plan's parts across the page's pool (TrainPool.runParts): results in part order, each
 * reported as it ends; `signal.cancel()` (set by the pool) stops every running part.
 */
export function runPlanParts(
  parts: Part[],
  options: {
    digits?: Uint8Array;
    onProgress?: (done: number) => void;
    onPartDone?: (index: number, result: unknown) => void;
    signal?: { cancelled: boolean; cancel?: () => void };
  },
): Promise<unknown[]> {
  const { digits, ...rest } = options;
  return sharedPool().runParts(parts, { ...rest, resources: () => (digits ? { digits } : {}) });
}

/** Parts running on the pool that can be paused and resumed together (see pausableParts). */
export interface PausableParts {
  /** results in part order; a part that failed is answered as a PartFailure */
  results: Promise<unknown[]>;
  pause(): void;
  resume(): void;
  /** ends every part; `results` then rejects */
  cancel(): void;
}

/**
 * Runs a plan's parts on the page's pool all at once, one run handle each (the pool places them
 * on its workers, several to a worker when it has fewer; the results do not depend on where they
 * ran), pausable together — for a study that stops while it is off-screen. TrainPool.runParts
 * queues parts beyond the pool's size instead, and cannot pause them.
 */
export function pausableParts(
  parts: Part[],
  options: {
    digits?: Uint8Array;
    /** units done over all parts, after every batch */
    onProgress?: (done: number) => void;
    /** start paused (resume() starts them) */
    paused?: boolean;
  } = {},
): PausableParts {
  const pool = sharedPool();
  const handles = parts.map(() => pool.handle());
  const done = parts.map(() => 0);
  let cancelled = false;
  let paused = options.paused ?? false;
  const resources = options.digits ? { digits: options.digits } : {};
  const one = async (part: Part, index: number): Promise<unknown> => {
    const handle = handles[index]!;
    try {
      const ended = handle.startJob(
        part.kind,
        part.config,
        (batch) => {
          done[index] = batch.step;
          options.onProgress?.(done.reduce((a, b) => a + b, 0));
        },
        { resources, record: true },
      );
      // (the start message is on its way: a pause sent now arrives after it)
      if (paused) void handle.pause();
      await ended;
      if (cancelled) throw new Error('cancelled');
      const result = await handle.result();
      if (result === null) throw new Error(`part ${index} (${part.kind}) ended without a result`);
      return result;
    } catch (error) {
      if (cancelled) throw new Error('cancelled');
      return { failed: error instanceof Error ? error.message : String(error) };
    } finally {
      handle.terminate();
    }
  };
  const results = Promise.all(parts.map(one));
  return {
    results,
    pause: () => {
      paused = true;
      for (const h of handles) void h.pause();
    },
    resume: () => {
      paused = false;
      for (const h of handles) void h.resume();
    },
    cancel: () => {
      cancelled = true;
      for (const h of handles) h.terminate();
    },
  };
}
