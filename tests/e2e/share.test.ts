/**
 * State, sharing and export in the built site (Chromium, served from a sub-path): a link with
 * garbage parameters, a classroom link, the URL following the settings, the command-line box,
 * and the export buttons' files.
 *
 * A test whose component the page does not mount yet (the notice, the share box, the export
 * menus, the URL-synced store) is skipped with a note saying what is missing, so that the suite
 * stays green while the page is assembled; once mounted, it runs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.ts';
import { serveStatic, type StaticServer } from './server.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** the built site: dist/, or E2E_DIST (a private build) */
const DIST = process.env.E2E_DIST ?? join(ROOT, 'dist');

let server: StaticServer;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(join(DIST, 'index.html')))
    throw new Error('dist/ is missing: run `npm run build` (npm run test:e2e does it first)');
  server = await serveStatic(DIST, '/lab/');
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

interface Opened {
  context: BrowserContext;
  page: Page;
  /** console errors, page errors and failed requests */
  problems: string[];
}

async function open(query = '', viewport = { width: 1280, height: 900 }): Promise<Opened> {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  await page.goto(`${server.url}${query}`, { waitUntil: 'load' });
  await page.locator('h1').first().waitFor();
  return { context, page, problems };
}

/** Whether the page mounts `selector`; a test skips (with a note) when it does not yet. */
async function mounted(page: Page, selector: string): Promise<boolean> {
  await page.waitForTimeout(0);
  return (await page.locator(selector).count()) > 0;
}

async function hasStore(page: Page): Promise<boolean> {
  return page.evaluate(() => '__pageState' in window);
}

