/**
 * axe-core in a test's page: the serious and critical violations inside one element (a section
 * in the state the test has put it in), as `rule: targets` lines. The whole page at first load is
 * a11y.test.ts's.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ROOT } from './fixture.ts';

const AXE_SOURCE = readFileSync(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');

export async function axeProblems(page: Page, selector: string): Promise<string[]> {
  // evaluated by the test's driver: the page's security policy refuses an inline script tag
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async (selector) => {
    type Result = {
      violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[];
    };
    const axe = (window as unknown as { axe: { run: (c: Element) => Promise<Result> } }).axe;
    const root = document.querySelector(selector);
    if (!root) return [`no element matches ${selector}`];
    const result = await axe.run(root);
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }, selector);
}
