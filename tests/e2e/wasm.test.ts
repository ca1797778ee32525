/**
 * The kernel paths in the browser: the built site's own training worker (dist/assets/
 * train.worker-*.js, the file the page runs) trains in Debian's Chromium, and its events must
 * equal this Node process's events for the same config byte for byte — every number compared by
 * its float64 bits, −0 and NaN included — on the wasm path (the default: WebAssembly SIMD128
 * kernels in the worker's WebAssembly memory) and on the ts path.
 *
 * The worker is driven without the page's UI (which other tests cover), through the comlink wire
 * protocol its `expose` speaks: an APPLY message for `start`, with the event sink passed as a
 * proxied MessagePort that acknowledges every batch.
 */
import { readdirSync, readFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainConfigInput } from '../../src/experiments/config.ts';
import { KERNELS_WASM_BASE64 } from '../../src/engine/generated/kernels-wasm.ts';
import { train } from '../../src/experiments/train.ts';
import { packEvent, type WireEvent } from '../../src/worker/wire.ts';
import { launchChromium } from './browser.ts';
import { serveStatic, type StaticServer } from './server.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** the built site: dist/, or E2E_DIST (a private build) */
const DIST = process.env.E2E_DIST ?? join(ROOT, 'dist');
const RESULTS = join(ROOT, 'test-results');

let server: StaticServer;
let browser: Browser;
let page: Page;
let workerFile: string;
const problems: string[] = [];
const figures: Record<string, number | string> = {};

beforeAll(async () => {
  if (!existsSync(join(DIST, 'index.html')))
    throw new Error('dist/ is missing: run `npm run build` (npm run test:e2e does it first)');
  const workers = readdirSync(join(DIST, 'assets')).filter((f) =>
    /^train\.worker-[\w-]+\.js$/.test(f),
  );
  if (workers.length !== 1)
    throw new Error(`expected one built training worker in dist/assets, found ${workers.length}`);
  workerFile = workers[0]!;
  server = await serveStatic(DIST, '/lab/');
  browser = await launchChromium();
  page = await browser.newPage();
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('worker', (w) =>
    w.on('console', (m) => {
      if (m.type() === 'error') problems.push(`worker console: ${m.text()}`);
    }),
  );
  // Any page of the site's origin can start the worker; the favicon keeps the app out of it.
  await page.goto(`${server.url}favicon.svg`);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (Object.keys(figures).length) {
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(join(RESULTS, 'wasm-figures.json'), JSON.stringify(figures, null, 2) + '\n');
  }
});

/**
 * Events as text with every number written as its float64 bit pattern: equal text means equal
 * events, byte for byte (JSON alone would merge −0 with 0 and every NaN into null).
 */
function bitsText(events: unknown): string {
  const f = new Float64Array(1);
  const u = new BigUint64Array(f.buffer);
  return JSON.stringify(events, (_key, value: unknown) => {
    if (typeof value !== 'number') return value;
    f[0] = value;
    return `f64:${u[0]!.toString(16)}`;
  });
}

interface WorkerRun {
  /** the events, as bitsText writes them */
  text: string;
  events: number;
  steps: number;
  /** the worker's training time, pauses excluded (its last batch's activeMs) */
  activeMs: number;
}

/**
 * Trains `configs` in as many fresh built workers at once; resolves with each run's events.
 * @param digits the site's path of a digits asset for the workers (fetched by the page)
 */
