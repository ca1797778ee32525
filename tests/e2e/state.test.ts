/**
 * The figures' state in the page's link, in Debian's Chromium: a link restores the scalar chain
 * and the ResNet Variants choices (sliders, selects, the table's sort, the spec editor's text);
 * changing a control rewrites the address; a bad value shows the notice and the default; and the
 * KaTeX woff2 fonts are in the service worker's cache after one visit that never showed a formula.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { BUILTIN_ARCHS } from '../../src/arch/index.ts';
import { prettySpec } from '../../src/ui/variants/specCheck.ts';
import { useSite } from './fixture.ts';

const site = useSite();

/** The page's query as pairs, without the tests' own `e2e`. */
const query = (page: Page) =>
  page.evaluate(() => [...new URLSearchParams(location.search)].filter(([name]) => name !== 'e2e'));

/** Waits past the address's write delay (100 ms) until `name` reads `value` (null: absent). */
async function expectParam(page: Page, name: string, value: string | null): Promise<void> {
  await expect
    .poll(() => page.evaluate((n) => new URLSearchParams(location.search).get(n), name), {
      timeout: 3000,
    })
    .toBe(value);
}

const edited = { ...BUILTIN_ARCHS['resnet101']!, layers: [3, 4, 30, 3] };
const link = new URLSearchParams([
  ['chain-depth', '80'],
  ['chain-w', 'constant'],
  ['chain-gain', '0.8'],
  ['variants-densenet', 'densenet169'],
  ['variants-highway', 'highway-50'],
  ['variants-sort', 'params-desc'],
  ['spec-from', 'resnet101'],
  ['spec', JSON.stringify(edited)],
]);

