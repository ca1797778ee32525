/**
 * The article's shell in Debian's Chromium, served from a sub-path: sections and their anchors,
 * the table of contents, the Introduction's live pair (starts, pauses off-screen and when hidden,
 * waits for Play under reduced motion), no request to another origin, offline after one visit,
 * phone width, every live figure's export buttons. Writes full-page screenshots and the measured
 * figures under test-results/.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { SECTION_TITLES } from '../../src/ui/shell/sections.ts';
import { SECTION_IDS } from '../../src/ui/state/url.ts';
import { RESULTS, useSite } from './fixture.ts';

interface IntroHook {
  steps: { plain: number; resnet: number };
  status: { plain: string; resnet: string };
  points: number;
  firstPointAt: number | null;
  firstDrawAt?: number;
}

const site = useSite();
const open = site.open;
const figures: Record<string, number | string> = {};

afterAll(() => {
  if (Object.keys(figures).length)
    writeFileSync(join(RESULTS, 'shell-figures.json'), JSON.stringify(figures, null, 2) + '\n');
});

const intro = (page: Page) =>
  page.evaluate(() => (window as unknown as { __intro: IntroHook }).__intro) as Promise<IntroHook>;
const introSteps = async (page: Page) => {
  const h = await intro(page);
  return h.steps.plain + h.steps.resnet;
};

async function waitFor(page: Page, test: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > until) throw new Error('timed out');
    await page.waitForTimeout(100);
  }
}

/** Waits until the intro's step counter stands still for 800 ms; returns where it stopped. */
async function waitStill(page: Page, ms = 6000): Promise<number> {
  const until = Date.now() + ms;
  let last = await introSteps(page);
  for (;;) {
    await page.waitForTimeout(800);
    const now = await introSteps(page);
    if (now === last) return now;
    if (Date.now() > until) throw new Error(`the intro kept training: ${last} → ${now} steps`);
    last = now;
  }
}

async function scrollTo(page: Page, id: string): Promise<void> {
  await page.evaluate((id) => {
    document.documentElement.style.scrollBehavior = 'auto';
    document.getElementById(id)!.scrollIntoView({ block: 'start' });
  }, id);
}

