/**
 * The shattered-gradients study in Chromium: settings from the link (shat-depth, shat-seed), Run
 * measures in a worker and the page's record — exported as JSON — equals Node's for the same
 * settings, value for value; the CSV export; the caption's sentence is computed from the record;
 * the slider writes the URL; 360 px without horizontal overflow; nothing logged.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { runJob } from '../../src/experiments/job.ts';
import { SHATTERED_JOB } from '../../src/experiments/jobs.ts';
import type { ShatteredRecord } from '../../src/experiments/shattered.ts';
import { studyRecorder } from '../../src/experiments/study.ts';
import { captionOf } from '../../src/ui/studies/shattered/caption.ts';
import { shatteredConfigOf } from '../../src/ui/studies/shattered/view.ts';
import { useSite } from './fixture.ts';

const site = useSite();
// no live figure of the Introduction trains under reduced motion: the pool holds only the study
const QUIET = { reducedMotion: 'reduce' } as const;

function nodeRecord(depth: number, seed: number): ShatteredRecord {
  const recorder = studyRecorder<ShatteredRecord>();
  const job = SHATTERED_JOB.create(shatteredConfigOf({ depth, seed }), {});
  for (const event of runJob(job)) recorder.add(event);
  return recorder.result()!;
}

async function runStudy(page: Page): Promise<void> {
  const study = page.getByTestId('study-shattered');
  await study.scrollIntoViewIfNeeded();
  await study.getByTestId('shat-run').click();
  await expect
    .poll(() => study.getByTestId('shat-status').textContent(), { timeout: 60_000 })
    .toMatch(/^\s*Measured/);
}

async function download(page: Page, name: string, format: string): Promise<string> {
  const menu = page.getByTestId(`export-${name}`);
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    menu.getByRole('button', { name: new RegExp(`as ${format}`, 'i') }).click(),
  ]);
  expect(file.suggestedFilename()).toBe(`resnet-lab-${name}.${format.toLowerCase()}`);
  return readFileSync(await file.path()).toString('utf8');
}

describe('Shattered gradients', () => {
  it("measures in a worker what Node measures for the link's settings; exports; the caption follows", async () => {
    const { context, page, problems } = await site.open('?e2e&shat-depth=20&shat-seed=3', QUIET);
    const study = page.getByTestId('study-shattered');
    await study.scrollIntoViewIfNeeded();
    expect(await study.getByTestId('shat-depth-value').textContent()).toBe('20');
    await runStudy(page);

    const record = JSON.parse(
      await download(page, 'shattered-gradient', 'JSON'),
    ) as ShatteredRecord;
    const node = nodeRecord(20, 3);
    expect(record).toEqual(node);
    expect(record.config).toMatchObject({ depth: 20, seed: 3, points: 256 });

    const csv = await download(page, 'shattered-autocorrelation', 'CSV');
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('lag,plain,residual');
    expect(lines[1]).toBe('0,1,1');
    expect(lines).toHaveLength(node.plain.autocorrelation.length + 1);

    const caption = captionOf(node);
    expect(await study.getByTestId('shat-sentence').textContent()).toBe(caption.depth);
    expect((await study.getByTestId('shat-across').textContent())?.trim()).toBe(
      caption.across?.trim(),
    );
    expect(problems).toEqual([]);
    await context.close();
  });

  it('the depth slider writes the URL and marks a result as stale; 360 px fits', async () => {
    const { context, page, problems } = await site.open('?e2e&shat-depth=4', {
      ...QUIET,
      viewport: { width: 360, height: 800 },
    });
    await runStudy(page);
    const study = page.getByTestId('study-shattered');
    const slider = study.getByTestId('shat-depth');
    await slider.focus();
    await page.keyboard.press('ArrowRight');
    expect(await study.getByTestId('shat-depth-value').textContent()).toBe('6');
    await expect.poll(() => page.url()).toMatch(/[?&]shat-depth=6(&|$)/);
    expect(await study.getByTestId('shat-status').textContent()).toMatch(/settings have changed/);
    expect(
      await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      ),
    ).toBeLessThanOrEqual(0);
    expect(problems).toEqual([]);
    await context.close();
  });
});
