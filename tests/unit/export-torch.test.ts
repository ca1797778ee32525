/**
 * The PyTorch export (src/experiments/export.ts, train.py): the batch order file is the lab's
 * Batcher's; train.py's first 20 training losses equal the lab's within 1e-5 (float32 order of
 * operations only) for a plain and a residual net; and `torchrun --nproc_per_node 2` on CPU
 * (DistributedDataParallel over gloo, the global batch split in two) runs to the end, follows
 * the same losses, and writes the run record's fields. Needs a Python that imports torch
 * (`npm run setup:test` installs Debian's python3-torch); without one the PyTorch runs are
 * skipped with the reason.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Batcher } from '../../src/data/batcher.ts';
import { makeSynthetic } from '../../src/data/index.ts';
import { Rng } from '../../src/engine/rng.ts';
import { batchOrder, torchFiles } from '../../src/experiments/exportFiles.ts';
import { ARCHS } from '../../src/engine/model.ts';
import { RunRecorder, type RunRecord } from '../../src/experiments/record.ts';
import { train } from '../../src/experiments/train.ts';
import { useCli } from '../helpers/cli.ts';

/** |train.py's loss − the lab's| at each of the first 20 steps, at most */
const LOSS_TOLERANCE = 1e-5;
const STEPS = 20;

/** A Python that imports torch: $PYTHON, python3 on the PATH, then Debian's /usr/bin/python3. */
function findPython(): { python: string | null; reason: string } {
  const reasons: string[] = [];
  for (const python of new Set(
    [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string => !!c),
  )) {
    const probe = spawnSync(python, ['-c', 'import torch, torch.distributed'], {
      encoding: 'utf8',
    });
    if (!probe.error && probe.status === 0) return { python, reason: '' };
    reasons.push(`${python}: ${probe.error?.message ?? probe.stderr.trim().split('\n').pop()}`);
  }
  return { python: null, reason: reasons.join('; ') };
}

const { python, reason } = findPython();
if (!python)
  console.warn(`export-torch: PyTorch runs skipped, no Python here imports torch (${reason})`);

describe('the batch order file', () => {
  it("lists the rows the lab's Batcher takes, across epochs", () => {
    const data = makeSynthetic('moons', { samples: 50, noise: 0.1, testFraction: 0.2, seed: 4 });
    const batcher = new Batcher(
      data.trainX,
      data.trainY,
      data.nTrain,
      2,
      16,
      new Rng(9, 'batches'),
    );
    const order = batchOrder(9, data.nTrain, 16, 12);
    const x = new Float32Array(32);
    const y = new Int32Array(16);
    for (let step = 0; step < 12; step++) {
      batcher.next(x, y);
      for (let r = 0; r < 16; r++) {
        const row = order[step * 16 + r]!;
        expect(y[r]).toBe(data.trainY[row]);
        expect(x[2 * r]).toBe(data.trainX[2 * row]);
        expect(x[2 * r + 1]).toBe(data.trainX[2 * row + 1]);
      }
    }
  });
});

function labRecord(flags: Record<string, unknown>): RunRecord {
  const recorder = new RunRecorder();
  for (const e of train({ ...flags, steps: STEPS, logEvery: 1 })) recorder.add(e);
  return recorder.record();
}

