/**
 * Faults in Debian's Chromium: a training worker that dies mid-run — with an error (a script
 * error, running out of memory) or silently (a phone's system killing it) — is detected, the
 * runs it held are marked failed with the reason, and the next Start trains on a new worker.
 */
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
