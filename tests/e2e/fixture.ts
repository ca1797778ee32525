/**
 * The shared set-up of the browser tests: the built site served under /lab/ and Debian's
 * Chromium, plus `openPage`, which opens the article and collects what went wrong (console and
 * page errors, worker errors, failed responses) and every request.
 *
 * The site is dist/, or E2E_DIST (a private build — `npx vite build --outDir /tmp/x` — when
 * several people share the working tree and would otherwise overwrite each other's dist/).
 *
 * Use it in a test file:
 *   const site = useSite();            // registers beforeAll/afterAll
 *   const opened = await site.open('&preset=digits', { viewport: … });
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium } from './browser.ts';
import { serveStatic, type StaticServer } from './server.ts';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DIST = process.env.E2E_DIST ?? join(ROOT, 'dist');
/** where tests write screenshots and measured figures */
export const RESULTS = join(ROOT, 'test-results');

export interface Opened {
  context: BrowserContext;
  page: Page;
  /** console errors, page errors, worker errors, failed responses */
  problems: string[];
  /** every URL the page and its workers asked for */
  requests: string[];
}

export interface Site {
  /** the article's address under the test server (ends with /lab/) */
  readonly url: string;
  readonly browser: Browser;
  /**
   * opens `?e2e<query>` in a new context (1280×900 unless `options` say otherwise) and waits
   * until every section has loaded — or, with `firstScreen`, only for the heading (a test of
   * what happens in the first moments)
   */
  open(query?: string, options?: BrowserContextOptions, firstScreen?: boolean): Promise<Opened>;
}

export function useSite(): Site {
  let server: StaticServer | undefined;
  let browser: Browser | undefined;
  const site: Site = {
    get url() {
      if (!server) throw new Error('the site is not served yet (use it inside a test)');
      return server.url;
    },
    get browser() {
      if (!browser) throw new Error('the browser is not launched yet (use it inside a test)');
      return browser;
    },
    async open(query = '', options = {}, firstScreen = false) {
      const context = await site.browser.newContext({
        viewport: { width: 1280, height: 900 },
        ...options,
      });
      const page = await context.newPage();
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('worker', (w) =>
        w.on('console', (m) => {
          if (m.type() === 'error') problems.push(`worker console: ${m.text()}`);
        }),
      );
      context.on('request', (r) => requests.push(r.url()));
      page.on('response', (r) => {
        if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
      });
      await page.goto(`${site.url}?e2e${query}`);
      await page.getByRole('heading', { level: 1, name: 'ResNet Lab' }).waitFor();
      // the sections below the first screen load as they come near or when idle: wait for all
      if (!firstScreen)
        await page.locator('html[data-sections="loaded"]').waitFor({ state: 'attached' });
      return { context, page, problems, requests };
    },
  };
  beforeAll(async () => {
    if (!existsSync(join(DIST, 'index.html')))
      throw new Error(
        `${DIST} has no index.html: run \`npm run build\` (npm run test:e2e does it)`,
      );
    mkdirSync(RESULTS, { recursive: true });
    server = await serveStatic(DIST, '/lab/');
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  return site;
}

/** Scrolls a section into view (instantly) so its live figures mount and start. */
export async function scrollToSection(page: Page, id: string): Promise<void> {
  await page.evaluate((id) => document.getElementById(id)?.scrollIntoView({ block: 'start' }), id);
}
