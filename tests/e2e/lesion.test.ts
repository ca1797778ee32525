/**
 * The lesion study in Chromium: Run trains both networks in the page's workers and the record
 * equals Node's for the same settings, bit for bit; the captions read its numbers; the charts
 * are read by keyboard; the exports work; the settings live in the URL; the study pauses while
 * it is off-screen and Cancel stops it; it fits a 360 px screen.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { runPlan } from '../../src/experiments/job.ts';
import { runPart } from '../../src/experiments/jobs.ts';
import {
  lesionPlan,
  type LesionRecord,
  validateLesionConfig,
} from '../../src/experiments/lesion.ts';
import { singleSentence } from '../../src/ui/studies/lesion/figures.ts';
import { useSite } from './fixture.ts';

const site = useSite();
// no live figure of the Introduction trains under reduced motion: the pool holds only the study
const QUIET = { reducedMotion: 'reduce' } as const;

interface Hook {
  status: string;
  done: number;
  total: number;
  paused: boolean;
  record: LesionRecord | null;
}
const state = (page: Page) =>
  page.evaluate(() => {
    const s = (window as unknown as { __lesion: Hook }).__lesion;
    return { status: s.status, done: s.done, total: s.total, paused: s.paused };
  });
const recordText = (page: Page) =>
  page.evaluate(() => JSON.stringify((window as unknown as { __lesion: Hook }).__lesion.record));

async function nodeRecord(input: Record<string, unknown>): Promise<LesionRecord> {
  const checked = validateLesionConfig(input);
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  return runPlan(lesionPlan(checked.value), async (parts) => parts.map((p) => runPart(p, {})));
}

/** A small study (a link's settings), and the same as the page's fixed settings make it. */
const SMALL_QUERY = '&lesion-depth=8&lesion-steps=300&lesion-seed=3&lesion-draws=3';
const SMALL = { depth: 8, steps: 300, seed: 3, draws: 3, width: 16, noise: 0, samples: 1000 };

