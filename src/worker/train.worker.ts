/**
 * The training worker: the only place the page trains. Runs `TrainingRun.stream()`, yielding to
 * its own message loop between slices (so pause/step/cancel are handled mid-run), and sends the
 * events back in batches of at most one per BATCH_INTERVAL_MS, so the page's main thread gets a
 * few small messages a second however fast the run goes.
 */
import * as Comlink from 'comlink';
import type { TrainConfig } from '../experiments/config.ts';
import { type TrainEvent, type TrainingRun, train } from '../experiments/train.ts';
import {
  BATCH_INTERVAL_MS,
  type DataView,
  type EventBatch,
  type EventSink,
  type TrainWorkerApi,
} from './api.ts';

/**
 * Yields to the worker's event loop with a MessageChannel round trip: unlike setTimeout(0),
 * which browsers clamp to 4 ms once nested, a posted message comes back as soon as the queued
 * messages (ours: pause, step, cancel) have been handled.
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

const yieldToHost = makeYield();

class Session {
  private pending: TrainEvent[] = [];
  private lastSent = -Infinity;
  private readonly startedAt = performance.now();
  private pausedMs = 0;
  private pausedSince: number | null = null;
  ended: Promise<void> = Promise.resolve();

  constructor(
    readonly run: TrainingRun,
    private readonly sink: EventSink,
  ) {}

  push(events: readonly TrainEvent[]): void {
    for (const e of events) this.pending.push(e);
  }

  /** Sends the pending events if the last batch is old enough (or `force`). */
  send(force = false): void {
    const now = performance.now();
    if (!force && now - this.lastSent < BATCH_INTERVAL_MS) return;
    this.lastSent = now;
    const paused = this.run.paused && !this.run.done;
    const until = this.pausedSince ?? now;
    const batch: EventBatch = {
      events: this.pending,
      step: this.run.step,
      time: now,
      activeMs: until - this.startedAt - this.pausedMs,
      paused,
    };
    this.pending = [];
    // Fire and forget: the page answers nothing, and a closed page must not stop the run here.
    Promise.resolve(this.sink(batch)).catch(() => {});
  }

  pause(): void {
    if (this.run.done) return;
    this.run.pause();
    this.pausedSince ??= performance.now();
    this.send(true);
  }

  resume(): void {
    if (this.pausedSince !== null) this.pausedMs += performance.now() - this.pausedSince;
    this.pausedSince = null;
    this.run.resume();
  }

  async pump(): Promise<void> {
    try {
      const stream = this.run.stream({
        yieldToHost: () => {
          this.send();
          return yieldToHost();
        },
      });
      for await (const event of stream) {
        this.pending.push(event);
        if (event.type === 'diverged' || event.type === 'done') this.send(true);
        // the start event travels with the step-0 evaluation right behind it
        else if (event.type !== 'start') this.send();
      }
    } finally {
      this.send(true);
      (this.sink as Partial<Comlink.Remote<EventSink>>)[Comlink.releaseProxy]?.();
    }
  }
}

let current: Session | null = null;
/** the latest run built, kept after it ends so its model can still be asked for predictions */
let latest: TrainingRun | null = null;

const api: TrainWorkerApi = {
  async start(config: TrainConfig, sink: EventSink, digits?: Uint8Array): Promise<void> {
    const previous = current;
    if (previous) {
      current = null;
      previous.run.cancel();
      await previous.ended.catch(() => {});
    }
    latest = null;
    const session = new Session(train(config, digits ? { digits } : {}), sink);
    current = session;
    latest = session.run;
    session.ended = session.pump();
    try {
      await session.ended;
    } finally {
      if (current === session) current = null;
    }
  },
  pause() {
    current?.pause();
  },
  resume() {
    current?.resume();
  },
  step() {
    const s = current;
    if (!s || !s.run.paused || s.run.done) return;
    s.push(s.run.advance());
    s.send(true);
  },
  cancel() {
    const s = current;
    if (!s) return;
    s.resume();
    s.run.cancel();
  },
  predict(x: Float32Array, count: number): Float32Array | null {
    if (!latest) return null;
    const out = latest.predict(x, count);
    return Comlink.transfer(out, [out.buffer]);
  },
  dataView(maxTrain: number, maxTest: number): DataView | null {
    if (!latest) return null;
    const d = latest.data;
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
  },
};

Comlink.expose(api);
