/**
 * A long run: 100,000 training steps of a small network in this process, every event consumed
 * and dropped as a host would. The heap after a forced collection must stay flat — within 8 MB
 * of where it stood after the first 10,000 steps — so nothing grows with the run's length (no
 * history kept by the engine or the run, no per-step allocation that survives).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { train } from '../../src/experiments/train.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapAfterGc = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

describe('a 100,000-step run', () => {
  it('keeps the heap flat', { timeout: 300_000 }, () => {
    const steps = 100_000;
    let warm = 0;
    let last = 0;
    let events = 0;
    const samples: number[] = [];
    for (const e of train({
      arch: 'resnet',
      depth: 8,
      width: 8,
      dataset: 'spiral',
      samples: 200,
      batch: 16,
      steps,
      logEvery: 100,
      evalEvery: 5000,
      evalSamples: 100,
      layerStatsEvery: 1000,
      seed: 5,
    })) {
      events++;
      if (e.type === 'eval' && e.step % 10_000 === 0 && e.step > 0) {
        const heap = heapAfterGc();
        if (e.step === 10_000) warm = heap;
        samples.push(heap);
      }
      if (e.type === 'done') last = e.steps;
    }
    expect(last).toBe(steps);
    expect(samples).toHaveLength(10); // steps 10,000, 20,000, …, 100,000
    expect(events).toBeGreaterThan(steps / 100);
    const growth = Math.max(...samples) - warm;
    expect(growth, samples.map((s) => (s / 2 ** 20).toFixed(1)).join(' MB, ')).toBeLessThan(
      8 * 2 ** 20,
    );
  });
});
