/**
 * Opening a sweep file: a record the sweep wrote reads back as it was; a file that is too big,
 * not JSON, off the schema, with a bad setting, or with runs its config does not imply is
 * refused with every problem named by its path in the file — never a throw.
 */
import { describe, expect, it } from 'vitest';
import { runPlan } from '../../src/experiments/job.ts';
import { runPart } from '../../src/experiments/jobs.ts';
import { MAX_SWEEP_FILE_BYTES, readSweepFile } from '../../src/experiments/sweepFile.ts';
import { type SweepRecord, sweepPlan, validateSweepConfig } from '../../src/experiments/sweep.ts';

function tinySweep(fail: number[] = []): Promise<SweepRecord> {
  const checked = validateSweepConfig({ depths: [8, 14], seeds: 2, steps: 30, width: 8 });
  if (!checked.ok) throw new Error('bad preset');
  return runPlan(sweepPlan(checked.value), async (parts) =>
    parts.map((part, i) =>
      fail.includes(i) ? { failed: 'the training worker stopped: test' } : runPart(part, {}),
    ),
  );
}

const problemsOf = (text: string, bytes?: number): string[] => {
  const r = readSweepFile(text, bytes);
  if (r.ok) throw new Error('expected problems');
  return r.problems;
};

describe('reading a sweep file', () => {
  it('a record the sweep wrote reads back equal', async () => {
    const record = await tinySweep();
    const r = readSweepFile(JSON.stringify(record, null, 2));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.record).toEqual(record);
  });

  it('a run that failed is kept as failed, with nothing it did not measure', async () => {
    const record = await tinySweep([1]);
    expect(record.runs[1]).toEqual({
      arch: 'plain',
      depth: 8,
      seed: 2,
      final: null,
      stepsToTarget: null,
      epochsToTarget: null,
      diverged: null,
      failed: 'the training worker stopped: test',
    });
    expect(record.runs[0]!.failed).toBeUndefined();
    const r = readSweepFile(JSON.stringify(record));
    expect(r.ok && r.record).toEqual(record);
  });

  it('too big: refused before it is parsed', () => {
    expect(problemsOf('{', MAX_SWEEP_FILE_BYTES + 1)[0]).toMatch(
      /a sweep file is at most 4,096 kB/,
    );
  });

  it('not JSON, or not a sweep', () => {
    expect(problemsOf('{"schema": ')[0]).toMatch(/^not JSON: /);
    expect(problemsOf('[]')[0]).toMatch(/^not a sweep record: expected an object/);
    expect(problemsOf('{"schema":"resnet-lab/run@1","config":{},"runs":[]}')[0]).toMatch(
      /^schema: .*"resnet-lab\/sweep@1"/,
    );
  });

  it('every problem named by its path in the file', async () => {
    const record = structuredClone(await tinySweep()) as unknown as {
      runs: Record<string, unknown>[];
      extra?: number;
    };
    record.runs[1]!.final = { ...(record.runs[1]!.final as object), trainLoss: 'low' };
    record.runs[2]!.arch = 'resnet9';
    record.runs[3]!.stepsToTarget = 12.5;
    record.extra = 1;
    const problems = problemsOf(JSON.stringify(record));
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/^runs\[1\]\.final\.trainLoss: /m);
    expect(problems.join('\n')).toMatch(/^runs\[2\]\.arch: /m);
    expect(problems.join('\n')).toMatch(/^runs\[3\]\.stepsToTarget: /m);
    expect(problems.join('\n')).toMatch(/^extra: /m);
  });

  it("a bad setting reads as the CLI's message; runs must be the config's, in order", async () => {
    const record = await tinySweep();
    const badLr = { ...record, config: { ...record.config, lr: -1 } };
    expect(problemsOf(JSON.stringify(badLr))).toEqual([
      expect.stringMatching(/^config\.lr: -1 is out of range/),
    ]);
    const fewer = { ...record, runs: record.runs.slice(1) };
    expect(problemsOf(JSON.stringify(fewer))[0]).toMatch(
      /the config implies 8 runs \(2 block types × 2 depths × 2 seeds\), the file has 7/,
    );
    const swapped = { ...record, runs: [record.runs[1], record.runs[0], ...record.runs.slice(2)] };
    expect(problemsOf(JSON.stringify(swapped))[0]).toMatch(
      /^runs\[0\]: expected plain depth 8 seed 1 \(sweep order\), got plain depth 8 seed 2/,
    );
  });
});
