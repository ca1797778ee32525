/**
 * Screenshots of Convergence Speed Analysis and Plain Network Issues vs ResNet Advantages at
 * 1280 and 360 px, from a build: `E2E_DIST=dist npx tsx tests/e2e/shoot-convergence.ts [outDir]`
 * (default docs/screenshots). The precomputed sweep is what they show.
 */
import { join } from 'node:path';
import { launchChromium } from './browser.ts';
import { DIST, ROOT } from './fixture.ts';
import { serveStatic } from './server.ts';

const out = process.argv[2] ?? join(ROOT, 'docs/screenshots');
const server = await serveStatic(DIST, '/lab/');
const browser = await launchChromium();
try {
  for (const width of [1280, 360]) {
    const context = await browser.newContext({
      viewport: { width, height: 900 },
      reducedMotion: 'reduce',
    });
    const page = await context.newPage();
    await page.goto(`${server.url}?e2e`);
    await page.locator('html[data-sections="loaded"]').waitFor({ state: 'attached' });
    // the sticky contents bar would be drawn across a section's picture
    await page.addStyleTag({ content: '.toc { position: static !important; }' });
    for (const id of ['convergence', 'plain-vs-resnet']) {
      const section = page.locator(`#${id}`);
      await section.scrollIntoViewIfNeeded();
      await page.waitForTimeout(300);
      const name = id === 'convergence' ? 'convergence' : 'plain-vs-resnet';
      await section.screenshot({ path: join(out, `${name}-${width}.png`) });
    }
    await context.close();
  }
} finally {
  await browser.close();
  await server.close();
}
