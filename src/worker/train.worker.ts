/**
 * The worker that runs the page's jobs: the only place the page trains. It hosts several jobs at
 * once (the pool, pool.ts, never starts more workers than the machine has cores to spare) and
 * interleaves them fairly (scheduler.ts), yielding to its own message loop between slices so that
 * pause, step, cancel and predictions are handled mid-run; each job's events go back in batches
 * of at most one per BATCH_INTERVAL_MS, so the page's main thread gets a few small messages a
 * second however fast the jobs go. Any simple job kind of experiments/jobs.ts runs here.
 */
import * as Comlink from 'comlink';
import type { Job, JobEvent, JobObservation, JobResources, Recorder } from '../experiments/job.ts';
import { simpleJob } from '../experiments/jobs.ts';
import { errorLine } from '../experiments/fields.ts';
import { TrainingRun } from '../experiments/train.ts';
import type { DataView, EventSink, JobWorkerApi, WireSink } from './api.ts';
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
const remoteSinks = new WeakMap<EventSink<JobEvent>, WireSink>();

function release(sink: EventSink<JobEvent> | WireSink): void {
  (sink as Partial<Comlink.Remote<WireSink>>)[Comlink.releaseProxy]?.();
}

/** A scheduler sink that sends packed batches to the page's `remote` (and records, if asked). */
function packing(remote: WireSink, recorder: Recorder | null): EventSink<JobEvent> {
  const sink: EventSink<JobEvent> = (batch) => {
    if (recorder) for (const e of batch.events) recorder.add(e);
    return remote(packBatch(batch));
  };
  remoteSinks.set(sink, remote);
  return sink;
}

const scheduler = new RunScheduler<Job, JobEvent>({
  yieldToHost: makeYield(),
  releaseSink: (sink) => release(remoteSinks.get(sink) ?? sink),
});
const recorders = new Map<number, Recorder>();

/** The training run under `id`, or null (no such job, or another kind). */
function trainingRun(id: number): TrainingRun | null {
  const job = scheduler.get(id);
  return job instanceof TrainingRun ? job : null;
}

function predict(id: number, x: Float32Array, count: number): Float32Array | null {
  const run = trainingRun(id);
  if (!run) return null;
  const out = run.predict(x, count);
  return Comlink.transfer(out, [out.buffer]);
}

function dataView(id: number, maxTrain: number, maxTest: number): DataView | null {
  const run = trainingRun(id);
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

async function start(
  id: number,
  kind: string,
  config: unknown,
  sink: WireSink,
  resources: JobResources = {},
  options: { record?: boolean } & JobObservation = {},
): Promise<void> {
  // a job under this id ends (cancelled) before the new one is built, and its memory is freed
  await scheduler.finish(id);
  recorders.delete(id);
  let job: Job;
  let recorder: Recorder | null = null;
  try {
    const def = simpleJob(kind);
    const checked = def.validate(config);
    if (!checked.ok)
      throw new Error(`invalid config:\n  ${checked.errors.map((e) => errorLine(e)).join('\n  ')}`);
    await def.prepare?.();
    job = def.create(checked.value, resources, {
      tensorStatsEvery: options.tensorStatsEvery,
      featureMaps: options.featureMaps,
    });
    if (options.record) {
      recorder = def.recorder();
      recorders.set(id, recorder);
    }
  } catch (error) {
    release(sink);
    throw error;
  }
  return scheduler.start(id, job, packing(sink, recorder));
}

const api: JobWorkerApi = {
  start,
  pause: (id) => scheduler.pause(id),
  resume: (id) => scheduler.resume(id),
  step: (id) => scheduler.step(id),
  cancel: (id) => scheduler.cancel(id),
  release: (id) => {
    scheduler.release(id);
    recorders.delete(id);
  },
  result: (id) => (scheduler.get(id)?.done ? (recorders.get(id)?.result() ?? null) : null),
  predict,
  dataView,
  ping: () => true,
};

Comlink.expose(api);
