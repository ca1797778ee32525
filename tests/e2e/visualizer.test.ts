/**
 * The Interactive ResNet Visualizer in Chromium: both diagrams of 110-layer nets fit 360 px and
 * 1280 px; the residual one has one dashed skip per block or group (with its count), the plain one
 * none, and a group opens from the keyboard; the gradient bars hold the engine's numbers for the
 * same seed (computed here in Node); the replay's values at step N are the recorded statistics of
 * step N; the SVG export is well-formed SVG; the demonstration runs to completion and its results
 * are Node's for the same sweep; nothing is logged.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { TrainConfig } from '../../src/experiments/config.ts';
import { runPart } from '../../src/experiments/jobs.ts';
import { runPlan } from '../../src/experiments/job.ts';
import { sweepPlan, type SweepConfig, type SweepRecord } from '../../src/experiments/sweep.ts';
import { train } from '../../src/experiments/train.ts';
import { formatNumber } from '../../src/ui/visualizer/stats.ts';
import { DIST, useSite } from './fixture.ts';

const site = useSite();

interface Layers {
  step: number;
  gradNorm: number[];
}
interface Frame {
  frame: number;
  phase: 'forward' | 'backward';
  item: string;
  values: Record<
    'plain' | 'resnet',
    {
      tensor: string | null;
      step: number;
      mean: number | null;
      std: number | null;
      gradNorm: number | null;
    }
  >;
}
interface VizHook {
  configs: {
    live: { plain: TrainConfig; resnet: TrainConfig };
    init: { plain: TrainConfig; resnet: TrainConfig };
  };
  live: { plain: Layers | null; resnet: Layers | null; status: string[]; steps: number[] } | null;
  init: { plain: Layers | null; resnet: Layers | null } | null;
  frame: Frame | null;
  demo: { status: string; record: SweepRecord | null; error: string };
}

const hook = (page: Page): Promise<VizHook> =>
  page.evaluate(() => {
    const v = (window as unknown as { __viz: VizHook }).__viz;
    // a plain copy (the hook's getters read live state)
    return JSON.parse(
      JSON.stringify({
        configs: v.configs,
        live: v.live,
        init: v.init,
        frame: v.frame,
        demo: v.demo,
      }),
    ) as VizHook;
  });

async function show(page: Page, selector = '#viz-arch-h'): Promise<void> {
  await page.waitForFunction(() => '__viz' in window);
  await page.locator(selector).scrollIntoViewIfNeeded();
}

/** Node's per-layer statistics of `config` at `step` (and its tensor statistics when asked). */
function nodeEvents(config: TrainConfig, step: number, tensorStatsEvery = 0) {
  const run = train({ ...config, steps: Math.max(step, 1) }, {}, { tensorStatsEvery });
  let layers: Layers | null = null;
  let tensors: {
    step: number;
    tensors: { name: string; mean: number; std: number; gradNorm: number | null }[];
  } | null = null;
  for (const e of run) {
    if (e.type === 'layers' && e.step === step)
      layers = { step: e.step, gradNorm: e.layers.map((l) => l.gradNorm) };
    if (e.type === 'tensors' && e.step === step) tensors = e;
  }
  return { layers, tensors };
}

