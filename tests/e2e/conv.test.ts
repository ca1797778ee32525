/**
 * A convolutional pair in Training Dynamics, in the built site: choosing "Convolutional" in the
 * form moves the data to the digits; a small pair (depth 8, width 4) trains in the worker pool to
 * its last step without a page error; the network is drawn from the engine's graph with its maps
 * as C×H×W (equal to the graph built in Node), and a block that crosses a stage shows its
 * subsample on the shortcut path; axe finds nothing serious at 360 and 1280 px, nothing overflows
 * at 360 px. With CONV_SHOTS=1 it writes docs/screenshots/conv-{1280,360}.png.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { shapeText } from '../../src/common/shape.ts';
import type { ModelGraph } from '../../src/engine/graph.ts';
import { loadDigitsAsset } from '../../src/cli/files.ts';
import { type TrainConfig, validateTrainConfig } from '../../src/experiments/config.ts';
import { type TrainEvent, train } from '../../src/experiments/train.ts';
import { pairConfigs } from '../../src/ui/training/pair.ts';
import { runPart } from '../../src/experiments/jobs.ts';
import { axeProblems } from './axe.ts';
import { fill, stepOf } from './dynamicsForm.ts';
import { ROOT, scrollToSection, useSite } from './fixture.ts';

const site = useSite();

/** The last feature maps the engine computes in Node for a config (the pair's residual net). */
function nodeMaps(config: TrainConfig): Extract<TrainEvent, { type: 'featureMaps' }> {
  const digits = loadDigitsAsset(config.digitsSize, () => {});
  let last: Extract<TrainEvent, { type: 'featureMaps' }> | null = null;
  for (const e of train(pairConfigs(config).resnet, { digits }, { featureMaps: true }))
    if (e.type === 'featureMaps') last = e;
  if (!last) throw new Error('no feature maps');
  return last;
}
const SHOTS = join(ROOT, 'docs/screenshots');

const SETTINGS = { depth: 8, width: 4, steps: 30, batch: 16, samples: 400, seed: 3 };

/**
 * The figure as it is now: a clip of the viewport made tall enough to hold it (an element
 * screenshot waits for the element to stop moving, and the live page around it never quite does).
 */
async function shoot(page: Page, figure: Locator, name: string): Promise<void> {
  const width = page.viewportSize()!.width;
  const first = await figure.boundingBox();
  if (!first) throw new Error('the figure is not drawn');
  await page.setViewportSize({ width, height: Math.ceil(first.height) + 300 });
  // below the page's sticky bar
  await figure.evaluate((el) =>
    window.scrollTo({
      top: el.getBoundingClientRect().top + window.scrollY - 120,
      behavior: 'instant',
    }),
  );
  await page.waitForTimeout(100); // one more frame for the sticky bar to settle
  const box = (await figure.boundingBox())!;
  const height = Math.min(box.height, page.viewportSize()!.height - box.y);
  await page.screenshot({
    // written only when asked: a test run leaves the repository's screenshots as they are
    path: process.env.CONV_SHOTS ? join(SHOTS, name) : undefined,
    clip: {
      x: Math.max(0, box.x),
      y: Math.max(0, box.y),
      width: Math.min(box.width, width),
      height,
    },
    animations: 'disabled',
  });
}

async function trainConvPair(page: Page): Promise<void> {
  await scrollToSection(page, 'training-dynamics');
  await fill(page, { model: 'conv' });
  // the choice alone moves the data to the digits (a convolutional network reads images)
  expect(await page.locator('#field-dataset').inputValue()).toBe('digits');
  await fill(page, SETTINGS);
  await page.locator('#settings').evaluate((f) => (f as HTMLFormElement).requestSubmit());
  await page.waitForFunction(
    () =>
      document.querySelector('.dynamics')?.getAttribute('data-status') === 'finished' ||
      document.querySelector('.dynamics')?.getAttribute('data-status') === 'done',
    null,
    { timeout: 120_000 },
  );
}