function inWorkers(configs: TrainConfigInput[], digits?: string): Promise<WorkerRun[]> {
  return page.evaluate(
    async ({ url, configs, digits }) => {
      const asset = digits ? new Uint8Array(await (await fetch(digits)).arrayBuffer()) : null;
      const f = new Float64Array(1);
      const u = new BigUint64Array(f.buffer);
      const bitsText = (events: unknown) =>
        JSON.stringify(events, (_key, value: unknown) => {
          if (typeof value !== 'number') return value;
          f[0] = value;
          return `f64:${u[0]!.toString(16)}`;
        });
      const one = (config: unknown) =>
        new Promise<WorkerRun>((resolve, reject) => {
          const worker = new Worker(url, { type: 'module' });
          const events: unknown[] = [];
          let steps = 0;
          let activeMs = 0;
          // Done when start() has returned AND the sink was released: the last batch and the
          // release travel on the sink's port, in order, but start's answer on the worker's own
          // port may overtake them.
          let started = false;
          let released = false;
          const finish = () => {
            if (!started || !released) return;
            worker.terminate();
            resolve({ text: bitsText(events), events: events.length, steps, activeMs });
          };
          const sink = new MessageChannel();
          // the sink's side of comlink: acknowledge every call (and the final release)
          sink.port1.onmessage = (ev: MessageEvent) => {
            const msg = ev.data as {
              id: string;
              type: string;
              argumentList?: { value: { events: unknown[]; step: number; activeMs: number } }[];
            };
            if (msg.type === 'APPLY') {
              const batch = msg.argumentList![0]!.value;
              for (const e of batch.events) events.push(e);
              steps = batch.step;
              activeMs = batch.activeMs;
            }
            sink.port1.postMessage({ id: msg.id, type: 'RAW', value: undefined });
            if (msg.type === 'RELEASE') {
              released = true;
              finish();
            }
          };
          worker.onerror = (e) => reject(new Error(`worker error: ${e.message}`));
          worker.onmessage = (ev: MessageEvent) => {
            const msg = ev.data as { id: string; type: string; value: unknown };
            if (msg.id !== 'start') return;
            if (msg.type === 'HANDLER') {
              worker.terminate();
              reject(new Error(`start threw: ${JSON.stringify(msg.value)}`));
            } else {
              started = true;
              finish();
            }
          };
          // the worker's one API: start(id, kind, config, sink, resources)
          const args: unknown[] = [
            { type: 'RAW', value: 1 },
            { type: 'RAW', value: 'train' },
            { type: 'RAW', value: config },
            { type: 'HANDLER', name: 'proxy', value: sink.port2 },
          ];
          if (asset) args.push({ type: 'RAW', value: { digits: asset } });
          worker.postMessage({ id: 'start', type: 'APPLY', path: ['start'], argumentList: args }, [
            sink.port2,
          ]);
        });
      return Promise.all(configs.map(one));
    },
    {
      url: `${server.url}assets/${workerFile}`,
      configs,
      digits: digits ? `${server.url}${digits}` : undefined,
    },
  );
}

/**
 * The same run in Node, its events as the worker sends them (per-layer statistics packed, see
 * src/worker/wire.ts; the page unpacks them, which tests/unit/wire.test.ts checks bit for bit).
 */
function inNode(config: TrainConfigInput, digits?: Uint8Array): WireEvent[] {
  return [...train(config, digits ? { digits } : {})].map(packEvent);
}

/** The first event that differs, for a readable failure. */
function firstDifference(browserText: string, node: WireEvent[]): string {
  const b = JSON.parse(browserText) as unknown[];
  for (let i = 0; i < Math.max(b.length, node.length); i++) {
    const nb = bitsText(node[i]);
    const bb = JSON.stringify(b[i]);
    if (nb !== bb) return `event ${i}: browser ${bb?.slice(0, 400)}\n   node ${nb?.slice(0, 400)}`;
  }
  return 'none';
}

async function expectSameEvents(configs: TrainConfigInput[], digits?: string) {
  // the same bytes in Node: the built site's copy of the asset
  const bytes = digits ? new Uint8Array(readFileSync(join(DIST, digits))) : undefined;
  const runs = await inWorkers(configs, digits);
  for (let i = 0; i < configs.length; i++) {
    const node = inNode(configs[i]!, bytes);
    const run = runs[i]!;
    const same = run.text === bitsText(node);
    const where = `config ${JSON.stringify(configs[i])}`;
    expect(same, same ? '' : `${where}\n${firstDifference(run.text, node)}`).toBe(true);
    expect(run.events, 'events from the worker').toBe(node.length);
  }
  expect(problems).toEqual([]);
  return runs;
}

