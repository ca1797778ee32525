/**
 * "Open it elsewhere" and "Download as ONNX" in Chromium: the files are built in a worker of the
 * pool and downloaded — the ONNX file byte for byte the one Node writes for the same settings
 * (and onnxruntime runs it), the PyTorch folder as a zip holding train.py, run.json and the
 * weights Node writes; no page error, axe clean, no horizontal overflow at 360 px. With
 * EXPORT_SHOTS=1 it also writes docs/screenshots/export-{1280,360}.png.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import * as ort from 'onnxruntime-node';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { onnxFile, torchFiles } from '../../src/experiments/exportFiles.ts';
import { train } from '../../src/experiments/train.ts';
import { TRAIN_PY } from '../../src/experiments/torch/trainPy.ts';
import { axeProblems } from './axe.ts';
import { ROOT, useSite } from './fixture.ts';

const site = useSite();
// nothing trains by itself under reduced motion: the pool holds only the exports
const QUIET = { reducedMotion: 'reduce', acceptDownloads: true } as const;
const SETTINGS = { arch: 'resnet', depth: 8, width: 8, steps: 30, seed: 2 } as const;
const QUERY = '&arch=resnet&depth=8&width=8&steps=30&seed=2';

async function downloaded(
  page: Page,
  click: () => Promise<void>,
): Promise<{ name: string; bytes: Uint8Array }> {
  const [file] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), click()]);
  return { name: file.suggestedFilename(), bytes: new Uint8Array(readFileSync(await file.path())) };
}

function nodeOnnx(shortcut: boolean): Uint8Array {
  const run = train({ ...SETTINGS, shortcut });
  for (const _ of run);
  return onnxFile(run, run.step).bytes;
}

describe('Open it elsewhere', () => {
  it('downloads the ONNX file Node writes and a PyTorch zip, from a worker; axe clean', async () => {
    const { context, page, problems } = await site.open(QUERY, QUIET);
    try {
      const box = page.getByTestId('open-elsewhere');
      await box.scrollIntoViewIfNeeded();
      expect(await box.getByTestId('elsewhere-command-onnx').textContent()).toBe(
        'npx resnet-lab export --format onnx --depth 8 --width 8 --steps 30 --seed 2 --out resnet-8.onnx',
      );

      const onnx = await downloaded(page, () => box.getByTestId('elsewhere-onnx').click());
      expect(onnx.name).toBe('resnet-8.onnx');
      expect(Buffer.from(onnx.bytes).equals(Buffer.from(nodeOnnx(true)))).toBe(true);
      const session = await ort.InferenceSession.create(onnx.bytes);
      const out = await session.run({
        input: new ort.Tensor('float32', new Float32Array([0.5, -0.25]), [1, 2]),
      });
      const p = out.probabilities!.data as Float32Array;
      expect(p[0]! + p[1]!).toBeCloseTo(1, 5);
      await expect
        .poll(() => box.getByTestId('elsewhere-status').textContent())
        .toContain('Downloaded resnet-8.onnx');

      await box.getByLabel('Plain twin (no shortcuts)').check();
      expect(await box.getByTestId('elsewhere-command-torch').textContent()).toContain(
        '--no-shortcut',
      );
      const zip = await downloaded(page, () => box.getByTestId('elsewhere-torch').click());
      expect(zip.name).toBe('resnet-plain-8.zip');
      const files = unzipSync(zip.bytes);
      const want = torchFiles(train({ ...SETTINGS, shortcut: false }));
      expect(Object.keys(files).sort()).toEqual(want.map((f) => `resnet-plain-8/${f.path}`).sort());
      expect(new TextDecoder().decode(files['resnet-plain-8/train.py'])).toBe(TRAIN_PY);
      for (const f of want)
        expect(
          Buffer.from(files[`resnet-plain-8/${f.path}`]!).equals(Buffer.from(f.bytes)),
          f.path,
        ).toBe(true);

      expect(await axeProblems(page, '[data-testid="open-elsewhere"]')).toEqual([]);
      if (process.env.EXPORT_SHOTS)
        await page
          .getByTestId('reproduce')
          .screenshot({ path: join(ROOT, 'docs/screenshots/export-1280.png') });
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('"Download as ONNX" beside each network of Training Dynamics; 360 px without overflow', async () => {
    const { context, page, problems } = await site.open(QUERY, {
      ...QUIET,
      viewport: { width: 360, height: 800 },
    });
    try {
      const button = page.getByTestId('onnx-plain');
      await button.scrollIntoViewIfNeeded();
      const onnx = await downloaded(page, () => button.click());
      expect(onnx.name).toBe('resnet-plain-8.onnx');
      expect(Buffer.from(onnx.bytes).equals(Buffer.from(nodeOnnx(false)))).toBe(true);
      expect(await page.getByTestId('onnx-resnet').isEnabled()).toBe(true);
      expect(await axeProblems(page, '[data-testid="net-plain"]')).toEqual([]);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
      if (process.env.EXPORT_SHOTS) {
        const box = page.getByTestId('open-elsewhere');
        await box.scrollIntoViewIfNeeded();
        await box.screenshot({ path: join(ROOT, 'docs/screenshots/export-360.png') });
      }
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