describe('Interactive ResNet Visualizer', () => {
  for (const width of [360, 1280]) {
    it(`draws both 110-layer networks inside ${width} px: skips for the ResNet only, groups that open`, async () => {
      const { context, page, problems } = await site.open('&viz-depth=110', {
        viewport: { width, height: 900 },
        reducedMotion: 'reduce',
      });
      try {
        await show(page);
        const plain = page.getByTestId('diagram-Plain-110');
        const resnet = page.getByTestId('diagram-ResNet-110');
        await resnet.waitFor();
        const fit = await page.evaluate(() => {
          const section = document.getElementById('visualizer')!.getBoundingClientRect();
          const boxes = [...document.querySelectorAll('#visualizer svg.network')].map((s) =>
            s.getBoundingClientRect(),
          );
          return {
            scroll: document.documentElement.scrollWidth,
            client: document.documentElement.clientWidth,
            right: section.right,
            boxes: boxes.map((b) => ({ left: b.left, right: b.right, width: b.width })),
          };
        });
        expect(fit.scroll).toBeLessThanOrEqual(fit.client);
        expect(fit.boxes).toHaveLength(2);
        for (const b of fit.boxes) {
          expect(b.width).toBeGreaterThan(150);
          expect(b.left).toBeGreaterThanOrEqual(0);
          expect(b.right).toBeLessThanOrEqual(fit.right + 0.5);
        }
        // one dashed skip per block or group, their counts adding up to the 54 blocks
        const skips = await resnet.locator('path.shortcut').evaluateAll((ps) =>
          ps.map((p) => ({
            count: Number(p.getAttribute('data-count')),
            dash: getComputedStyle(p).strokeDasharray,
            stroke: getComputedStyle(p).stroke,
          })),
        );
        const shown = await resnet
          .locator('.item[data-kind=block], .item[data-kind=group]')
          .count();
        expect(skips).toHaveLength(shown);
        expect(skips.reduce((s, k) => s + k.count, 0)).toBe(54);
        for (const s of skips) {
          expect(s.dash).not.toBe('none');
          expect(s.stroke).toBe('rgb(199, 119, 0)'); // --skip
        }
        expect(await resnet.locator('.item[data-kind=group]').count()).toBe(6);
        expect(await resnet.locator('text.count').allTextContents()).toEqual(Array(6).fill('×9'));
        expect(await plain.locator('path.shortcut').count()).toBe(0);
        expect(await plain.locator('.item[data-kind=group]').count()).toBe(6);
        // a group opens from the keyboard, in both diagrams, into its nine blocks
        const group = resnet.locator('.item[data-kind=group]').nth(1);
        await group.focus();
        await expect
          .poll(() => page.getByTestId('viz-inspector').textContent())
          .toMatch(/blocks 10–18 \(9 blocks\).*block18\.relu.*shape \[16\]/s);
        await page.keyboard.press('Enter');
        await expect.poll(() => resnet.locator('.item[data-kind=block]').count()).toBe(9);
        expect(await plain.locator('.item[data-kind=block]').count()).toBe(9);
        expect(await resnet.locator('path.shortcut').count()).toBe(5 + 9);
        const after = await page.evaluate(() => document.documentElement.scrollWidth);
        expect(after).toBeLessThanOrEqual(fit.client);
        expect(problems).toEqual([]);
      } finally {
        await context.close();
      }
    });
  }

  it("the gradient bars and the replay hold the engine's numbers for the same seed", async () => {
    const { context, page, problems } = await site.open('&viz-depth=20');
    try {
      await show(page, '#viz-grad-h');
      await page.waitForFunction(
        () => {
          const v = (window as unknown as { __viz: VizHook }).__viz;
          return v.init?.plain && v.init.resnet && v.live?.plain && v.live.resnet;
        },
        undefined,
        { timeout: 60_000 },
      );
      const h = await hook(page);
      // at initialisation: the gradients of the first step, as Node computes them
      for (const net of ['plain', 'resnet'] as const) {
        const node = nodeEvents(h.configs.init[net], 1).layers!;
        expect(h.init![net]!.step).toBe(1);
        expect(h.init![net]!.gradNorm).toEqual(node.gradNorm);
        expect(h.init![net]!.gradNorm).toHaveLength(20);
        // live: the bars of the latest step received
        const live = h.live![net]!;
        expect(live.gradNorm).toEqual(nodeEvents(h.configs.live[net], live.step).layers!.gradNorm);
      }
      // the printed ratio is the first layer's over the last's
      const plainInit = h.init!.plain!.gradNorm;
      const caption = await page.getByTestId('viz-grad-caption').textContent();
      const r = plainInit[0]! / plainInit[plainInit.length - 1]!;
      expect(caption).toContain(`is ${formatNumber(r)} in Plain-20`);

      // the replay: the latest recorded step, forward then backward
      await show(page, '#viz-arch-h');
      const step = page
        .getByRole('group', { name: 'Replay of one training step' })
        .getByRole('button', { name: 'Step', exact: true });
      await step.click();
      await step.click();
      const forward = (await hook(page)).frame!;
      expect(forward.phase).toBe('forward');
      expect(forward.frame).toBe(1);
      expect(forward.item).toBe('block1');
      for (let i = 0; i < 12; i++) await step.click(); // 11 boxes: into the backward pass
      const backward = (await hook(page)).frame!;
      expect(backward.phase).toBe('backward');
      for (const net of ['plain', 'resnet'] as const) {
        const at = forward.values[net];
        expect(at.step % 10).toBe(0);
        const node = nodeEvents(h.configs.live[net], at.step, 10).tensors!;
        const row = node.tensors.find((t) => t.name === at.tensor)!;
        expect(at.tensor).toBe('block1.relu');
        expect([at.mean, at.std]).toEqual([row.mean, row.std]);
        const back = backward.values[net];
        expect(back.step).toBe(at.step);
        const rowBack = node.tensors.find((t) => t.name === back.tensor)!;
        expect(back.gradNorm).toBe(rowBack.gradNorm);
      }
      await expect
        .poll(() => page.getByTestId('viz-frame').textContent())
        .toMatch(/Backward pass, .*: gradient/);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('with reduced motion: nothing trains until Play, and the replay opens at its final state', async () => {
    const { context, page, problems } = await site.open('&viz-depth=8', {
      reducedMotion: 'reduce',
    });
    try {
      await show(page);
      const replay = page.getByRole('group', { name: 'Replay of one training step' });
      expect(await replay.getByRole('button', { name: 'Step', exact: true }).isDisabled()).toBe(
        true,
      );
      expect((await hook(page)).live!.steps).toEqual([0, 0]);
      await page.getByRole('button', { name: 'Play training' }).click();
      await page.waitForFunction(
        () => {
          const v = (window as unknown as { __viz: VizHook }).__viz;
          return (v.live?.resnet?.step ?? 0) > 0;
        },
        undefined,
        { timeout: 60_000 },
      );
      await page.getByRole('button', { name: 'Pause training' }).click();
      expect((await hook(page)).frame).toBeNull(); // no replay starts by itself
      await replay.getByRole('button', { name: 'Step', exact: true }).click();
      const last = (await hook(page)).frame!;
      // stem + 3 blocks + head: 10 frames, the last the backward pass reaching the stem
      expect(last).toMatchObject({ frame: 9, phase: 'backward', item: 'stem' });
      await replay.getByRole('button', { name: 'Step back' }).click();
      expect((await hook(page)).frame).toMatchObject({ frame: 8, item: 'block1' });
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('exports the two diagrams as well-formed SVG with their dashed skips', async () => {
    const { context, page, problems } = await site.open('&viz-depth=20');
    try {
      await show(page);
      await page.getByTestId('diagram-ResNet-20').waitFor();
      const button = page.locator(
        '[data-testid="export-visualizer-networks"] button[data-format=svg]',
      );
      const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
      expect(download.suggestedFilename()).toBe('resnet-lab-visualizer-networks.svg');
      const text = readFileSync(await download.path()).toString('utf8');
      expect(text).toMatch(/^<\?xml [^>]*\?>\n<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      expect(text).not.toContain('var(--');
      const parsed = await page.evaluate((svgText) => {
        const doc = new DOMParser().parseFromString(svgText, 'image/svg+xml');
        return {
          error: doc.querySelector('parsererror')?.textContent ?? null,
          root: doc.documentElement.localName,
          nested: doc.documentElement.querySelectorAll('svg').length,
          dashed: [...doc.querySelectorAll('path')].filter((p) =>
            /stroke-dasharray:\s*5/.test(p.getAttribute('style') ?? ''),
          ).length,
        };
      }, text);
      expect(parsed).toEqual({ error: null, root: 'svg', nested: 2, dashed: 9 });
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('trains on the digits too: the worker fetches them, the bars equal Node’s on the same images', async () => {
    const { context, page, problems } = await site.open(
      '&viz-dataset=digits&viz-depth=8&viz-width=8',
    );
    try {
      await show(page, '#viz-arch-h');
      await expect
        .poll(() => hook(page).then((h) => h.live?.resnet?.step ?? 0), { timeout: 60_000 })
        .toBeGreaterThan(0);
      const h = await hook(page);
      expect(h.configs.live.resnet.dataset).toBe('digits');
      const side = h.configs.live.resnet.digitsSize;
      const digits = new Uint8Array(readFileSync(`${DIST}/data/digits-${side}.bin`));
      const live = h.live!.resnet!;
      const run = train({ ...h.configs.live.resnet, steps: live.step }, { digits });
      let node: number[] | null = null;
      for (const e of run)
        if (e.type === 'layers' && e.step === live.step) node = e.layers.map((l) => l.gradNorm);
      expect(live.gradNorm).toEqual(node);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('gradient flow across depths: each depth at initialisation, its ratio equal to Node’s', async () => {
    const { context, page, problems } = await site.open('&viz-width=8', {
      reducedMotion: 'reduce',
    });
    try {
      await show(page, '#viz-demo-h');
      await page.getByTestId('viz-across-run').click();
      const panels = page.getByTestId('viz-across').locator('.across-depth');
      await expect.poll(() => panels.count(), { timeout: 60_000 }).toBe(4);
      expect(
        await panels.evaluateAll((els) => els.map((e) => e.getAttribute('data-depth'))),
      ).toEqual(['8', '20', '56', '110']);
      const h = await hook(page);
      for (const [i, depth] of [8, 20, 56, 110].entries()) {
        const text = (await panels.nth(i).locator('.across-ratio').textContent())!.replace(
          /\s+/g,
          ' ',
        );
        for (const net of ['plain', 'resnet'] as const) {
          const g = nodeEvents({ ...h.configs.init[net], depth }, 1).layers!.gradNorm;
          const r = g[0]! / g[g.length - 1]!;
          expect(text).toContain(`${net === 'plain' ? 'Plain' : 'ResNet'} ${formatNumber(r)}`);
        }
      }
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a convolutional pair: stages labelled C×H×W, skips at every block, feature maps, gradient bars, 360 px', async () => {
    const { context, page, problems } = await site.open('&viz-model=conv&viz-depth=8&viz-width=4', {
      viewport: { width: 360, height: 900 },
      reducedMotion: 'reduce',
    });
    try {
      await show(page);
      expect(await page.getByTestId('viz-model').inputValue()).toBe('conv');
      const resnet = page.getByTestId('diagram-ResNet-8');
      const plain = page.getByTestId('diagram-Plain-8');
      await resnet.waitFor();
      // three stages of one block each: 4, 8 and 16 channels on ever smaller maps
      expect(await resnet.locator('text.stage').allTextContents()).toEqual([
        '4×14×14',
        '8×7×7',
        '16×4×4',
      ]);
      expect(await plain.locator('text.stage').allTextContents()).toHaveLength(3);
      expect(await resnet.locator('line.transition').count()).toBe(2);
      // option A shortcuts at the transitions are still skips: one per block
      expect(await resnet.locator('path.shortcut').count()).toBe(3);
      expect(await plain.locator('path.shortcut').count()).toBe(0);
      const h0 = await hook(page);
      expect(h0.configs.live.resnet).toMatchObject({ model: 'conv', dataset: 'digits', depth: 8 });

      await page.getByRole('button', { name: 'Play training' }).click();
      await page.waitForFunction(
        () => {
          const v = (window as unknown as { __viz: VizHook }).__viz;
          return (v.live?.resnet?.gradNorm.length ?? 0) > 0 && (v.live?.plain?.step ?? 0) > 0;
        },
        undefined,
        { timeout: 90_000 },
      );
      // the first stage's maps of one test digit, for both nets, painted
      const maps = page.getByTestId('viz-feature-maps');
      await expect.poll(() => maps.locator('canvas').count(), { timeout: 30_000 }).toBe(4);
      const painted = await maps.locator('canvas').evaluateAll((cs) =>
        (cs as HTMLCanvasElement[]).map((c) => {
          const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
          let lit = 0;
          for (let i = 0; i < data.length; i += 4) if (data[i]! > 0 && data[i]! !== 226) lit++;
          return { width: c.width, lit };
        }),
      );
      for (const c of painted) {
        expect(c.width).toBeGreaterThan(0);
        expect(c.lit).toBeGreaterThan(0);
      }
      // the gradient bars: one per weight layer (8) of each net
      const h = await hook(page);
      expect(h.live!.resnet!.gradNorm).toHaveLength(8);
      await page.locator('#viz-grad-h').scrollIntoViewIfNeeded();
      expect(h.live!.plain!.gradNorm).toHaveLength(8);
      expect(await page.locator('#visualizer .bars canvas').first().isVisible()).toBe(true);
      await expect
        .poll(() => page.getByTestId('viz-grad-caption').textContent())
        .toMatch(/Plain-8/);
      await page.getByRole('button', { name: 'Pause training' }).click();
      const fit = await page.evaluate(() => [
        document.documentElement.scrollWidth,
        document.documentElement.clientWidth,
      ]);
      expect(fit[0]).toBeLessThanOrEqual(fit[1]!);
      if (process.env.VIZ_SHOTS === '1') {
        mkdirSync('/tmp/viz-shots', { recursive: true });
        for (const width of [360, 1280]) {
          await page.setViewportSize({ width, height: 900 });
          await page.locator('#viz-arch-h').scrollIntoViewIfNeeded();
          await page
            .locator('#visualizer figure.viz-figure')
            .screenshot({ path: `/tmp/viz-shots/conv-${width}.png` });
        }
      }
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("the demonstration runs to completion and shows Node's results for the same sweep", async () => {
    const { context, page, problems } = await site.open('&viz-demo-steps=25&viz-width=8', {
      viewport: { width: 360, height: 900 },
    });
    try {
      await show(page, '#viz-demo-h');
      await page
        .getByRole('button', { name: /^Run plain and ResNet at 8, 20, 56 and 110 layers$/ })
        .click();
      await page.waitForFunction(
        () => (window as unknown as { __viz: VizHook }).__viz.demo.status !== 'running',
        undefined,
        { timeout: 110_000 },
      );
      const { demo } = await hook(page);
      expect(demo.error).toBe('');
      expect(demo.status).toBe('done');
      const record = demo.record!;
      expect(record.runs.map((r) => `${r.arch}-${r.depth}`)).toEqual([
        'plain-8',
        'plain-20',
        'plain-56',
        'plain-110',
        'resnet-8',
        'resnet-20',
        'resnet-56',
        'resnet-110',
      ]);
      const node = await runPlan(sweepPlan(record.config as SweepConfig), async (parts) =>
        parts.map((p) => runPart(p, {})),
      );
      expect(record).toEqual(node);
      const rows = page.getByTestId('viz-demo-table').locator('tbody tr');
      expect(await rows.count()).toBe(8);
      expect(await rows.first().textContent()).toContain(
        record.runs[0]!.final!.trainLoss!.toFixed(3),
      );
      expect(await page.getByTestId('viz-demo-caption').textContent()).toMatch(
        /After 25 steps the 110-layer plain net/,
      );
      expect(await page.locator('#visualizer .multiples svg text.value').count()).toBe(16);
      // its chart and table fit a 360 px screen
      const fit = await page.evaluate(() => [
        document.documentElement.scrollWidth,
        document.documentElement.clientWidth,
      ]);
      expect(fit[0]).toBeLessThanOrEqual(fit[1]!);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
