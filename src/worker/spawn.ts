/**
 * Creating a training worker, in a module of its own so that the page's entry (src/main.ts) can
 * start one before the rest of the page's script loads; the pool (pool.ts) adopts it as its
 * first worker.
 */
let early: Worker | null = null;

/** The pool's workers are named `resnet-lab-train-1`, `-2`, … (shown in the developer tools). */
export const TRAIN_WORKER_NAME = 'resnet-lab-train';

function create(name: string): Worker {
  return new Worker(new URL('./train.worker.ts', import.meta.url), { type: 'module', name });
}

/** Starts the pool's first worker now (once); the pool takes it when it spawns its first. */
export function startFirstWorker(): void {
  early ??= create(`${TRAIN_WORKER_NAME}-1`);
}

/** A new training worker: the one started early, if it is still unclaimed, else a fresh one. */
export function createTrainWorker(name: string): Worker {
  const adopted = early;
  early = null;
  return adopted ?? create(name);
}
