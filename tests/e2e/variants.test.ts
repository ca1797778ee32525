/**
 * The ResNet Variants section in the built site: the cards' exact counts and published results,
 * the comparison table's sorting (mouse and keyboard), the spec editor's errors and live counts,
 * the train-the-small-version buttons, the SVG and CSV exports, and the 360 px layout — with no
 * console problems.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../src/ui/state/presets.ts';
import { scrollToSection, useSite } from './fixture.ts';

const site = useSite();

interface PageState {
  config: Record<string, unknown>;
  view: { preset: string | null };
}

const pageState = (page: Page) =>
  page.evaluate(
    () => (window as unknown as { __pageState: PageState }).__pageState,
  ) as Promise<PageState>;

/** The comparison table's rows as [name, params] in the order shown. */
async function tableRows(page: Page): Promise<[string, number][]> {
  return page.$$eval('[data-testid=variants-comparison-table] tbody tr', (rows) =>
    rows.map((r) => [
      r.getAttribute('data-name') ?? '',
      Number(r.querySelector('[data-testid=params]')!.textContent!.replaceAll(',', '')),
    ]),
  );
}

describe('ResNet Variants', () => {
  it('shows each variant’s exact parameter count, its published result and its diagram', async () => {
    const { context, page, problems } = await site.open('#variants');
    try {
      const expected: [string, string, string, string][] = [
        // card, parameters, published error, cited work
        ['resnet50', '25,557,032', '22.85 %', 'ref-he2015'],
        ['resnet101', '44,549,160', '21.75 %', 'ref-he2015'],
        ['resnet152', '60,192,808', '21.43 %', 'ref-he2015'],
        ['resnext', '25,028,904', '22.2 %', 'ref-xie2017'],
        ['densenet', '7,978,856', '25.02 %', 'ref-huang2017'],
        ['highway', '544,660', '92.46 %', 'ref-srivastava2015'],
      ];
      for (const [id, params, error, ref] of expected) {
        const card = page.getByTestId(`variant-${id}`);
        expect(await card.getByTestId(`variant-${id}-params`).textContent(), id).toBe(params);
        const text = (await card.textContent()) ?? '';
        expect(text, id).toContain(error);
        expect(await card.locator(`a.cite[href="#${ref}"]`).count(), id).toBeGreaterThan(0);
        expect(await card.locator('h3').count(), id).toBe(1);
        // the diagram: an accessible SVG whose skip connections are dashed and orange
        const svg = card.locator('svg.block-diagram');
        expect(await svg.getAttribute('role')).toBe('img');
        const skip = await svg.locator('polyline.edge.skip').evaluateAll((els) =>
          els.map((el) => {
            const s = getComputedStyle(el);
            return { dash: s.strokeDasharray, stroke: s.stroke };
          }),
        );
        expect(skip.length, id).toBeGreaterThan(0);
        for (const s of skip) {
          expect(s.dash, id).not.toBe('none');
          expect(s.stroke, id).toBe('rgb(199, 119, 0)');
        }
        expect(await svg.locator('.legend').textContent(), id).toMatch(/skip connection/);
      }
      // ResNets show both stride placements' multiply-adds
      const r50 = (await page.getByTestId('variant-resnet50').textContent()) ?? '';
      expect(r50).toContain('4.089 G');
      expect(r50).toContain('3.858 G');
      // a card with several networks follows its select
      await page.locator('#variant-densenet-pick').selectOption('densenet169');
      await expect
        .poll(() => page.getByTestId('variant-densenet-params').textContent())
        .toBe('14,149,480');
      expect(await page.getByTestId('variant-densenet').textContent()).toContain('23.80 %');
      // the stage table opens and adds up to the card's total
      const details = page.getByTestId('variant-resnet50').locator('details.stages');
      await details.locator('summary').click();
      const total = await details.locator('tfoot td').first().textContent();
      expect(total).toBe('25,557,032');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('sorts the comparison table by any column, by mouse and by keyboard', async () => {
    const { context, page, problems } = await site.open('#variants-comparison');
    try {
      const before = await tableRows(page);
      expect(before.length).toBeGreaterThanOrEqual(15);
      const params = page.locator('#variants-comparison th[data-column=params]');
      expect(await params.getAttribute('aria-sort')).toBeNull();
      await params.getByRole('button').click();
      expect(await params.getAttribute('aria-sort')).toBe('ascending');
      const up = await tableRows(page);
      expect(up.map((r) => r[1])).toEqual([...up.map((r) => r[1])].sort((a, b) => a - b));
      expect(up.map((r) => r[0])).not.toEqual(before.map((r) => r[0]));
      expect(up[0]![0]).toBe('highway-10');
      await params.getByRole('button').click();
      expect(await params.getAttribute('aria-sort')).toBe('descending');
      const down = await tableRows(page);
      expect(down[0]![0]).toBe('resnet152');
      expect(down.map((r) => r[1])).toEqual([...down.map((r) => r[1])].sort((a, b) => b - a));
      // keyboard: focus the published-error header's button, press Enter
      const error = page.locator('#variants-comparison th[data-column=error]');
      await error.getByRole('button').focus();
      await page.keyboard.press('Enter');
      expect(await error.getAttribute('aria-sort')).toBe('ascending');
      expect(await params.getAttribute('aria-sort')).toBeNull();
      const byError = await tableRows(page);
      expect(byError[0]![0]).toBe('cifar-resnet110');
      // networks without a published error come last, in both directions
      expect(byError.slice(-4).map((r) => r[0])).toEqual([
        'highway-10',
        'highway-20',
        'highway-50',
        'highway-100',
      ]);
      await page.keyboard.press('Space');
      expect(await error.getAttribute('aria-sort')).toBe('descending');
      expect((await tableRows(page)).slice(-4).every((r) => r[0].startsWith('highway'))).toBe(true);
      expect(await page.getByTestId('variants-comparison-status').textContent()).toMatch(
        /Sorted by published error, descending/,
      );
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('the spec editor points at a wrong field, explains bad JSON and counts a valid edit', async () => {
    const { context, page, problems } = await site.open('#variants-spec');
    try {
      const area = page.getByTestId('variants-spec-text');
      const result = page.getByTestId('variants-spec-result');
      // seeded from the chosen builtin, valid
      await expect.poll(() => result.getAttribute('data-state')).toBe('valid');
      expect(await page.getByTestId('variants-spec-params').textContent()).toBe('25,557,032');

      const bad = '{"family":"resnet","block":"bottleneck","layers":[3,4,"x",3]}';
      await area.fill(bad);
      await expect.poll(() => result.getAttribute('data-state')).toBe('invalid');
      const errors = page.getByTestId('variants-spec-errors');
      const first = errors.locator('li').first();
      expect(await first.textContent()).toMatch(/^\s*layers\[2\]: expected a positive integer/);
      expect(await area.getAttribute('aria-invalid')).toBe('true');
      // clicking the error selects the field in the text
      await first.getByRole('button').click();
      const selection = await area.evaluate((el: HTMLTextAreaElement) => ({
        text: el.value.slice(el.selectionStart, el.selectionEnd),
        focused: document.activeElement === el,
      }));
      expect(selection).toEqual({ text: '"x"', focused: true });

      // a missing field is listed, without a place to point at
      await area.fill('{"family":"resnet","layers":[3,4,6,3],"grops":2}');
      await expect.poll(() => errors.locator('li').allTextContents()).toHaveLength(2);
      const lines = (await errors.locator('li').allTextContents()).map((t) => t.trim());
      expect(lines.some((l) => l.startsWith('grops: unknown field'))).toBe(true);
      expect(lines.some((l) => l.startsWith('block: required'))).toBe(true);
      expect(await errors.getByRole('button').count()).toBe(1);

      // not JSON at all: where, in line and column
      await area.fill('{\n  "family": resnet\n}');
      await expect.poll(() => result.getAttribute('data-state')).toBe('syntax');
      expect(await page.locator('#variants-spec-status').textContent()).toMatch(
        /not valid JSON, at line 2, column 13: expected a value, found resnet/,
      );

      // garbage never breaks it
      for (const junk of ['[', '"', '{"family":"resnet","layers":{"a":[[[]]]}}', 'null', '}{']) {
        await area.fill(junk);
        await expect.poll(() => result.getAttribute('data-state')).toMatch(/^(syntax|invalid)$/);
      }

      // a valid edit: ResNet-50's spec with conv4_x of 23 blocks is ResNet-101
      const base = page.locator('#variants-spec-base');
      await base.selectOption('densenet121');
      await expect
        .poll(() => page.getByTestId('variants-spec-params').textContent())
        .toBe('7,978,856');
      await base.selectOption('resnet50');
      const text = await area.inputValue();
      expect(text).toContain('"layers": [3, 4, 6, 3]');
      await area.fill(text.replace('[3, 4, 6, 3]', '[3, 4, 23, 3]'));
      await expect
        .poll(() => page.getByTestId('variants-spec-params').textContent())
        .toBe('44,549,160');
      expect(await page.locator('#variants-spec-status').textContent()).toMatch(
        /Accepted:\s+44,549,160 parameters, 7\.801 G multiply-adds/,
      );
      expect(await page.locator('#variants-spec svg.block-diagram').count()).toBe(1);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('“Train the small version” loads the block into Training Dynamics and moves focus there', async () => {
    const { context, page, problems } = await site.open('#variants');
    try {
      for (const [card, preset] of [
        ['resnext', 'resnext'],
        ['highway', 'highway'],
        ['resnet101', 'bottleneck-101'],
        ['densenet', 'densenet'],
      ] as const) {
        const card$ = page.getByTestId(`variant-${card}`);
        // the card says what it will train, from the preset itself
        const small = (await card$.locator(`#variant-${card}-small`).textContent()) ?? '';
        expect(small).toContain(`${PRESETS[preset].config.depth} layers deep`);
        expect(small).toContain(`width ${PRESETS[preset].config.width}`);
        await page.getByTestId(`variant-${card}-train`).click();
        await expect
          .poll(async () => (await pageState(page)).config.arch)
          .toBe(PRESETS[preset].config.arch);
        const state = await pageState(page);
        for (const [key, value] of Object.entries(PRESETS[preset].config))
          expect(state.config[key], `${card} ${key}`).toBe(value);
        expect(state.view.preset).toBe(preset);
        expect(
          await page.evaluate(() => document.activeElement?.closest('section')?.id ?? null),
        ).toBe('training-dynamics');
        await scrollToSection(page, 'variants');
      }
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('exports a diagram as a valid SVG and the comparison as CSV', async () => {
    const { context, page, problems } = await site.open('#variants');
    try {
      const menu = page.getByTestId('export-variant-resnext-block');
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        menu.locator('button[data-format=svg]').click(),
      ]);
      expect(download.suggestedFilename()).toBe('resnet-lab-variant-resnext-block.svg');
      const svg = readFileSync((await download.path())!, 'utf8');
      expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg')).toBe(true);
      expect(svg).toMatch(/<svg[^>]* xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      expect(svg).toContain('path 32');
      expect(svg).toContain('skip connection: identity shortcut');
      // the skip connection keeps its dash and colour without the page's stylesheet
      expect(svg).toMatch(/stroke:\s*rgb\(199, 119, 0\);[^"]*stroke-dasharray:\s*7(px)?,?\s*4/);
      const parsed = await page.evaluate((text) => {
        const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
        return {
          error: doc.querySelector('parsererror')?.textContent ?? null,
          root: doc.documentElement.localName,
          edges: doc.querySelectorAll('polyline').length,
        };
      }, svg);
      expect(parsed.error).toBeNull();
      expect(parsed.root).toBe('svg');
      expect(parsed.edges).toBeGreaterThan(5);

      const [csvDownload] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId('export-variants-comparison').locator('button[data-format=csv]').click(),
      ]);
      expect(csvDownload.suggestedFilename()).toBe('resnet-lab-variants-comparison.csv');
      const csv = readFileSync((await csvDownload.path())!, 'utf8')
        .trimEnd()
        .split('\n');
      expect(csv[0]).toBe(
        'network,name,block,depth,input,params,macs,published_error_percent,metric,source',
      );
      expect(csv.find((l) => l.startsWith('ResNet-152,'))).toContain(',60192808,');

      // a card's stage table, as CSV, adds up to the card's total
      const card = page.getByTestId('variant-densenet');
      await card.locator('details.stages summary').click();
      const [stagesDownload] = await Promise.all([
        page.waitForEvent('download'),
        card
          .getByTestId('export-variant-densenet-stages')
          .locator('button[data-format=csv]')
          .click(),
      ]);
      const stages = readFileSync((await stagesDownload.path())!, 'utf8')
        .trimEnd()
        .split('\n');
      expect(stages[0]).toBe('stage,module,output_size,block,repeats,detail,params,macs');
      expect(stages).toHaveLength(13);
      const sum = stages
        .slice(1)
        .map((l) => Number(l.split(',').at(-2)))
        .reduce((a, b) => a + b, 0);
      expect(sum).toBe(7_978_856);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('fits a 360 px screen: the tables scroll inside their own boxes', async () => {
    const { context, page, problems } = await site.open('#variants', {
      viewport: { width: 360, height: 800 },
      reducedMotion: 'reduce',
    });
    try {
      await scrollToSection(page, 'variants');
      await page.getByTestId('variant-densenet').locator('details.stages summary').click();
      const widths = await page.evaluate(() => {
        const box = document.querySelector<HTMLElement>('#variants-comparison [role=region]')!;
        return {
          page: document.documentElement.scrollWidth,
          view: window.innerWidth,
          boxScroll: box.scrollWidth,
          boxClient: box.clientWidth,
          focusable: box.tabIndex,
        };
      });
      expect(widths.page).toBeLessThanOrEqual(widths.view);
      expect(widths.boxScroll).toBeGreaterThan(widths.boxClient);
      expect(widths.focusable).toBe(0);
      // the diagrams scale down to the column
      for (const svg of await page.locator('#variants svg.block-diagram').all()) {
        const box = (await svg.boundingBox())!;
        expect(box.x + box.width).toBeLessThanOrEqual(360);
      }
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
