/**
 * Loss landscapes in Chromium: Run trains Plain-N and ResNet-N in the page's workers and measures
 * their surfaces; the page's records equal Node's for the same settings, number for number; the
 * contour maps and the 3-D plot draw them, the plot turns by keyboard and by dragging; the
 * exports carry the same numbers; off screen it waits between parts; Cancel stops; it fits
 * 360 px; no page error.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { runPlan } from '../../src/experiments/job.ts';
import { runPart } from '../../src/experiments/jobs.ts';
import { landscapePlan, zipPlans } from '../../src/experiments/landscape.ts';
import { landscapeConfigOf, type LandscapeView } from '../../src/ui/studies/landscape/view.ts';
import { useSite } from './fixture.ts';

const site = useSite();
// no live figure of the Introduction trains under reduced motion: the pool holds only the study
const QUIET = { reducedMotion: 'reduce' } as const;
const SMALL: LandscapeView = { depth: 8, grid: 11, range: 1, steps: 300, seed: 2 };
const QUERY = `&land-depth=${SMALL.depth}&land-grid=${SMALL.grid}&land-steps=${SMALL.steps}&land-seed=${SMALL.seed}`;

const status = (page: Page) =>
  page.evaluate(
    () => (window as unknown as { __landscape: { status: string } }).__landscape.status,
  );

async function runStudy(page: Page): Promise<void> {
  const study = page.getByTestId('land-study');
  await study.scrollIntoViewIfNeeded();
  await page.getByTestId('land-run').click();
  await expect.poll(() => status(page), { timeout: 90_000 }).toBe('done');
}

describe('Loss landscapes', () => {
  it('the page’s surfaces equal Node’s for the same seed; drawn, turnable, exported', async () => {
    const { context, page, problems } = await site.open(QUERY, QUIET);
    await runStudy(page);
    const pair = await page.evaluate(() =>
      JSON.stringify((window as unknown as { __landscape: { pair: unknown } }).__landscape.pair),
    );
    const [plain, resnet] = await runPlan(
      zipPlans([
        landscapePlan(landscapeConfigOf(SMALL, 'plain')),
        landscapePlan(landscapeConfigOf(SMALL, 'resnet')),
      ]),
      (parts) => Promise.resolve(parts.map((p) => runPart(p, {}))),
    );
    expect(pair).toBe(JSON.stringify({ plain, resnet }));

    // the contour maps: both panels filled, the caption's numbers from the surfaces
    const contours = page.getByTestId('land-contours');
    expect(await contours.locator('[data-panel="Plain-8"] path').count()).toBeGreaterThan(3);
    expect(await contours.locator('[data-panel="ResNet-8"] path').count()).toBeGreaterThan(3);
    const setup = await page.getByTestId('land-setup').textContent();
    expect(setup).toContain('Plain-8 and ResNet-8');
    expect(setup).toContain('11 × 11 grid');
    expect(setup).toContain('seed 2');
    const finding = await page.getByTestId('land-finding').textContent();
    expect(finding).toMatch(/Plain-8's loss at its trained weights is [\d.]+/);
    expect(await page.getByTestId('land-comparison').textContent()).toMatch(/Li et al\./);

    // the 3-D plot turns with the arrow keys, back with Home, and by dragging
    const plot = page.getByTestId('land-surface');
    const yaw0 = await plot.getAttribute('data-yaw');
    // drawn in a frame of its own: the canvas shows the surfaces, and shows them turned
    const pixels = () => plot.locator('canvas').evaluate((c: HTMLCanvasElement) => c.toDataURL());
    const blank = await page.evaluate(() => {
      const c = document.createElement('canvas');
      const source = document.querySelector<HTMLCanvasElement>(
        '[data-testid=land-surface] canvas',
      )!;
      c.width = source.width;
      c.height = source.height;
      const ctx = c.getContext('2d')!;
      ctx.fillStyle = '#ffffff';
      ctx.fillRect(0, 0, c.width, c.height);
      return c.toDataURL();
    });
    await expect.poll(pixels).not.toBe(blank);
    const facing = await pixels();
    await plot.focus();
    await page.keyboard.press('ArrowRight');
    expect(await plot.getAttribute('data-yaw')).not.toBe(yaw0);
    await expect.poll(pixels).not.toBe(facing);
    await page.keyboard.press('Home');
    expect(await plot.getAttribute('data-yaw')).toBe(yaw0);
    const box = (await plot.boundingBox())!;
    await page.mouse.move(box.x + 50, box.y + 50);
    await page.mouse.down();
    await page.mouse.move(box.x + 150, box.y + 80, { steps: 5 });
    await page.mouse.up();
    expect(await plot.getAttribute('data-yaw')).not.toBe(yaw0);

    // exports: the JSON is the pair of records, the CSV one row per grid point, SVG and PNG
    const [json] = await Promise.all([
      page.waitForEvent('download'),
      contours.getByRole('button', { name: /as JSON/ }).click(),
    ]);
    expect(JSON.stringify(JSON.parse(readFileSync(await json.path(), 'utf8')))).toBe(pair);
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      contours.getByRole('button', { name: /as CSV/ }).click(),
    ]);
    const lines = readFileSync(await csv.path(), 'utf8')
      .trim()
      .split('\n');
    expect(lines[0]).toBe('alpha,beta,plain_loss,resnet_loss');
    expect(lines).toHaveLength(1 + 11 * 11);
    const [svg] = await Promise.all([
      page.waitForEvent('download'),
      contours.getByRole('button', { name: /as SVG/ }).click(),
    ]);
    expect(readFileSync(await svg.path(), 'utf8')).toMatch(/<svg[^>]*xmlns/);
    const [png] = await Promise.all([
      page.waitForEvent('download'),
      page
        .getByTestId('land-surfaces')
        .getByRole('button', { name: /as PNG/ })
        .click(),
    ]);
    expect(
      readFileSync(await png.path())
        .subarray(1, 4)
        .toString('latin1'),
    ).toBe('PNG');
    // the settings live in the address
    expect(page.url()).toContain('land-grid=11');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('waits while scrolled off screen, goes on when back; Cancel stops it', async () => {
    const { context, page, problems } = await site.open('&land-grid=51&land-steps=300', QUIET);
    const progress = () =>
      page.evaluate(() => {
        const s = (window as unknown as { __landscape: { done: number; waiting: boolean } })
          .__landscape;
        return { done: s.done, waiting: s.waiting };
      });
    await page.getByTestId('land-study').scrollIntoViewIfNeeded();
    await page.getByTestId('land-run').click();
    await expect.poll(() => status(page)).toBe('running');
    // scrolled to the top: the parts in flight end, and no new one starts
    await page.evaluate(() => window.scrollTo(0, 0));
    await expect.poll(() => progress().then((p) => p.waiting), { timeout: 60_000 }).toBe(true);
    const held = (await progress()).done;
    await page.waitForTimeout(1500);
    expect((await progress()).done).toBe(held);
    expect(await status(page)).toBe('running');
    // back on screen: it goes on
    await page.getByTestId('land-study').scrollIntoViewIfNeeded();
    await expect
      .poll(() => progress().then((p) => p.done), { timeout: 60_000 })
      .toBeGreaterThan(held);
    await page.getByTestId('land-cancel').click();
    await expect.poll(() => status(page)).toBe('cancelled');
    await expect.poll(() => page.getByTestId('land-status').textContent()).toMatch(/Cancelled/);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('fits a 360 px screen', async () => {
    const { context, page, problems } = await site.open(QUERY, {
      ...QUIET,
      viewport: { width: 360, height: 800 },
    });
    await runStudy(page);
    const wide = await page
      .locator('#landscape *')
      .evaluateAll((els) =>
        els
          .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
          .map((el) => el.tagName),
      );
    expect(wide).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      360,
    );
    expect(problems).toEqual([]);
    await context.close();
  });
});
