/**
 * Residual Block Architecture in the built site: each form's diagram is the engine's graph of
 * that block (compared with the graph built in Node), the residual forms have one dashed orange
 * skip and the plain twin none; focusing a node shows its formula and, once trained, the live
 * statistics of its tensor; the branch and shortcut norms change as the network trains and equal,
 * bit for bit, what the engine reports in Node for the same seed; the SVG export parses; no
 * horizontal overflow at 360 and 1280 px. Screenshots go to test-results/.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { ModelGraph } from '../../src/engine/graph.ts';
import type { TrainConfig } from '../../src/experiments/config.ts';
import { runPart } from '../../src/experiments/jobs.ts';
import { streamJob } from '../../src/experiments/job.ts';
import { type TrainEvent, TrainingRun } from '../../src/experiments/train.ts';
import { BLOCK_FORMS, FORM_NAMES } from '../../src/ui/block/forms.ts';
import { blockConfig, TENSOR_STATS_EVERY } from '../../src/ui/block/network.ts';
import { axeProblems } from './axe.ts';
import { RESULTS, scrollToSection, useSite } from './fixture.ts';

/** The graph the page asks its worker for: the `inspect` job, run here. */
const networkGraph = (config: TrainConfig): ModelGraph =>
  runPart({ kind: 'inspect', config }, {}) as ModelGraph;

const site = useSite();

const diagram = (page: Page) => page.getByTestId('block-diagram');

/** The tensor statistics the engine reports in Node for the section's network, by step. */
async function nodeTensors(
  form: (typeof BLOCK_FORMS)[number],
  shortcut = true,
): Promise<Map<number, Extract<TrainEvent, { type: 'tensors' }>>> {
  const run = new TrainingRun(
    blockConfig(form, shortcut),
    {},
    { tensorStatsEvery: TENSOR_STATS_EVERY },
  );
  const byStep = new Map<number, Extract<TrainEvent, { type: 'tensors' }>>();
  for await (const event of streamJob(run))
    if (event.type === 'tensors') byStep.set(event.step, event);
  return byStep;
}

async function noOverflow(page: Page): Promise<void> {
  const widths = await page.evaluate(() => {
    const section = document.getElementById('residual-block')!;
    let widest = 0;
    for (const el of section.querySelectorAll('*')) {
      const box = el.getBoundingClientRect();
      // inside a box that scrolls on its own (a wide table) is fine
      if (el.closest('.table-wrap, .tex-display, .formula') && !el.matches('.table-wrap')) continue;
      widest = Math.max(widest, box.right);
    }
    return {
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
      widest,
    };
  });
  expect(widths.scroll).toBeLessThanOrEqual(widths.client);
  expect(widths.widest).toBeLessThanOrEqual(widths.client + 0.5);
}

