/**
 * The Mathematical Foundation in Chromium: its KaTeX formulas render (HTML and MathML, no error
 * fragments, the fonts from the site itself); the scalar chain's sliders work from the keyboard
 * and change the plotted data, which matches an independent computation; the measured overlay
 * receives real per-block gradients from the worker (and with reduced motion waits for Play);
 * the CSV export holds the plotted numbers; the text's buttons set the chain and load presets;
 * it fits a 360 px screen; nothing is logged.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useSite } from './fixture.ts';

const site = useSite();
const QUIET = { reducedMotion: 'reduce' } as const;

/** The formulas in src/ui/sections/MathFoundation.svelte: all of them, and those set on their own line. */
const FORMULAS = 45;
const DISPLAYED = 8;

interface MathHook {
  settings: {
    depth: number;
    mode: 'constant' | 'normal';
    gain: number;
    mean: number;
    sd: number;
    seed: number;
  };
  plain: number[];
  residual: number[];
  /** the chart's series (plain, residual, then the measured pair when overlaid) */
  drawn: (number | null)[][];
  measured: { step: number; plain: (number | null)[]; resnet: (number | null)[] } | null;
  status: string;
}

const hook = (page: Page): Promise<MathHook> =>
  page.evaluate(() => (window as unknown as { __math: MathHook }).__math) as Promise<MathHook>;

async function showChain(page: Page): Promise<void> {
  await page.waitForFunction(() => '__math' in window);
  await page.locator('#scalar-chain').scrollIntoViewIfNeeded();
}

