/**
 * Several jobs (training runs, study parts) in one thread, interleaved fairly. Each run is independent state (its own
 * model, data and batch order), so interleaving changes none of its numbers: a run's events are
 * the same whatever it shares the thread with.
 *
 * - Round robin: each run that is neither paused nor finished gets a turn of at least one step and
 *   about `quantumMs` of work (deep nets: one step each; tiny nets: a few), in order.
 * - Every `sliceMs` of work the loop yields to the host, so that messages (pause, step, cancel,
 *   predict, a new run) are handled while runs train.
 * - A paused or finished run costs nothing; with no run to advance, the loop sleeps until one is
 *   started, resumed or cancelled.
 * - Each run's events are sent to its own sink in batches, at most one per `batchIntervalMs`
 *   (sooner when it pauses, steps, diverges or ends).
 */
import type { Job, JobEvent } from '../experiments/job.ts';
import type { TrainEvent } from '../experiments/train.ts';
import { BATCH_INTERVAL_MS, type EventBatch, type EventSink } from './api.ts';

/** What the scheduler needs of a job (any Job has it). */
export type SchedulableRun = Pick<
  Job,
  'advance' | 'progress' | 'done' | 'paused' | 'pause' | 'resume' | 'cancel'
>;

export interface SchedulerOptions<E extends JobEvent = TrainEvent> {
  /** the clock (performance.now) */
  now?: () => number;
  /** returns to the host's event loop; resolves once queued messages have been handled */
  yieldToHost?: () => Promise<void>;
  /** work between two yields to the host */
  sliceMs?: number;
  /** work per run per turn (at least one step) */
  quantumMs?: number;
  /** the longest a run's events are held before they are sent */
  batchIntervalMs?: number;
  /** called when a run's sink is no longer needed (comlink: release the proxy) */
  releaseSink?: (sink: EventSink<E>) => void;
}

/** R: the jobs it runs; E: the events their sinks receive (a training run's, by default). */
class Session<R extends SchedulableRun, E extends JobEvent> {
  pending: E[] = [];
  lastSent = -Infinity;
  readonly startedAt: number;
  pausedMs = 0;
  pausedSince: number | null = null;
  /** set once the run has finished (or failed) and its promise settled */
  ended = false;
  readonly settled: Promise<void>;
  resolve!: () => void;
  reject!: (error: unknown) => void;

  constructor(
    readonly run: R,
    readonly sink: EventSink<E>,
    private readonly now: () => number,
    private readonly interval: number,
  ) {
    this.startedAt = now();
    this.settled = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.settled.catch(() => {});
  }

  get runnable(): boolean {
    return !this.ended && !this.run.done && !this.run.paused;
  }

  push(events: readonly JobEvent[]): boolean {
    let urgent = false;
    for (const e of events as readonly E[]) {
      this.pending.push(e);
      if (e.type === 'diverged' || e.type === 'done') urgent = true;
    }
    return urgent;
  }

  /** Sends the pending events if the last batch is old enough (or `force`). */
  send(force = false): void {
    const now = this.now();
    if (!force && now - this.lastSent < this.interval) return;
    this.lastSent = now;
    const until = this.pausedSince ?? now;
    const batch: EventBatch<E> = {
      events: this.pending,
      step: this.run.progress,
      time: now,
      activeMs: until - this.startedAt - this.pausedMs,
      paused: this.run.paused && !this.run.done,
    };
    this.pending = [];
    // Fire and forget: the page answers nothing, and a closed page must not stop the run here.
    try {
      Promise.resolve(this.sink(batch)).catch(() => {});
    } catch {
      // a sink that throws is the page's problem, not the run's
    }
  }

  pause(): void {
    if (this.ended || this.run.done) return;
    this.run.pause();
    this.pausedSince ??= this.now();
    this.send(true);
  }

  resume(): void {
    if (this.pausedSince !== null) this.pausedMs += this.now() - this.pausedSince;
    this.pausedSince = null;
    this.run.resume();
  }
}

export class RunScheduler<R extends SchedulableRun = Job, E extends JobEvent = TrainEvent> {
  private readonly sessions = new Map<number, Session<R, E>>();
  /** round-robin order: the ids of the runs not yet finished, in start order */
  private order: number[] = [];
  private cursor = 0;
  private looping = false;
  private wake: (() => void) | null = null;
  private readonly now: () => number;
  private readonly yieldToHost: () => Promise<void>;
  private readonly sliceMs: number;
  private readonly quantumMs: number;
  private readonly interval: number;
  private readonly releaseSink: (sink: EventSink<E>) => void;

  constructor(options: SchedulerOptions<E> = {}) {
    this.now = options.now ?? (() => performance.now());
    this.yieldToHost = options.yieldToHost ?? (() => new Promise<void>((r) => setTimeout(r, 0)));
    this.sliceMs = options.sliceMs ?? 12;
    this.quantumMs = options.quantumMs ?? 1;
    this.interval = options.batchIntervalMs ?? BATCH_INTERVAL_MS;
    this.releaseSink = options.releaseSink ?? (() => {});
  }

