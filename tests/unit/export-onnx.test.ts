/**
 * The ONNX export (src/experiments/onnx.ts): for every block type, with and without batch norm
 * (and the plain twins whose skip paths are cut), onnxruntime's outputs on a batch equal the
 * engine's evaluation-mode outputs — logits and probabilities — within 1e-5, after training (so
 * that the running statistics and every weight are non-trivial). Also: the lab's names are in
 * the file, the initial weights with --steps 0, and the CLI's bad flags.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { ARCHS, type Arch } from '../../src/engine/model.ts';
import type { ModelSpec } from '../../src/engine/model.ts';
import { makeSynthetic } from '../../src/data/index.ts';
import { onnxFile } from '../../src/experiments/exportFiles.ts';
import { PROBABILITIES, toOnnx } from '../../src/experiments/onnx.ts';
import { Model } from '../../src/engine/model.ts';
import { Rng } from '../../src/engine/rng.ts';
import { train } from '../../src/experiments/train.ts';
import { SPAWNED, useCli } from '../helpers/cli.ts';

const { onnx } = onnxProto;
const TOLERANCE = 1e-5;
const DEPTH: Record<Arch, number> = {
  plain: 8,
  resnet: 8,
  preact: 8,
  bottleneck: 8,
  resnext: 8,
  highway: 5,
  densenet: 8,
};

/** the largest |engine − onnxruntime| over logits and probabilities, on `rows` test points */
async function maxDifference(config: Record<string, unknown>, rows = 32) {
  const run = train({
    dataset: 'spiral',
    width: 8,
    batch: 32,
    steps: 25,
    evalEvery: 25,
    seed: 3,
    kernels: 'ts',
    ...config,
  });
  for (const _ of run);
  const file = onnxFile(run, run.step);
  const session = await ort.InferenceSession.create(file.bytes);
  const x = run.data.testX.slice(0, rows * run.data.inputDim);
  const logits = run.model.logits.name;
  const got = await session.run({ input: new ort.Tensor('float32', x, [rows, run.data.inputDim]) });
  const model = run.model;
  const probabilities = run.predict(x, rows);
  model.input.value.set(x);
  model.forward(rows, false);
  const want = model.logits.value.slice(0, rows * model.logits.dim);
  let worst = 0;
  const compare = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    expect(a.length).toBe(b.length);
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  };
  compare(got[logits]!.data as Float32Array, want);
  compare(got[PROBABILITIES]!.data as Float32Array, probabilities);
  if (process.env.EXPORT_TOLERANCE_LOG)
    console.log(`max |difference| ${JSON.stringify(config)}: ${worst}`);
  return { worst, file, run };
}

describe('ONNX export: onnxruntime agrees with the engine', () => {
  const cases: { arch: Arch; norm: 'none' | 'batch'; shortcut: boolean }[] = [];
  for (const arch of ARCHS)
    for (const norm of ['none', 'batch'] as const) {
      cases.push({ arch, norm, shortcut: true });
      // the plain twins of the blocks whose join differs without the skip (cut inputs, no carry)
      if (arch === 'densenet' || arch === 'highway') cases.push({ arch, norm, shortcut: false });
    }
  it.each(cases)(
    '$arch, norm $norm, shortcut $shortcut: within 1e-5',
    async ({ arch, norm, shortcut }) => {
      const { worst } = await maxDifference({
        arch,
        norm,
        shortcut,
        depth: DEPTH[arch],
        activation: 'relu',
        residualInit: 'one',
      });
      expect(worst).toBeLessThanOrEqual(TOLERANCE);
    },
  );

  it('tanh, a sigmoid head with one output, and a one-vs-all sigmoid head', async () => {
    const a = await maxDifference({
      arch: 'resnet',
      depth: 8,
      norm: 'batch',
      activation: 'tanh',
      loss: 'sigmoid',
      dataset: 'moons',
    });
    expect(a.worst).toBeLessThanOrEqual(TOLERANCE);
    const b = await maxDifference({
      arch: 'preact',
      depth: 8,
      norm: 'none',
      activation: 'sigmoid',
      loss: 'sigmoid',
      dataset: 'spiral',
    });
    expect(b.worst).toBeLessThanOrEqual(TOLERANCE);
  });

  it("keeps the lab's node and parameter names, the block names and the batch dimension", async () => {
    const { file, run } = await maxDifference({ arch: 'resnext', depth: 8, norm: 'batch' });
    const decoded = onnx.ModelProto.decode(file.bytes);
    // decoded messages have every repeated field (empty when absent)
    const graph = decoded.graph as InstanceType<typeof onnx.GraphProto>;
    const names = graph.node.map((n) => n.name);
    for (const node of run.model.graph().nodes) expect(names).toContain(node.name);
    const initializers = graph.initializer.map((t) => t.name);
    for (const p of run.model.params) expect(initializers).toContain(p.name);
    expect(initializers).toContain('block1.1.bn.running_mean');
    expect(graph.input[0]!.type!.tensorType!.shape!.dim![0]!.dimParam).toBe('batch');
    const blocks = JSON.parse(
      decoded.metadataProps.find((m) => m.key === 'resnet-lab.blocks')?.value ?? '[]',
    );
    expect(blocks.map((b: { name: string }) => b.name)).toEqual(['block1', 'block2']);
    expect(graph.node.find((n) => n.name === 'block1.1.bn')!.opType).toBe('BatchNormalization');
  });
});

