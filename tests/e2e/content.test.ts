/**
 * The article's text as a whole, in Chromium: every in-text citation points at an entry of the
 * References list and every entry is cited; the Key Takeaways are seven, each linked to an element
 * that exists on the page; the Impact section's Transformer diagram draws its two skip paths
 * dashed, has a text alternative and exports a well-formed SVG; and no problem is logged.
 *
 * Opened with reduced motion, so the live figures wait for Play: this test reads text and
 * diagrams, and leaves the CPU to the other browser tests.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REFERENCE_IDS, referenceAnchor } from '../../src/ui/content/references.ts';
import { useSite } from './fixture.ts';

const site = useSite();
const QUIET = { reducedMotion: 'reduce' } as const;

describe('content: citations, takeaways, the Transformer diagram', () => {
  it('every in-text citation points at an existing References entry', async () => {
    const { context, page, problems } = await site.open('', QUIET);
    const cites = await page.locator('main a.cite').evaluateAll((links) =>
      links.map((a) => ({
        href: a.getAttribute('href') ?? '',
        text: a.textContent ?? '',
        section: a.closest('main > section')?.id ?? '',
      })),
    );
    expect(cites.length).toBeGreaterThan(0);
    const entries = new Set(
      await page
        .locator('#references li[id^="ref-"]')
        .evaluateAll((items) => items.map((li) => li.id)),
    );
    // the list is the whole table, in its order
    expect([...entries]).toEqual(REFERENCE_IDS.map(referenceAnchor));
    const broken = cites.filter(
      (c) => !c.href.startsWith('#ref-') || !entries.has(c.href.slice(1)),
    );
    expect(broken).toEqual([]);
    // the two sections this test was written with cite their works
    for (const id of ['impact', 'takeaways'])
      expect(cites.filter((c) => c.section === id).length, id).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('every References entry is cited at least once on the page', async () => {
    const { context, page, problems } = await site.open('', QUIET);
    const cited = new Set(
      await page
        .locator('main a.cite')
        .evaluateAll((links) => links.map((a) => a.getAttribute('href')?.slice(1) ?? '')),
    );
    const uncited = REFERENCE_IDS.map(referenceAnchor).filter((anchor) => !cited.has(anchor));
    expect(uncited, 'References entries that nothing on the page cites').toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('seven takeaways, each linked to an element that exists on the page', async () => {
    const { context, page, problems } = await site.open('', QUIET);
    const items = page.locator('#takeaways ol.takeaways > li');
    expect(await items.count()).toBe(7);
    const perItem = await items.evaluateAll((lis) =>
      lis.map((li) =>
        [...li.querySelectorAll('a[href^="#"]:not(.cite)')].map((a) => ({
          href: a.getAttribute('href')!,
          exists:
            document.getElementById(decodeURIComponent(a.getAttribute('href')!.slice(1))) !== null,
        })),
      ),
    );
    perItem.forEach((links, i) =>
      expect(links.length, `takeaway ${i + 1} links to no figure`).toBeGreaterThan(0),
    );
    const missing = perItem.flat().filter((l) => !l.exists);
    expect(
      missing.map((l) => l.href),
      'takeaway links whose target is not on the page',
    ).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('the Transformer diagram: two dashed orange skip paths, a text alternative, an SVG export', async () => {
    const { context, page, problems } = await site.open('', QUIET);
    const figure = page.locator('#transformer-block');
    await figure.scrollIntoViewIfNeeded();
    const drawing = figure.locator('svg[role="img"]');
    await expect.poll(() => drawing.count()).toBe(1);
    // an accessible name (its <title>) and a description of both paths
    const name = await drawing.evaluate((svg) =>
      (svg.getAttribute('aria-labelledby') ?? '')
        .split(/\s+/)
        .map((id) => document.getElementById(id)?.textContent ?? '')
        .join(' '),
    );
    expect(name).toMatch(/Transformer block/);
    expect(name).toMatch(/LayerNorm/);
    expect(name).toMatch(/shortcut/);
    expect(await figure.locator('figcaption').textContent()).toMatch(/x \+ F\(x\)/);

    const skips = await drawing.locator('[data-kind="skip"]').evaluateAll((paths) =>
      paths.map((p) => {
        const style = getComputedStyle(p);
        return { dash: style.strokeDasharray, stroke: style.stroke };
      }),
    );
    expect(skips).toHaveLength(2);
    for (const skip of skips) {
      expect(skip.dash).not.toBe('none');
      // orange: red high, green between, blue low
      const [r, g, b] = (skip.stroke.match(/\d+/g) ?? []).map(Number);
      expect(r! > g! && g! > b! && r! > 150 && b! < 80, skip.stroke).toBe(true);
    }
    // the main path is solid
    const mainDashes = await drawing
      .locator('.main')
      .evaluateAll((els) => els.map((e) => getComputedStyle(e).strokeDasharray));
    expect(mainDashes.length).toBeGreaterThan(0);
    expect(mainDashes.every((d) => d === 'none')).toBe(true);

    const button = figure.locator(
      '[data-testid="export-transformer-block"] button[data-format=svg]',
    );
    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
    expect(download.suggestedFilename()).toBe('resnet-lab-transformer-block.svg');
    const text = readFileSync(await download.path()).toString('utf8');
    expect(text).toMatch(/^<\?xml [^>]*\?>\n<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(text).not.toContain('var(--');
    // well-formed XML, and the exported file still has both dashed skip paths and its labels
    const parsed = await page.evaluate((svgText) => {
      const doc = new DOMParser().parseFromString(svgText, 'image/svg+xml');
      const root = doc.documentElement;
      return {
        error: doc.querySelector('parsererror')?.textContent ?? null,
        root: root.localName,
        width: root.getAttribute('width'),
        height: root.getAttribute('height'),
        dashed: [...root.querySelectorAll('path')].filter((p) =>
          /stroke-dasharray:\s*[\d.]/.test(p.getAttribute('style') ?? ''),
        ).length,
        texts: [...root.querySelectorAll('text')].map((t) => t.textContent ?? ''),
      };
    }, text);
    expect(parsed.error).toBeNull();
    expect(parsed.root).toBe('svg');
    expect(Number(parsed.width)).toBeGreaterThan(0);
    expect(Number(parsed.height)).toBeGreaterThan(0);
    expect(parsed.dashed).toBe(2);
    for (const label of ['LayerNorm', 'Multi-head attention', 'MLP (feed-forward)'])
      expect(parsed.texts).toContain(label);
    expect(problems).toEqual([]);
    await context.close();
  });
});