  /**
   * Adds a run under `id` and trains it alongside the others; resolves when it has ended (done,
   * diverged or cancelled), rejects if it throws. A run already under `id` is released first
   * (`finish` it before, to let it end with its cancelled `done` event). The run stays available
   * to `get` until `release(id)` or the next start under `id`.
   */
  start(id: number, run: R, sink: EventSink<E>): Promise<void> {
    this.release(id);
    const session = new Session(run, sink, this.now, this.interval);
    this.sessions.set(id, session);
    this.order.push(id);
    this.kick();
    return session.settled;
  }

  /** Cancels the run under `id` if it is going, waits for it to end, and forgets it. */
  async finish(id: number): Promise<void> {
    const s = this.sessions.get(id);
    if (!s) return;
    if (!s.ended) {
      this.cancel(id);
      await s.settled.catch(() => {});
    }
    if (this.sessions.get(id) === s) this.sessions.delete(id);
  }

  /** The run under `id` (running, paused or ended but not released), or null. */
  get(id: number): R | null {
    return this.sessions.get(id)?.run ?? null;
  }

  /** The number of runs held, and of those that are training now (not paused, not ended). */
  get load(): { held: number; busy: number } {
    let busy = 0;
    for (const s of this.sessions.values()) if (s.runnable) busy++;
    return { held: this.sessions.size, busy };
  }

  pause(id: number): void {
    this.sessions.get(id)?.pause();
  }

  resume(id: number): void {
    const s = this.sessions.get(id);
    if (!s || s.ended) return;
    s.resume();
    this.kick();
  }

  /** One training step of a paused run (its events are sent at once). */
  step(id: number): void {
    const s = this.sessions.get(id);
    if (!s || s.ended || !s.run.paused || s.run.done) return;
    if (!this.advance(s)) return;
    s.send(true);
    if (s.run.done) this.end(s);
  }

  /** Stops a run: it ends with a `done` event marked cancelled (paused or not). */
  cancel(id: number): void {
    const s = this.sessions.get(id);
    if (!s || s.ended) return;
    s.resume();
    s.run.cancel();
    this.kick();
  }

  /** Cancels the run under `id` if it is still going, and forgets it (its model is freed). */
  release(id: number): void {
    const s = this.sessions.get(id);
    if (!s) return;
    this.sessions.delete(id);
    if (!s.ended) {
      // dropped unfinished: nobody listens any more, so it ends without a word
      s.run.cancel();
      s.pending = [];
      s.ended = true;
      this.releaseSink(s.sink);
      s.resolve();
    }
    this.order = this.order.filter((x) => x !== id);
  }

  /** Starts the loop if it is not running, or wakes it if it sleeps. */
  private kick(): void {
    if (this.wake) {
      const wake = this.wake;
      this.wake = null;
      wake();
    } else if (!this.looping) void this.loop();
  }

  /** Advances a run once; false (and the run ended with its error) if it threw. */
  private advance(s: Session<R, E>): boolean {
    try {
      s.push(s.run.advance());
      return true;
    } catch (error) {
      this.end(s, error);
      return false;
    }
  }

  private end(s: Session<R, E>, error?: unknown): void {
    if (s.ended) return;
    s.ended = true;
    s.send(true);
    this.releaseSink(s.sink);
    this.order = this.order.filter((id) => this.sessions.get(id) !== s);
    if (error === undefined) s.resolve();
    else s.reject(error);
  }

  /** The next run to advance, round robin; null when none is. */
  private next(): Session<R, E> | null {
    const n = this.order.length;
    for (let k = 0; k < n; k++) {
      const i = (this.cursor + k) % n;
      const s = this.sessions.get(this.order[i]!);
      if (s?.runnable) {
        this.cursor = (i + 1) % n;
        return s;
      }
    }
    return null;
  }

  private async loop(): Promise<void> {
    this.looping = true;
    try {
      let sliceStart = this.now();
      for (;;) {
        const s = this.next();
        if (!s) {
          await new Promise<void>((resolve) => (this.wake = resolve));
          sliceStart = this.now();
          continue;
        }
        const turnStart = this.now();
        let urgent = false;
        do {
          let events: readonly JobEvent[];
          try {
            events = s.run.advance();
          } catch (error) {
            this.end(s, error);
            break;
          }
          urgent = s.push(events) || urgent;
        } while (s.runnable && this.now() - turnStart < this.quantumMs);
        if (!s.ended) {
          if (s.run.done) this.end(s);
          else s.send(urgent);
        }
        if (this.now() - sliceStart >= this.sliceMs) {
          await this.yieldToHost();
          sliceStart = this.now();
        }
      }
    } finally {
      this.looping = false;
    }
  }
}
