/**
 * Opening a run record: what `train` wrote reads back equal (finished, diverged, cancelled, with
 * statistics); a file that is too big, not JSON, another kind of record, off the schema, with a
 * bad setting or with steps out of order is refused with every problem named by its path in the
 * file — never a throw, whatever the mutation.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/engine/rng.ts';
import { RunRecorder, type RunRecord, toJSON } from '../../src/experiments/record.ts';
import { MAX_RUN_FILE_BYTES, readRunFile } from '../../src/experiments/runFile.ts';
import { train } from '../../src/experiments/train.ts';

const SMALL = { arch: 'resnet', depth: 8, width: 8, dataset: 'spiral', samples: 200, steps: 40 };

/** diverges (as in train.test.ts): the largest learning rate, plain SGD, no normalisation */
const BLOW_UP = {
  ...SMALL,
  depth: 20,
  width: 16,
  lr: 10,
  norm: 'none',
  optimizer: 'sgd',
  residualInit: 'one',
  steps: 200,
};

function recordOf(config: Record<string, unknown>, cancelAt?: number): RunRecord {
  const run = train(config);
  const recorder = new RunRecorder();
  while (!run.done) {
    if (cancelAt !== undefined && run.step === cancelAt) run.cancel();
    for (const e of run.advance()) recorder.add(e);
  }
  return recorder.record();
}

const problemsOf = (text: string, bytes?: number): string[] => {
  const r = readRunFile(text, bytes);
  if (r.ok) throw new Error('expected problems');
  return r.problems;
};

// any: the tests write wrong types into a record on purpose
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;

const edited = (record: RunRecord, edit: (r: Loose) => void): string => {
  // a deep copy to edit freely
  const copy = JSON.parse(toJSON(record)) as Loose;
  edit(copy);
  return JSON.stringify(copy);
};

describe('reading a run record', () => {
  const finished = recordOf({ ...SMALL, layerStatsEvery: 10 });

  it.each([
    ['finished, with layer statistics', finished],
    ['diverged', recordOf(BLOW_UP)],
    ['cancelled', recordOf(SMALL, 12)],
    [
      'plain, on the digits-free circles',
      recordOf({ ...SMALL, arch: 'plain', dataset: 'circles' }),
    ],
  ])('%s: reads back equal to what train wrote', (_name, record) => {
    const r = readRunFile(toJSON(record));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.record).toEqual(record);
  });

  it('the diverged and cancelled cases are what they say', () => {
    expect(recordOf(BLOW_UP).diverged).not.toBeNull();
    expect(recordOf(SMALL, 12).final).toBeNull();
  });

  it('refuses a file over the limit before reading it', () => {
    const problems = problemsOf('{}', MAX_RUN_FILE_BYTES + 1);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^the file is 65,537 kB; a run record is at most 65,536 kB/);
  });

  it.each([
    ['not JSON', '{"schema": ', /^not JSON: /],
    ['an array', '[1, 2]', /^not a run record: expected an object with schema/],
    [
      'a sweep record',
      '{"schema": "resnet-lab/sweep@1", "config": {}, "runs": []}',
      /^schema: this is a "resnet-lab\/sweep@1" file, not a run record/,
    ],
  ])('%s: one problem saying what it is not', (_name, text, message) => {
    const problems = problemsOf(text);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it.each([
    ['history[1].testAccuracy', (r: Loose) => (r.history[1].testAccuracy = 1.5)],
    ['train[0].loss', (r: Loose) => (r.train[0].loss = 'low')],
    ['model.params', (r: Loose) => (r.model.params = -1)],
    ['dataset', (r: Loose) => delete r.dataset],
    ['extra', (r: Loose) => (r.extra = 1)],
    ['final.steps', (r: Loose) => (r.final.steps = 0.5)],
    ['config.depth', (r: Loose) => (r.config.depth = 0)],
    ['config.lr', (r: Loose) => (r.config.lr = 'fast')],
    ['history[1].step', (r: Loose) => (r.history[1].step = 0)],
    ['train[3].step', (r: Loose) => (r.train[3].step = 10_000)],
    ['model.arch', (r: Loose) => (r.model.arch = 'plain')],
  ])('a wrong %s is named by its path', (path, edit) => {
    const problems = problemsOf(edited(finished, edit));
    expect(problems.some((p) => p.startsWith(path))).toBe(true);
  });

  it('says plainly what is missing and what is not a field', () => {
    const problems = problemsOf(
      edited(finished, (r) => {
        delete r.dataset;
        r.extra = 1;
      }),
    );
    expect(problems).toEqual(['dataset: missing', 'extra: not a field of this file format']);
  });

  it('a record written before the network families (no model, no shortcutOption) opens as dense layers', () => {
    const old = edited(finished, (r) => {
      delete r.config.model;
      delete r.config.shortcutOption;
    });
    const r = readRunFile(old);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.record.config.model).toBe('mlp');
      expect(r.record.config.shortcutOption).toBe('A');
      expect(r.record).toEqual(finished);
    }
    // every other setting is still required
    expect(
      problemsOf(
        edited(finished, (r) => {
          delete r.config.model;
          delete r.config.depth;
        }),
      ),
    ).toEqual(['config.depth: missing']);
  });

  it('never throws and never accepts a broken record, over 2,000 seeded mutations', () => {
    const text = toJSON(finished);
    const rng = new Rng(7, 'run-file-fuzz');
    const values: unknown[] = [null, -1, 0.5, 1e300, 'x', true, [], {}, NaN];
    let refused = 0;
    for (let i = 0; i < 2000; i++) {
      const copy = JSON.parse(text) as Record<string, unknown>;
      // walk to a random object or array inside the record and break one of its entries
      let node: unknown = copy;
      const depth = 1 + rng.int(4);
      for (let d = 0; d < depth; d++) {
        if (typeof node !== 'object' || node === null) break;
        const keys = Object.keys(node);
        if (keys.length === 0) break;
        const key = keys[rng.int(keys.length)]!;
        const child = (node as Record<string, unknown>)[key];
        if (typeof child !== 'object' || child === null || d === depth - 1) {
          (node as Record<string, unknown>)[key] = values[rng.int(values.length)];
          break;
        }
        node = child;
      }
      const mutated = JSON.stringify(copy);
      const r = readRunFile(mutated);
      if (!r.ok) {
        refused++;
        expect(r.problems.length).toBeGreaterThan(0);
        expect(r.problems.length).toBeLessThanOrEqual(20);
      } else expect(JSON.parse(toJSON(r.record))).toEqual(JSON.parse(mutated));
    }
    expect(refused).toBeGreaterThan(1000);
  });
});
