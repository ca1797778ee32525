/**
 * The page as a student first reads it (issue 13): what each number is where batch norm's two
 * modes disagree, a readable log axis, human labels in the form, a variant button that starts
 * its run, a reproduce box that never shows a stale command as current, and a contents list
 * that marks the section at the top.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useSite } from './fixture.ts';

const site = useSite();

const waitForEnd = (page: Page, timeout = 240_000) =>
  page.locator('.dynamics[data-status="finished"]').waitFor({ timeout });

describe('first read (issue 13)', () => {
  it('explains, with measured numbers, why a deep plain net’s losses disagree, on a labelled log axis', async () => {
    // a 110-layer plain net with batch norm: its running statistics drift from the batches'
    const { context, page, problems } = await site.open(
      '&depth=110&norm=batch&dataset=spiral&lr=0.1&steps=150&eval-every=50#training-dynamics',
    );
    try {
      await page.locator('.dynamics').getByRole('button', { name: 'Start', exact: true }).click();
      await waitForEnd(page);
      const note = page.getByTestId('mode-gap-plain');
      await note.waitFor();
      const text = ((await note.textContent()) ?? '').replace(/\s+/g, ' ');
      expect(text).toContain('evaluation mode');
      expect(text).toMatch(/running averages/);
      // the numbers are the run's own: the note's mini-batch loss is the card's
      const batch = (await page.getByTestId('batch-loss-plain').textContent())!.trim();
      expect(text).toContain(Number(batch).toFixed(3));
      expect(text).toMatch(/[\d⁰¹²³⁴⁵⁶⁷⁸⁹]× higher in evaluation/);
      // the final table says what it measures
      expect(await page.getByTestId('final').textContent()).toContain('running statistics');
      // the losses span decades, so the chart chose a log axis, labelled at powers of ten
      const log = page.locator('.dynamics .log input');
      expect(await log.isChecked()).toBe(true);
      const ticks = await page
        .locator('.dynamics .chart')
        .first()
        .locator('[data-y-ticks]')
        .getAttribute('data-y-ticks');
      expect(
        ticks?.split(' ').filter((t) => /^(1|10|10[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+)$/.test(t)).length,
      ).toBeGreaterThanOrEqual(3);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows human labels in the form and names each network by its block type', async () => {
    const { context, page, problems } = await site.open('&arch=densenet#training-dynamics');
    try {
      const options = async (key: string) => page.locator(`#field-${key} option`).allTextContents();
      expect(await options('arch')).toContain('Basic residual block (He et al. 2015a)');
      expect(await options('init')).toContain('He / Kaiming normal');
      expect(await options('optimizer')).toContain('SGD with momentum');
      for (const key of ['arch', 'init', 'optimizer', 'norm'])
        for (const label of await options(key))
          expect(label, key).not.toMatch(/^(resnet|he|glorot|naive|momentum|wasm|ts|batch)$/);
      // the value stays the key: the URL and the command line are unchanged
      expect(await page.locator('#field-arch').inputValue()).toBe('densenet');
      expect(await page.locator('#net-resnet-name').textContent()).toContain('DenseNet');
      const plain = (await page.getByTestId('net-plain').locator('.what').textContent()) ?? '';
      expect(plain).toContain('DenseNet blocks without their shortcuts');
      expect(plain).not.toContain('resnet');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('marks the reproduce commands as not the form’s while the form is invalid', async () => {
    const { context, page } = await site.open('&depth=110#training-dynamics');
    try {
      expect(await page.getByTestId('reproduce-stale').count()).toBe(0);
      await page.locator('#field-depth').fill('57');
      await page.getByTestId('reproduce-stale').waitFor();
      expect(await page.getByTestId('reproduce-stale').textContent()).toContain('depth 110');
      await page.locator('#field-depth').fill('56');
      await expect.poll(() => page.getByTestId('reproduce-stale').count()).toBe(0);
      expect(await page.getByTestId('command-resnet').textContent()).toContain('--depth 56');
    } finally {
      await context.close();
    }
  });

  it('“Train the small version” starts the run, and ResNet-50/101/152 differ', async () => {
    const { context, page, problems } = await site.open('#variants');
    try {
      const stages: string[] = [];
      const smalls: string[] = [];
      for (const card of ['resnet50', 'resnet101', 'resnet152']) {
        stages.push((await page.getByTestId(`variant-${card}-stages`).textContent()) ?? '');
        smalls.push((await page.locator(`#variant-${card}-small`).textContent()) ?? '');
      }
      expect(new Set(stages).size).toBe(3);
      expect(new Set(smalls).size).toBe(3);
      expect(stages[1]).toContain('3 · 4 · 23 · 3');
      await page.getByTestId('variant-resnet101-train').click();
      await expect
        .poll(() => page.getByTestId('status').textContent(), { timeout: 30_000 })
        .toBe('Training');
      expect(await page.locator('#field-depth').inputValue()).toBe('101');
      await page.locator('.dynamics').getByRole('button', { name: 'Reset', exact: true }).click();
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  for (const width of [1280, 360])
    it(`contents: the section at the top is the one marked, its number on one line (${width} px)`, async () => {
      const { context, page } = await site.open('', { viewport: { width, height: 800 } });
      try {
        // through the contents, as a reader goes there (it holds the heading at the top while
        // the live figures above it mount)
        if (width < 1120) await page.locator('.toc .toggle').click();
        await page.locator('.toc a[href="#visualizer"]').click();
        await page.waitForTimeout(1500);
        const top = await page.evaluate(
          () => document.getElementById('visualizer')!.getBoundingClientRect().top,
        );
        expect(top).toBeLessThan(80);
        const current = page.locator('.toc a[aria-current="true"]');
        await expect
          .poll(async () => (await current.getAttribute('href')) ?? '')
          .toBe('#visualizer');
        // the tenth, marked (bold): its two digits stay on one line
        if (width < 1120) await page.locator('.toc .toggle').click();
        const tenth = page.locator('.toc li').nth(9).locator('a');
        await tenth.click();
        await expect.poll(() => tenth.getAttribute('aria-current'), { timeout: 5000 }).toBe('true');
        // every number's text lies on one line, the marked one (bold) included
        const lines = await page.locator('.toc .num').evaluateAll((els) =>
          els.map((e) => {
            const range = document.createRange();
            range.selectNodeContents(e);
            const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
            return tops.size;
          }),
        );
        if (width >= 1120) expect(lines.every((n) => n === 1)).toBe(true);
      } finally {
        await context.close();
      }
    });
});