describe('the figures’ state in the link', () => {
  it('a link restores the scalar chain and the variants’ choices, and stays as it was', async () => {
    const { context, page, problems } = await site.open(`&${link}`);
    const chain = page.locator('#scalar-chain');
    expect(await chain.getByTestId('chain-depth').inputValue()).toBe('80');
    expect(await chain.locator('input[type=radio][value=constant]').isChecked()).toBe(true);
    expect(await chain.getByTestId('chain-gain').inputValue()).toBe('0.8');
    expect(await chain.locator('output').allTextContents()).toEqual(['80', '0.80']);
    expect(await page.getByTestId('chain-summary').textContent()).toContain('80-layer chain');

    expect(await page.locator('#variant-densenet-pick').inputValue()).toBe('densenet169');
    expect(await page.locator('#variant-highway-pick').inputValue()).toBe('highway-50');
    const params = page.locator('th[data-column=params]');
    expect(await params.getAttribute('aria-sort')).toBe('descending');
    expect(await params.locator('.arrow').textContent()).toBe('▼');
    expect(await page.getByTestId('variants-comparison-status').textContent()).toContain(
      'Sorted by parameters, descending',
    );

    expect(await page.locator('#variants-spec-base').inputValue()).toBe('resnet101');
    expect(await page.getByTestId('variants-spec-text').inputValue()).toBe(prettySpec(edited));
    await expect
      .poll(() => page.getByTestId('variants-spec-result').getAttribute('data-state'))
      .toBe('valid');
    expect(await page.getByTestId('variants-spec-link').getAttribute('data-in-link')).toBe('true');

    // the page writes the same state back: nothing lost, nothing added
    await page.waitForTimeout(300);
    expect(await query(page)).toEqual([...link]);
    expect(await page.getByTestId('url-notice').count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('changing a control updates the address; back to the default removes it', async () => {
    const { context, page, problems } = await site.open('#math');
    const depth = page.locator('#scalar-chain').getByTestId('chain-depth');
    await depth.focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await expectParam(page, 'chain-depth', '52');
    await page.locator('#scalar-chain input[type=radio][value=constant]').check();
    await expectParam(page, 'chain-w', 'constant');
    await page.locator('#scalar-chain input[type=radio][value=normal]').check();
    await expectParam(page, 'chain-w', null);
    // the text's buttons write through the same state
    await page.getByRole('button', { name: 'Put w = ¼ in the chain' }).click();
    await expectParam(page, 'chain-gain', '0.25');

    await page.locator('#variant-densenet-pick').selectOption('densenet201');
    await expectParam(page, 'variants-densenet', 'densenet201');
    await page.locator('#variant-densenet-pick').selectOption('densenet121');
    await expectParam(page, 'variants-densenet', null);

    const sort = page.locator('th[data-column=macs] button');
    await sort.click();
    await expectParam(page, 'variants-sort', 'macs-asc');
    await sort.click();
    await expectParam(page, 'variants-sort', 'macs-desc');

    await page.locator('#variants-spec-base').selectOption('densenet121');
    await expectParam(page, 'spec-from', 'densenet121');
    const area = page.getByTestId('variants-spec-text');
    await area.fill('{"family": "densenet", "blockConfig": [6, 12, 24, 16], "growthRate": 16}');
    await expectParam(
      page,
      'spec',
      '{"family":"densenet","blockConfig":[6,12,24,16],"growthRate":16}',
    );
    // not JSON: out of the link, and the editor says so
    await area.fill('{"family": ');
    await expectParam(page, 'spec', null);
    expect(await page.getByTestId('variants-spec-link').innerText()).toMatch(
      /Not in the page's link until it is valid JSON/,
    );
    // too long: out of the link, and the editor says so
    await area.fill(JSON.stringify({ family: 'resnet', note: 'x'.repeat(5000) }));
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => new URLSearchParams(location.search).has('spec'))).toBe(false);
    expect(await page.getByTestId('variants-spec-link').innerText()).toMatch(
      /Too long for the page's link \([\d,]+ characters there, at most 4,000\)/,
    );
    await page.getByRole('button', { name: 'Reset the text' }).click();
    await page.waitForTimeout(300);
    expect(await page.getByTestId('variants-spec-link').count()).toBe(0);

    // the hash stays, and so does ?e2e
    expect(await page.evaluate(() => location.hash)).toBe('#math');
    expect(await page.evaluate(() => new URLSearchParams(location.search).has('e2e'))).toBe(true);
    expect(await query(page)).toEqual(
      [
        ['chain-gain', '0.25'],
        ['chain-depth', '20'],
        ['chain-w', 'constant'],
        ['variants-sort', 'macs-desc'],
        ['spec-from', 'densenet121'],
      ].sort((a, b) => order(a[0]!) - order(b[0]!)),
    );
    expect(problems).toEqual([]);
    await context.close();
  });

  it('bad values: the notice names each, and the page uses the defaults', async () => {
    const bad = new URLSearchParams([
      ['chain-depth', '500'],
      ['chain-w', 'sometimes'],
      ['variants-sort', 'colour-desc'],
      ['spec', '{"family": "resnet",'],
    ]);
    const { context, page, problems } = await site.open(`&${bad}`);
    const notice = page.getByTestId('url-notice');
    await notice.waitFor();
    const items = await notice.locator('li').allTextContents();
    expect(items).toHaveLength(4);
    expect(items[0]).toMatch(/^chain-depth=500: 500 is outside 1…200 — the default is used$/);
    expect(items[1]).toMatch(/^chain-w=sometimes: expected one of random, constant/);
    expect(items[2]).toMatch(/^variants-sort=colour-desc: no column called "colour"/);
    expect(items[3]).toMatch(/^spec=.*: not valid JSON .* — the editor shows the resnet50 spec$/);

    expect(await page.getByTestId('chain-depth').inputValue()).toBe('50');
    expect(await page.locator('#scalar-chain input[value=normal]').isChecked()).toBe(true);
    expect(await page.locator('th[aria-sort]').count()).toBe(0);
    expect(await page.locator('#variants-spec-base').inputValue()).toBe('resnet50');
    expect(await page.getByTestId('variants-spec-text').inputValue()).toContain(
      '"family": "resnet"',
    );
    // the bad values leave the address
    await page.waitForTimeout(300);
    expect(await query(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('an invalid spec that is valid JSON loads into the editor, which lists its problems', async () => {
    const spec = { family: 'resnet', layers: [2, 2], groups: 0 };
    const { context, page, problems } = await site.open(
      `&${new URLSearchParams([['spec', JSON.stringify(spec)]])}`,
    );
    expect(await page.getByTestId('variants-spec-text').inputValue()).toBe(prettySpec(spec));
    await expect
      .poll(() => page.getByTestId('variants-spec-result').getAttribute('data-state'))
      .toBe('invalid');
    expect(await page.getByTestId('variants-spec-errors').locator('li').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('url-notice').count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('offline: the KaTeX woff2 fonts are cached after one visit that never showed a formula', async () => {
    const { context, page, problems, requests } = await site.open();
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller)
        await new Promise((r) =>
          navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }),
        );
    });
    const cached = await page.evaluate(async () => {
      const names = await caches.keys();
      const out: string[] = [];
      for (const name of names)
        for (const request of await (await caches.open(name)).keys()) out.push(request.url);
      return out;
    });
    const fonts = cached.filter((u) => /KaTeX_[\w-]+\.(woff2?|ttf)$/.test(u));
    const woff2 = fonts.filter((u) => u.endsWith('.woff2'));
    expect(woff2.length).toBeGreaterThanOrEqual(10);
    expect(woff2.some((u) => /KaTeX_Main-Regular-[\w-]+\.woff2$/.test(u))).toBe(true);
    expect(woff2.some((u) => /KaTeX_Math-Italic-[\w-]+\.woff2$/.test(u))).toBe(true);
    // the fallbacks no browser asks for are not fetched
    expect(fonts.filter((u) => !u.endsWith('.woff2'))).toEqual([]);

    // offline, a formula draws with its font from the cache
    await context.setOffline(true);
    await page.reload();
    await page.getByRole('heading', { level: 2, name: 'Mathematical Foundation' }).waitFor();
    await page.evaluate(() => document.getElementById('math')!.scrollIntoView());
    // the section loads as it comes near (from the cache), then its formulas' fonts
    await page.locator('#math .katex').first().waitFor();
    await expect
      .poll(
        () =>
          page.evaluate(async () => {
            await document.fonts.ready;
            return [...document.fonts].filter((f) => f.status === 'loaded').map((f) => f.family);
          }),
        { timeout: 10_000 },
      )
      .toContain('KaTeX_Main');
    expect(requests.some((u) => u.endsWith('.ttf') || u.endsWith('.woff'))).toBe(false);
    expect(problems).toEqual([]);
    await context.close();
  });
});

/** A parameter's place in the link that the page writes (the schema's order). */
function order(name: string): number {
  return [
    'chain-depth',
    'chain-w',
    'chain-gain',
    'chain-mean',
    'chain-sd',
    'chain-seed',
    'variants-densenet',
    'variants-highway',
    'variants-sort',
    'spec-from',
    'spec',
  ].indexOf(name);
}
