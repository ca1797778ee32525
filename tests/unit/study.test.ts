/**
 * The study job every study of issue 14 is built on: it trains to the end first, then runs the
 * measurement one unit per advance, reports progress over both, and a cancelled study gives no
 * result (and never starts measuring).
 */
import { describe, expect, it } from 'vitest';
import { runJob } from '../../src/experiments/job.ts';
import { StudyJob, studyRecorder } from '../../src/experiments/study.ts';
import { train } from '../../src/experiments/train.ts';

const config = { arch: 'resnet', depth: 8, width: 8, dataset: 'spiral', samples: 200, steps: 30 };

/** A measurement of three units that reads the trained model's test accuracy. */
function* threeUnits(read: () => number): Generator<void, number[], void> {
  const seen: number[] = [];
  for (let i = 0; i < 3; i++) {
    seen.push(read());
    yield;
  }
  return seen;
}

describe('StudyJob', () => {
  it('trains to the end, then measures the trained model; progress covers both', () => {
    const run = train(config);
    const job = new StudyJob('test', run, () => threeUnits(() => run.step), 3);
    expect(job.total).toBe(33);
    const recorder = studyRecorder<number[]>();
    const types: string[] = [];
    for (const event of runJob(job)) {
      types.push(event.type);
      recorder.add(event);
    }
    expect(types).toEqual(['trained', 'result']);
    expect(recorder.result()).toEqual([30, 30, 30]);
    expect(job.progress).toBe(job.total);
  });

  it('reports the trained final metrics (the same as a plain training run’s)', () => {
    const job = new StudyJob('test', train(config), () => threeUnits(() => 0), 3);
    const trained = [...runJob(job)].find((e) => e.type === 'trained');
    const done = [...runJob(train(config))].find((e) => e.type === 'done');
    expect(trained && trained.type === 'trained' && trained.final).toEqual(
      done && done.type === 'done' && done.final,
    );
  });

  it('a cancelled study ends without a result and never measures', () => {
    let measured = false;
    const job = new StudyJob(
      'test',
      train(config),
      () => {
        measured = true;
        return threeUnits(() => 0);
      },
      3,
    );
    job.advance();
    job.cancel();
    const recorder = studyRecorder<number[]>();
    for (const event of runJob(job)) recorder.add(event);
    expect(job.done).toBe(true);
    expect(recorder.result()).toBeNull();
    expect(measured).toBe(false);
  });

  it('without training, it measures the network as built', () => {
    const job = new StudyJob('test', null, () => threeUnits(() => 1), 3);
    expect(job.total).toBe(3);
    expect([...runJob(job)].map((e) => e.type)).toEqual(['result']);
  });
});