describe('Training Dynamics: a convolutional pair', () => {
  it('trains depth 8, width 4 on the digits and draws the network with its C×H×W maps', async () => {
    const { page, problems, context } = await site.open('');
    try {
      await trainConvPair(page);
      expect(await stepOf(page, 'resnet')).toBe(SETTINGS.steps);
      expect(await stepOf(page, 'plain')).toBe(SETTINGS.steps);
      // the page's config is the CLI's: the same graph as Node builds for it
      const checked = validateTrainConfig({ model: 'conv', ...SETTINGS, arch: 'resnet' });
      if (!checked.ok) throw new Error('bad config');
      const graph = runPart({ kind: 'inspect', config: checked.value }, {}) as ModelGraph;
      const shapes = new Map(graph.tensors.map((t) => [t.name, shapeText(t.shape)]));
      const figure = page.getByTestId('conv-network');
      await figure.scrollIntoViewIfNeeded();
      const shown = (id: string) => figure.getByTestId(`shape-${id}`).textContent();
      expect(await shown('stem')).toBe('4×14×14');
      expect(await shown('stage1')).toBe(shapes.get(graph.blocks[0]!.output!));
      expect(await shown('stage2')).toBe('8×7×7');
      expect(await shown('stage3')).toBe('16×4×4');
      expect(await shown('pool')).toBe('16');
      expect(await shown('head')).toBe('10');
      // the block drawn first crosses a stage: convolutions with their shapes, and option A's
      // subsample on the dashed shortcut path
      const drawing = figure.locator('svg.block-graph');
      expect(await drawing.locator('g.role-conv').count()).toBe(2);
      await expect
        .poll(() => drawing.locator('g.role-conv').first().textContent())
        .toContain('stride 2 · 4×14×14 → 8×7×7');
      expect(await drawing.locator('g.role-subsample').textContent()).toContain(
        'stride 2 · 4×14×14 → 8×7×7',
      );
      expect(await drawing.locator('polyline.edge.skip').count()).toBeGreaterThanOrEqual(2);
      // a node chosen by keyboard says what it computes
      await drawing.locator('g.role-subsample').focus();
      expect(await figure.getByTestId('conv-node-words').textContent()).toMatch(/Option A/);
      // the plain twin: the same layers, no shortcut path
      await figure.getByTestId('conv-net-pick').selectOption('plain');
      await expect.poll(() => drawing.getAttribute('data-shortcut')).toBe('none');
      expect(await drawing.locator('polyline.edge.skip').count()).toBe(0);
      await figure.getByTestId('conv-net-pick').selectOption('resnet');
      // the live maps of the first stage: what the worker computed at the last step, equal to
      // what the engine computes in Node for the same config and seed
      const maps = figure.getByTestId('feature-maps');
      await expect.poll(() => maps.getByTestId('feature-maps-step').textContent()).toBe('30');
      const last = nodeMaps(checked.value);
      const labels = await maps
        .locator('[role="img"]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
      expect(labels).toHaveLength(1 + last.maps.length);
      expect(labels[0]).toContain(`a ${last.label}`);
      const max = Math.max(...last.maps[0]!.values);
      expect(labels[1]).toBe(
        `ResNet, stage 1 block 1: 4 maps of 14×14, values from 0 to ${max.toPrecision(3)}`,
      );
      // the tiles are drawn: not one grey
      const distinct = await maps
        .locator('canvas')
        .nth(1)
        .evaluate((c) => {
          const canvas = c as HTMLCanvasElement;
          const data = canvas
            .getContext('2d')!
            .getImageData(0, 0, canvas.width, canvas.height).data;
          return new Set(data.filter((_, i) => i % 4 === 0)).size;
        });
      expect(distinct).toBeGreaterThan(10);
      expect(await axeProblems(page, '#training-dynamics')).toEqual([]);
      if (process.env.CONV_SHOTS) mkdirSync(SHOTS, { recursive: true });
      await shoot(page, figure, 'conv-1280.png');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('at 360 px: nothing overflows, axe finds nothing serious', async () => {
    const { page, problems, context } = await site.open(
      '&model=conv&depth=8&width=4&steps=20&batch=16&samples=300',
      { viewport: { width: 360, height: 800 } },
    );
    try {
      await scrollToSection(page, 'training-dynamics');
      // the link's conv network trains on the digits without naming them
      expect(await page.locator('#field-dataset').inputValue()).toBe('digits');
      const figure = page.getByTestId('conv-network');
      await figure.scrollIntoViewIfNeeded();
      await expect.poll(() => figure.getByTestId('shape-stage3').textContent()).toBe('16×4×4');
      await page.locator('#settings').evaluate((f) => (f as HTMLFormElement).requestSubmit());
      await expect
        .poll(() => figure.getByTestId('feature-maps-step').textContent(), { timeout: 120_000 })
        .toBe('20');
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow).toBe(0);
      expect(await axeProblems(page, '#training-dynamics')).toEqual([]);
      await shoot(page, figure, 'conv-360.png');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