describe('Residual Block Architecture', () => {
  it('draws each form from the engine’s graph, with one dashed skip, and none in the plain twin', async () => {
    const { context, page, problems } = await site.open('#residual-block');
    try {
      for (const form of BLOCK_FORMS) {
        await page.getByRole('radio', { name: FORM_NAMES[form] }).check();
        await expect.poll(() => diagram(page).getAttribute('data-form')).toBe(form);
        for (const shortcut of [true, false]) {
          const box = page.getByRole('checkbox', { name: /Shortcut/ });
          if ((await box.isChecked()) !== shortcut) await box.click();
          const graph = networkGraph(blockConfig(form, shortcut));
          const expected = ['in', ...graph.blocks[1]!.nodes, 'out'];
          await expect
            .poll(() =>
              diagram(page)
                .locator('g.node')
                .evaluateAll((els) => els.map((e) => e.getAttribute('data-node'))),
            )
            .toEqual(expected);
          const skips = await diagram(page)
            .locator('polyline.edge.skip')
            .evaluateAll((els) =>
              els.map((el) => ({
                dash: getComputedStyle(el).strokeDasharray,
                stroke: getComputedStyle(el).stroke,
              })),
            );
          expect(skips, `${form} shortcut ${shortcut}`).toHaveLength(shortcut ? 1 : 0);
          for (const s of skips) {
            expect(s.dash).not.toBe('none');
            expect(s.stroke).toBe('rgb(199, 119, 0)');
          }
        }
        await page.getByRole('checkbox', { name: /Shortcut/ }).check();
      }
      // the address holds the form and the twin
      await page.getByRole('radio', { name: FORM_NAMES.bottleneck }).check();
      await page.getByRole('checkbox', { name: /Shortcut/ }).uncheck();
      await expect
        .poll(() => page.evaluate(() => location.search))
        .toMatch(/block-form=bottleneck.*block-shortcut=off/);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows a focused node’s formula, then the live numbers of its tensor, equal to the engine’s', async () => {
    const expected = nodeTensors('resnet');
    const { context, page, problems } = await site.open('#residual-block');
    try {
      await scrollToSection(page, 'residual-block');
      // the graph comes from a worker: wait until the block is drawn
      await diagram(page).locator('g.node[data-node="block2.1"]').waitFor();
      // every node is a button named by the words it shows
      expect(
        await diagram(page).getByRole('button', { name: 'weight layer 16 → 16' }).count(),
      ).toBe(2);
      expect(await diagram(page).getByRole('button', { name: '+ x + F(x)' }).count()).toBe(1);
      const node = diagram(page).locator('g.node[data-node="block2.1"]');
      await node.focus();
      const panel = page.getByTestId('block-node-panel');
      await expect.poll(() => panel.getAttribute('data-node')).toBe('block2.1');
      // the formula, typeset by KaTeX (loaded lazily), and the plain-text fallback's text
      await panel.locator('.katex').first().waitFor();
      expect(await page.getByTestId('block-node-formula').getAttribute('data-text')).toBe(
        'z = W·h',
      );
      expect(await panel.getByTestId('block-node-waiting').count()).toBe(1);
      await expect.poll(() => page.evaluate(() => location.search)).toMatch(/block-node=1(&|$)/);
      // the keyboard moves on to the next node
      await page.keyboard.press('ArrowDown');
      await expect.poll(() => panel.getAttribute('data-node')).toBe('block2.1.bn');
      expect(await panel.getByTestId('block-node-unstored').count()).toBe(1);
      await page.keyboard.press('ArrowDown');
      await expect.poll(() => panel.getAttribute('data-node')).toBe('block2.1.relu');

      // train: the shares are numbers, they change, and they are the engine's. Every reading the
      // page shows is recorded as it appears (the run is fast: polling would miss most of them).
      const shares = page.getByTestId('block-shares');
      await shares.evaluate((el) => {
        const seen: { step: number; branch: number; shortcut: number; sum: number }[] = [];
        (window as unknown as { __blockSeen: typeof seen }).__blockSeen = seen;
        new MutationObserver(() => {
          const d = (el as HTMLElement).dataset;
          if (!d.step || seen.at(-1)?.step === Number(d.step)) return;
          seen.push({
            step: Number(d.step),
            branch: Number(d.branch),
            shortcut: Number(d.shortcut),
            sum: Number(d.sum),
          });
        }).observe(el, { attributes: true });
      });
      await page.getByTestId('block-train').click();
      await expect
        .poll(() => page.getByTestId('block-status').getAttribute('data-state'), {
          timeout: 60_000,
        })
        .toBe('done');
      const seen = await page.evaluate(
        () =>
          (
            window as unknown as {
              __blockSeen: { step: number; branch: number; shortcut: number; sum: number }[];
            }
          ).__blockSeen,
      );
      expect(seen.length).toBeGreaterThanOrEqual(2);
      const early = seen[0]!;
      const late = seen.at(-1)!;
      expect(late.step).toBe(2000);
      expect(late.step).toBeGreaterThan(early.step);
      expect(late.branch).not.toBe(early.branch);
      const byStep = await expected;
      for (const reading of seen) {
        const row = byStep.get(reading.step)!.residuals.find((r) => r.block === 1)!;
        expect(reading.branch, `step ${reading.step}`).toBe(row.branchNorm);
        expect(reading.shortcut, `step ${reading.step}`).toBe(row.shortcutNorm);
        expect(reading.sum, `step ${reading.step}`).toBe(row.sumNorm);
      }
      expect(early.branch).toBeGreaterThan(0);
      expect(Number(await page.getByTestId('block-branch-norm').count())).toBe(1);
      expect(await page.getByTestId('block-sentence').textContent()).toMatch(/At step 2000 it is/);
      // the focused node's table: its tensor at the last measurement
      const stats = page.getByTestId('block-node-stats');
      await stats.waitFor();
      expect(Number(await stats.getAttribute('data-step'))).toBe(2000);
      const relu = byStep.get(2000)!.tensors.find((t) => t.name === 'block2.1.relu')!;
      expect(Number(await stats.getAttribute('data-norm'))).toBe(relu.norm);
      // the chart holds one series per block, and exports CSV
      const [csv] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId('export-residual-block-ratios').locator('button[data-format=csv]').click(),
      ]);
      const lines = readFileSync((await csv.path())!, 'utf8')
        .trimEnd()
        .split('\n');
      expect(lines[0]!.split(',')).toHaveLength(1 + 9);
      expect(lines).toHaveLength(1 + 2000 / TENSOR_STATS_EVERY);
      const last = lines.at(-1)!.split(',').map(Number);
      const row = byStep.get(2000)!.residuals.find((r) => r.block === 1)!;
      expect(last[2]).toBe(row.branchNorm / row.shortcutNorm);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('the plain twin: no shares, and its block’s output and input norms are the engine’s', async () => {
    const expected = nodeTensors('resnet', false);
    const { context, page, problems } = await site.open('&block-shortcut=off#residual-block');
    try {
      await scrollToSection(page, 'residual-block');
      await page.getByTestId('block-train').click();
      await expect
        .poll(() => page.getByTestId('block-status').getAttribute('data-state'), {
          timeout: 60_000,
        })
        .toBe('done');
      const twin = page.getByTestId('block-twin-sentence');
      const seen = await twin.evaluate((el) => ({ ...(el as HTMLElement).dataset }));
      expect(Number(seen.step)).toBe(2000);
      const graph = networkGraph(blockConfig('resnet', false));
      const tensors = (await expected).get(2000)!.tensors;
      const norm = (name: string) => tensors.find((t) => t.name === name)!.norm;
      expect(Number(seen.output)).toBe(norm(graph.blocks[1]!.output!));
      expect(Number(seen.input)).toBe(norm(graph.blocks[1]!.input));
      expect(await page.getByTestId('block-ratio').count()).toBe(0);
      expect(await page.locator('#residual-block polyline.edge.skip').count()).toBe(0);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('exports the diagram as valid SVG that keeps its dashed skip and legend', async () => {
    const { context, page, problems } = await site.open('&block-form=highway#residual-block');
    try {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page
          .getByTestId('export-residual-block-highway')
          .locator('button[data-format=svg]')
          .click(),
      ]);
      expect(download.suggestedFilename()).toBe('resnet-lab-residual-block-highway.svg');
      const svg = readFileSync((await download.path())!, 'utf8');
      expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg')).toBe(true);
      expect(svg).toMatch(/stroke:\s*rgb\(199, 119, 0\);[^"]*stroke-dasharray:\s*7(px)?,?\s*4/);
      expect(svg).toContain('carry path: x');
      expect(svg).toContain('sigmoid: gate T');
      const parsed = await page.evaluate((text) => {
        const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
        return {
          error: doc.querySelector('parsererror')?.textContent ?? null,
          root: doc.documentElement.localName,
          nodes: doc.querySelectorAll('g.node, g[data-node]').length,
        };
      }, svg);
      expect(parsed.error).toBeNull();
      expect(parsed.root).toBe('svg');
      expect(parsed.nodes).toBe(8);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  for (const width of [1280, 360])
    it(`fits ${width} px without horizontal overflow, and axe finds nothing serious once trained`, async () => {
      const { context, page, problems } = await site.open('&block-node=add#residual-block', {
        viewport: { width, height: 900 },
      });
      try {
        await scrollToSection(page, 'residual-block');
        for (const form of BLOCK_FORMS) {
          await page.getByRole('radio', { name: FORM_NAMES[form] }).check();
          await noOverflow(page);
          expect(await axeProblems(page, '#residual-block'), form).toEqual([]);
        }
        await page.getByRole('radio', { name: FORM_NAMES.resnet }).check();
        await page.getByTestId('block-train').click();
        await expect
          .poll(() => page.getByTestId('block-status').getAttribute('data-state'), {
            timeout: 60_000,
          })
          .toBe('done');
        await noOverflow(page);
        expect(await axeProblems(page, '#residual-block')).toEqual([]);
        await page.mouse.move(0, 0);
        await page
          .locator('#residual-block')
          .screenshot({ path: join(RESULTS, `residual-block-${width}.png`) });
        expect(problems).toEqual([]);
      } finally {
        await context.close();
      }
    });
});
