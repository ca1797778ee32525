/**
 * The ensemble of paths (Veit et al. 2016): exact binomial path counts and the literature's check
 * values; the backward-only path switch (Model.setGradientPath) leaves the forward pass alone,
 * gives the usual gradient with both ways open, and the gradients of all 2ⁿ single paths add up
 * to the full gradient; the study is seeded; the CLI's contract and bad flags.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Model, type ModelSpec } from '../../src/engine/model.ts';
import { runJob } from '../../src/experiments/job.ts';
import { PATHS_JOB } from '../../src/experiments/jobs.ts';
import {
  carryingRange,
  pathCounts,
  type PathsRecord,
  pathShares,
  shareBetween,
  validatePathsConfig,
} from '../../src/experiments/paths.ts';
import { studyRecorder } from '../../src/experiments/study.ts';
import { SPAWNED, useCli } from '../helpers/cli.ts';

const { work, cli } = useCli('resnet-lab-paths-');

function record(config: Record<string, unknown>): PathsRecord {
  const checked = validatePathsConfig(config);
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  const recorder = studyRecorder<PathsRecord>();
  for (const event of runJob(PATHS_JOB.create(checked.value, {}))) recorder.add(event);
  return recorder.result()!;
}

describe('path counts', () => {
  it('are the binomial coefficients, exactly, and sum to 2ⁿ', () => {
    expect(pathCounts(4)).toEqual([1n, 4n, 6n, 4n, 1n]);
    const counts = pathCounts(54);
    expect(counts.reduce((s, c) => s + c, 0n)).toBe(1n << 54n);
    expect(counts[27]).toBe(1946939425648112n);
    expect(pathShares(54).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
  });

  it("ResNet-110's 54 blocks: 2⁵⁴ ≈ 1.80×10¹⁶ paths, mean length 27, lengths 5–17 are 0.4537%", () => {
    expect(Number(1n << 54n)).toBeCloseTo(1.8e16, -14);
    const shares = pathShares(54);
    expect(shares.reduce((s, p, k) => s + p * k, 0)).toBeCloseTo(27, 10);
    expect(100 * shareBetween(54, 5, 17)).toBeCloseTo(0.4537, 4);
    // the literature's "95% of paths between 19 and 35" is unverified: the binomial gives 98.0%
    expect(100 * shareBetween(54, 19, 35)).toBeCloseTo(98.0, 1);
  });
});

function small(): Model {
  const spec: ModelSpec = {
    arch: 'resnet',
    shortcut: true,
    depth: 8, // 3 blocks: 8 paths
    width: 6,
    inputDim: 2,
    classes: 2,
    loss: 'softmax',
    activation: 'relu',
    init: 'he',
    norm: 'batch',
    residualInit: 'one',
    gateBias: 0,
    growthRate: 1,
    cardinality: 1,
    maxBatch: 16,
    seed: 7,
    kernels: 'ts',
  };
  const model = new Model(spec);
  for (let i = 0; i < 32; i++) model.input.value[i] = Math.sin(i * 1.7);
  for (let r = 0; r < 16; r++) model.labels[r] = r % 2;
  return model;
}

/** ∂loss/∂(first block's input) after a backward pass from the loss of an evaluation-mode pass. */
function gradient(model: Model): Float32Array {
  model.backward();
  const at = model.blockInputs[0]!;
  return at.grad.slice(0, 16 * at.dim);
}

describe('Model.setGradientPath (backward only)', () => {
  it('leaves the forward pass as it is, and with both ways open gives the usual gradient', () => {
    const model = small();
    const logits = Array.from(model.forward(16, false).value.slice(0, 32));
    model.loss(true);
    const usual = gradient(model);
    for (let b = 0; b < model.blocks; b++) model.setGradientPath(b, 'branch');
    expect(Array.from(model.forward(16, false).value.slice(0, 32))).toEqual(logits);
    for (let b = 0; b < model.blocks; b++) model.setGradientPath(b, 'both');
    model.forward(16, false);
    model.loss(true);
    expect(Array.from(gradient(model))).toEqual(Array.from(usual));
  });

  it('the gradients of the 2ⁿ single paths add up to the full gradient', () => {
    const model = small();
    model.forward(16, false);
    model.loss(true);
    const full = gradient(model);
    const sum = new Float64Array(full.length);
    for (let mask = 0; mask < 1 << model.blocks; mask++) {
      for (let b = 0; b < model.blocks; b++)
        model.setGradientPath(b, mask & (1 << b) ? 'branch' : 'shortcut');
      gradient(model).forEach((v, i) => (sum[i]! += v));
    }
    const scale = Math.max(...Array.from(full, Math.abs));
    expect(scale).toBeGreaterThan(0);
    full.forEach((v, i) => expect(Math.abs(sum[i]! - v)).toBeLessThan(1e-5 * scale));
  });

  it('refuses a block without a shortcut addition', () => {
    const model = new Model({ ...small().spec, arch: 'highway', depth: 5 });
    expect(() => model.setGradientPath(0, 'branch')).toThrow(/no shortcut addition/);
  });
});

