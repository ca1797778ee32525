/**
 * The screenshots in docs/screenshots: each section at 1280 and 360 px, from a build, after what
 * it shows has been computed (the live runs trained, the demonstration run).
 * `E2E_DIST=dist npx tsx tests/e2e/shoot.ts [section …] [--out dir]` — all sections by default.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from './browser.ts';
import { DIST, ROOT } from './fixture.ts';
import { serveStatic } from './server.ts';

/** What each section needs before its picture, and the file name it is saved under. */
const SECTIONS: Record<string, (page: Page) => Promise<void>> = {
  visualizer: async (page) => {
    const viz = () =>
      page.evaluate(() => {
        const h = (window as unknown as { __viz: { live: { status: string[] } | null } }).__viz;
        return h.live?.status ?? [];
      });
    const section = page.locator('#visualizer');
    await section.getByRole('button', { name: /^Run plain and ResNet/ }).click();
    await section.getByTestId('viz-across-run').click();
    await section.locator('.across-depth').nth(3).waitFor({ timeout: 120_000 });
    for (let i = 0; i < 240; i++) {
      const live = await viz();
      const demo = await page.evaluate(
        () => (window as unknown as { __viz: { demo: { status: string } } }).__viz.demo.status,
      );
      if (live.length && live.every((s) => s === 'done') && demo === 'done') return;
      await page.waitForTimeout(500);
    }
    throw new Error('the visualizer did not finish');
  },
  'residual-block': async (page) => {
    await page.getByTestId('block-train').click();
    await page.locator('[data-testid="block-status"][data-state="done"]').waitFor({
      timeout: 120_000,
    });
  },
  convergence: async () => {},
  'plain-vs-resnet': async () => {},
  // a study of Plain vs ResNet: its own element (study-<name>), run first
  shattered: async (page) => {
    const study = page.getByTestId('study-shattered');
    await study.scrollIntoViewIfNeeded();
    await study.getByTestId('shat-run').click();
    await study.getByTestId('shat-caption').getByText('Measured').waitFor({ timeout: 120_000 });
  },
  paths: async (page) => {
    const study = page.getByTestId('study-paths');
    await study.scrollIntoViewIfNeeded();
    await study.getByTestId('paths-run').click();
    await study.getByTestId('paths-sentence').waitFor({ timeout: 120_000 });
  },
  // Plain vs ResNet's lesion study (its part of the section is #lesion): run, then shoot
  lesion: async (page) => {
    await page.getByTestId('lesion-run').click();
    await page
      .locator('[data-testid="lesion-status"][data-status="done"]')
      .waitFor({ timeout: 120_000 });
  },
  // the loss-landscape study (its root is #landscape, inside Plain vs ResNet), at its defaults
  landscape: async (page) => {
    await page.getByTestId('land-run').click();
    await page.getByTestId('land-contours').waitFor({ timeout: 120_000 });
    await page.getByTestId('land-interpolation').scrollIntoViewIfNeeded();
    await page.getByTestId('land-study').scrollIntoViewIfNeeded();
  },
};

const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const out = outAt >= 0 ? args[outAt + 1]! : join(ROOT, 'docs/screenshots');
const chosen = args.filter((a, i) => !a.startsWith('--') && (outAt < 0 || i !== outAt + 1));
const ids = chosen.length ? chosen : Object.keys(SECTIONS);
for (const id of ids) if (!SECTIONS[id]) throw new Error(`no screenshot for section ${id}`);

const server = await serveStatic(DIST, '/lab/');
const browser = await launchChromium();
try {
  for (const width of [1280, 360]) {
    for (const id of ids) {
      const context = await browser.newContext({ viewport: { width, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${server.url}?e2e#${id}`);
      await page.locator('html[data-sections="loaded"]').waitFor({ state: 'attached' });
      // the sticky contents bar would be drawn across a section's picture
      await page.addStyleTag({ content: '.toc { position: static !important; }' });
      const section = page.locator(`#${id}, [data-testid="study-${id}"]`).first();
      await section.scrollIntoViewIfNeeded();
      await SECTIONS[id]!(page);
      await page.waitForTimeout(500);
      await section.screenshot({ path: join(out, `${id}-${width}.png`) });
      await context.close();
    }
  }
} finally {
  await browser.close();
  await server.close();
}
