/**
 * Runs a plan's parts for the CLI: one after another in this thread (`--jobs 1`), or on up to N
 * worker threads (`--jobs N`). Each part runs the same code either way (experiments/jobs.ts
 * `runPart`) and results come back in part order, so the output is byte-identical whatever N is.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { JobResources, Part } from '../experiments/job.ts';
import { runPart, unitsOf } from '../experiments/jobs.ts';

export interface PartRequest {
  index: number;
  part: Part;
  digits?: Uint8Array;
}

export type PartMessage =
  | { type: 'progress'; index: number; done: number; total: number }
  | { type: 'result'; index: number; result: unknown }
  | { type: 'error'; index: number; message: string };

export interface PartsHost {
  /** threads to use (1: this thread) */
  jobs: number;
  /** the assets a part needs (loaded once, sent to each thread) */
  resources: (part: Part) => JobResources;
  /** units done so far over all parts, after every change */
  onProgress?: (done: number) => void;
  /** lets Ctrl-C and output be handled between parts (the `--jobs 1` path) */
  yieldToHost: () => Promise<void>;
  /** set by the caller to stop: running threads are terminated, the promise rejects */
  signal?: { cancelled: boolean; onCancel?: () => void };
}

/** The default for --jobs: the machine's cores (each thread runs whole parts). */
export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

export class Cancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

export async function runParts(parts: Part[], host: PartsHost): Promise<unknown[]> {
  const done = new Array<number>(parts.length).fill(0);
  const report = () => host.onProgress?.(done.reduce((a, b) => a + b, 0));
  if (host.jobs <= 1 || parts.length <= 1) {
    const results: unknown[] = [];
    for (let i = 0; i < parts.length; i++) {
      if (host.signal?.cancelled) throw new Cancelled();
      results.push(
        runPart(parts[i]!, host.resources(parts[i]!), (d) => {
          done[i] = d;
          report();
        }),
      );
      await host.yieldToHost();
    }
    return results;
  }
  return inThreads(parts, host, done, report);
}

function inThreads(
  parts: Part[],
  host: PartsHost,
  done: number[],
  report: () => void,
): Promise<unknown[]> {
  const results = new Array<unknown>(parts.length);
  const threads: Worker[] = [];
  let next = 0;
  let finished = 0;
  return new Promise<unknown[]>((resolve, reject) => {
    const stop = (error: Error) => {
      for (const t of threads) void t.terminate();
      reject(error);
    };
    if (host.signal) host.signal.onCancel = () => stop(new Cancelled());
    const feed = (thread: Worker) => {
      if (next >= parts.length) {
        void thread.terminate();
        return;
      }
      const index = next++;
      const part = parts[index]!;
      const request: PartRequest = { index, part, ...host.resources(part) };
      thread.postMessage(request);
    };
    const count = Math.min(host.jobs, parts.length);
    for (let t = 0; t < count; t++) {
      const thread = new Worker(new URL('./part-worker.mjs', import.meta.url), { execArgv: [] });
      threads.push(thread);
      thread.on('message', (message: PartMessage) => {
        if (message.type === 'progress') {
          done[message.index] = message.done;
          report();
        } else if (message.type === 'error') stop(new Error(message.message));
        else {
          results[message.index] = message.result;
          done[message.index] = unitsOf(parts[message.index]!);
          finished++;
          report();
          if (finished === parts.length) {
            for (const t of threads) void t.terminate();
            resolve(results);
          } else feed(thread);
        }
      });
      thread.on('error', (error) => stop(error));
      feed(thread);
    }
  });
}