describe('Lesion study', () => {
  it('the default study equals Node’s for the same seed; captions, keyboard, exports', async () => {
    const { context, page, problems } = await site.open('', QUIET);
    const study = page.getByTestId('study-lesion');
    await study.scrollIntoViewIfNeeded();
    expect(await study.getByTestId('lesion-empty').textContent()).toMatch(/Nothing measured yet/);
    await study.getByTestId('lesion-run').click();
    await expect.poll(() => state(page).then((s) => s.status), { timeout: 60_000 }).toBe('done');
    const live = JSON.parse(await recordText(page)) as LesionRecord;
    const node = await nodeRecord({
      depth: 20,
      width: 16,
      noise: 0,
      samples: 1000,
      steps: 1500,
      seed: 1,
    });
    expect(JSON.stringify(live)).toBe(JSON.stringify(node));
    // the figures: one point per block (and per k, with nothing deleted at k = 0), both nets
    const single = page.locator('#lesion-single-figure');
    expect(await single.locator('svg[role="slider"] path[fill]').count()).toBeGreaterThanOrEqual(
      2 * 9,
    );
    expect(await page.getByTestId('lesion-single-sentence').textContent()).toBe(
      singleSentence(node),
    );
    expect(await page.getByTestId('lesion-paper').textContent()).toMatch(/Veit et al\. found/);
    expect(await page.getByTestId('lesion-command').textContent()).toBe(
      'npx resnet-lab lesion --depth 20 --dataset spiral --noise 0 --steps 1500 --seed 1 --draws 5 --out lesion.json',
    );
    // the chart is read by keyboard: focus, then arrows move over the blocks
    const slider = single.locator('svg[role="slider"]');
    await slider.focus();
    await page.keyboard.press('ArrowRight');
    const pctOf = (x: number | null) => (x === null ? '–' : `${(100 * x).toFixed(1)}%`);
    await expect
      .poll(() => page.getByTestId('lesion-single-readout').textContent())
      .toContain(
        `Block 2 deleted: Plain ${pctOf(node.plain.single[1]!.testAccuracy)}; ResNet ${pctOf(node.resnet.single[1]!.testAccuracy)}.`,
      );
    await page.keyboard.press('End');
    await expect
      .poll(() => page.getByTestId('lesion-single-readout').textContent())
      .toMatch(/^\s*Block 9 deleted/);
    // exports: the record as JSON, the k figure as CSV, the single figure as PNG and SVG
    const random = page.locator('#lesion-random-figure');
    const [json] = await Promise.all([
      page.waitForEvent('download'),
      random.getByRole('button', { name: /as JSON/ }).click(),
    ]);
    expect(json.suggestedFilename()).toBe('resnet-lab-lesion-random.json');
    expect(JSON.parse(readFileSync(await json.path(), 'utf8'))).toEqual(node);
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      random.getByRole('button', { name: /as CSV/ }).click(),
    ]);
    const lines = readFileSync(await csv.path(), 'utf8')
      .trim()
      .split('\n');
    expect(lines).toHaveLength(1 + 10);
    expect(lines[1]!.split(',').map(Number)).toEqual([
      0,
      node.plain.baseline.testAccuracy,
      node.plain.baseline.testAccuracy,
      node.plain.baseline.testAccuracy,
      node.resnet.baseline.testAccuracy,
      node.resnet.baseline.testAccuracy,
      node.resnet.baseline.testAccuracy,
    ]);
    const [png] = await Promise.all([
      page.waitForEvent('download'),
      single.getByRole('button', { name: /as PNG/ }).click(),
    ]);
    expect(
      readFileSync(await png.path())
        .subarray(1, 4)
        .toString('latin1'),
    ).toBe('PNG');
    const [svg] = await Promise.all([
      page.waitForEvent('download'),
      single.getByRole('button', { name: /as SVG/ }).click(),
    ]);
    expect(readFileSync(await svg.path(), 'utf8')).toMatch(/^<\?xml[^]*<svg[^]*test accuracy/);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('its settings come from the URL and go back into it; the page equals Node there too', async () => {
    const { context, page, problems } = await site.open(SMALL_QUERY, QUIET);
    const study = page.getByTestId('study-lesion');
    await study.scrollIntoViewIfNeeded();
    expect(await study.getByTestId('lesion-depth').inputValue()).toBe('8');
    expect(await study.getByTestId('lesion-steps').inputValue()).toBe('300');
    expect(await study.getByTestId('lesion-seed').inputValue()).toBe('3');
    expect(await study.getByTestId('lesion-draws').inputValue()).toBe('3');
    await study.getByTestId('lesion-run').click();
    await expect.poll(() => state(page).then((s) => s.status), { timeout: 60_000 }).toBe('done');
    expect(await recordText(page)).toBe(JSON.stringify(await nodeRecord(SMALL)));
    // a changed control is written into the address, and the figures say they show other settings
    await study.getByTestId('lesion-draws').selectOption('10');
    await expect.poll(() => page.url()).toMatch(/lesion-draws=10/);
    expect(await study.getByTestId('lesion-status').textContent()).toMatch(/other settings/);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('runs both networks at once on two workers; pauses while off-screen, resumes when back; Cancel stops it', async () => {
    const query = '&workers=2&lesion-depth=56&lesion-steps=3000';
    const { context, page, problems } = await site.open(query, QUIET);
    const study = page.getByTestId('study-lesion');
    await study.scrollIntoViewIfNeeded();
    await study.getByTestId('lesion-run').click();
    await expect
      .poll(() => state(page).then((s) => s.done), { timeout: 60_000 })
      .toBeGreaterThan(0);
    // the two parts (plain, resnet) train in parallel, one on each worker
    const busy = () =>
      page.evaluate(() =>
        (window as unknown as { __lab: { workers: { busy: number }[] } }).__lab.workers.map(
          (w) => w.busy,
        ),
      );
    await expect.poll(busy).toEqual([1, 1]);
    await page.evaluate(() => window.scrollTo(0, 0));
    await expect.poll(() => state(page).then((s) => s.paused)).toBe(true);
    // paused: after the batches on their way have arrived, no work is done
    await page.waitForTimeout(400);
    const stopped = (await state(page)).done;
    await page.waitForTimeout(600);
    expect((await state(page)).done).toBe(stopped);
    await study.scrollIntoViewIfNeeded();
    await expect.poll(() => state(page).then((s) => s.paused)).toBe(false);
    await expect.poll(() => state(page).then((s) => s.done)).toBeGreaterThan(stopped);
    await study.getByTestId('lesion-cancel').click();
    expect((await state(page)).status).toBe('cancelled');
    expect(await study.getByTestId('lesion-status').textContent()).toMatch(/Cancelled/);
    const after = (await state(page)).done;
    await page.waitForTimeout(500);
    expect((await state(page)).done).toBe(after);
    // every worker of the pool is idle and holds no run
    const idle = () =>
      page.evaluate(() =>
        (
          window as unknown as { __lab: { workers: { busy: number; held: number }[] } }
        ).__lab.workers.every((w) => w.busy + w.held === 0),
      );
    await expect.poll(idle).toBe(true);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('fits a 360 px screen with its figures drawn', async () => {
    const { context, page, problems } = await site.open(SMALL_QUERY, {
      ...QUIET,
      viewport: { width: 360, height: 800 },
    });
    const study = page.getByTestId('study-lesion');
    await study.scrollIntoViewIfNeeded();
    await study.getByTestId('lesion-run').click();
    await expect.poll(() => state(page).then((s) => s.status), { timeout: 60_000 }).toBe('done');
    const wide = await study
      .locator('*')
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
