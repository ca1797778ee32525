/**
 * Accessibility of the whole page (every section, the Training Dynamics included): axe-core finds
 * no serious or critical violation at 1280 px and at 360 px; headings never skip a level; the
 * first Tab reaches the skip link and focus is visible.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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

  it('axe-core: the loss-landscape study, once computed, has no serious or critical violations', async () => {
    const query = '&land-depth=8&land-grid=11&land-steps=300';
    const { context, page } = await site.open(query, { reducedMotion: 'reduce' });
    await page.getByTestId('land-study').scrollIntoViewIfNeeded();
    await page.getByTestId('land-run').click();
    await page.getByTestId('land-contours').waitFor({ timeout: 90_000 });
    await page.evaluate(readFileSync(AXE, 'utf8'));
    const violations = (await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run: (c: Element) => Promise<unknown> } }).axe;
      const result = (await axe.run(document.getElementById('landscape')!)) as {
        violations: AxeViolation[];
      };
      return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help }));
    })) as AxeViolation[];
    const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
    await context.close();
  });

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
});
