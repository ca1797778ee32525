/**
 * The worker's run scheduler (several runs in one thread) and the pool's placement rules, in
 * Node: interleaving changes no run's numbers; pause, step, cancel and release act on one run.
 */
import { describe, expect, it } from 'vitest';
import type { TrainConfigInput } from '../../src/experiments/config.ts';
import { type TrainEvent, train } from '../../src/experiments/train.ts';
import type { EventBatch } from '../../src/worker/api.ts';
import { pickWorker, poolSize } from '../../src/worker/pool.ts';
import { RunScheduler } from '../../src/worker/scheduler.ts';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

function collector() {
  const batches: EventBatch[] = [];
  const sink = (b: EventBatch) => void batches.push(b);
  const events = () => batches.flatMap((b) => b.events);
  return { batches, sink, events };
}

const A: TrainConfigInput = { arch: 'resnet', depth: 8, width: 8, dataset: 'spiral', steps: 60 };
const B: TrainConfigInput = {
  arch: 'plain',
  depth: 6,
  width: 12,
  dataset: 'moons',
  optimizer: 'adam',
  lr: 0.003,
  steps: 45,
  logEvery: 1,
  layerStatsEvery: 5,
  seed: 3,
};
const C: TrainConfigInput = { ...A, seed: 9, batch: 7, steps: 30, evalEvery: 10 };

const json = (events: readonly TrainEvent[]) => JSON.stringify(events);

describe('RunScheduler', () => {
  it('interleaves runs without changing their events (the same as train() alone)', async () => {
    // quantum 0: one step per run per turn, the finest interleaving
    const s = new RunScheduler({ yieldToHost: tick, quantumMs: 0, sliceMs: 0 });
    const sinks = [collector(), collector(), collector()];
    await Promise.all([A, B, C].map((config, i) => s.start(i + 1, train(config), sinks[i]!.sink)));
    [A, B, C].forEach((config, i) =>
      expect(json(sinks[i]!.events()), `run ${i + 1}`).toBe(json([...train(config)])),
    );
    expect(s.load).toEqual({ held: 3, busy: 0 });
  });

  it('takes turns: two runs started together progress together', async () => {
    const s = new RunScheduler({ yieldToHost: tick, quantumMs: 0, sliceMs: 0 });
    const long = { ...A, steps: 100_000 };
    const runs = [train(long), train(long)];
    const ends = runs.map((r, i) => s.start(i + 1, r, () => {}));
    while (runs[0]!.step < 40) await tick();
    // (the first run took its first turn, the start event, before the second was added)
    expect(Math.abs(runs[0]!.step - runs[1]!.step)).toBeLessThanOrEqual(2);
    s.cancel(1);
    s.cancel(2);
    await Promise.all(ends);
  });

  it('pauses one run (it costs nothing) while the other trains; steps and resumes it', async () => {
    const s = new RunScheduler({ yieldToHost: tick, sliceMs: 1 });
    const long = { ...A, steps: 100_000, logEvery: 1 };
    const a = train(long);
    const b = train(long);
    const sa = collector();
    const ends = [s.start(1, a, sa.sink), s.start(2, b, () => {})];
    while (a.step < 5) await tick();
    s.pause(1);
    expect(sa.batches.at(-1)!.paused).toBe(true);
    const at = a.step;
    const bAt = b.step;
    for (let k = 0; k < 30; k++) await tick();
    expect(a.step).toBe(at);
    expect(b.step).toBeGreaterThan(bAt);
    expect(s.load).toEqual({ held: 2, busy: 1 });
    s.step(1);
    expect(a.step).toBe(at + 1);
    const last = sa.batches.at(-1)!;
    expect(last.step).toBe(at + 1);
    expect(last.events.at(-1)).toMatchObject({ type: 'step', step: at + 1 });
    s.resume(1);
    while (a.step < at + 10) await tick();
    s.cancel(1);
    s.cancel(2);
    await Promise.all(ends);
    expect(sa.events().at(-1)).toMatchObject({ type: 'done', cancelled: true });
    // paused, stepped and resumed, the run's steps are still those of train() alone
    const steps = sa.events().filter((e) => e.type === 'step');
    const alone = [...train({ ...long, steps: steps.length })].filter((e) => e.type === 'step');
    expect(json(steps)).toBe(json(alone));
  });

  it('sleeps with every run paused, and wakes for a resumed or cancelled run', async () => {
    const s = new RunScheduler({ yieldToHost: tick, sliceMs: 1 });
    const r = train({ ...A, steps: 100_000 });
    const sink = collector();
    const end = s.start(1, r, sink.sink);
    while (r.step < 3) await tick();
    s.pause(1);
    const batches = sink.batches.length;
    for (let k = 0; k < 20; k++) await tick();
    expect(sink.batches.length).toBe(batches); // nothing sent, nothing run
    s.cancel(1); // a paused run can be cancelled
    await end;
    expect(sink.events().at(-1)).toMatchObject({ type: 'done', cancelled: true });
    expect(s.get(1)).toBe(r); // kept for predictions…
    s.release(1);
    expect(s.get(1)).toBeNull(); // …until released
  });

  it('batches each run’s events: at most one batch per interval, forced at the end', async () => {
    let clock = 0;
    const s = new RunScheduler({
      now: () => clock,
      yieldToHost: tick,
      batchIntervalMs: 50,
      quantumMs: 0,
      sliceMs: 0,
    });
    const sink = collector();
    const r = train({ ...A, steps: 40, logEvery: 1 });
    const end = s.start(1, r, sink.sink);
    // the clock moves 10 ms a turn: a batch every 5 turns
    while (!r.done) {
      clock += 10;
      await tick();
    }
    await end;
    const times = sink.batches.map((b) => b.time);
    for (let i = 1; i < times.length - 1; i++)
      expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(50);
    expect(sink.batches.length).toBeLessThan(15);
    expect(json(sink.events())).toBe(json([...train({ ...A, steps: 40, logEvery: 1 })]));
  });

  it('rejects a run that throws, and keeps the others going', async () => {
    const s = new RunScheduler({ yieldToHost: tick, quantumMs: 0, sliceMs: 0 });
    const good = train(A);
    const bad = train(A);
    let n = 0;
    const advance = bad.advance.bind(bad);
    bad.advance = () => {
      if (++n > 5) throw new Error('boom');
      return advance();
    };
    const sink = collector();
    await expect(s.start(1, bad, () => {})).rejects.toThrow('boom');
    await s.start(2, good, sink.sink);
    expect(json(sink.events())).toBe(json([...train(A)]));
  });

  it('finish() lets a run end with its cancelled done event before it is forgotten', async () => {
    const s = new RunScheduler({ yieldToHost: tick });
    const sink = collector();
    const end = s.start(1, train({ ...A, steps: 100_000 }), sink.sink);
    await tick();
    await s.finish(1);
    await end;
    expect(sink.events().at(-1)).toMatchObject({ type: 'done', cancelled: true });
    expect(s.get(1)).toBeNull();
  });
});

