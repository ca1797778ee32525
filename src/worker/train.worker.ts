/**
 * The training worker: the only place the page trains. It hosts several runs at once (the pool,
 * pool.ts, never starts more workers than the machine has cores to spare) and interleaves them
 * fairly (scheduler.ts), yielding to its own message loop between slices so that pause, step,
 * cancel and predictions are handled mid-run; each run's events go back in batches of at most one
 * per BATCH_INTERVAL_MS, so the page's main thread gets a few small messages a second however
 * fast the runs go.
 */
import * as Comlink from 'comlink';
import type { TrainConfig } from '../experiments/config.ts';
import { type TrainingRun, train } from '../experiments/train.ts';
import {
  type DataView,
  type EventSink,
  SINGLE_RUN_ID,
  type TrainWorkerApi,
  type WireSink,
} from './api.ts';
import { RunScheduler } from './scheduler.ts';
import { packBatch } from './wire.ts';

/**
 * Yields to the worker's event loop with a MessageChannel round trip: unlike setTimeout(0),
 * which browsers clamp to 4 ms once nested, a posted message comes back as soon as the queued
 * messages (ours: pause, step, cancel, predict) have been handled.
 */
function makeYield(): () => Promise<void> {
  const channel = new MessageChannel();
  const waiting: (() => void)[] = [];
  channel.port1.onmessage = () => waiting.shift()?.();
  return () =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      channel.port2.postMessage(null);
    });
}

/** The page's sink behind each scheduler sink (which packs the batches first, see wire.ts). */
const remoteSinks = new WeakMap<EventSink, WireSink>();

function release(sink: EventSink | WireSink): void {
  (sink as Partial<Comlink.Remote<WireSink>>)[Comlink.releaseProxy]?.();
}

/** A scheduler sink that sends packed batches to the page's `remote`. */
function packing(remote: WireSink): EventSink {
  const sink: EventSink = (batch) => remote(packBatch(batch));
  remoteSinks.set(sink, remote);
  return sink;
}

const scheduler = new RunScheduler<TrainingRun>({
  yieldToHost: makeYield(),
  releaseSink: (sink) => release(remoteSinks.get(sink) ?? sink),
});

function predictRun(id: number, x: Float32Array, count: number): Float32Array | null {
  const run = scheduler.get(id);
  if (!run) return null;
  const out = run.predict(x, count);
  return Comlink.transfer(out, [out.buffer]);
}

function dataViewRun(id: number, maxTrain: number, maxTest: number): DataView | null {
  const run = scheduler.get(id);
  if (!run) return null;
  const d = run.data;
  const nTrain = Math.min(maxTrain, d.nTrain);
  const nTest = Math.min(maxTest, d.nTest);
  const view: DataView = {
    name: d.name,
    inputDim: d.inputDim,
    classes: d.numClasses,
    extent: d.extent ?? null,
    imageSize: d.imageSize ?? null,
    trainX: d.trainX.slice(0, nTrain * d.inputDim),
    trainY: d.trainY.slice(0, nTrain),
    testX: d.testX.slice(0, nTest * d.inputDim),
    testY: d.testY.slice(0, nTest),
  };
  return Comlink.transfer(view, [
    view.trainX.buffer,
    view.trainY.buffer,
    view.testX.buffer,
    view.testY.buffer,
  ]);
}

async function startRun(
  id: number,
  config: TrainConfig,
  sink: WireSink,
  digits?: Uint8Array,
): Promise<void> {
  // a run under this id ends (cancelled) before the new one is built, and its memory is freed
  await scheduler.finish(id);
  let run: TrainingRun;
  try {
    run = train(config, digits ? { digits } : {});
  } catch (error) {
    release(sink);
    throw error;
  }
  return scheduler.start(id, run, packing(sink));
}

const api: TrainWorkerApi = {
  startRun,
  pauseRun: (id) => scheduler.pause(id),
  resumeRun: (id) => scheduler.resume(id),
  stepRun: (id) => scheduler.step(id),
  cancelRun: (id) => scheduler.cancel(id),
  releaseRun: (id) => scheduler.release(id),
  predictRun,
  dataViewRun,

  start: (config, sink, digits) => startRun(SINGLE_RUN_ID, config, sink, digits),
  pause: () => scheduler.pause(SINGLE_RUN_ID),
  resume: () => scheduler.resume(SINGLE_RUN_ID),
  step: () => scheduler.step(SINGLE_RUN_ID),
  cancel: () => scheduler.cancel(SINGLE_RUN_ID),
  predict: (x, count) => predictRun(SINGLE_RUN_ID, x, count),
  dataView: (maxTrain, maxTest) => dataViewRun(SINGLE_RUN_ID, maxTrain, maxTest),
};

Comlink.expose(api);
