/**
 * The Training Dynamics Comparison in Debian's Chromium, from the built site served under /lab/:
 * a ResNet and its plain twin train in the page's worker pool (at most cores − 1 workers, runs
 * sharing a worker interleaved), and each network's events are checked byte for byte against the
 * same config run in this Node process.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultTrainConfig,
  type TrainConfigInput,
  validateTrainConfig,
  withFamilyDefaults,
} from '../../src/experiments/config.ts';
import { type TrainEvent, train } from '../../src/experiments/train.ts';
import { pairConfigs } from '../../src/ui/training/pair.ts';
import { launchChromium } from './browser.ts';
import { fill, stepOf } from './dynamicsForm.ts';
import { serveStatic, type StaticServer } from './server.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** the built site: dist/, or E2E_DIST (a private build, when others share the working tree) */
const DIST = process.env.E2E_DIST ?? join(ROOT, 'dist');
const RESULTS = join(ROOT, 'test-results');

type Net = 'plain' | 'resnet';
const NETS: Net[] = ['plain', 'resnet'];

interface Hook {
  events: Record<Net, TrainEvent[]>;
  batches: number;
  startedAt: number | null;
  firstBatchAt: number | null;
  firstPointAt: number | null;
  draws: number;
  points: number;
  drawTimes: number[];
  mapPaints: number;
  poolSize: number;
  workers: { busy: number; held: number }[];
}

let server: StaticServer;
let browser: Browser;
const figures: Record<string, number | string> = {};

beforeAll(async () => {
  if (!existsSync(join(DIST, 'index.html')))
    throw new Error('dist/ is missing: run `npm run build` (npm run test:e2e does it first)');
  mkdirSync(RESULTS, { recursive: true });
  server = await serveStatic(DIST, '/lab/');
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (Object.keys(figures).length)
    writeFileSync(
      join(RESULTS, 'e2e-dynamics-figures.json'),
      JSON.stringify(figures, null, 2) + '\n',
    );
});

interface Opened {
  context: BrowserContext;
  page: Page;
  /** console errors, page errors, worker errors and failed requests */
  problems: string[];
}

async function open(viewport = { width: 1280, height: 900 }, query = ''): Promise<Opened> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('worker', (w) =>
    w.on('console', (m) => {
      if (m.type() === 'error') problems.push(`worker console: ${m.text()}`);
    }),
  );
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  await page.goto(`${server.url}?e2e${query}`);
  await page.locator('#settings').waitFor();
  await page.locator('html[data-sections="loaded"]').waitFor({ state: 'attached' });
  return { context, page, problems };
}

const button = (page: Page, name: string) =>
  page.locator('.dynamics').getByRole('button', { name, exact: true });

const hook = (page: Page): Promise<Hook> =>
  page.evaluate(() => {
    const h = (window as unknown as { __lab: Hook }).__lab;
    return {
      events: { plain: [...h.events.plain], resnet: [...h.events.resnet] },
      batches: h.batches,
      startedAt: h.startedAt,
      firstBatchAt: h.firstBatchAt,
      firstPointAt: h.firstPointAt,
      draws: h.draws,
      points: h.points,
      drawTimes: [...h.drawTimes],
      mapPaints: h.mapPaints,
      poolSize: h.poolSize,
      workers: h.workers.map((w) => ({ ...w })),
    };
  });

/** Waits until both networks have finished; fails on an alert unless `alerts` is set. */
async function waitForEnd(page: Page, timeout = 90_000, alerts = false): Promise<void> {
  await page.locator('.dynamics[data-status="finished"]').waitFor({ timeout });
  if (!alerts) expect(await page.locator('.dynamics .alert').allTextContents()).toEqual([]);
}

/** The two runs of a page config in this Node process. */
function nodePair(config: TrainConfigInput, digits?: Uint8Array): Record<Net, TrainEvent[]> {
  // a conv net's family defaults (the digits, branches at scale one) as the form fills them
  const given = withFamilyDefaults(config) as TrainConfigInput;
  const checked = validateTrainConfig({ ...defaultTrainConfig(), ...given });
  if (!checked.ok) throw new Error(checked.errors.join('; '));
  const configs = pairConfigs(checked.value);
  const run = (net: Net) => [...train(configs[net], digits ? { digits } : {})];
  return { plain: run('plain'), resnet: run('resnet') };
}