describe('ONNX export of the convolutional family (NHWC maps, NCHW in ONNX)', () => {
  const cases = [
    { arch: 'resnet', shortcutOption: 'A', norm: 'batch' },
    { arch: 'resnet', shortcutOption: 'B', norm: 'batch' },
    { arch: 'plain', shortcutOption: 'A', norm: 'none' },
  ] as const;
  it.each(cases)('$arch, option $shortcutOption, norm $norm: within 1e-5', async (c) => {
    const spec: ModelSpec = {
      model: 'conv',
      image: [6, 6, 2],
      inputDim: 72,
      arch: c.arch,
      shortcut: true,
      shortcutOption: c.shortcutOption,
      depth: 8,
      width: 4,
      classes: 3,
      loss: 'softmax',
      activation: 'relu',
      init: 'he',
      norm: c.norm,
      residualInit: 'one',
      gateBias: -2,
      growthRate: 4,
      cardinality: 2,
      maxBatch: 8,
      seed: 5,
      kernels: 'ts',
    };
    const model = new Model(spec);
    const rng = new Rng(11, 'test');
    const x = new Float32Array(8 * 72);
    // a few training-mode passes give the running statistics values of their own
    for (let pass = 0; pass < 3; pass++) {
      for (let i = 0; i < x.length; i++) x[i] = rng.normal();
      model.input.value.set(x);
      model.forward(8, true);
    }
    model.forward(8, false);
    const want = model.logits.value.slice(0, 8 * 3);
    const session = await ort.InferenceSession.create(
      toOnnx(model, { command: 'test', config: {}, steps: 0 }),
    );
    const got = await session.run({ input: new ort.Tensor('float32', x, [8, 72]) });
    const logits = got[model.logits.name]!.data as Float32Array;
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(logits[i]! - want[i]!));
    if (process.env.EXPORT_TOLERANCE_LOG)
      console.log(`max |difference| conv ${JSON.stringify(c)}: ${worst}`);
    expect(worst).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe('resnet-lab export --format onnx', () => {
  const { cli, work } = useCli('resnet-lab-export-onnx-');

  it(
    '--steps 0 writes the initial weights: the engine at initialisation, within 1e-5',
    SPAWNED,
    async () => {
      const r = await cli([
        'export',
        '--format',
        'onnx',
        '--arch',
        'resnet',
        '--depth',
        '8',
        '--width',
        '8',
        '--norm',
        'batch',
        '--residual-init',
        'one',
        '--steps',
        '0',
        '--out',
        'init.onnx',
      ]);
      expect(r.stderr).toContain('initial weights');
      expect(r.code).toBe(0);
      const session = await ort.InferenceSession.create(readFileSync(join(work, 'init.onnx')));
      const run = train({
        arch: 'resnet',
        depth: 8,
        width: 8,
        norm: 'batch',
        residualInit: 'one',
        kernels: 'ts',
      });
      const data = makeSynthetic('spiral', {
        samples: 1000,
        noise: 0.1,
        testFraction: 0.2,
        seed: 1,
      });
      const x = data.testX.slice(0, 32 * 2);
      const got = await session.run({ input: new ort.Tensor('float32', x, [32, 2]) });
      const want = run.predict(x, 32);
      const p = got[PROBABILITIES]!.data as Float32Array;
      for (let i = 0; i < want.length; i++)
        expect(Math.abs(p[i]! - want[i]!)).toBeLessThanOrEqual(TOLERANCE);
    },
  );

  it('bad flags: each named, exit 2, nothing written', SPAWNED, async () => {
    const r = await cli([
      'export',
      '--format',
      'tensorflow',
      '--depht',
      '8',
      '--width',
      '0',
      '--out',
      'nowhere/net.onnx',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--format');
    expect(r.stderr).toContain('--depht');
    expect(r.stderr).toContain('--width');
    expect(r.stderr).toContain('--out');
    const missing = await cli(['export', '--format', 'onnx']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--out');
    const zero = await cli(['export', '--format', 'torch', '--steps', '0', '--out', 'run']);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('--steps');
    expect(existsSync(join(work, 'run'))).toBe(false);
    // a PyTorch folder goes into a new or empty folder only
    mkdirSync(join(work, 'full'));
    writeFileSync(join(work, 'full', 'notes.txt'), 'mine');
    const full = await cli(['export', '--format', 'torch', '--out', 'full']);
    expect(full.code).toBe(2);
    expect(full.stderr).toContain('--out: full exists and is not empty');
    expect(readdirSync(join(work, 'full'))).toEqual(['notes.txt']);
    rmSync(join(work, 'full'), { recursive: true });
    expect(readdirSync(work).filter((f) => f !== 'init.onnx')).toEqual([]);
  });
});
