/**
 * Faults and long runs in Debian's Chromium: a training worker that dies mid-run — with an error
 * (a script error, running out of memory) or silently (a phone's system killing it) — is
 * detected, the runs it held are marked failed with the reason, and the next Start trains on a
 * new worker; a long run's charts draw a bounded number of points while the export keeps all.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { fill, stepOf } from './dynamicsForm.ts';
import { scrollToSection, useSite } from './fixture.ts';

const site = useSite();

interface FaultHook {
  workers: { busy: number; held: number }[];
  faults: {
    stopWorker(index: number, error?: string): boolean;
    checkWorkers(timeoutMs: number): Promise<number>;
  };
}

const start = (page: Page) =>
  page.locator('.dynamics').getByRole('button', { name: 'Start', exact: true }).click();

/** Starts a long pair and waits until both networks have trained a few steps. */
async function startLongPair(page: Page): Promise<void> {
  await scrollToSection(page, 'training-dynamics');
  await fill(page, { depth: 8, width: 8, steps: 100000 });
  await start(page);
  await expect
    .poll(async () => Math.min(await stepOf(page, 'plain'), await stepOf(page, 'resnet')), {
      timeout: 30_000,
    })
    .toBeGreaterThan(20);
}

const alerts = (page: Page) => page.locator('.dynamics .alert').allTextContents();

describe('a training worker that dies', () => {
  it('with an error: its runs fail with the reason, and Start trains again on a new worker', async () => {
    const { context, page, problems } = await site.open();
    await startLongPair(page);
    const stopped = await page.evaluate(() =>
      (window as unknown as { __lab: FaultHook }).__lab.faults.stopWorker(0, 'out of memory'),
    );
    expect(stopped).toBe(true);
    await expect.poll(() => alerts(page), { timeout: 10_000 }).toHaveLength(2);
    for (const text of await alerts(page))
      expect(text).toContain('the training worker stopped: out of memory');
    await expect(page.getByTestId('status').textContent()).resolves.toBe('Failed');
    // the steps stay where they were: the history is kept
    const kept = await stepOf(page, 'resnet');
    expect(kept).toBeGreaterThan(20);

    await start(page);
    await expect.poll(() => stepOf(page, 'resnet'), { timeout: 30_000 }).toBeGreaterThan(5);
    expect(await alerts(page)).toEqual([]);
    const workers = await page.evaluate(
      () => (window as unknown as { __lab: FaultHook }).__lab.workers.length,
    );
    expect(workers).toBeGreaterThanOrEqual(1);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('silently: the liveness check finds it, and its runs fail saying it stopped answering', async () => {
    const { context, page, problems } = await site.open();
    await startLongPair(page);
    const found = await page.evaluate(async () => {
      const lab = (window as unknown as { __lab: FaultHook }).__lab;
      // a live worker answers the check
      const before = await lab.faults.checkWorkers(5000);
      lab.faults.stopWorker(0);
      return { before, after: await lab.faults.checkWorkers(1000) };
    });
    expect(found).toEqual({ before: 0, after: 1 });
    await expect.poll(() => alerts(page), { timeout: 10_000 }).toHaveLength(2);
    for (const text of await alerts(page)) expect(text).toContain('stopped answering');

    await start(page);
    await expect.poll(() => stepOf(page, 'resnet'), { timeout: 30_000 }).toBeGreaterThan(5);
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('a long run', () => {
  it('draws a bounded number of points, says so, and the CSV keeps every point', async () => {
    const { context, page, problems } = await site.open();
    await scrollToSection(page, 'training-dynamics');
    const steps = 24_000;
    await fill(page, { depth: 8, width: 4, steps, logEvery: 1, evalEvery: steps });
    await start(page);
    await page.locator('.dynamics[data-status="finished"]').waitFor({ timeout: 180_000 });
    const note = (await page.locator('.dynamics .thinned').first().textContent())?.replace(
      /\s+/g,
      ' ',
    );
    const drawn =
      /every (\d+)th of its ([\d,]+) points is drawn, and the latest; the CSV export has them all/.exec(
        note ?? '',
      );
    expect(drawn, note ?? '').not.toBeNull();
    expect(Number(drawn![1])).toBe(8);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-loss-chart').locator('button[data-format=csv]').click(),
    ]);
    const rows = readFileSync(await download.path(), 'utf8')
      .trim()
      .split('\n');
    // every logged point (each step, and the run's first and last evaluations)
    expect(rows).toHaveLength(1 + Number(drawn![2]!.replace(/,/g, '')));
    expect(rows.length).toBeGreaterThan(steps);
    expect(rows.at(-1)).toMatch(new RegExp(`^${steps},`));
    expect(problems).toEqual([]);
    await context.close();
  });
});
