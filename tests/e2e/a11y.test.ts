/**
 * Accessibility of the whole page (every section, the Training Dynamics included): axe-core finds
 * no serious or critical violation at 1280 px and at 360 px; headings never skip a level; the
 * first Tab reaches the skip link and focus is visible.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { axeProblems } from './axe.ts';
import { RESULTS, ROOT, useSite } from './fixture.ts';

const AXE = join(ROOT, 'node_modules/axe-core/axe.min.js');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

const site = useSite();

describe('accessibility', () => {
  for (const width of [1280, 360]) {
    it(`axe-core: no serious or critical violations at ${width} px`, async () => {
      const { context, page } = await site.open('', { viewport: { width, height: 900 } });
      // let the live figures draw their first points
      await page.waitForFunction(
        () => ((window as unknown as { __intro?: { points: number } }).__intro?.points ?? 0) > 0,
        undefined,
        { timeout: 15_000 },
      );
      // evaluated by the test's driver: the page's security policy refuses an inline script tag
      await page.evaluate(readFileSync(AXE, 'utf8'));
      const violations = (await page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run: (c: Document) => Promise<unknown> } }).axe;
        const result = (await axe.run(document)) as { violations: AxeViolation[] };
        return result.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          nodes: v.nodes
            .slice(0, 5)
            .map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
        }));
      })) as AxeViolation[];
      writeFileSync(join(RESULTS, `axe-${width}.json`), JSON.stringify(violations, null, 2) + '\n');
      const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      expect(
        serious.map(
          (v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
        ),
      ).toEqual([]);
      await context.close();
    });
  }

  it('headings never skip a level; the first Tab reaches the skip link, with visible focus', async () => {
    const { context, page } = await site.open();
    const levels = await page.$$eval('h1, h2, h3, h4, h5, h6', (hs) =>
      hs.map((h) => Number(h.tagName[1])),
    );
    expect(levels[0]).toBe(1);
    for (let i = 1; i < levels.length; i++)
      expect(levels[i]!, `heading ${i}`).toBeLessThanOrEqual(levels[i - 1]! + 1);
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      const style = getComputedStyle(el);
      return { text: el.textContent, outline: style.outlineStyle, width: style.outlineWidth };
    });
    expect(focused.text).toMatch(/Skip to/);
    expect(focused.outline).not.toBe('none');
    await context.close();
  });

  // The studies of Plain vs ResNet draw their figures only once run: check each after its run,
  // at small settings (the figures are the same kinds at any size).
  const STUDIES = [
    {
      name: 'lesion',
      query: 'lesion-depth=8&lesion-steps=300&lesion-draws=3',
      run: 'lesion-run',
      done: '[data-testid="lesion-status"][data-status="done"]',
    },
    {
      name: 'landscape',
      query: 'land-depth=8&land-grid=11&land-steps=300',
      run: 'land-run',
      done: '[data-testid="land-contours"]',
    },
    {
      name: 'shattered',
      query: 'shat-depth=8',
      run: 'shat-run',
      done: '[data-testid="shat-sentence"]',
    },
    {
      name: 'paths',
      query: 'paths-depth=8&paths-steps=200',
      run: 'paths-run',
      done: '[data-testid="paths-sentence"]',
    },
  ];
  for (const study of STUDIES)
    for (const width of [1280, 360]) {
      it(`the ${study.name} study, measured: no serious or critical violations at ${width} px`, async () => {
        const { context, page } = await site.open(`&${study.query}`, {
          viewport: { width, height: 900 },
          reducedMotion: 'reduce',
        });
        const root = `[data-testid="study-${study.name}"]`;
        await page.locator(root).scrollIntoViewIfNeeded();
        await page.getByTestId(study.run).click();
        await page.locator(study.done).first().waitFor({ timeout: 90_000 });
        expect(await axeProblems(page, root)).toEqual([]);
        await context.close();
      });
    }
});