/** Pixels of a canvas that differ from its first pixel (a blank canvas has none). */
async function paintedPixels(page: Page, selector: string): Promise<number[]> {
  return page.$$eval(selector, (canvases) =>
    (canvases as HTMLCanvasElement[]).map((c) => {
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      const colours = new Set<number>();
      for (let i = 0; i < data.length; i += 4 * 7)
        colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
      return colours.size;
    }),
  );
}

const SMALL = { arch: 'resnet', depth: 8, width: 16, dataset: 'spiral', steps: 300 } as const;

describe('Training Dynamics Comparison in Chromium, served from /lab/', () => {
  it('loads with no console errors; every control labelled, described and operable', async () => {
    const { context, page, problems } = await open();
    const unlabelled = await page.$$eval('#settings input, #settings select', (controls) =>
      controls
        .filter(
          (c) => !(c as HTMLInputElement).labels?.length || !c.getAttribute('aria-describedby'),
        )
        .map((c) => c.id),
    );
    expect(unlabelled).toEqual([]);
    for (const name of ['Start', 'Pause', 'Step', 'Reset'])
      await expect(button(page, name).count()).resolves.toBe(1);
    // every block type, and the 2-D sets and digits
    const archs = await page.$$eval('#field-arch option', (o) =>
      o.map((x) => (x as HTMLOptionElement).value),
    );
    expect(archs).toEqual([
      'plain',
      'resnet',
      'preact',
      'bottleneck',
      'highway',
      'densenet',
      'resnext',
    ]);
    const sets = await page.$$eval('#field-dataset option', (o) =>
      o.map((x) => (x as HTMLOptionElement).value),
    );
    expect(sets).toEqual(['spiral', 'circles', 'xor', 'moons', 'blobs', 'digits']);
    // the help appears as a tip on keyboard focus, and is the control's description
    const tip = page.locator('#field-lr-help');
    await expect(tip.isVisible()).resolves.toBe(false);
    await page.locator('#field-lr').focus();
    await expect(tip.isVisible()).resolves.toBe(true);
    await expect(page.locator('#field-lr').getAttribute('aria-describedby')).resolves.toContain(
      'field-lr-help',
    );
    // keyboard: Tab from the learning rate reaches the next control
    await page.keyboard.press('Tab');
    const next = await page.evaluate(() => document.activeElement?.id);
    expect(next).toMatch(/^field-/);
    await page.waitForTimeout(300);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("hides the controls a classroom link names, and starts from the link's settings", async () => {
    const { context, page, problems } = await open(undefined, '&depth=32&hide=lr,optimizer');
    await expect(page.locator('#field-lr').count()).resolves.toBe(0);
    await expect(page.locator('#field-optimizer').count()).resolves.toBe(0);
    await expect(page.locator('#field-depth').inputValue()).resolves.toBe('32');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('trains both networks: both curves grow, the ResNet loss falls, the maps draw', async () => {
    const { context, page, problems } = await open();
    // long enough to span many event batches: 300 steps of this small net now fit in one, and a
    // chart that arrives whole cannot show that it grows while training
    await fill(page, { ...SMALL, steps: 3000 });
    const t0 = Date.now();
    await button(page, 'Start').click();
    await page.waitForFunction(() => (window as unknown as { __lab: Hook }).__lab.points > 0);
    const early = (await hook(page)).points;
    await waitForEnd(page);
    const seconds = (Date.now() - t0) / 1000;
    const h = await hook(page);

    // the pool's workers (shared with the Introduction's live figures): never more than the
    // cores the page can spare, loaded from the sub-path, a few batches a second per run
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const { poolSize } = await hook(page);
    expect(poolSize).toBe(Math.max(1, cores - 1));
    const workers = page.workers().map((w) => w.url());
    expect(workers.length).toBeGreaterThanOrEqual(1);
    expect(workers.length).toBeLessThanOrEqual(poolSize);
    for (const w of workers) expect(w).toMatch(/\/lab\/assets\/train\.worker-[\w-]+\.js$/);
    expect(h.batches).toBeLessThanOrEqual(2 * (Math.ceil(seconds * 25) + 5));
    // and the page's own script holds no training code: it cannot have trained here
    const assets = readdirSync(join(DIST, 'assets')).filter((f) => f.endsWith('.js'));
    for (const f of assets.filter((f) => !f.startsWith('train.worker')))
      expect(readFileSync(join(DIST, 'assets', f), 'utf8')).not.toContain('computeGradients');

    for (const net of NETS) {
      const events = h.events[net];
      const steps = events.filter((e) => e.type === 'step');
      const evals = events.filter((e) => e.type === 'eval');
      expect(steps.length, net).toBe(300);
      expect(evals.length, net).toBe(61); // steps 0, 50, …, 3000
      expect(events.at(-1)).toMatchObject({ type: 'done', steps: 3000, cancelled: false });
      await expect(page.getByTestId(`step-${net}`).textContent()).resolves.toBe('3000');
    }
    const resnetSteps = h.events.resnet.filter((e) => e.type === 'step');
    expect(resnetSteps.at(-1)!.loss).toBeLessThan(resnetSteps[0]!.loss);
    const start = h.events.plain[0];
    expect(start?.type === 'start' && start.model.shortcut).toBe(false);
    const startR = h.events.resnet[0];
    expect(startR?.type === 'start' && startR.model.shortcut).toBe(true);

    // the chart: one row per distinct step of either network; it grew while training
    const distinct = new Set(
      NETS.flatMap((n) =>
        h.events[n].filter((e) => 'step' in e).map((e) => (e as { step: number }).step),
      ),
    ).size;
    expect(h.points).toBe(distinct);
    expect(h.points).toBeGreaterThan(early);
    await expect(page.locator('.dynamics .u-over').count()).resolves.toBe(2);
    // the final table
    const done = h.events.resnet.at(-1);
    if (done?.type !== 'done' || !done.final) throw new Error('no final metrics');
    await expect(page.getByTestId('final-resnet-trainLoss').textContent()).resolves.toBe(
      done.final.trainLoss!.toFixed(4),
    );

    // the decision maps: both drawn, with more than a blank canvas's colours
    await page.getByTestId('maps').waitFor();
    await page.waitForFunction(() => (window as unknown as { __lab: Hook }).__lab.mapPaints >= 2);
    await page.waitForTimeout(300);
    const colours = await paintedPixels(page, '.dynamics [data-testid="maps"] [role="img"] canvas');
    expect(colours).toHaveLength(2);
    for (const c of colours) expect(c).toBeGreaterThan(20);
    figures.mapDistinctColours = colours.join(', ');

    // the legend hides a series, and the log scale toggles
    await page.getByLabel('Plain twin training loss').first().uncheck();
    await page.getByLabel('Logarithmic scale').check();
    await page.getByLabel('Plain twin training loss').first().check();

    await page
      .locator('.dynamics')
      .screenshot({ path: join(RESULTS, 'dynamics-after-training.png') });
    expect(problems).toEqual([]);
    await context.close();
  });

  const determinism: [string, TrainConfigInput][] = [
    ['resnet depth 8, momentum, spiral', { ...SMALL }],
    [
      'plain depth 14 (vs resnet), adam, tanh, moons, no norm',
      {
        arch: 'plain',
        depth: 14,
        width: 12,
        dataset: 'moons',
        norm: 'none',
        activation: 'tanh',
        init: 'glorot',
        optimizer: 'adam',
        lr: 0.003,
        batch: 32,
        steps: 200,
        seed: 7,
      },
    ],
  ];

  // V8 in Node and in Chromium round Math.exp/log/… differently in the last bit; the engine uses
  // its own math, so the JSON of both networks' event streams must match byte for byte — even
  // with the decision maps asking the workers for predictions between steps.
  it.each(determinism)(
    'gives byte-identical events in Node and in the workers: %s',
    async (_, cfg) => {
      const { context, page, problems } = await open();
      await fill(page, cfg as Record<string, string | number>);
      await button(page, 'Start').click();
      await waitForEnd(page);
      const { events, mapPaints } = await hook(page);
      const expected = nodePair(cfg);
      for (const net of NETS) {
        expect(events[net].length, net).toBe(expected[net].length);
        expect(JSON.stringify(events[net]), net).toBe(JSON.stringify(expected[net]));
      }
      expect(mapPaints).toBeGreaterThan(0);
      expect(problems).toEqual([]);
      await context.close();
    },
  );

  it('a convolutional pair gives byte-identical events in Node and in the workers', async () => {
    const { context, page, problems } = await open();
    await fill(page, { model: 'conv' });
    const cfg = { model: 'conv', depth: 8, width: 4, batch: 16, samples: 400, steps: 40, seed: 3 };
    await fill(page, cfg);
    await button(page, 'Start').click();
    await waitForEnd(page);
    const { events } = await hook(page);
    const bytes = new Uint8Array(readFileSync(join(DIST, 'data/digits-14.bin')));
    const expected = nodePair(cfg, bytes);
    // the page also asks for the first stage's feature maps: events of their own, beside these
    const trained = (list: readonly { type: string }[]) =>
      list.filter((e) => e.type !== 'featureMaps');
    for (const net of NETS) {
      expect(expected[net].at(-1)?.type, net).toBe('done');
      expect(JSON.stringify(trained(events[net])), net).toBe(JSON.stringify(expected[net]));
    }
    expect(problems).toEqual([]);
    await context.close();
  });

  it('trains on the digits and shows each network’s predicted labels', async () => {
    const { context, page, problems } = await open();
    const cfg = { dataset: 'digits', depth: 8, width: 32, steps: 60 };
    const logged = server.log.length; // the server's log holds the earlier tests' requests too
    await fill(page, cfg);
    await button(page, 'Start').click();
    await waitForEnd(page);
    expect(server.log.slice(logged).filter((l) => l.path === '/lab/data/digits-14.bin')).toEqual([
      { path: '/lab/data/digits-14.bin', status: 200 },
    ]);
    const { events } = await hook(page);
    const bytes = new Uint8Array(readFileSync(join(DIST, 'data/digits-14.bin')));
    const expected = nodePair(cfg, bytes);
    for (const net of NETS)
      expect(JSON.stringify(events[net]), net).toBe(JSON.stringify(expected[net]));
    const grid = page.getByTestId('digits');
    await grid.waitFor();
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid="digit-prediction"] strong')].every(
        (s) => s.textContent !== '–',
      ),
    );
    const predictions = await page.getByTestId('digit-prediction').allTextContents();
    expect(predictions).toHaveLength(48); // 24 digits × 2 networks
    for (const p of predictions)
      expect(p).toMatch(/(ResNet|Plain twin)\s+\d\s*[✓✗]\s*(right|wrong)/);
    const digitColours = await paintedPixels(page, '[data-testid="digits"] canvas');
    expect(digitColours).toHaveLength(24);
    for (const c of digitColours) expect(c).toBeGreaterThan(3);
    await grid.screenshot({ path: join(RESULTS, 'dynamics-digits.png') });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('says which network diverged, and at which step, while the other keeps training', async () => {
    // Without normalisation, residual branches that start at scale one make the signal grow
    // with depth: the ResNet blows up, its plain twin does not.
    const cfg = {
      lr: 0.1,
      norm: 'none',
      residualInit: 'one',
      optimizer: 'sgd',
      depth: 20,
      steps: 400,
      logEvery: 1,
    };
    const expected = nodePair(cfg);
    const diverged = expected.resnet.find((e) => e.type === 'diverged');
    if (diverged?.type !== 'diverged') throw new Error('this config no longer diverges in Node');
    expect(expected.plain.find((e) => e.type === 'diverged')).toBeUndefined();
    const { context, page, problems } = await open();
    await fill(page, cfg);
    await button(page, 'Start').click();
    const message = page.getByTestId('diverged-resnet');
    await message.waitFor();
    await expect(message.textContent()).resolves.toMatch(
      new RegExp(`Diverged at step ${diverged.step}\\b`),
    );
    await expect(message.getAttribute('role')).resolves.toBe('alert');
    await expect(page.getByTestId('diverged-plain').count()).resolves.toBe(0);
    // the plain network keeps going past the ResNet's end
    await page.waitForFunction(
      (n) => Number(document.querySelector('[data-testid="step-plain"]')?.textContent) > n + 50,
      diverged.step,
    );
    await waitForEnd(page, 90_000, true);
    await expect(page.getByTestId('step-plain').textContent()).resolves.toBe('400');
    await expect(page.getByTestId('final-resnet-testLoss').textContent()).resolves.toBe('diverged');
    await page.locator('.dynamics').screenshot({ path: join(RESULTS, 'dynamics-diverged.png') });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('pauses, steps both networks one step at a time, resumes and resets', async () => {
    const { context, page, problems } = await open();
    await fill(page, { depth: 20, steps: 100000, logEvery: 1 });
    await button(page, 'Start').click();
    await page.waitForFunction(() => (window as unknown as { __lab: Hook }).__lab.points > 5);
    await button(page, 'Pause').click();
    await button(page, 'Resume').waitFor();
    // the batches sent before the pause may still be on their way (a busy machine): wait until
    // both counters stand still, then check that they stay still
    const read = async () => ({
      plain: await stepOf(page, 'plain'),
      resnet: await stepOf(page, 'resnet'),
    });
    let before = await read();
    for (let tries = 0; tries < 20; tries++) {
      await page.waitForTimeout(400);
      const now = await read();
      if (now.plain === before.plain && now.resnet === before.resnet) break;
      before = now;
    }
    await page.waitForTimeout(600);
    for (const net of NETS) expect(await stepOf(page, net)).toBe(before[net]); // really paused
    for (let k = 1; k <= 2; k++) {
      await button(page, 'Step').click();
      await page.waitForFunction(
        ([p, r]) =>
          Number(document.querySelector('[data-testid="step-plain"]')?.textContent) === p &&
          Number(document.querySelector('[data-testid="step-resnet"]')?.textContent) === r,
        [before.plain + k, before.resnet + k],
      );
    }
    const h = await hook(page);
    for (const net of NETS)
      expect(h.events[net].filter((e) => e.type === 'step').at(-1)).toMatchObject({
        step: before[net] + 2,
      });
    await button(page, 'Resume').click();
    await page.waitForFunction(
      (n) => Number(document.querySelector('[data-testid="step-resnet"]')?.textContent) > n,
      before.resnet + 10,
    );
    await button(page, 'Reset').click();
    for (const net of NETS)
      await expect(page.getByTestId(`step-${net}`).textContent()).resolves.toBe('0');
    await page.waitForTimeout(300);
    expect((await hook(page)).points).toBe(0);
    await expect(button(page, 'Start').isEnabled()).resolves.toBe(true);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('explains an invalid depth and does not start', async () => {
    const { context, page, problems } = await open();
    await fill(page, { arch: 'resnet', depth: 57 });
    const inline = page.locator('#field-depth-error');
    await expect(inline.textContent()).resolves.toContain('nearest valid: 56 or 58');
    await expect(page.locator('#field-depth').getAttribute('aria-invalid')).resolves.toBe('true');
    await button(page, 'Start').click();
    await page.waitForTimeout(300);
    const focused = await page.evaluate(() => document.activeElement?.className ?? '');
    expect(focused).toContain('error-summary');
    await expect(page.locator('.error-summary').textContent()).resolves.toContain(
      'Depth (weight layers)',
    );
    expect((await hook(page)).batches).toBe(0);
    await fill(page, { depth: '' });
    await expect(inline.textContent()).resolves.toContain('enter a number');
    await fill(page, { depth: 56 });
    await expect(page.locator('.error-summary').count()).resolves.toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });

  // Space for what a run adds (the parameter counts, the decision maps, the final metrics) is
  // laid out before Start: content arriving while the reader reads would push the page down, and
  // each such move made Chromium re-lay and repaint the whole article in the frames after Start.
  for (const width of [1280, 360])
    it(`nothing below the networks moves when a run starts and ends (${width} px)`, async () => {
      const { context, page, problems } = await open({ width, height: 900 });
      await fill(page, { ...SMALL, steps: 100 });
      const height = () =>
        page.evaluate(() => {
          const box = document.querySelector('.dynamics')!.getBoundingClientRect();
          return box.bottom - box.top;
        });
      const before = await height();
      await button(page, 'Start').click();
      await waitForEnd(page);
      await page.getByTestId('maps').waitFor();
      await page.getByTestId('final').waitFor();
      expect(await height()).toBeCloseTo(before, 0);
      expect(problems).toEqual([]);
      await context.close();
    });

  it('fits a 360 px wide screen', async () => {
    const { context, page, problems } = await open({ width: 360, height: 740 });
    await fill(page, { ...SMALL, steps: 100 });
    await button(page, 'Start').click();
    await waitForEnd(page);
    await page.getByTestId('maps').waitFor();
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.locator('.dynamics').screenshot({ path: join(RESULTS, 'dynamics-360px.png') });
    expect(problems).toEqual([]);
    await context.close();
  });

  /**
   * The pair at depth 56 in Training Dynamics with the article's other live runs paused
   * (scrolled away): both train in the pool's workers and the charts keep updating. How fast,
   * and how smooth the page stays, is `npm run bench:page`'s business (a test that fails when
   * the machine is busy is a defect).
   */
  async function trainPair(query: string) {
    const { context, page, problems } = await open(undefined, query);
    await fill(page, { arch: 'resnet', depth: 56, width: 16, dataset: 'spiral', steps: 100000 });
    await page.evaluate(() => {
      document.documentElement.style.scrollBehavior = 'auto';
      document.querySelector('.dynamics')!.scrollIntoView({ block: 'start' });
    });
    await button(page, 'Start').click();
    await page.waitForFunction(() => (window as unknown as { __lab: Hook }).__lab.points > 0);
    const read = async () => ({
      plain: await stepOf(page, 'plain'),
      resnet: await stepOf(page, 'resnet'),
      draws: (await hook(page)).draws,
    });
    const before = await read();
    // until both networks and the chart have moved on (no clock: however busy the machine is)
    await page.waitForFunction(
      (b) => {
        const h = (window as unknown as { __lab: Hook }).__lab;
        const step = (net: string) =>
          Number(document.querySelector(`[data-testid="step-${net}"]`)?.textContent);
        return step('plain') > b.plain && step('resnet') > b.resnet && h.draws > b.draws + 2;
      },
      before,
      { timeout: 60_000 },
    );
    const after = await read();
    const { workers, poolSize } = await hook(page);
    await button(page, 'Pause').click();
    await context.close();
    return { before, after, workers, poolSize, problems };
  }

  it('trains the pair in workers, never on the page, and keeps the charts updating', async () => {
    const cores = await (async () => {
      const { context, page } = await open();
      const n = await page.evaluate(() => navigator.hardwareConcurrency);
      await context.close();
      return n;
    })();
    const pool = await trainPair('');
    // one worker per network, whatever the cores
    const two = await trainPair('&workers=2');
    // the pool: at most cores − 1 workers; only the pair trains (the article's runs are paused)
    expect(pool.poolSize).toBe(Math.max(1, cores - 1));
    expect(pool.workers.length).toBeLessThanOrEqual(pool.poolSize);
    expect(pool.workers.reduce((n, w) => n + w.busy, 0)).toBe(2);
    expect(two.workers.filter((w) => w.busy > 0)).toHaveLength(2);
    for (const m of [pool, two]) {
      expect(m.after.plain).toBeGreaterThan(m.before.plain);
      expect(m.after.resnet).toBeGreaterThan(m.before.resnet);
      expect(m.after.draws).toBeGreaterThan(m.before.draws);
      expect(m.problems).toEqual([]);
    }
  });
});
