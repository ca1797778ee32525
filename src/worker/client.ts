/**
 * The page's side of the training worker: starts it lazily, fetches the digits asset relative to
 * the page (so the site works from any base path) and wraps the comlink calls.
 */
import * as Comlink from 'comlink';
import { DIGITS_ASSET_PATHS } from '../data/digits.ts';
import type { TrainConfig } from '../experiments/config.ts';
import type { DataView, EventBatch, TrainWorkerApi } from './api.ts';

const DIGITS_CACHE = new Map<number, Promise<Uint8Array>>();

export class TrainWorkerClient {
  private worker: Worker | null = null;
  private remote: Comlink.Remote<TrainWorkerApi> | null = null;
  /** rejects when the worker fails outside a call (a script error, running out of memory) */
  private crashed: Promise<never> = new Promise(() => {});
  /** shared by every client: the asset is fetched once per page */
  private readonly digits = DIGITS_CACHE;

  /** @param name the worker's name (shown in the browser's developer tools) */
  constructor(private readonly name = 'resnet-lab-train') {}

  private api(): Comlink.Remote<TrainWorkerApi> {
    if (!this.remote) {
      this.worker = new Worker(new URL('./train.worker.ts', import.meta.url), {
        type: 'module',
        name: this.name,
      });
      this.remote = Comlink.wrap<TrainWorkerApi>(this.worker);
      const worker = this.worker;
      this.crashed = new Promise<never>((_, reject) => {
        const fail = (message: string) => {
          if (this.worker === worker) this.terminate();
          reject(new Error(`the training worker stopped: ${message}`));
        };
        worker.addEventListener('error', (e) => fail(e.message || 'script error'));
        worker.addEventListener('messageerror', () => fail('a message could not be read'));
      });
      this.crashed.catch(() => {});
    }
    return this.remote;
  }

  /** Starts the worker ahead of the first run, so Start does not wait for its script. */
  warm(): void {
    this.api();
  }

  /** The digits asset for an image side, fetched once per page. */
  loadDigits(side: 14 | 28): Promise<Uint8Array> {
    let bytes = this.digits.get(side);
    if (!bytes) {
      const url = new URL(DIGITS_ASSET_PATHS[side], document.baseURI);
      bytes = fetch(url).then(async (response) => {
        if (!response.ok)
          throw new Error(`could not load the digits (${url.pathname}: HTTP ${response.status})`);
        return new Uint8Array(await response.arrayBuffer());
      });
      bytes.catch(() => this.digits.delete(side));
      this.digits.set(side, bytes);
    }
    return bytes;
  }

  /**
   * Trains `config` in the worker; `onBatch` receives the events. Resolves when the run ends.
   * The digits bytes are copied to the worker (the page keeps its copy for the next run).
   */
  async start(
    config: TrainConfig,
    onBatch: (batch: EventBatch) => void,
    digits?: Uint8Array,
  ): Promise<void> {
    const api = this.api();
    await Promise.race([api.start(config, Comlink.proxy(onBatch), digits), this.crashed]);
  }

  pause(): Promise<void> {
    return this.api().pause();
  }
  resume(): Promise<void> {
    return this.api().resume();
  }
  step(): Promise<void> {
    return this.api().step();
  }
  cancel(): Promise<void> {
    return this.api().cancel();
  }
  /** Class probabilities of the current model for `count` inputs (the inputs are copied). */
  predict(x: Float32Array, count: number): Promise<Float32Array | null> {
    return this.api().predict(x, count);
  }
  dataView(maxTrain: number, maxTest: number): Promise<DataView | null> {
    return this.api().dataView(maxTrain, maxTest);
  }

  /** Stops the worker outright (a run in progress ends without a done event). */
  terminate(): void {
    this.worker?.terminate();
    this.worker = null;
    this.remote = null;
  }
}