const SMALL: TrainConfigInput = {
  dataset: 'spiral',
  samples: 300,
  steps: 120,
  evalEvery: 40,
  evalSamples: 200,
  logEvery: 10,
  layerStatsEvery: 20,
  seed: 5,
};

describe('built worker vs Node, byte for byte', () => {
  it('the built worker embeds the WebAssembly kernels of this source tree (dist/ is current)', () => {
    const text = readFileSync(join(DIST, 'assets', workerFile), 'utf8');
    expect(text.includes('AGFzbQ'), 'base64 of "\\0asm" in the worker bundle').toBe(true);
    // the very module this Node process runs (else the comparisons below compare two engines)
    expect(
      text.includes(KERNELS_WASM_BASE64),
      'dist/ was built from other kernels: run `npm run build`',
    ).toBe(true);
  });

  it('wasm path (the default): resnet with batch norm and layer statistics, its plain twin', async () => {
    const configs = [
      { ...SMALL, arch: 'resnet', depth: 20, width: 16 },
      { ...SMALL, arch: 'resnet', shortcut: false, depth: 20, width: 16 },
    ] as TrainConfigInput[];
    const runs = await expectSameEvents(configs);
    // both hosts took the wasm path: the start event records it
    for (const run of runs) expect(run.text).toContain('"kernels":"wasm"');
  });

  it('wasm path: odd widths, batch 1 and 7, tanh and sigmoid (TypeScript math on wasm memory)', async () => {
    await expectSameEvents([
      { ...SMALL, arch: 'plain', depth: 8, width: 13, norm: 'none', activation: 'tanh', batch: 7 },
      { ...SMALL, arch: 'highway', depth: 6, width: 5, batch: 1, norm: 'none', steps: 60 },
      { ...SMALL, arch: 'resnext', depth: 8, width: 12, cardinality: 2, batch: 9 },
      { ...SMALL, arch: 'densenet', depth: 8, width: 10, growthRate: 3, optimizer: 'adam' },
      { ...SMALL, arch: 'preact', depth: 14, width: 6, loss: 'sigmoid', dataset: 'xor' },
    ] as TrainConfigInput[]);
  });

  it('wasm path on digits (196 inputs, 10 classes)', async () => {
    await expectSameEvents(
      [{ ...SMALL, dataset: 'digits', samples: 500, width: 24, depth: 8, batch: 32, steps: 60 }],
      'data/digits-14.bin',
    );
  });

  it('ts path: the same configs, the TypeScript reference kernels', async () => {
    const runs = await expectSameEvents([
      { ...SMALL, arch: 'resnet', depth: 20, width: 16, kernels: 'ts' },
      { ...SMALL, arch: 'plain', depth: 8, width: 13, norm: 'none', batch: 7, kernels: 'ts' },
    ] as TrainConfigInput[]);
    for (const run of runs) expect(run.text).toContain('"kernels":"ts"');
  });

  it('figure: the Training Dynamics pair (plain + ResNet, depth 56, spiral) in two workers', async () => {
    // as the page's pair: the default config at depth 56, plain twin and ResNet
    const pair = [false, true].map((shortcut) => ({
      shortcut,
      depth: 56,
      dataset: 'spiral',
      steps: 2000,
    })) as TrainConfigInput[];
    const t0 = Date.now();
    const runs = await inWorkers(pair);
    const wall = (Date.now() - t0) / 1000;
    for (const run of runs) expect(run.steps).toBe(2000);
    // A figure, never a test: recorded for docs/performance.md, not asserted.
    figures.pairWallSeconds = wall;
    figures.plainStepsPerSecond = 2000 / (runs[0]!.activeMs / 1000);
    figures.resnetStepsPerSecond = 2000 / (runs[1]!.activeMs / 1000);
    figures.hardwareConcurrency = await page.evaluate(() => navigator.hardwareConcurrency);
  });
});
