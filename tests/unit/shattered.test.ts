/**
 * Shattered gradients (Balduzzi et al. 2017) at initialisation: the gradient along the line is
 * the network's true derivative (finite differences), its autocorrelation is normalised as
 * documented, a shallow network's gradient is more correlated than a deep plain one's, the
 * residual twin's more than the plain one's, and the study is seeded; the CLI's contract.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJob } from '../../src/experiments/job.ts';
import { SHATTERED_JOB } from '../../src/experiments/jobs.ts';
import {
  ACROSS_DEPTHS,
  autocorrelation,
  defaultShatteredConfig,
  lineGradient,
  linePoints,
  type ShatteredConfig,
  shatteredModel,
  type ShatteredRecord,
  validateShatteredConfig,
} from '../../src/experiments/shattered.ts';
import { studyRecorder } from '../../src/experiments/study.ts';
import { SPAWNED, useCli } from '../helpers/cli.ts';

const { work, cli } = useCli('resnet-lab-shattered-');

function record(config: Partial<ShatteredConfig>): ShatteredRecord {
  const checked = validateShatteredConfig(config);
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  const recorder = studyRecorder<ShatteredRecord>();
  for (const event of runJob(SHATTERED_JOB.create(checked.value, {}))) recorder.add(event);
  const result = recorder.result();
  if (!result) throw new Error('no result');
  return result;
}

const lag1 = (series: number[]) => autocorrelation(series, 1)[1]!;

describe('autocorrelation', () => {
  it('is 1 at lag 0, removes the mean, and is near −1 at lag 1 for an alternating series', () => {
    const alternating = Array.from({ length: 100 }, (_, i) => 5 + (i % 2 === 0 ? 1 : -1));
    const r = autocorrelation(alternating, 3);
    expect(r).toHaveLength(4);
    expect(r[0]).toBe(1);
    expect(r[1]).toBeCloseTo(-99 / 100, 12);
    expect(r[2]).toBeCloseTo(98 / 100, 12);
  });

  it('a constant series is perfectly correlated', () => {
    expect(autocorrelation([2, 2, 2, 2], 2)).toEqual([1, 1, 1]);
  });
});

describe('the gradient along the line', () => {
  it('equals finite differences of the output along the line, plain and residual', () => {
    const config = { ...defaultShatteredConfig(), points: 16 };
    for (const shortcut of [false, true]) {
      const model = shatteredModel(config, 8, shortcut);
      const x = [-1.5, -0.3, 0.4, 1.7];
      const gradient = lineGradient(model, x);
      const h = 1e-3;
      const output = (at: number) => {
        model.input.value[0] = at;
        model.input.value[1] = 0;
        return model.forward(1, false).value[0]!;
      };
      x.forEach((at, i) => {
        const numeric = (output(at + h) - output(at - h)) / (2 * h);
        expect(Math.abs(numeric - gradient[i]!)).toBeLessThan(1e-2 * Math.abs(gradient[i]!) + 1e-4);
      });
    }
  });

  it('the plain network and its residual twin start from the same weights', () => {
    const config = defaultShatteredConfig();
    const plain = shatteredModel(config, 20, false);
    const resnet = shatteredModel(config, 20, true);
    expect(Array.from(plain.flatParams)).toEqual(Array.from(resnet.flatParams));
  });
});

describe('shattered gradients', () => {
  const result = record({ depth: 50, seed: 1 });

  it('gives a value per point, autocorrelations by lag from lag 0, and the across-depth set', () => {
    expect(result.x).toEqual(linePoints(256));
    expect(result.x[0]).toBe(-2);
    expect(result.x.at(-1)).toBe(2);
    for (const net of [result.plain, result.resnet]) {
      expect(net.gradient).toHaveLength(256);
      expect(net.autocorrelation).toHaveLength(129);
      expect(net.autocorrelation[0]).toBe(1);
    }
    expect(result.depths.map((d) => d.depth)).toEqual(ACROSS_DEPTHS);
  });

  it('the shallowest network (one hidden layer) is more correlated than a 50-layer plain one', () => {
    const shallow = record({ depth: 2, seed: 1, across: false });
    expect(lag1(shallow.plain.gradient)).toBeGreaterThan(lag1(result.plain.gradient));
    // with no blocks, plain and residual are the same network
    expect(shallow.resnet.gradient).toEqual(shallow.plain.gradient);
  });

  it('at depth 50 the residual gradient is more correlated than the plain one', () => {
    expect(result.resnet.autocorrelation[1]!).toBeGreaterThan(result.plain.autocorrelation[1]!);
    const d110 = result.depths.find((d) => d.depth === 110)!;
    expect(d110.resnet).toBeGreaterThan(d110.plain);
  });

  it('is seeded: the same seed gives the same record, another seed another', () => {
    const again = record({ depth: 50, seed: 1, across: false });
    expect(again.plain).toEqual(result.plain);
    expect(again.resnet).toEqual(result.resnet);
    const other = record({ depth: 50, seed: 2, across: false });
    expect(other.plain.gradient).not.toEqual(result.plain.gradient);
  });

  it('rejects a depth the blocks cannot build, naming the nearest', () => {
    const checked = validateShatteredConfig({ depth: 51 });
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.errors[0]!.message).toMatch(/nearest valid: 50 or 52/);
  });
});

describe('resnet-lab shattered', () => {
  it(
    'writes the record of the output contract to --out',
    async () => {
      const out = join(work, 'shattered.json');
      const r = await cli([
        'shattered',
        '--depth',
        '20',
        '--seed',
        '3',
        '--points',
        '64',
        '--out',
        out,
      ]);
      expect(r.code, r.stderr).toBe(0);
      const json = JSON.parse(readFileSync(out, 'utf8'));
      expect(Object.keys(json)).toEqual(['schema', 'config', 'x', 'plain', 'resnet', 'depths']);
      expect(json.schema).toBe('resnet-lab/shattered@1');
      expect(json.config).toEqual({ ...defaultShatteredConfig(), depth: 20, seed: 3, points: 64 });
      expect(json).toEqual(record({ depth: 20, seed: 3, points: 64 }));
    },
    SPAWNED.timeout,
  );

  it(
    'a bad flag or value exits 2 naming the flag, and writes nothing',
    async () => {
      const out = join(work, 'bad.json');
      for (const args of [['--depth', '51'], ['--points', '3'], ['--bogus'], ['--seed', 'x']]) {
        const r = await cli(['shattered', ...args, '--out', out]);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain(`--${args[0]!.slice(2)}`);
        expect(r.stdout).toBe('');
        expect(existsSync(out)).toBe(false);
      }
    },
    SPAWNED.timeout,
  );
});