describe('Mathematical Foundation', () => {
  it('typesets every formula with KaTeX: HTML and MathML, no errors, fonts from the site', async () => {
    const { context, page, problems, requests } = await site.open('', QUIET);
    const section = page.locator('#math');
    await section.scrollIntoViewIfNeeded();
    expect(await section.locator('.katex-error').count()).toBe(0);
    expect(await section.locator('.katex').count()).toBe(FORMULAS);
    expect(await section.locator('.katex-display').count()).toBe(DISPLAYED);
    // every formula carries MathML with its TeX source, for screen readers
    const mathml = await section.locator('.katex').evaluateAll((els) =>
      els.map((el) => ({
        math: el.querySelector('.katex-mathml math') !== null,
        tex: el.querySelector('annotation[encoding="application/x-tex"]')?.textContent ?? '',
        hiddenHtml: el.querySelector('.katex-html')?.getAttribute('aria-hidden') === 'true',
      })),
    );
    expect(mathml.every((m) => m.math && m.tex.length > 0 && m.hiddenHtml)).toBe(true);
    // Eq. 4 and Eq. 5 of He et al. 2016 are among them
    const sources = mathml.map((m) => m.tex);
    expect(sources.some((t) => t.includes(String.raw`x_L = x_l + \sum_{i=l}^{L-1}`))).toBe(true);
    expect(
      sources.some((t) => t.includes(String.raw`\left(1 + \frac{\partial}{\partial x_l}`)),
    ).toBe(true);
    // KaTeX's own fonts are loaded, from this site
    await page.evaluate(() => document.fonts.ready);
    const fonts = await page.evaluate(
      () =>
        [...document.fonts].filter(
          (f) => f.family.replaceAll('"', '') === 'KaTeX_Main' && f.status === 'loaded',
        ).length,
    );
    expect(fonts).toBeGreaterThan(0);
    expect(requests.some((r) => /KaTeX_Main-Regular-[\w-]+\.woff2$/.test(r))).toBe(true);
    const origin = new URL(site.url).origin;
    expect(
      requests.filter(
        (r) => !r.startsWith(origin) && !r.startsWith('blob:') && !r.startsWith('data:'),
      ),
    ).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('the sliders work from the keyboard and change the plotted products', async () => {
    const { context, page, problems } = await site.open('', QUIET);
    await showChain(page);
    const before = await hook(page);
    expect(before.settings).toMatchObject({ depth: 50, mode: 'normal', mean: 0, sd: 0.2, seed: 1 });
    expect(before.plain).toHaveLength(51);

    // the drawn values are |product|, moved to the axis edge (1e-20 … 1e20) where beyond it
    const edge = (v: number) => Math.min(1e20, Math.max(1e-20, Math.abs(v)));
    expect(before.drawn[0]!.slice(0, 51)).toEqual(before.plain.map(edge));
    expect(before.drawn[1]!.slice(0, 51)).toEqual(before.residual.map(edge));
    // an independent computation of the same numbers: the plain product from the residual
    // product's factors, (1 + w) − 1, multiplied again
    let p = 1;
    for (let k = 1; k <= 50; k++) {
      p *= before.residual[k]! / before.residual[k - 1]! - 1;
      expect(Math.abs(p - before.plain[k]!)).toBeLessThanOrEqual(Math.abs(p) * 1e-9);
    }

    const depth = page.getByLabel('Depth L');
    await depth.focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    let now = await hook(page);
    expect(now.settings.depth).toBe(52);
    expect(now.plain).toHaveLength(53);
    // a deeper chain keeps the shallower one's layers at the top
    expect(now.plain.slice(0, 51)).toEqual(before.plain);
    await page.keyboard.press('End');
    expect((await hook(page)).settings.depth).toBe(200);
    await expect.poll(async () => (await hook(page)).drawn[0]!.length).toBeGreaterThanOrEqual(201);
    await page.keyboard.press('Home');
    expect((await hook(page)).settings.depth).toBe(1);
    for (let i = 0; i < 9; i++) await page.keyboard.press('ArrowRight');
    expect((await hook(page)).settings.depth).toBe(10);

    // the same derivative in every layer: w = 1 keeps the plain product at 1, doubles the residual
    await page.getByLabel('the same w in every layer').check();
    const gain = page.getByLabel('Derivative w');
    await gain.focus();
    await page.keyboard.press('End'); // w = 2
    for (let i = 0; i < 20; i++) await page.keyboard.press('ArrowLeft'); // 20 steps of 0.05
    now = await hook(page);
    expect(now.settings).toMatchObject({ mode: 'constant', gain: 1, depth: 10 });
    expect(now.plain).toEqual(new Array(11).fill(1));
    expect(now.residual).toEqual(Array.from({ length: 11 }, (_, k) => 2 ** k));
    expect(await page.locator('#scalar-chain output').allTextContents()).toEqual(['10', '1.00']);
    // the sentence under the chart: 1^10 without shortcuts, 2^10 ≈ 1.0 × 10³ with them
    const summary = () => page.getByTestId('chain-summary').textContent();
    expect(await summary()).toMatch(/multiplied by\s+1\.00\s+without shortcuts/);
    expect(await summary()).toMatch(/by\s+≈ 1\.0 × 10³\s+with them/);

    // w = 0: the plain gradient is exactly 0 (marked on the axis), the residual one 1
    for (let i = 0; i < 20; i++) await page.keyboard.press('ArrowLeft');
    now = await hook(page);
    expect(now.settings.gain).toBe(0);
    expect(now.plain.slice(1).every((v) => v === 0)).toBe(true);
    expect(now.residual.every((v) => v === 1)).toBe(true);
    expect(await summary()).toMatch(/by\s+exactly 0\s+without shortcuts/);

    // random derivatives: another seed, other products
    await page.locator('#scalar-chain input[type=radio][value=normal]').check();
    const seed1 = (await hook(page)).plain;
    await page.getByRole('button', { name: 'Resample' }).click();
    now = await hook(page);
    expect(now.settings.seed).toBe(2);
    expect(now.plain).not.toEqual(seed1);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('overlays the gradient per block measured on the live 56-layer pair, with its step', async () => {
    const { context, page, problems } = await site.open('');
    await showChain(page);
    await page.locator('#measured-chain').scrollIntoViewIfNeeded();
    // without reduced motion the pair starts by itself once on screen
    await page.waitForFunction(
      () => ((window as unknown as { __math: MathHook }).__math.measured?.step ?? 0) >= 20,
      undefined,
      { timeout: 60_000 },
    );
    const m = (await hook(page)).measured!;
    // 27 blocks: the top one is 1 by definition, 26 below it
    expect(m.plain).toHaveLength(27);
    expect(m.resnet).toHaveLength(27);
    expect(m.plain[0]).toBe(1);
    expect(m.resnet[0]).toBe(1);
    // without normalisation the plain net's gradient vanishes on the way down; the ResNet's does not
    expect(m.plain[26]!).toBeLessThan(1e-2);
    expect(m.resnet[26]!).toBeGreaterThan(0.1);
    expect(m.resnet[26]!).toBeLessThan(100);
    // drawn as the third and fourth series, and the step is on the page
    const drawn = (await hook(page)).drawn;
    expect(drawn).toHaveLength(4);
    const step = Number(await page.getByTestId('measured-step').textContent());
    expect(step).toBeGreaterThanOrEqual(m.step);
    expect(drawn[2]!.slice(0, 27).every((v) => v !== null)).toBe(true);
    // the sentence under the figure reads the measured ratios out
    const said = (await page.getByTestId('measured-summary').textContent())!.replace(/\s+/g, ' ');
    expect(said).toMatch(/At step\s+\d+, the gradient reaching the plain net's bottom block is/);
    expect(said).toContain("The plain net's gradient vanishes");

    // unticking the overlay removes the measured series
    await page.getByLabel('Overlay the measured 56-layer pair (no normalisation)').uncheck();
    expect((await hook(page)).drawn).toHaveLength(2);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('with reduced motion the measured pair waits for Play', async () => {
    const { context, page, problems } = await site.open('', QUIET);
    await showChain(page);
    await page.locator('#measured-chain').scrollIntoViewIfNeeded();
    await page.waitForTimeout(1500);
    let h = await hook(page);
    expect(h.measured).toBeNull();
    expect(h.status).toBe('ready');
    expect(await page.getByTestId('measured-summary').textContent()).toContain('Press Play');
    await page.locator('#measured-chain').getByRole('button', { name: 'Play' }).click();
    await page.waitForFunction(
      () => (window as unknown as { __math: MathHook }).__math.measured !== null,
      undefined,
      { timeout: 60_000 },
    );
    h = await hook(page);
    expect(h.measured!.plain).toHaveLength(27);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('exports the chart as PNG and its numbers as CSV', async () => {
    const { context, page, problems } = await site.open('', QUIET);
    await showChain(page);
    // set as a drag would: the value, then an input event
    await page.getByLabel('Depth L').evaluate((el: HTMLInputElement) => {
      el.value = '30';
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    const h = await hook(page);
    expect(h.settings.depth).toBe(30);
    const menu = page.getByTestId('export-math-scalar-chain');
    const [png] = await Promise.all([
      page.waitForEvent('download'),
      menu.locator('button[data-format=png]').click(),
    ]);
    expect(png.suggestedFilename()).toBe('resnet-lab-math-scalar-chain.png');
    const bytes = readFileSync(await png.path());
    expect([...bytes.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);

    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      menu.locator('button[data-format=csv]').click(),
    ]);
    expect(csv.suggestedFilename()).toBe('resnet-lab-math-scalar-chain.csv');
    const lines = readFileSync(await csv.path(), 'utf8')
      .trimEnd()
      .split('\n');
    expect(lines[0]).toBe(
      'k (layers below the top),w (layer passed at k),plain ∏ w,residual ∏ (1 + w),plain log10|∏|,residual log10|∏|,Plain-56 measured,ResNet-56 measured',
    );
    // the measured pair has not run (reduced motion): the chain's 31 rows
    expect(lines).toHaveLength(1 + 31);
    const rows = lines.slice(1).map((l) => l.split(','));
    expect(rows.map((r) => Number(r[0]))).toEqual(Array.from({ length: 31 }, (_, k) => k));
    expect(rows[0]!.slice(1, 6)).toEqual(['', '1', '1', '0', '0']);
    for (let k = 0; k <= 30; k++) {
      const [, w, plain, residual, plainLog, resLog] = rows[k]!;
      expect(Number(plain)).toBe(h.plain[k]);
      expect(Number(residual)).toBe(h.residual[k]);
      if (k > 0) {
        // each row's w is the factor between the row above and this one
        const expected = h.plain[k - 1]! * Number(w);
        expect(Math.abs(Number(plain) - expected)).toBeLessThanOrEqual(Math.abs(expected) * 1e-12);
        expect(Number(plainLog)).toBeCloseTo(Math.log10(Math.abs(h.plain[k]!)), 8);
        expect(Number(resLog)).toBeCloseTo(Math.log10(Math.abs(h.residual[k]!)), 8);
      }
    }
    expect(problems).toEqual([]);
    await context.close();
  });

  it('the text’s buttons set the chain and load presets into the lab', async () => {
    const { context, page, problems } = await site.open('', QUIET);
    await showChain(page);
    await page.getByRole('button', { name: 'Put w = ¼ in the chain' }).click();
    const h = await hook(page);
    expect(h.settings).toMatchObject({ mode: 'constant', gain: 0.25, depth: 20 });
    expect(h.plain[20]).toBe(0.25 ** 20);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('scalar-chain');

    await page.getByRole('button', { name: 'Load a 20-layer sigmoid pair into the lab' }).click();
    await expect
      .poll(() =>
        page.evaluate(
          () =>
            (window as unknown as { __pageState: { view: { preset: string | null } } }).__pageState
              .view.preset,
        ),
      )
      .toBe('sigmoid-vanishing');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('training-dynamics-h');

    await page.locator('#math').scrollIntoViewIfNeeded();
    await page.getByRole('button', { name: /gradient flow, layer by layer/ }).click();
    await expect
      .poll(() =>
        page.evaluate(
          () =>
            (window as unknown as { __pageState: { view: { preset: string | null } } }).__pageState
              .view.preset,
        ),
      )
      .toBe('gradient-flow');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('fits a 360 px screen: nothing in the section is wider than the page, no formula scrolls', async () => {
    const { context, page, problems } = await site.open('', {
      ...QUIET,
      viewport: { width: 360, height: 800 },
    });
    await showChain(page);
    const report = await page.evaluate(() => {
      const section = document.getElementById('math')!;
      const limit = document.documentElement.clientWidth;
      const wide = [...section.querySelectorAll<HTMLElement>('*')]
        // visually hidden MathML, and KaTeX's stretchy delimiters (wide SVGs clipped by their box)
        .filter((el) => !el.closest('.katex-mathml') && !el.closest('.katex svg'))
        .filter((el) => el.getBoundingClientRect().right > limit + 1)
        .map((el) => `${el.tagName.toLowerCase()}.${el.getAttribute('class') ?? ''}`);
      const scrolling = [...section.querySelectorAll<HTMLElement>('.tex-display')]
        .filter((el) => el.scrollWidth > el.clientWidth + 1)
        .map((el) => el.querySelector('annotation')?.textContent ?? '');
      return { wide, scrolling };
    });
    expect(report.wide).toEqual([]);
    expect(report.scrolling).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