describe('the pool’s placement', () => {
  it('uses all cores but one, at least one; an override is clamped to the cores', () => {
    expect(poolSize(1)).toBe(1);
    expect(poolSize(2)).toBe(1);
    expect(poolSize(4)).toBe(3);
    expect(poolSize(16)).toBe(15);
    expect(poolSize(undefined)).toBe(1);
    expect(poolSize(2, 2)).toBe(2);
    expect(poolSize(2, 8)).toBe(2);
    expect(poolSize(8, 0)).toBe(7);
    expect(poolSize(8, Number.NaN)).toBe(7);
  });

  it('puts a run on the least busy worker, then the one holding fewest; spawns while it may', () => {
    expect(pickWorker([], 1)).toBe(0); // the first worker
    expect(pickWorker([{ busy: 1, held: 1 }], 1)).toBe(0); // no room: shares
    expect(pickWorker([{ busy: 1, held: 1 }], 3)).toBe(1); // room: a new worker
    expect(pickWorker([{ busy: 0, held: 0 }], 3)).toBe(0); // an idle worker before a new one
    // paused runs cost nothing: a worker holding only paused runs is not busy
    expect(
      pickWorker(
        [
          { busy: 1, held: 1 },
          { busy: 0, held: 2 },
        ],
        2,
      ),
    ).toBe(1);
    expect(
      pickWorker(
        [
          { busy: 2, held: 2 },
          { busy: 1, held: 3 },
          { busy: 1, held: 1 },
        ],
        3,
      ),
    ).toBe(2);
  });
});
