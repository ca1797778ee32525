/**
 * The page's training workers, shared by every live run on the page (the Training Dynamics pair,
 * the article's figures). The pool never starts more workers than the machine can spare —
 * max(1, cores − 1), so the page's own thread keeps a core — and each worker hosts several runs,
 * interleaved fairly (scheduler.ts). A run handle (`RunHandle`) is one run's remote control:
 * start / pause / resume / step / cancel / predict / dataView, each run pausable on its own and
 * sending its own batches. A paused run costs its worker nothing.
 */
import * as Comlink from 'comlink';
import { DIGITS_ASSET_PATHS } from '../data/digits.ts';
import type { TrainConfig } from '../experiments/config.ts';
import type {
  JobEvent,
  JobObservation,
  JobResources,
  Part,
  PartFailure,
} from '../experiments/job.ts';
import type { DataView, EventBatch, JobWorkerApi } from './api.ts';
import { createTrainWorker, TRAIN_WORKER_NAME } from './spawn.ts';
import { unpackBatch, type WireBatch } from './wire.ts';

/**
 * How many workers the pool may run: `override` (clamped to 1…cores) when given, else all the
 * cores but one for the page, at least one.
 */
export function poolSize(cores: number | undefined, override?: number | null): number {
  const n = Number.isFinite(cores) && cores! >= 1 ? Math.floor(cores!) : 2;
  if (override != null && Number.isFinite(override) && override >= 1)
    return Math.min(Math.floor(override), Math.max(n, 1));
  return Math.max(1, n - 1);
}

/** What placement needs to know of a worker. */
export interface WorkerLoad {
  /** runs training now (started, not paused, not ended) */
  busy: number;
  /** runs it holds (training, paused, or ended and kept for predictions) */
  held: number;
}

/**
 * The worker a new run goes to: the least busy, then the one holding fewest runs; a new worker
 * (index `loads.length`) when the pool has room and every existing one is busy or holds more.
 */
export function pickWorker(loads: readonly WorkerLoad[], size: number): number {
  const candidates = loads.map((l, i) => ({ ...l, i, fresh: 0 }));
  if (loads.length < size) candidates.push({ busy: 0, held: 0, i: loads.length, fresh: 1 });
  candidates.sort((a, b) => a.busy - b.busy || a.held - b.held || a.fresh - b.fresh || a.i - b.i);
  return candidates[0]!.i;
}

const DIGITS = new Map<number, Promise<Uint8Array>>();

/** The digits asset for an image side, fetched once per page, relative to the page's address. */
export function loadDigits(side: 14 | 28): Promise<Uint8Array> {
  let bytes = DIGITS.get(side);
  if (!bytes) {
    const url = new URL(DIGITS_ASSET_PATHS[side], document.baseURI);
    bytes = fetch(url).then(async (response) => {
      if (!response.ok)
        throw new Error(`could not load the digits (${url.pathname}: HTTP ${response.status})`);
      return new Uint8Array(await response.arrayBuffer());
    });
    bytes.catch(() => DIGITS.delete(side));
    DIGITS.set(side, bytes);
  }
  return bytes;
}

/**
 * How the pool notices a worker that died without a word (a phone's system killing it, a
 * terminated thread): a worker with a run training sends a batch at least every
 * BATCH_INTERVAL_MS, so one silent for silentMs is asked to answer a ping between its slices;
 * no answer within pingTimeoutMs (six times the slowest step the size limits allow,
 * experiments/size.ts, for slower devices) and it is
 * treated as crashed.
 */
export const WATCHDOG = { everyMs: 2000, silentMs: 5000, pingTimeoutMs: 60_000 } as const;

class PoolWorker {
  readonly worker: Worker;
  readonly remote: Comlink.Remote<JobWorkerApi>;
  /** rejects when the worker fails outside a call (a script error, running out of memory) */
  readonly crashed: Promise<never>;
  /** the handles whose run this worker holds */
  readonly runs = new Set<RunHandle>();
  /** when the worker last sent anything (performance.now()) */
  lastHeard = performance.now();
  /** a ping is waiting for its answer */
  probing = false;
  /** marks the worker dead (once): its runs fail with `message` */
  readonly fail: (message: string) => void;

  constructor(name: string, onCrash: (w: PoolWorker) => void) {
    this.worker = createTrainWorker(name);
    this.remote = Comlink.wrap<JobWorkerApi>(this.worker);
    let fail: (message: string) => void = () => {};
    this.crashed = new Promise<never>((_, reject) => {
      let dead = false;
      fail = (message: string) => {
        if (dead) return;
        dead = true;
        onCrash(this);
        reject(new Error(`the training worker stopped: ${message}`));
      };
    });
    this.fail = fail;
    this.worker.addEventListener('error', (e) => this.fail(e.message || 'script error'));
    this.worker.addEventListener('messageerror', () => this.fail('a message could not be read'));
    this.crashed.catch(() => {});
  }

  heard(): void {
    this.lastHeard = performance.now();
  }

