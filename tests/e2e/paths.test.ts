/**
 * The ensemble-of-paths study in Chromium: settings from the link (paths-depth, paths-steps,
 * paths-seed), Run trains and measures in a worker, and the page's record — exported as JSON —
 * equals Node's for the same settings; the CSV export; the caption's sentence is computed from
 * the record; a run pauses off screen; Cancel stops it; 360 px without horizontal overflow; nothing logged.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { runJob } from '../../src/experiments/job.ts';
import { PATHS_JOB } from '../../src/experiments/jobs.ts';
import type { PathsRecord } from '../../src/experiments/pathsConfig.ts';
import { studyRecorder } from '../../src/experiments/study.ts';
import { pathsCaptionOf } from '../../src/ui/studies/paths/caption.ts';
import { pathsConfigOf, type PathsView } from '../../src/ui/studies/paths/view.ts';
import { useSite } from './fixture.ts';

const site = useSite();
const QUIET = { reducedMotion: 'reduce' } as const;

function nodeRecord(view: PathsView): PathsRecord {
  const recorder = studyRecorder<PathsRecord>();
  for (const event of runJob(PATHS_JOB.create(pathsConfigOf(view), {}))) recorder.add(event);
  return recorder.result()!;
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

describe('The ensemble of paths', () => {
  it("trains and measures in a worker what Node does for the link's settings; exports; the caption follows", async () => {
    const view = { depth: 20, steps: 200, seed: 4 };
    const { context, page, problems } = await site.open(
      '?e2e&paths-depth=20&paths-steps=200&paths-seed=4',
      QUIET,
    );
    const study = page.getByTestId('study-paths');
    await study.scrollIntoViewIfNeeded();
    await study.getByTestId('paths-run').click();
    await study.getByTestId('paths-sentence').waitFor({ timeout: 60_000 });

    const record = JSON.parse(await download(page, 'paths-shares', 'JSON')) as PathsRecord;
    // the page's record as JSON carries it (NaN and the like would be null on both sides)
    expect(record).toEqual(JSON.parse(JSON.stringify(nodeRecord(view))));
    expect(record.blocks).toBe(9);

    const csv = (await download(page, 'paths-shares', 'CSV')).trim().split('\n');
    expect(csv[0]).toBe('k,paths,path_share,mean_magnitude,gradient_share,magnitudes');
    expect(csv).toHaveLength(11);

    const caption = pathsCaptionOf(record);
    expect(await study.getByTestId('paths-sentence').textContent()).toBe(caption.carrying);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('pauses off screen, resumes on screen; Cancel stops a run and keeps nothing; 360 px fits', async () => {
    const { context, page, problems } = await site.open('?e2e&paths-steps=4000&paths-depth=110', {
      ...QUIET,
      viewport: { width: 360, height: 800 },
    });
    const study = page.getByTestId('study-paths');
    await study.scrollIntoViewIfNeeded();
    await study.getByTestId('paths-run').click();
    await expect
      .poll(() => study.getByTestId('paths-status').textContent())
      .toMatch(/Training in a worker: step [1-9]/);
    // off screen it pauses; back on screen it goes on
    await page.evaluate(() => window.scrollTo(0, 0));
    await expect.poll(() => study.getByTestId('paths-status').textContent()).toMatch(/Paused/);
    await study.scrollIntoViewIfNeeded();
    await expect
      .poll(() => study.getByTestId('paths-status').textContent())
      .toMatch(/Training in a worker/);
    await study.getByTestId('paths-cancel').click();
    await expect
      .poll(() => study.getByTestId('paths-status').textContent(), { timeout: 30_000 })
      .toMatch(/Cancelled/);
    expect(await study.getByTestId('paths-empty').isVisible()).toBe(true);
    expect(
      await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      ),
    ).toBeLessThanOrEqual(0);
    expect(problems).toEqual([]);
    await context.close();
  });
});
