/**
 * Convergence Speed Analysis and Plain Network Issues vs ResNet Advantages in Chromium: the first
 * visit shows the precomputed sweep at once, labelled so, with its command; "not reached" runs
 * are drawn hollow in the band above the plot; a sweep recomputed live in the page's workers
 * equals Node's sweep for the same settings, run by run, bit for bit; Cancel stops every worker;
 * clicking a run opens it in Training Dynamics; the cards follow the sweep; exports; 360 px.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { runPlan } from '../../src/experiments/job.ts';
import { runPart } from '../../src/experiments/jobs.ts';
import { sweepPlan, validateSweepConfig } from '../../src/experiments/sweep.ts';
import { useSite } from './fixture.ts';

const site = useSite();
// no live figure of the Introduction trains under reduced motion: the pool holds only the sweep
const QUIET = { reducedMotion: 'reduce' } as const;

interface SweepHook {
  status: string;
  source: string;
  done: number;
  total: number;
  live: { runs: unknown[] } | null;
}
interface Loads {
  poolSize: number;
  workers: { busy: number; held: number }[];
}

const state = (page: Page) =>
  page.evaluate(() => {
    const s = (window as unknown as { __convergence: SweepHook }).__convergence;
    return { status: s.status, source: s.source, done: s.done, total: s.total };
  });
const record = (page: Page) =>
  page.evaluate(() =>
    JSON.stringify(
      (window as unknown as { __convergence: { complete: unknown } }).__convergence.complete,
    ),
  );
const loads = (page: Page) =>
  page.evaluate(() => {
    const lab = (window as unknown as { __lab: Loads }).__lab;
    return { size: lab.poolSize, workers: lab.workers };
  });

describe('Convergence Speed Analysis', () => {
  it('opens with the precomputed sweep, labelled, with its command; not reached drawn in the band', async () => {
    const { context, page, problems } = await site.open('', QUIET);
    const section = page.locator('#convergence');
    await section.scrollIntoViewIfNeeded();
    await expect
      .poll(() => section.getByTestId('conv-source').textContent())
      .toMatch(/Precomputed/);
    const command = await section.getByTestId('conv-command').textContent();
    expect(command).toBe(
      'npx resnet-lab sweep --archs plain,resnet --depths 8,20,56 --seeds 3 --dataset spiral --noise 0 --width 32 --norm batch --steps 1500 --target-accuracy 0.95 --out src/ui/convergence/defaultSweep.json',
    );
    const bundled = JSON.parse(readFileSync('src/ui/convergence/defaultSweep.json', 'utf8'));
    expect(JSON.parse(await record(page))).toEqual(bundled);
    const steps = section.locator('#conv-steps-figure');
    expect(await steps.locator('[data-run]').count()).toBe(18);
    // the three Plain-56 runs never reached 95 %: hollow markers inside the band, not on the axis
    const missed = steps.locator('[data-reached="no"]');
    expect(await missed.count()).toBe(3);
    expect(await missed.evaluateAll((els) => els.map((e) => e.getAttribute('data-run')))).toEqual([
      'plain-56-1',
      'plain-56-2',
      'plain-56-3',
    ]);
    const band = await steps.locator('rect.band').boundingBox();
    for (const box of await missed.locator('path').evaluateAll((els) =>
      els.map((e) => {
        const r = e.getBoundingClientRect();
        return { y: r.y + r.height / 2, fill: e.getAttribute('fill') };
      }),
    )) {
      expect(box.y).toBeGreaterThan(band!.y);
      expect(box.y).toBeLessThan(band!.y + band!.height);
      expect(box.fill).toBe('#fff');
    }
    await expect.poll(() => steps.textContent()).toMatch(/not reached within 1,500 steps/);
    // hover (focus) reads a run; its words say it did not reach the target
    await missed.first().focus();
    await expect
      .poll(() => section.getByTestId('conv-hover').textContent())
      .toMatch(/Plain-56, seed 1: did not reach 95\.0% training accuracy within 1500 steps/);
    // the cards read the same sweep
    const cards = page.locator('#plain-vs-resnet');
    expect(await cards.locator('[data-claim]').count()).toBe(8);
    expect(await cards.locator('[data-claim="degrades"]').getAttribute('data-supported')).toBe(
      'yes',
    );
    expect(await cards.locator('[data-claim="smooth"]').textContent()).toMatch(
      /Not measured by this sweep/,
    );
    expect(problems).toEqual([]);
    await context.close();
  });

  it('convolutional networks: their own precomputed sweep and command, in the URL and from a link', async () => {
    const { context, page, problems } = await site.open('', QUIET);
    // the Degradation section reads the same file, and its link opens it here
    const claim = page.getByTestId('claim-depth-conv');
    await claim.scrollIntoViewIfNeeded();
    const bundledRuns = JSON.parse(readFileSync('src/ui/convergence/defaultConvSweep.json', 'utf8'))
      .runs as { arch: string; depth: number; final: { trainLoss: number } }[];
    const median = (arch: string, depth: number) =>
      bundledRuns
        .filter((r) => r.arch === arch && r.depth === depth)
        .map((r) => r.final.trainLoss)
        .sort((a, b) => a - b)[1]!
        .toFixed(3);
    await expect.poll(() => claim.textContent()).toMatch(/again by far the worst/);
    const text = await claim.textContent();
    for (const [arch, depth] of [
      ['plain', 8],
      ['plain', 20],
      ['plain', 56],
      ['resnet', 56],
    ] as const)
      expect(text).toContain(median(arch, depth));
    expect(text).toMatch(/again by far the worst/);
    await claim.getByRole('link').click();
    const section = page.locator('#convergence');
    await expect.poll(() => section.getByTestId('conv-model').inputValue()).toBe('conv');
    await expect
      .poll(() => section.getByTestId('conv-command').textContent())
      .toBe(
        'npx resnet-lab sweep --model conv --archs plain,resnet --depths 8,20,56 --seeds 3 --dataset digits --samples 3000 --width 8 --batch 32 --norm batch --residual-init one --steps 600 --target-accuracy 0.95 --out src/ui/convergence/defaultConvSweep.json',
      );
    expect(await section.getByTestId('conv-source').textContent()).toMatch(
      /Precomputed[\s\S]*take minutes/,
    );
    const bundled = JSON.parse(readFileSync('src/ui/convergence/defaultConvSweep.json', 'utf8'));
    expect(JSON.parse(await record(page))).toEqual(bundled);
    const steps = section.locator('#conv-steps-figure');
    expect(await steps.locator('[data-run]').count()).toBe(18);
    expect(
      await steps
        .locator('[data-reached="no"]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-run'))),
    ).toEqual(['plain-56-1', 'plain-56-2', 'plain-56-3']);
    await expect.poll(() => steps.textContent()).toMatch(/not reached within 600 steps/);
    expect(
      await page.locator('#plain-vs-resnet [data-claim="degrades"]').getAttribute('data-supported'),
    ).toBe('yes');
    await expect.poll(() => page.url()).toMatch(/conv-model=conv/);
    // back to dense layers: their sweep again
    await section.getByTestId('conv-model').selectOption('mlp');
    await expect.poll(async () => JSON.parse(await record(page)).config.model).toBe('mlp');
    await context.close();
    // a link opens on the convolutional sweep
    const linked = await site.open('&conv-model=conv', QUIET);
    await linked.page.locator('#convergence').scrollIntoViewIfNeeded();
    await expect.poll(async () => JSON.parse(await record(linked.page)).config.model).toBe('conv');
    expect(problems).toEqual([]);
    expect(linked.problems).toEqual([]);
    await linked.context.close();
  });

  it('a live sweep equals Node’s, run by run; the cards follow it', async () => {
    const query = '&conv-steps=60&conv-depths=8,14&conv-seeds=2&conv-target=0.7';
    const { context, page, problems } = await site.open(query, QUIET);
    await page.locator('#convergence').scrollIntoViewIfNeeded();
    await page.getByTestId('conv-recompute').click();
    await expect.poll(() => state(page).then((s) => s.status), { timeout: 90_000 }).toBe('done');
    const live = JSON.parse(await record(page));
    const checked = validateSweepConfig({
      archs: ['plain', 'resnet'],
      depths: [8, 14],
      seeds: 2,
      dataset: 'spiral',
      noise: 0,
      width: 32,
      norm: 'batch',
      steps: 60,
      targetAccuracy: 0.7,
    });
    if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
    const node = await runPlan(sweepPlan(checked.value), async (parts) =>
      parts.map((p) => runPart(p, {})),
    );
    expect(live.config).toEqual(node.config);
    expect(live.runs).toHaveLength(8);
    for (let i = 0; i < node.runs.length; i++) expect(live.runs[i]).toEqual(node.runs[i]);
    expect(JSON.stringify(live)).toBe(JSON.stringify(node));
    const source = page.getByTestId('conv-source');
    expect(await source.textContent()).toMatch(/Computed live/);
    expect(await page.getByTestId('conv-command').textContent()).toMatch(
      /--depths 8,14 --seeds 2 --target-accuracy 0\.7 .*--steps 60/,
    );
    expect((await page.getByTestId('pvr-source').textContent())!.replace(/\s+/g, ' ')).toMatch(
      /computed live on this page: 8 runs, depths 8, 14/,
    );
    expect(problems).toEqual([]);
    await context.close();
  });

  it('Cancel stops every worker; the precomputed sweep stays', async () => {
    const { context, page, problems } = await site.open('&workers=2', QUIET);
    await page.locator('#convergence').scrollIntoViewIfNeeded();
    await page.getByTestId('conv-recompute').click();
    await expect
      .poll(() => state(page).then((s) => s.done), { timeout: 60_000 })
      .toBeGreaterThan(0);
    // both workers are training a part
    await expect
      .poll(() => loads(page).then((l) => l.workers.filter((w) => w.busy > 0).length), {
        timeout: 60_000,
      })
      .toBe(2);
    await page.getByTestId('conv-cancel').click();
    expect((await state(page)).status).toBe('cancelled');
    await expect
      .poll(() => loads(page).then((l) => l.workers.map((w) => w.busy + w.held)))
      .toEqual([0, 0]);
    // nothing more arrives: progress stays where it stopped
    const stopped = (await state(page)).done;
    await page.waitForTimeout(500);
    expect((await state(page)).done).toBe(stopped);
    expect(await page.getByTestId('conv-source').textContent()).toMatch(/cancelled/);
    expect((await state(page)).source).toBe('precomputed');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('a worker that dies mid-sweep: its runs are listed as failed, the others finish', async () => {
    const query = '&conv-steps=3000&conv-depths=8,14&conv-seeds=2&conv-target=0.7';
    const { context, page, problems } = await site.open(query, QUIET);
    await page.locator('#convergence').scrollIntoViewIfNeeded();
    await page.getByTestId('conv-recompute').click();
    await expect
      .poll(() => state(page).then((s) => s.done), { timeout: 60_000 })
      .toBeGreaterThan(0);
    await page.evaluate(() =>
      (
        window as unknown as { __lab: { faults: { stopWorker(i: number, e: string): boolean } } }
      ).__lab.faults.stopWorker(0, 'out of memory'),
    );
    await expect.poll(() => state(page).then((s) => s.status), { timeout: 120_000 }).toBe('done');
    const live = JSON.parse(await record(page)) as { runs: { failed?: string; final: unknown }[] };
    expect(live.runs).toHaveLength(8);
    const failed = live.runs.filter((r) => r.failed);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.length).toBeLessThan(8);
    for (const r of failed) {
      expect(r.failed).toMatch(/the training worker stopped: out of memory/);
      expect(r.final).toBeNull();
    }
    const listed = await page.getByTestId('conv-failed').textContent();
    expect(listed).toMatch(new RegExp(`^\\s*${failed.length} runs? could not finish`));
    // failed runs are not drawn; the finished ones are
    const drawn = await page.locator('#conv-steps-figure [data-run]').count();
    expect(drawn).toBe(8 - failed.length);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('opens a sweep file: a good one is shown, labelled with its name; a bad one is refused with its paths', async () => {
    const { context, page, problems } = await site.open('', QUIET);
    await page.locator('#convergence').scrollIntoViewIfNeeded();
    const checked = validateSweepConfig({ depths: [8, 14], seeds: 2, steps: 40, width: 8 });
    if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
    const node = await runPlan(sweepPlan(checked.value), async (parts) =>
      parts.map((p) => runPart(p, {})),
    );
    const input = page.getByTestId('conv-open');
    const bad = structuredClone(node) as unknown as { runs: Record<string, unknown>[] };
    bad.runs[2]!.stepsToTarget = 'soon';
    await input.setInputFiles({
      name: 'broken.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(bad)),
    });
    const refused = page.getByTestId('conv-file-problems');
    await refused.waitFor();
    expect(await refused.textContent()).toMatch(/runs\[2\]\.stepsToTarget: /);
    expect((await state(page)).source).toBe('precomputed');

    await input.setInputFiles({
      name: 'my-sweep.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(node, null, 2)),
    });
    await expect.poll(() => state(page).then((s) => s.source)).toBe('file');
    expect(JSON.parse(await record(page))).toEqual(node);
    expect(await page.getByTestId('conv-file').textContent()).toBe('my-sweep.json');
    expect(await refused.count()).toBe(0);
    expect(await page.locator('#conv-steps-figure [data-run]').count()).toBe(8);
    expect((await page.getByTestId('pvr-source').textContent())!.replace(/\s+/g, ' ')).toMatch(
      /opened from my-sweep\.json: 8 runs/,
    );
    expect(problems).toEqual([]);
    await context.close();
  });

  it('clicking a run opens it in Training Dynamics; the settings live in the URL', async () => {
    const { context, page, problems } = await site.open('', QUIET);
    const steps = page.locator('#conv-steps-figure');
    await steps.scrollIntoViewIfNeeded();
    await page.getByRole('combobox', { name: 'Budget' }).selectOption('600');
    await page.getByRole('checkbox', { name: '110' }).check();
    await expect.poll(() => page.evaluate(() => location.search)).toMatch(/conv-steps=600/);
    await expect
      .poll(() => page.evaluate(() => location.search))
      .toMatch(/conv-depths=8,20,56,110/);
    expect(await page.locator('#convergence .hint').textContent()).toMatch(
      /24 runs of 600 steps — the figures show other settings/,
    );
    await steps.locator('[data-run="resnet-56-2"]').click();
    await expect
      .poll(() =>
        page.evaluate(() => {
          const c = (window as unknown as { __pageState: { config: Record<string, unknown> } })
            .__pageState.config;
          return [c.arch, c.depth, c.seed, c.width, c.noise, c.steps];
        }),
      )
      .toEqual(['resnet', 56, 2, 32, 0, 1500]);
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.id))
      .toBe('training-dynamics-h');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('exports the steps figure as CSV (its medians) and as PNG', async () => {
    const { context, page, problems } = await site.open('', QUIET);
    const figure = page.locator('#conv-steps-figure');
    await figure.scrollIntoViewIfNeeded();
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      figure.getByRole('button', { name: /as CSV/ }).click(),
    ]);
    expect(csv.suggestedFilename()).toBe('resnet-lab-convergence-steps.csv');
    const lines = readFileSync(await csv.path())
      .toString('utf8')
      .trim()
      .split('\n');
    expect(lines).toHaveLength(7);
    expect(lines[3]).toBe('plain,56,,,,3,3');
    const [png] = await Promise.all([
      page.waitForEvent('download'),
      figure.getByRole('button', { name: /as PNG/ }).click(),
    ]);
    const bytes = readFileSync(await png.path());
    expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('fits a 360 px screen', async () => {
    const { context, page, problems } = await site.open('', {
      ...QUIET,
      viewport: { width: 360, height: 800 },
    });
    for (const id of ['convergence', 'plain-vs-resnet']) {
      await page.locator(`#${id}`).scrollIntoViewIfNeeded();
      const wide = await page
        .locator(`#${id} *`)
        .evaluateAll((els) =>
          els
            .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
            .map((el) => el.tagName),
        );
      expect(wide).toEqual([]);
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      360,
    );
    expect(problems).toEqual([]);
    await context.close();
  });
});