  /** Pings the worker; no answer within `timeoutMs` marks it crashed. Resolves whether alive. */
  async probe(timeoutMs: number): Promise<boolean> {
    this.probing = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const silent = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const alive = await Promise.race([
      this.remote.ping().then(() => true as const),
      silent,
      this.crashed.catch(() => false as const),
    ]);
    clearTimeout(timer);
    this.probing = false;
    if (alive) this.heard();
    else this.fail(`it stopped answering (no reply within ${Math.round(timeoutMs / 1000)} s)`);
    return alive;
  }

  get load(): WorkerLoad {
    let busy = 0;
    for (const r of this.runs) if (r.busy) busy++;
    return { busy, held: this.runs.size };
  }
}

export class TrainPool {
  private workers: PoolWorker[] = [];
  private nextId = 1;
  private watchdog: ReturnType<typeof setInterval> | null = null;

  /**
   * @param size the most workers it starts (see poolSize)
   * @param name the workers' name (shown in the browser's developer tools)
   */
  constructor(
    readonly size: number,
    private readonly name = TRAIN_WORKER_NAME,
  ) {}

  /** A new run handle (no worker is taken until it starts). */
  handle(): RunHandle {
    return new RunHandle(this);
  }

  /**
   * Runs a plan's parts (experiments/job.ts `runPlan` calls this) across the pool's workers, at
   * most `size` at a time, and answers their results in part order — so the plan's result is
   * what the CLI computes for the same config. `onProgress` gets the units done over all parts.
   * Cancelling (`signal.cancelled`, then `signal.cancel()`) stops every running part. A part
   * that fails (its job throws, its worker dies) is answered as a `PartFailure` and the other
   * parts go on, on a new worker if theirs died.
   */
  async runParts(
    parts: Part[],
    options: {
      resources?: (part: Part) => JobResources;
      onProgress?: (done: number) => void;
      onPartDone?: (index: number, result: unknown) => void;
      signal?: { cancelled: boolean; cancel?: () => void };
    } = {},
  ): Promise<unknown[]> {
    const results = new Array<unknown>(parts.length);
    const done = new Array<number>(parts.length).fill(0);
    const handles = new Set<RunHandle>();
    const signal = options.signal;
    if (signal)
      signal.cancel = () => {
        signal.cancelled = true;
        for (const h of handles) h.terminate();
      };
    let next = 0;
    const lane = async () => {
      while (next < parts.length && !signal?.cancelled) {
        const index = next++;
        const part = parts[index]!;
        const handle = this.handle();
        handles.add(handle);
        try {
          await handle.startJob(
            part.kind,
            part.config,
            (batch) => {
              done[index] = batch.step;
              options.onProgress?.(done.reduce((a, b) => a + b, 0));
            },
            { resources: options.resources?.(part) ?? {}, record: true },
          );
          if (signal?.cancelled) break;
          const result = await handle.result();
          if (result === null)
            throw new Error(`part ${index} (${part.kind}) ended without a result`);
          results[index] = result;
          options.onPartDone?.(index, result);
        } catch (error) {
          if (signal?.cancelled) break;
          const failure: PartFailure = {
            failed: error instanceof Error ? error.message : String(error),
          };
          results[index] = failure;
          options.onPartDone?.(index, failure);
        } finally {
          handle.terminate();
          handles.delete(handle);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.size, parts.length) }, lane));
    if (signal?.cancelled) throw new Error('cancelled');
    return results;
  }

  /** Starts one worker ahead of the first run, so Start does not wait for its script. */
  warm(): void {
    if (this.workers.length === 0) this.spawn();
  }

  /** Workers started, and the runs each holds and trains now (the browser tests read it). */
  get loads(): WorkerLoad[] {
    return this.workers.map((w) => w.load);
  }

  /** @internal the worker and id for a new run of `handle` */
  assign(handle: RunHandle): { host: PoolWorker; id: number } {
    const i = pickWorker(this.loads, this.size);
    const host = this.workers[i] ?? this.spawn();
    host.runs.add(handle);
    this.watchdog ??= setInterval(() => this.watch(), WATCHDOG.everyMs);
    return { host, id: this.nextId++ };
  }

  /**
   * Pings every worker that holds runs and waits at most `timeoutMs` for each answer; a worker
   * that does not answer is treated as crashed (its runs fail, a new run gets a new worker).
   * Resolves with how many were found dead. The watchdog does this for silent busy workers.
   */
  async checkWorkers(timeoutMs: number = WATCHDOG.pingTimeoutMs): Promise<number> {
    const held = this.workers.filter((w) => w.runs.size > 0 && !w.probing);
    const alive = await Promise.all(held.map((w) => w.probe(timeoutMs)));
    return alive.filter((a) => !a).length;
  }

  /** @internal browser tests: stop worker `index` as a crash would (with an error, or silently) */
  stopWorker(index: number, error?: string): boolean {
    const w = this.workers[index];
    if (!w) return false;
    w.worker.terminate();
    if (error !== undefined) w.worker.dispatchEvent(new ErrorEvent('error', { message: error }));
    return true;
  }

  private watch(): void {
    const busy = this.workers.filter((w) => w.load.busy > 0);
    if (busy.length === 0 && this.workers.every((w) => w.runs.size === 0)) {
      clearInterval(this.watchdog!);
      this.watchdog = null;
      return;
    }
    const now = performance.now();
    for (const w of busy)
      if (!w.probing && now - w.lastHeard > WATCHDOG.silentMs) void w.probe(WATCHDOG.pingTimeoutMs);
  }

  private spawn(): PoolWorker {
    const w = new PoolWorker(`${this.name}-${this.workers.length + 1}`, (dead) => {
      dead.worker.terminate();
      this.workers = this.workers.filter((x) => x !== dead);
      for (const handle of dead.runs) handle.detach(dead);
      dead.runs.clear();
    });
    this.workers.push(w);
    return w;
  }
}

