/**
 * Runs the parts its parent sends, one at a time (experiments/jobs.ts `runPart`: the very code
 * `--jobs 1` runs in the main thread), and answers each with its result. Progress goes up every
 * PROGRESS_MS so the parent's progress bar moves.
 */
import { parentPort } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { runPart } from '../experiments/jobs.ts';
import type { PartRequest, PartMessage } from './parallel.ts';

const PROGRESS_MS = 100;
const port = parentPort!;

port.on('message', (request: PartRequest) => {
  let last = 0;
  const send = (message: PartMessage) => port.postMessage(message);
  try {
    const result = runPart(
      request.part,
      request.digits ? { digits: request.digits } : {},
      (done, total) => {
        const now = performance.now();
        if (now - last < PROGRESS_MS) return;
        last = now;
        send({ type: 'progress', index: request.index, done, total });
      },
    );
    send({ type: 'result', index: request.index, result });
  } catch (error) {
    send({ type: 'error', index: request.index, message: (error as Error).message });
  }
});
