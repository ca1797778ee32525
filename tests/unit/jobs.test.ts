/**
 * The platform: every study a job. `resnet-lab inspect` prints the graph `train` would build;
 * `resnet-lab sweep` runs a plan of train parts, byte-identical whatever --jobs is; the
 * validator takes any field table and answers `{ key, message }`; per-tensor statistics travel
 * packed and come back bit for bit; the scheduler runs a job that is not a training run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { graphOf } from '../../src/cli/inspect.ts';
import { ARCHS } from '../../src/engine/model.ts';
import { TENSOR_STATS } from '../../src/engine/stats.ts';
import { validateTrainConfig } from '../../src/experiments/config.ts';
import { validateFields } from '../../src/experiments/fields.ts';
import { type Job, JobControl, runJob, runPlan, type Plan } from '../../src/experiments/job.ts';
import { runPart, SWEEP_JOB } from '../../src/experiments/jobs.ts';
import { RunRecorder } from '../../src/experiments/record.ts';
import { sweepRun, validateSweepConfig } from '../../src/experiments/sweep.ts';
import { train, type TrainEvent } from '../../src/experiments/train.ts';
import { RunScheduler } from '../../src/worker/scheduler.ts';
import { packEvent, unpackEvent } from '../../src/worker/wire.ts';
import { SMALL as SMALL_NETS } from '../helpers/engine.ts';
import { SPAWNED, useCli } from '../helpers/cli.ts';

const { work, cli } = useCli('resnet-lab-jobs-');

const bitsText = (x: unknown) => {
  const f = new Float64Array(1);
  const u = new BigUint64Array(f.buffer);
  return JSON.stringify(x, (_k, v: unknown) => {
    if (typeof v !== 'number') return v;
    f[0] = v;
    return `f64:${u[0]!.toString(16)}`;
  });
};

describe('resnet-lab inspect', SPAWNED, () => {
  it.each(ARCHS)(
    '%s: nodes, shapes and shortcuts; params equal the train record’s',
    async (arch) => {
      const { depth, width } = { ...SMALL_NETS[arch], width: arch === 'resnext' ? 16 : 8 };
      const flags = ['--arch', arch, '--depth', String(depth), '--width', String(width)];
      for (const shortcut of arch === 'plain' ? ['--shortcut'] : ['--shortcut', '--no-shortcut']) {
        const r = await cli(['inspect', ...flags, shortcut, '--json']);
        expect(r.code, r.stderr).toBe(0);
        const g = JSON.parse(r.stdout);
        expect(g.schema).toBe('resnet-lab/graph@1');
        const t = await cli(['train', ...flags, shortcut, '--steps', '1', '--quiet']);
        expect(t.code, t.stderr).toBe(0);
        const record = JSON.parse(t.stdout);
        expect(g.params).toBe(record.model.params);
        expect(g.blocks).toHaveLength(record.model.blocks);
        expect(g.nodes.filter((n: { kind: string }) => n.kind === 'dense')).toHaveLength(
          record.model.weightLayers,
        );
        const residual = shortcut === '--shortcut' && arch !== 'plain';
        expect(g.shortcuts).toHaveLength(residual ? record.model.blocks : 0);
        for (const n of g.nodes) {
          expect(typeof n.kind).toBe('string');
          expect(Array.isArray(n.inputs) && Array.isArray(n.outputs)).toBe(true);
        }
        // shapes: the input is the data's width, the output the head's
        const shape = (name: string) =>
          g.tensors.find((x: { name: string }) => x.name === name).shape;
        expect(shape(g.input)).toEqual([2]);
        expect(shape(g.output)).toEqual([record.model.outputs]);
      }
    },
  );

  it('a 20-layer ResNet as a table: 76 nodes, 9 shortcuts, the parameter total', async () => {
    const r = await cli(['inspect', '--arch', 'resnet', '--depth', '20', '--width', '16']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^nodes: 76 \(/m);
    expect(r.stdout).toMatch(/^blocks: 9; shortcuts: 9$/m);
    const params = graphOf({ ...validOk({ arch: 'resnet', depth: 20, width: 16 }) }).params;
    expect(r.stdout).toContain(`parameters: ${params.toLocaleString('en-US')} in`);
    expect(r.stdout).toMatch(/block1\.relu\s+activation relu\s+1\s+\[16\]/);
  });

  it('a bad flag is named with exit 2', async () => {
    const r = await cli(['inspect', '--arch', 'resnet', '--depth', '21']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--depth: 21 is not a valid depth for resnet blocks/);
    expect(r.stdout).toBe('');
  });
});

function validOk(input: Record<string, unknown>) {
  const c = validateTrainConfig(input);
  if (!c.ok) throw new Error('invalid');
  return c.value;
}

describe('resnet-lab sweep', SPAWNED, () => {
  const flags = [
    'sweep',
    '--archs',
    'plain,resnet',
    '--depths',
    '8,14',
    '--seeds',
    '2',
    '--steps',
    '120',
    '--samples',
    '300',
    '--eval-every',
    '20',
    '--target-accuracy',
    '0.7',
    '--quiet',
  ];

  it('--jobs 2 writes the same bytes as --jobs 1, and the runs equal train runs', async () => {
    const one = join(work, 'one.json');
    const two = join(work, 'two.json');
    const a = await cli([...flags, '--jobs', '1', '--out', one]);
    const b = await cli([...flags, '--jobs', '2', '--out', two]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const text = readFileSync(one, 'utf8');
    expect(readFileSync(two, 'utf8')).toBe(text);
    const sweep = JSON.parse(text);
    expect(sweep.schema).toBe('resnet-lab/sweep@1');
    expect(
      sweep.runs.map((r: { arch: string; depth: number; seed: number }) => [
        r.arch,
        r.depth,
        r.seed,
      ]),
    ).toEqual([
      ['plain', 8, 1],
      ['plain', 8, 2],
      ['plain', 14, 1],
      ['plain', 14, 2],
      ['resnet', 8, 1],
      ['resnet', 8, 2],
      ['resnet', 14, 1],
      ['resnet', 14, 2],
    ]);
    // a run of the sweep is the train run of the same settings
    const t = await cli([
      'train',
      '--arch',
      'resnet',
      '--depth',
      '14',
      '--seed',
      '2',
      '--steps',
      '120',
      '--samples',
      '300',
      '--eval-every',
      '20',
      '--quiet',
    ]);
    const record = JSON.parse(t.stdout);
    expect(sweep.runs[7]).toEqual(JSON.parse(JSON.stringify(sweepRun(record, 0.7))));
    expect(sweep.runs[7].final).toEqual(record.final);
  });

  it('CSV: one row per run, "not reached" as an empty cell', async () => {
    const r = await cli([...flags, '--target-accuracy', '1', '--format', 'csv']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(9);
    expect(lines[0]).toBe(
      'arch,depth,seed,trainLoss,trainAccuracy,testLoss,testAccuracy,stepsToTarget,epochsToTarget,divergedAt',
    );
    for (const line of lines.slice(1)) expect(line.split(',').slice(7)).toEqual(['', '', '']);
  });

  it('bad input: every problem named, exit 2, nothing written', async () => {
    const file = join(work, 'never.json');
    const r = await cli([
      'sweep',
      '--archs',
      'plain,vgg',
      '--depths',
      '8,x',
      '--arch',
      'resnet',
      '--out',
      file,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--archs: expected one of .*got "vgg"/);
    expect(r.stderr).toMatch(/--depths: expected an integer, got "x"/);
    expect(r.stderr).toMatch(/--arch: unknown flag \(did you mean --archs\?\)/);
    expect(existsSync(file)).toBe(false);
    const depth = await cli(['sweep', '--archs', 'bottleneck', '--depths', '8,9']);
    expect(depth.code).toBe(2);
    expect(depth.stderr).toMatch(/--depths: 9 is not a valid depth for bottleneck blocks/);
  });
});

describe('jobs', () => {
  it('the validator takes any field table and answers { key, message }', () => {
    const fields = {
      n: { kind: 'int', min: 1, max: 5, default: 2, help: '' },
      names: { kind: 'enums', values: ['a', 'b'], default: ['a'], help: '' },
      ks: { kind: 'ints', min: 0, max: 9, maxItems: 3, default: [1], help: '' },
    } as const;
    const r = validateFields(fields, { n: 7, names: ['a', 'a'], ks: [1, 2, 3, 4], colour: 1 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([
      { key: 'colour', message: 'unknown setting' },
      { key: 'n', message: '7 is out of range [1, 5]' },
      { key: 'names', message: 'a value is repeated: ["a","a"]' },
      { key: 'ks', message: 'at most 3 values, got 4' },
    ]);
    expect(validateFields(fields, {})).toEqual({
      ok: true,
      value: { n: 2, names: ['a'], ks: [1] },
    });
  });

  it('a sweep config: each block type at each depth is checked, sizes are bounded', () => {
    const r = validateSweepConfig({
      archs: ['resnet', 'densenet'],
      depths: [8, 9, 20, 32, 44, 56, 110],
      seeds: 100,
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.key)).toEqual(['depths', 'depths', 'seeds']);
    expect(r.errors[0]!.message).toMatch(/9 is not a valid depth for resnet blocks/);
    expect(r.errors[1]!.message).toMatch(/9 is not a valid depth for densenet blocks/);
    expect(r.errors[2]!.message).toBe('1400 runs (archs × depths × seeds); at most 600');
    const seeds = validateSweepConfig({ archs: ['resnet'], depths: [8], seeds: 300 });
    expect(seeds.ok ? [] : seeds.errors).toEqual([
      { key: 'seeds', message: '300 is out of range [1, 100]' },
    ]);
  });

  it('runPlan gives what running the parts one by one gives', async () => {
    const config = validateSweepConfig({
      archs: ['resnet'],
      depths: [8],
      seeds: 2,
      steps: 30,
      samples: 200,
    });
    if (!config.ok) throw new Error('invalid');
    const sequential = await runPlan(SWEEP_JOB.plan(config.value), async (parts) =>
      parts.map((p) => runPart(p, {})),
    );
    // the same parts answered in reverse completion order, placed back by index
    const shuffled = await runPlan(SWEEP_JOB.plan(config.value), async (parts) => {
      const out = new Array<unknown>(parts.length);
      for (let i = parts.length - 1; i >= 0; i--) out[i] = runPart(parts[i]!, {});
      return out;
    });
    expect(JSON.stringify(shuffled)).toBe(JSON.stringify(sequential));
    expect(sequential.runs.map((r) => r.seed)).toEqual([1, 2]);
  });

  it('a plan may yield parts in stages and combine their results', async () => {
    function* twoStages(): Plan<number> {
      const [a] = (yield [{ kind: 'x', config: 1 }]) as number[];
      const rest = (yield [
        { kind: 'x', config: a! + 1 },
        { kind: 'x', config: a! + 2 },
      ]) as number[];
      return rest.reduce((s, x) => s + x, a!);
    }
    const seen: unknown[][] = [];
    const out = await runPlan(twoStages(), async (parts) => {
      seen.push(parts.map((p) => p.config));
      return parts.map((p) => (p.config as number) * 10);
    });
    expect(seen).toEqual([[1], [11, 12]]);
    expect(out).toBe(10 + 110 + 120);
  });

  it('per-tensor statistics: opt-in, recorded, packed and unpacked bit for bit', () => {
    const config = { depth: 8, width: 6, steps: 20, samples: 200, logEvery: 5 };
    const plain = [...train(config)];
    expect(plain.some((e) => e.type === 'tensors')).toBe(false);
    const events = [...train(config, {}, { tensorStatsEvery: 10 })];
    const tensors = events.filter((e) => e.type === 'tensors');
    expect(tensors.map((e) => e.step)).toEqual([10, 20]);
    // observing changes no number of the run
    const strip = (list: TrainEvent[]) => bitsText(list.filter((e) => e.type !== 'tensors'));
    expect(strip(events)).toBe(strip(plain));
    for (const e of tensors) {
      const wire = packEvent(e);
      expect(wire.type).toBe('packed-tensors');
      expect(bitsText(unpackEvent(structuredClone(wire)))).toBe(bitsText(e));
    }
    const first = tensors[0] as Extract<TrainEvent, { type: 'tensors' }>;
    expect(Object.keys(first.tensors[0]!)).toEqual(TENSOR_STATS.columns.map((c) => c.key));
    expect(first.residuals).toHaveLength(3);
    const recorder = new RunRecorder();
    for (const e of events) recorder.add(e);
    const record = recorder.record();
    expect(record.tensorStats?.map((p) => p.step)).toEqual([10, 20]);
    expect(record.tensorStats?.[0]?.tensors[0]).toEqual(first.tensors[0]);
    expect(Object.keys(record.config)).not.toContain('tensorStatsEvery');
  });

  it('the scheduler runs a job that is not a training run', async () => {
    class Count extends JobControl implements Job {
      readonly kind = 'count';
      progress = 0;
      readonly total = 5;
      get done() {
        return this.progress >= this.total || this.cancelled;
      }
      advance() {
        this.progress++;
        return [{ type: 'tick', n: this.progress }];
      }
    }
    const seen: unknown[] = [];
    const s = new RunScheduler<Job, { type: string }>({
      yieldToHost: () => new Promise((r) => setTimeout(r, 0)),
    });
    await s.start(1, new Count(), (b) => seen.push(...b.events));
    expect(seen).toEqual([1, 2, 3, 4, 5].map((n) => ({ type: 'tick', n })));
    expect([...runJob(new Count())]).toHaveLength(5);
  });
});
