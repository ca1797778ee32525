/**
 * Bad input and the page's security policy in Debian's Chromium: a sample of the URL fuzz
 * test's random and adversarial links opens without a page error, with the notice the parser
 * promised; the page ships a Content-Security-Policy that forbids inline and evaluated script
 * and other origins, and an injected inline script does not run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodePageState } from '../../src/ui/state/url.ts';
import { sampleLinks } from '../fuzz/links.ts';
import { fill } from './dynamicsForm.ts';
import { DIST, scrollToSection, useSite } from './fixture.ts';

const site = useSite();

describe('bad links and the security policy', () => {
  it('random and adversarial links: no page error, the notice shown when the parser has one', async () => {
    // 12 links of the unit test's stream (another seed): most with problems, a few clean
    const links = sampleLinks(12, 99);
    let noticed = 0;
    for (const link of links) {
      const [search, hash] = link.split('#');
      const { notices } = decodePageState(search!);
      const query = `&${search!.slice(1)}${hash === undefined ? '' : `#${hash}`}`;
      const { context, page, problems } = await site.open(query, {}, true);
      await page.locator('#introduction').waitFor();
      const shown = page.getByTestId('url-notice');
      if (notices.length) {
        await shown.waitFor();
        noticed++;
        const items = await shown.locator('li').count();
        expect(items, link.slice(0, 120)).toBe(notices.length);
      } else expect(await shown.count(), link.slice(0, 120)).toBe(0);
      expect(problems, link.slice(0, 120)).toEqual([]);
      await context.close();
    }
    expect(noticed).toBeGreaterThan(0);
  });

  it('ships a Content-Security-Policy: own origin only, no inline or evaluated script', async () => {
    const { context, page, problems, requests } = await site.open();
    const policy = await page
      .locator('meta[http-equiv="Content-Security-Policy"]')
      .getAttribute('content');
    const directives = new Map(
      policy!.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name!, values] as const;
      }),
    );
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    // an inline script is refused: it does not run, and the browser reports the violation
    const inline = await page.evaluate(
      () =>
        new Promise<{ ran: boolean; violated: string }>((resolve) => {
          document.addEventListener(
            'securitypolicyviolation',
            (e) =>
              resolve({
                ran: (window as unknown as { __inlineRan?: boolean }).__inlineRan === true,
                violated: e.violatedDirective,
              }),
            { once: true },
          );
          const s = document.createElement('script');
          s.textContent = 'window.__inlineRan = true';
          document.head.append(s);
        }),
    );
    expect(inline).toEqual({ ran: false, violated: 'script-src-elem' });
    // and the built scripts evaluate no strings (the policy would refuse them)
    const dir = join(DIST, 'assets');
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.js')))
      expect(readFileSync(join(dir, f), 'utf8'), f).not.toMatch(/\bnew Function\(|\beval\(/);
    // nothing asked of another origin, while the page trains its live figures
    const origin = new URL(site.url).origin;
    expect(requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:'))).toEqual([]);
    expect(problems.filter((p) => !/Content Security Policy/.test(p))).toEqual([]);
    await context.close();
  });

  it('a network too big for the tab: refused by the worker with what it would need, nothing built', async () => {
    const { context, page, problems } = await site.open();
    await scrollToSection(page, 'training-dynamics');
    await fill(page, { dataset: 'digits', depth: 110, width: 1024, batch: 256 });
    await page.locator('.dynamics').getByRole('button', { name: 'Start', exact: true }).click();
    const alerts = page.locator('.dynamics .alert');
    await expect.poll(() => alerts.count(), { timeout: 20_000 }).toBe(2);
    for (const text of await alerts.allTextContents())
      expect(text).toMatch(
        /width: this network \([\d,]+ parameters\) would need about 3\.\d GiB of memory \(the limit is 1\.0 GiB\)/,
      );
    await expect(page.getByTestId('status').textContent()).resolves.toBe('Failed');
    expect(problems).toEqual([]);
    await context.close();
  });
});