/**
 * One run's remote control. `start` places the run on the pool's least-loaded worker (a new run
 * replaces the handle's previous one, which is cancelled and freed); the other calls act on the
 * current run and do nothing (predict, dataView: null) when there is none.
 */
export class RunHandle {
  private host: PoolWorker | null = null;
  private id = 0;
  private running = false;
  private paused = false;

  constructor(private readonly pool: TrainPool) {}

  /** whether its run is training now (the pool places new runs away from busy workers) */
  get busy(): boolean {
    return this.running && !this.paused;
  }

  warm(): void {
    this.pool.warm();
  }

  loadDigits(side: 14 | 28): Promise<Uint8Array> {
    return loadDigits(side);
  }

  /**
   * Trains `config` in a worker of the pool; `onBatch` receives the events. Resolves when the
   * run ends. The digits bytes are copied to the worker (the page keeps its copy).
   */
  async start(
    config: TrainConfig,
    onBatch: (batch: EventBatch) => void,
    digits?: Uint8Array,
    observe: JobObservation = {},
  ): Promise<void> {
    return this.startJob('train', config, onBatch, {
      resources: digits ? { digits } : {},
      ...observe,
    });
  }

  /**
   * Runs a job of any simple kind (experiments/jobs.ts) in a worker of the pool; `onBatch`
   * receives its events. Resolves when it ends. With `record`, its result can be fetched after.
   */
  async startJob<E extends JobEvent = JobEvent>(
    kind: string,
    config: unknown,
    onBatch: (batch: EventBatch<E>) => void,
    options: { resources?: JobResources; record?: boolean } & JobObservation = {},
  ): Promise<void> {
    this.drop();
    const { host, id } = this.pool.assign(this);
    this.host = host;
    this.id = id;
    this.running = true;
    this.paused = false;
    const { resources, ...rest } = options;
    try {
      await Promise.race([
        host.remote.start(
          id,
          kind,
          config,
          Comlink.proxy((batch: WireBatch) => {
            host.heard();
            onBatch(unpackBatch<E>(batch));
          }),
          resources,
          rest,
        ),
        host.crashed,
      ]);
    } finally {
      if (this.id === id) this.running = false;
    }
  }

  /** The finished job's result (when started with record), or null. */
  async result(): Promise<unknown> {
    return this.host ? this.host.remote.result(this.id) : null;
  }

  pause(): Promise<void> {
    if (this.running) this.paused = true;
    return this.call((r, id) => r.pause(id));
  }
  resume(): Promise<void> {
    this.paused = false;
    return this.call((r, id) => r.resume(id));
  }
  step(): Promise<void> {
    return this.call((r, id) => r.step(id));
  }
  cancel(): Promise<void> {
    return this.call((r, id) => r.cancel(id));
  }

  /** Class probabilities of the current model for `count` inputs (the inputs are copied). */
  async predict(x: Float32Array, count: number): Promise<Float32Array | null> {
    return this.host ? this.host.remote.predict(this.id, x, count) : null;
  }

  async dataView(maxTrain: number, maxTest: number): Promise<DataView | null> {
    return this.host ? this.host.remote.dataView(this.id, maxTrain, maxTest) : null;
  }

  /** Ends the run (it sends nothing more) and frees it in its worker; the worker stays. */
  terminate(): void {
    this.drop();
  }

  /** @internal its worker stopped: the run is gone (a later start takes another worker) */
  detach(dead: PoolWorker): void {
    if (this.host !== dead) return;
    this.host = null;
    this.running = false;
    this.paused = false;
  }

  private async call(
    f: (remote: Comlink.Remote<JobWorkerApi>, id: number) => Promise<void>,
  ): Promise<void> {
    if (this.host) await f(this.host.remote, this.id);
  }

  private drop(): void {
    const host = this.host;
    if (!host) return;
    void host.remote.release(this.id).catch(() => {});
    host.runs.delete(this);
    this.host = null;
    this.running = false;
    this.paused = false;
  }
}

let shared: TrainPool | null = null;

/**
 * The page's pool: max(1, cores − 1) workers, or `?workers=N` in the page's address (to measure
 * the pair in one worker against two).
 */
export function sharedPool(): TrainPool {
  if (!shared) {
    const param = new URLSearchParams(location.search).get('workers');
    shared = new TrainPool(
      poolSize(navigator.hardwareConcurrency, param === null ? null : Number(param)),
    );
  }
  return shared;
}