describe('the ensemble of paths', () => {
  const config = { depth: 20, steps: 60, samples: 200, width: 8, pathSamples: 3, seed: 2 };
  const result = record(config);

  it('measures every length 0 … n with its count, its samples and shares that sum to 1', () => {
    expect(result.blocks).toBe(9);
    expect(result.totalPaths).toBe('512');
    expect(result.lengths.map((l) => l.k)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(result.lengths.map((l) => l.paths)).toEqual(pathCounts(9).map(String));
    for (const l of result.lengths) expect(l.magnitudes).toHaveLength(3);
    expect(result.lengths.reduce((s, l) => s + l.gradientShare, 0)).toBeCloseTo(1, 12);
    // the one path of length n (every branch) has no choice to sample: one magnitude, three times
    const last = result.lengths.at(-1)!.magnitudes;
    expect(new Set(last).size).toBe(1);
    expect(result.fullMagnitude).toBeGreaterThan(0);
  });

  it('is seeded: the same settings give the same record, another seed another', () => {
    expect(record(config)).toEqual(result);
    expect(record({ ...config, seed: 3 }).lengths).not.toEqual(result.lengths);
  });

  it('the carrying range holds at least the mass asked for, around the largest share', () => {
    const range = carryingRange(result.lengths, 0.9);
    expect(range.share).toBeGreaterThanOrEqual(0.9);
    const peak = result.lengths.reduce((m, l) => (l.gradientShare > m.gradientShare ? l : m));
    expect(range.from).toBeLessThanOrEqual(peak.k);
    expect(range.to).toBeGreaterThanOrEqual(peak.k);
  });

  it('refuses block types whose paths cannot be chosen', () => {
    for (const bad of [
      { arch: 'plain' },
      { arch: 'resnet', shortcut: false },
      { arch: 'highway', depth: 7 },
    ]) {
      const checked = validatePathsConfig(bad);
      expect(checked.ok).toBe(false);
      if (!checked.ok) expect(checked.errors.map((e) => e.key)).toContain('arch');
    }
  });
});

describe('resnet-lab paths', () => {
  it(
    'writes the documented record to --out',
    async () => {
      const out = join(work, 'paths.json');
      const flags = ['--depth', '8', '--steps', '20', '--samples', '100', '--path-samples', '2'];
      const r = await cli(['paths', ...flags, '--out', out]);
      expect(r.code, r.stderr).toBe(0);
      const json = JSON.parse(readFileSync(out, 'utf8'));
      expect(Object.keys(json)).toEqual([
        'schema',
        'config',
        'blocks',
        'totalPaths',
        'batch',
        'final',
        'fullMagnitude',
        'lengths',
      ]);
      expect(json.schema).toBe('resnet-lab/paths@1');
      expect(Object.keys(json.lengths[0])).toEqual([
        'k',
        'paths',
        'pathShare',
        'magnitudes',
        'meanMagnitude',
        'gradientShare',
      ]);
      expect(json).toEqual(
        JSON.parse(JSON.stringify(record({ depth: 8, steps: 20, samples: 100, pathSamples: 2 }))),
      );
    },
    SPAWNED.timeout,
  );

  it(
    'a bad flag or value exits 2 naming the flag, and writes nothing',
    async () => {
      const out = join(work, 'bad.json');
      for (const args of [
        ['--path-samples', '0'],
        ['--arch', 'plain'],
        ['--depth', '9'],
        ['--bogus'],
      ]) {
        const r = await cli(['paths', ...args, '--out', out]);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain(`${args[0]}:`);
        expect(r.stdout).toBe('');
        expect(existsSync(out)).toBe(false);
      }
    },
    SPAWNED.timeout,
  );
});