describe('the article shell', () => {
  it('renders every section, in order, with its anchor and heading; no errors; one origin', async () => {
    const { context, page, problems, requests } = await open();
    const sections = await page.$$eval('main > section', (els) =>
      els.map((s) => ({ id: s.id, h2: s.querySelector('h2')?.textContent?.trim() ?? '' })),
    );
    expect(sections).toEqual(SECTION_IDS.map((id) => ({ id, h2: SECTION_TITLES[id] })));
    const toc = await page.$$eval('nav[aria-label="Contents"] a', (as) =>
      as.map((a) => a.getAttribute('href')),
    );
    expect(toc).toEqual(SECTION_IDS.map((id) => `#${id}`));
    await waitFor(page, async () => (await intro(page)).points > 0);
    await page.waitForTimeout(1000);
    const origin = new URL(site.url).origin;
    const foreign = requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:'));
    expect(foreign).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('marks the section being read in the table of contents', async () => {
    const { context, page, problems } = await open();
    const current = () =>
      page.$eval('nav[aria-label="Contents"] a[aria-current="true"]', (a) =>
        a.getAttribute('href'),
      );
    expect(await current()).toBe('#introduction');
    for (const id of ['math', 'degradation', 'takeaways']) {
      await scrollTo(page, id);
      await waitFor(page, async () => (await current()) === `#${id}`, 3000);
    }
    expect(problems).toEqual([]);
    await context.close();
  });

  it('opens at the section a link names (section=… and #anchor)', async () => {
    for (const [query, id] of [
      ['&section=variants', 'variants'],
      ['#takeaways', 'takeaways'],
      // an anchor inside a section that loads lazily
      ['#variants-comparison', 'variants-comparison'],
    ] as const) {
      const { context, page, problems } = await open(query);
      await waitFor(
        page,
        () =>
          page.evaluate((id) => {
            const top = document.getElementById(id)!.getBoundingClientRect().top;
            const bottom =
              window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 2;
            return window.scrollY > 0 && (Math.abs(top) < 120 || (bottom && top < 900));
          }, id),
        5000,
      );
      expect(problems).toEqual([]);
      await context.close();
    }
  });

  it('the Introduction trains live, pauses off-screen and while hidden', async () => {
    // from the first moments: the intro's 4,000 steps must not be over before it is scrolled away
    const { context, page, problems } = await open('', {}, true);
    await waitFor(page, async () => (await intro(page)).firstDrawAt !== undefined, 10_000);
    const hook = await intro(page);
    // it drew (how soon is `npm run bench:page`'s first-screen figure, not a test's)
    expect(hook.firstDrawAt!).toBeGreaterThan(0);
    // the section below waited for that frame: its script was asked for only once it was drawn
    await page.locator('#degradation .pending').waitFor({ state: 'detached' });
    const degradationAsked = await page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .filter((r) => /\/Degradation-[^/]*\.js$/.test(new URL(r.name).pathname))
        .map((r) => r.startTime),
    );
    expect(degradationAsked).toHaveLength(1);
    expect(degradationAsked[0]!).toBeGreaterThanOrEqual(hook.firstDrawAt!);
    // the rest of the page's script is fetched alongside its entry, by the HTML's preload link:
    // asked for before the entry had even arrived (the entry runs only once it has), and once
    const fetches = await page.evaluate(() => {
      const scripts = performance
        .getEntriesByType('resource')
        .filter((r) => /\/(index|app)-[^/]*\.js$/.test(new URL(r.name).pathname));
      const of = (name: string) =>
        scripts.filter((r) => new URL(r.name).pathname.split('/').pop()!.startsWith(name));
      return {
        app: of('app-').map((r) => r.startTime),
        entryArrived: of('index-').map((r) => (r as PerformanceResourceTiming).responseEnd),
      };
    });
    expect(fetches.app).toHaveLength(1);
    expect(fetches.entryArrived).toHaveLength(1);
    expect(fetches.app[0]!).toBeLessThan(fetches.entryArrived[0]!);
    // new points are drawn into the same chart: it is not rebuilt on every update
    await page.evaluate(() => {
      document.querySelector('#introduction .uplot')!.setAttribute('data-first', '');
    });
    const drawnSteps = await introSteps(page);
    await waitFor(page, async () => (await introSteps(page)) > drawnSteps + 200, 10_000);
    expect(await page.locator('#introduction .uplot').count()).toBe(1);
    expect(await page.locator('#introduction .uplot[data-first]').count()).toBe(1);

    // off-screen: the step counter stops
    await scrollTo(page, 'takeaways');
    const before = await waitStill(page);
    await page.waitForTimeout(1000);
    expect(await introSteps(page)).toBe(before);
    const off = await intro(page);
    expect(off.status).toEqual({ plain: 'paused', resnet: 'paused' });
    expect(off.steps.plain).toBeLessThan(4000);

    // back on screen: it resumes
    await scrollTo(page, 'introduction');
    await waitFor(page, async () => (await introSteps(page)) > before, 5000);

    // hidden tab: the step counter stops
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    const hidden = await waitStill(page);
    await page.waitForTimeout(1000);
    expect(await introSteps(page)).toBe(hidden);
    expect((await intro(page)).status).toEqual({ plain: 'paused', resnet: 'paused' });
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await waitFor(page, async () => (await introSteps(page)) > hidden, 5000);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('with reduced motion nothing starts until Play', async () => {
    const { context, page, problems } = await open('', { reducedMotion: 'reduce' });
    await page.waitForTimeout(1500);
    expect(await introSteps(page)).toBe(0);
    const play = page.locator('#introduction').getByRole('button', { name: 'Play' });
    await play.click();
    await waitFor(page, async () => (await intro(page)).points > 0, 10_000);
    await expect(
      page.locator('#introduction').getByRole('button', { name: 'Pause' }).isVisible(),
    ).resolves.toBe(true);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('works offline after one visit', async () => {
    const { context, page, problems } = await open();
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller)
        await new Promise((r) =>
          navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }),
        );
    });
    await context.setOffline(true);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'ResNet Lab' }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Key Takeaways' }).waitFor();
    await waitFor(page, async () => (await intro(page)).points > 0, 10_000);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('fits a 360 px phone: no horizontal overflow, a contents menu', async () => {
    const { context, page, problems } = await open('', { viewport: { width: 360, height: 780 } });
    await waitFor(page, async () => (await intro(page)).points > 0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      360,
    );
    const toggle = page.getByRole('button', { name: /Contents/ });
    await toggle.focus();
    await page.keyboard.press('Enter');
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    await page.getByRole('link', { name: 'Key Takeaways' }).click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await waitFor(
      page,
      () =>
        page.evaluate(() => {
          const top = document.getElementById('takeaways')!.getBoundingClientRect().top;
          return top < 200 && top > -10;
        }),
      5000,
    );
    // Escape closes the menu and returns focus to its button
    await toggle.click();
    await page.keyboard.press('Escape');
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await toggle.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("every live figure's export buttons produce files (PNG/SVG and CSV of the plotted series)", async () => {
    const { context, page, problems } = await open('', { acceptDownloads: true });
    // data in every figure: the intro's curves, then (on screen) the shallow nets' curves and
    // the pair's layer statistics (every 20 steps)
    await waitFor(page, async () => (await intro(page)).points > 2, 15_000);
    for (const [claim, menu] of [
      ['claim-depth', 'degradation-depth'],
      ['claim-grad', 'degradation-gradients'],
      ['claim-block', 'degradation-block-gradients'],
      ['claim-dead', 'degradation-dead-relu'],
    ]) {
      // the figure on screen (its runs train only then), until its claim has numbers
      await page.getByTestId(`export-${menu}`).scrollIntoViewIfNeeded();
      await page
        .getByTestId(claim!)
        .filter({ hasText: /At step|After/ })
        .waitFor({ timeout: 30_000 });
    }

    /** name → [formats, the CSV's header] */
    const expected: Record<string, [string[], string]> = {
      'intro-loss': [['png', 'csv'], 'step,ResNet-56,Plain-56'],
      'degradation-depth': [['png', 'csv'], 'step,ResNet-56,Plain-8,Plain-20,Plain-56'],
      'degradation-gradients': [
        ['csv', 'svg'],
        'layer,ResNet-56 gradient norm,Plain-56 gradient norm',
      ],
      'degradation-block-gradients': [
        ['csv', 'svg'],
        'block,ResNet-56 input gradient norm,Plain-56 input gradient norm',
      ],
      'degradation-dead-relu': [
        ['csv', 'svg'],
        'layer,ResNet-56 dead fraction,Plain-56 dead fraction',
      ],
    };
    const menus = page.locator('#introduction, #degradation').locator('[data-testid^=export-]');
    const names = (await menus.evaluateAll((els) => els.map((e) => e.getAttribute('data-testid'))))
      .map((id) => id!.replace(/^export-/, ''))
      .sort();
    expect(names).toEqual(Object.keys(expected).sort());

    for (const [name, [formats, header]] of Object.entries(expected)) {
      const menu = page.getByTestId(`export-${name}`);
      const buttons = menu.locator('button[data-format]');
      expect(
        await buttons.evaluateAll((bs) => bs.map((b) => b.getAttribute('data-format'))),
      ).toEqual(formats);
      for (const format of formats) {
        const button = menu.locator(`button[data-format=${format}]`);
        expect(await button.getAttribute('aria-label')).toMatch(
          new RegExp(`^Download .+ as ${format.toUpperCase()}$`),
        );
        const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
        expect(download.suggestedFilename()).toBe(`resnet-lab-${name}.${format}`);
        const bytes = readFileSync(await download.path());
        const text = bytes.toString('utf8');
        if (format === 'png') {
          expect([...bytes.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
          expect(bytes.length).toBeGreaterThan(1000);
        } else if (format === 'svg') {
          expect(text).toMatch(
            /^<\?xml [^>]*\?>\n<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/,
          );
          // the legend travels with the drawing, and every series is drawn
          expect(text).toContain('>ResNet-56</text>');
          expect(text).toContain('>Plain-56</text>');
          expect(text).not.toContain('var(--');
        } else {
          const lines = text.trimEnd().split('\n');
          expect(lines[0]).toBe(header);
          const columns = header.split(',').length;
          expect(lines.length, `${name}.csv has no rows`).toBeGreaterThan(1);
          for (const line of lines.slice(1)) {
            const cells = line.split(',');
            expect(cells).toHaveLength(columns);
            expect(cells[0]).toMatch(/^\d+$/);
          }
          // some measured values, not only empty cells
          expect(lines.slice(1).some((l) => /,-?\d/.test(l))).toBe(true);
        }
      }
    }
    expect(problems).toEqual([]);
    await context.close();
  });

  it('saves full-page screenshots (desktop and 360 px)', async () => {
    for (const [name, viewport] of [
      ['shell-desktop', { width: 1280, height: 900 }],
      ['shell-phone', { width: 360, height: 780 }],
    ] as const) {
      const { context, page, problems } = await open('', { viewport });
      await waitFor(page, async () => (await intro(page)).points > 20);
      await scrollTo(page, 'degradation');
      await page.waitForTimeout(3000);
      await scrollTo(page, 'introduction');
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(RESULTS, `${name}.png`), fullPage: true });
      expect(problems).toEqual([]);
      await context.close();
    }
  });
});