describe('a link with garbage parameters', () => {
  it('shows a polite notice with one line per problem, and the page still works', async () => {
    const { context, page, problems } = await open('?depth=banana&arch=resnte&lr=-1&zzz=1&e2e');
    try {
      // mounted once, under the masthead (App.svelte)
      expect(await page.getByTestId('url-notice-region').count()).toBe(1);
      const notice = page.getByTestId('url-notice');
      await notice.waitFor();
      const region = page.getByTestId('url-notice-region');
      expect(await region.getAttribute('role')).toBe('status');
      expect(await region.getAttribute('aria-live')).toBe('polite');
      const lines = await notice.locator('li').allTextContents();
      expect(lines).toHaveLength(4);
      expect(lines[0]).toMatch(/^depth=banana: expected an integer.*default is used/);
      expect(lines[1]).toMatch(/^arch=resnte: .*did you mean resnet/);
      expect(lines[2]).toMatch(/^lr=-1: .*out of range.*default is used/);
      expect(lines[3]).toMatch(/^zzz=1: unknown setting, ignored/);

      // near the top: above the first section, in the first screenful
      const box = (await notice.boundingBox())!;
      const first = (await page.locator('main > section').first().boundingBox())!;
      expect(box.y + box.height).toBeLessThanOrEqual(first.y);
      expect(box.y + box.height).toBeLessThanOrEqual(900);

      // the page behind it is whole: sections, headings and the form with the defaults
      expect(await page.locator('main h2').count()).toBeGreaterThan(0);
      if (await mounted(page, '#field-depth'))
        expect(await page.locator('#field-depth').inputValue()).not.toBe('banana');

      // the address now holds what is used (nothing but the defaults), and keeps ?e2e
      if (await hasStore(page)) {
        await page.waitForFunction(() => !location.search.includes('banana'));
        expect(new URL(page.url()).search).toBe('?e2e');
      }

      // dismissible, and then gone
      await notice.getByRole('button', { name: /dismiss/i }).click();
      await notice.waitFor({ state: 'detached' });
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('on a 360 px phone the notice is seen without scrolling', async () => {
    const { context, page, problems } = await open('?depth=banana&arch=resnte', {
      width: 360,
      height: 780,
    });
    try {
      const notice = page.getByTestId('url-notice');
      await notice.waitFor();
      expect(await notice.locator('li').count()).toBe(2);
      const box = (await notice.boundingBox())!;
      expect(await page.evaluate(() => window.scrollY)).toBe(0);
      expect(box.y + box.height).toBeLessThanOrEqual(780);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        360,
      );
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a clean link shows no notice', async () => {
    const { context, page, problems } = await open('?depth=32&seed=3');
    try {
      // mounted once, under the masthead (App.svelte)
      expect(await page.getByTestId('url-notice-region').count()).toBe(1);
      await page.waitForTimeout(200);
      expect(await page.getByTestId('url-notice').count()).toBe(0);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('a classroom link', () => {
  const query = '?preset=degradation&hide=depth,lr&section=training-dynamics&e2e';

  it('hides the chosen controls, opens at the section, and fills the form with the preset', async (ctx) => {
    const { context, page, problems } = await open(query, { width: 1280, height: 700 });
    try {
      if (!(await mounted(page, '#field-width')))
        return ctx.skip('the settings form is not mounted yet (engineer B)');
      expect(await page.locator('#field-depth').count()).toBe(0);
      expect(await page.locator('#field-lr').count()).toBe(0);
      // the preset's values (degradation: width 16, spirals, batch norm, 2000 steps)
      expect(await page.locator('#field-width').inputValue()).toBe('16');
      expect(await page.locator('#field-dataset').inputValue()).toBe('spiral');
      expect(await page.locator('#field-norm').inputValue()).toBe('batch');
      expect(await page.locator('#field-steps').inputValue()).toBe('2000');
      if (!(await mounted(page, '#training-dynamics')))
        return ctx.skip('no element with id="training-dynamics" on the page yet (engineer A)');
      // opened at the section: its top is near the top of the viewport
      await page.waitForFunction(() => {
        const top = document.getElementById('training-dynamics')!.getBoundingClientRect().top;
        return Math.abs(top) < 80 || window.scrollY + innerHeight >= document.body.scrollHeight - 2;
      });
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('the builder writes the link as the teacher chooses, and the link does what it says', async (ctx) => {
    const { context, page, problems } = await open('?e2e');
    try {
      if (!(await mounted(page, '[data-testid=share-link]')))
        return ctx.skip('ShareLink is not mounted on the page yet');
      const share = page.getByTestId('share-link');
      await share.getByText('Make a classroom link').click();
      await share.getByLabel('Start from').selectOption('degradation');
      await share.getByLabel('Open at').selectOption('training-dynamics');
      // keyboard: tab to a checkbox and press space
      await share.getByRole('checkbox', { name: 'Learning rate' }).focus();
      await page.keyboard.press('Space');
      await share.getByRole('checkbox', { name: 'Depth (weight layers)' }).check();
      const link = await share.getByTestId('classroom-url').inputValue();
      const url = new URL(link);
      expect(url.pathname).toBe('/lab/');
      expect(url.search).toBe('?preset=degradation&hide=depth,lr&section=training-dynamics');
      expect(url.hash).toBe('');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('the address follows the settings', () => {
  it('changing a setting updates the URL (and keeps ?e2e)', async (ctx) => {
    const { context, page, problems } = await open('?e2e');
    try {
      if (!(await hasStore(page)))
        return ctx.skip('the page does not use src/ui/state/page.svelte.ts yet (engineer B)');
      if (!(await mounted(page, '#field-seed')))
        return ctx.skip('the settings form is not mounted yet (engineer B)');
      await page.locator('#field-seed').fill('7');
      await page.locator('#field-width').fill('24');
      await page.waitForFunction(() => location.search.includes('seed=7'));
      await page.waitForFunction(() => location.search.includes('width=24'));
      const params = new URL(page.url()).searchParams;
      expect(params.has('e2e')).toBe(true);
      expect(params.get('seed')).toBe('7');

      // the share box and the command-line box say the same
      if (await mounted(page, '[data-testid=share-url]')) {
        const link = await page.getByTestId('share-url').inputValue();
        expect(new URL(link).searchParams.get('seed')).toBe('7');
        expect(link).not.toContain('e2e');
      }
      if (await mounted(page, '[data-testid=command-resnet]')) {
        const resnet = await page.getByTestId('command-resnet').textContent();
        const plain = await page.getByTestId('command-plain').textContent();
        expect(resnet).toMatch(/^npx resnet-lab train .*--width 24 .*--seed 7 --out resnet\.json$/);
        expect(plain).toMatch(/--no-shortcut .*--seed 7 --out plain\.json$/);
      }

      // an invalid value changes nothing in the address
      await page.locator('#field-width').fill('0');
      await page.waitForTimeout(300);
      expect(new URL(page.url()).searchParams.get('width')).toBe('24');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('"Copy link" puts the link on the clipboard', async (ctx) => {
    const { context, page, problems } = await open('?seed=5&e2e');
    try {
      if (!(await mounted(page, '[data-testid=share-link]')))
        return ctx.skip('ShareLink is not mounted on the page yet');
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
        origin: new URL(server.url).origin,
      });
      const share = page.getByTestId('share-link');
      await share.getByRole('button', { name: 'Copy link' }).click();
      await share.getByText(/copied|selected/).waitFor();
      const expected = `${server.url}?seed=5`;
      expect(await share.getByTestId('share-url').inputValue()).toBe(expected);
      if ((await share.getByText('copied').count()) > 0)
        expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(expected);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('the export buttons', () => {
  it('produce files: PNG, CSV, SVG and JSON with what they promise', async (ctx) => {
    const { context, page, problems } = await open('?depth=8&width=8&steps=100&eval-every=20&e2e');
    try {
      // the Training Dynamics section's menus: its charts, maps and run record fill with the
      // short run below (the article's live figures, which train only while on screen, are
      // checked figure by figure in shell.test.ts)
      const menus = '#training-dynamics [data-testid^=export-]';
      if (!(await mounted(page, `${menus} button`)))
        return ctx.skip('no ExportMenu on the page yet (engineer B: charts and run)');
      // a short run, so that every chart and the run record has something in it
      const start = page.getByRole('button', { name: /^(Start|Restart)$/ });
      if ((await start.count()) > 0) {
        await start.first().click();
        await page.waitForFunction(
          () => document.querySelector('[data-testid=status]')?.textContent?.trim() === 'Done',
          undefined,
          { timeout: 60_000 },
        );
      }
      const buttons = page.locator(`${menus} button[data-format]`);
      const count = await buttons.count();
      const seen = new Set<string>();
      for (let i = 0; i < count; i++) {
        const button = buttons.nth(i);
        if (!(await button.isVisible())) continue;
        const format = (await button.getAttribute('data-format'))!;
        const label = (await button.getAttribute('aria-label')) ?? '';
        expect(label).toMatch(new RegExp(`^Download .+ as ${format.toUpperCase()}$`));
        const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
        expect(download.suggestedFilename()).toMatch(
          new RegExp(`^resnet-lab-[\\w-]+\\.${format}$`),
        );
        const path = await download.path();
        const bytes = readFileSync(path);
        expect(bytes.length, `${download.suggestedFilename()} is empty`).toBeGreaterThan(0);
        const text = bytes.toString('utf8');
        switch (format) {
          case 'png':
            expect([...bytes.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
            expect(bytes.length).toBeGreaterThan(1000);
            break;
          case 'csv': {
            const [header, first] = text.split('\n');
            expect(header).toMatch(/^"?step"?,/);
            expect(first).toMatch(/^\d+,/);
            break;
          }
          case 'svg':
            expect(text).toMatch(
              /^<\?xml [^>]*\?>\n<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/,
            );
            break;
          case 'json': {
            const value = JSON.parse(text) as Record<string, unknown>;
            // a run record, or an object of them (the plain and the residual network)
            const records = 'schema' in value ? [value] : Object.values(value);
            expect(records.length).toBeGreaterThan(0);
            for (const record of records)
              expect((record as { schema: string }).schema).toBe('resnet-lab/run@1');
            break;
          }
        }
        seen.add(format);
      }
      expect(seen.has('png') || seen.has('csv') || seen.has('json') || seen.has('svg')).toBe(true);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