describe.skipIf(!python)('train.py (PyTorch) retraces the lab', () => {
  const { cli, work } = useCli('resnet-lab-export-torch-');
  const py = python!;
  const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' };

  async function exportRun(name: string, flags: string[]): Promise<string> {
    const r = await cli([
      'export',
      '--format',
      'torch',
      ...flags,
      '--steps',
      String(STEPS),
      '--log-every',
      '1',
      '--quiet',
      '--out',
      name,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return join(work, name);
  }

  function losses(file: string): number[] {
    return JSON.parse(readFileSync(file, 'utf8')) as number[];
  }

  function expectClose(got: number[], record: RunRecord): void {
    const want = record.train.map((p) => p.loss!);
    expect(got).toHaveLength(STEPS);
    const worst = Math.max(...got.map((g, i) => Math.abs(g - want[i]!)));
    if (process.env.EXPORT_TOLERANCE_LOG)
      console.log(`train.py vs lab, max |Δ loss| over ${STEPS} steps: ${worst}`);
    expect(worst).toBeLessThanOrEqual(LOSS_TOLERANCE);
  }

  const cases = [
    {
      name: 'plain',
      flags: { arch: 'plain', depth: 8, width: 12, norm: 'none', optimizer: 'momentum', lr: 0.05 },
    },
    {
      name: 'resnet',
      flags: {
        arch: 'resnet',
        depth: 8,
        width: 12,
        norm: 'batch',
        optimizer: 'adam',
        lr: 0.01,
        weightDecay: 0.001,
      },
    },
  ] as const;

  it.each(cases)(
    '$name: the first 20 losses within 1e-5 of the lab',
    { timeout: 180_000 },
    async ({ name, flags }) => {
      const args = Object.entries(flags).flatMap(([k, v]) => [
        `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
        String(v),
      ]);
      const folder = await exportRun(name, args);
      const run = spawnSync(
        py,
        ['train.py', '--threads', '1', '--out', 'summary.json', '--losses', 'losses.json'],
        { cwd: folder, env, encoding: 'utf8' },
      );
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expectClose(losses(join(folder, 'losses.json')), labRecord(flags));
    },
  );

  it(
    'every block type, with batch norm: the first steps within 1e-5 of the lab',
    { timeout: 240_000 },
    () => {
      const depth = {
        plain: 8,
        resnet: 8,
        preact: 8,
        bottleneck: 8,
        resnext: 8,
        highway: 5,
        densenet: 8,
      };
      for (const arch of ARCHS) {
        const flags = {
          arch,
          depth: depth[arch],
          width: 8,
          norm: 'batch',
          residualInit: 'one',
          steps: 3,
          logEvery: 1,
        };
        const folder = join(work, `all-${arch}`);
        mkdirSync(folder);
        for (const file of torchFiles(train(flags)))
          writeFileSync(join(folder, file.path), file.bytes);
        const run = spawnSync(py, ['train.py', '--threads', '1', '--losses', 'losses.json'], {
          cwd: folder,
          env,
          encoding: 'utf8',
        });
        expect(run.status, `${arch}: ${run.stderr}`).toBe(0);
        const recorder = new RunRecorder();
        for (const e of train(flags)) recorder.add(e);
        const want = recorder.record().train.map((p) => p.loss!);
        const got = losses(join(folder, 'losses.json'));
        expect(got, arch).toHaveLength(3);
        for (let i = 0; i < 3; i++)
          expect(Math.abs(got[i]! - want[i]!), `${arch} step ${i + 1}`).toBeLessThanOrEqual(
            LOSS_TOLERANCE,
          );
      }
    },
  );

  it(
    'torchrun --nproc_per_node 2 on CPU: to the end, the same losses, the run record fields',
    { timeout: 240_000 },
    async () => {
      const flags = { arch: 'resnet', depth: 8, width: 12, norm: 'none', batch: 32 } as const;
      const folder = await exportRun('ddp', [
        '--arch',
        'resnet',
        '--depth',
        '8',
        '--width',
        '12',
        '--norm',
        'none',
        '--batch',
        '32',
      ]);
      const run = spawnSync(
        py,
        // --redirects/--tee 1: torch 1.13's launcher fails on Python 3.11 with its defaults (README.md)
        [
          '-m',
          'torch.distributed.run',
          '--standalone',
          '--nproc_per_node',
          '2',
          '--redirects',
          '1',
          '--tee',
          '1',
          'train.py',
          '--threads',
          '1',
          '--out',
          'summary.json',
          '--losses',
          'losses.json',
        ],
        { cwd: folder, env, encoding: 'utf8', timeout: 200_000 },
      );
      expect(run.status, run.stderr).toBe(0);
      const record = labRecord(flags);
      const summary = JSON.parse(readFileSync(join(folder, 'summary.json'), 'utf8')) as Record<
        string,
        unknown
      >;
      for (const key of Object.keys(record)) expect(summary).toHaveProperty(key);
      const final = summary.final as Record<string, unknown>;
      expect(Object.keys(final).sort()).toEqual(Object.keys(record.final!).sort());
      expect(final.steps).toBe(STEPS);
      const history = summary.history as Record<string, unknown>[];
      expect(history.map((h) => h.step)).toEqual(record.history.map((h) => h.step));
      expect(Object.keys(history[0]!).sort()).toEqual(Object.keys(record.history[0]!).sort());
      const points = summary.train as Record<string, unknown>[];
      expect(Object.keys(points[0]!).sort()).toEqual(Object.keys(record.train[0]!).sort());
      expect(summary.pytorch).toMatchObject({ processes: 2, backend: 'gloo' });
      expect(summary.diverged).toBeNull();
      // without batch norm, two halves of each batch give the whole batch's gradient
      expectClose(losses(join(folder, 'losses.json')), record);
      expect(
        Math.abs((final.testAccuracy as number) - record.final!.testAccuracy!),
      ).toBeLessThanOrEqual(0.01);
    },
  );
});
