import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/engine/rng.ts';
import {
  Batcher,
  DATASET_NAMES,
  DIGITS_HEADER_BYTES,
  makeDigits,
  makeSynthetic,
  parseDigitsAsset,
  SYNTHETIC_NAMES,
  type DigitsAsset,
  type SyntheticName,
  type SyntheticOptions,
} from '../../src/data/index.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const buildScript = join(repoRoot, 'scripts', 'build-digits.mjs');
const assetPath = (side: number) => join(repoRoot, 'public', 'data', `digits-${side}.bin`);

/** Bit-for-bit equality; much faster than toEqual on large typed arrays. */
const sameBits = (a: Float32Array | Int32Array, b: Float32Array | Int32Array) =>
  Buffer.compare(
    new Uint8Array(a.buffer, a.byteOffset, a.byteLength),
    new Uint8Array(b.buffer, b.byteOffset, b.byteLength),
  ) === 0;

function histogram(labels: ArrayLike<number>, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]!]!++;
  return counts;
}

/**
 * Best accuracy of any half-plane classifier for a binary 2-D set, searched over 180 directions
 * and every threshold. Used to show the spiral needs a non-linear model.
 */
function bestLinearAccuracy(x: Float32Array, y: Int32Array, n: number): number {
  let positives = 0;
  for (let i = 0; i < n; i++) positives += y[i]!;
  let best = 0;
  const rows = Array.from({ length: n }, (_, i) => i);
  for (let deg = 0; deg < 180; deg++) {
    const c = Math.cos((deg * Math.PI) / 180);
    const s = Math.sin((deg * Math.PI) / 180);
    const proj = rows.map((i) => x[2 * i]! * c + x[2 * i + 1]! * s);
    const sorted = [...rows].sort((i, j) => proj[i]! - proj[j]!);
    let positivesBelow = 0;
    for (let k = 0; k <= n; k++) {
      // rule: below the threshold → class 0, above → class 1 (and its mirror, 1 - acc)
      const acc = (k - positivesBelow + (positives - positivesBelow)) / n;
      best = Math.max(best, acc, 1 - acc);
      if (k < n) positivesBelow += y[sorted[k]!]!;
    }
  }
  return best;
}

const baseOpts: SyntheticOptions = { samples: 400, noise: 0.1, testFraction: 0.25, seed: 42 };

describe('DATASET_NAMES', () => {
  it('lists the five synthetic sets and digits', () => {
    expect([...DATASET_NAMES].sort()).toEqual([...SYNTHETIC_NAMES, 'digits'].sort());
  });
});

describe('makeSynthetic', () => {
  describe.each(SYNTHETIC_NAMES.map((name) => [name]))('%s', (name: SyntheticName) => {
    const data = makeSynthetic(name, baseOpts);

    it('is bit-identical for the same options', () => {
      const again = makeSynthetic(name, { ...baseOpts });
      expect(sameBits(again.trainX, data.trainX)).toBe(true);
      expect(sameBits(again.testX, data.testX)).toBe(true);
      expect(again.trainY).toEqual(data.trainY);
      expect(again.testY).toEqual(data.testY);
      expect(again.extent).toBe(data.extent);
    });

    it('differs for a different seed', () => {
      const other = makeSynthetic(name, { ...baseOpts, seed: 43 });
      expect(sameBits(other.trainX, data.trainX)).toBe(false);
      expect(other.trainY).not.toEqual(data.trainY);
    });

    it('splits round(samples·testFraction) points off for testing', () => {
      expect(data.inputDim).toBe(2);
      expect(data.nTest).toBe(100);
      expect(data.nTrain).toBe(300);
      expect(data.trainX.length).toBe(600);
      expect(data.trainY.length).toBe(300);
      expect(data.testX.length).toBe(200);
      expect(data.testY.length).toBe(100);
      const odd = makeSynthetic(name, { ...baseOpts, samples: 301, testFraction: 0.2 });
      expect([odd.nTrain, odd.nTest]).toEqual([241, 60]);
    });

    it('has balanced classes across train and test, and both splits see every class', () => {
      const k = data.numClasses;
      expect(k).toBe(name === 'blobs' ? 3 : 2);
      const all = histogram([...data.trainY, ...data.testY], k);
      expect(Math.max(...all) - Math.min(...all)).toBeLessThanOrEqual(1);
      expect(all.reduce((a, b) => a + b, 0)).toBe(400);
      expect(histogram(data.trainY, k).every((c) => c > 0)).toBe(true);
      expect(histogram(data.testY, k).every((c) => c > 0)).toBe(true);
      const odd = makeSynthetic(name, { ...baseOpts, samples: 301 });
      const oddAll = histogram([...odd.trainY, ...odd.testY], k);
      expect(Math.max(...oddAll) - Math.min(...oddAll)).toBeLessThanOrEqual(1);
    });

    it('keeps every point inside [-extent, extent]², even with heavy noise', () => {
      for (const noise of [0, 0.1, 0.8]) {
        const d = makeSynthetic(name, { ...baseOpts, noise });
        const extent = d.extent!;
        expect(extent).toBeGreaterThanOrEqual(1.2);
        const coords = [...d.trainX, ...d.testX];
        expect(coords.every((v) => Number.isFinite(v) && Math.abs(v) <= extent)).toBe(true);
        if (noise === 0) expect(extent).toBe(1.2);
      }
      const noisy = makeSynthetic(name, { ...baseOpts, noise: 0.8 });
      expect(noisy.extent!).toBeGreaterThan(1.2);
    });

    it('keeps the same split and labels when only the noise changes', () => {
      const clean = makeSynthetic(name, { ...baseOpts, noise: 0 });
      expect(clean.trainY).toEqual(data.trainY);
      expect(clean.testY).toEqual(data.testY);
      // the noisy points are the clean ones plus jitter of std 0.1
      let sq = 0;
      for (let i = 0; i < clean.trainX.length; i++) sq += (data.trainX[i]! - clean.trainX[i]!) ** 2;
      expect(Math.sqrt(sq / clean.trainX.length)).toBeCloseTo(0.1, 1);
    });
  });

  it('draws clean points on the documented shapes when noise is 0', () => {
    const opts = { ...baseOpts, noise: 0 };
    const eps = 1e-6;
    const circles = makeSynthetic('circles', opts);
    for (let i = 0; i < circles.nTrain; i++) {
      const r = Math.hypot(circles.trainX[2 * i]!, circles.trainX[2 * i + 1]!);
      expect(Math.abs(r - (circles.trainY[i] === 0 ? 1 : 0.5))).toBeLessThan(eps);
    }
    const xor = makeSynthetic('xor', opts);
    for (let i = 0; i < xor.nTrain; i++) {
      const product = xor.trainX[2 * i]! * xor.trainX[2 * i + 1]!;
      expect(product > 0 ? 0 : 1).toBe(xor.trainY[i]);
      expect(Math.abs(product)).toBeGreaterThan(0.05 * 0.05 - eps);
    }
    const moons = makeSynthetic('moons', opts);
    for (let i = 0; i < moons.nTrain; i++) {
      // undo the centring and scaling back to sklearn's coordinates
      const mx = moons.trainX[2 * i]! * 1.5 + 0.5;
      const my = moons.trainX[2 * i + 1]! * 1.5 + 0.25;
      const r = moons.trainY[i] === 0 ? Math.hypot(mx, my) : Math.hypot(mx - 1, my - 0.5);
      expect(Math.abs(r - 1)).toBeLessThan(eps);
      expect(moons.trainY[i] === 0 ? my >= -eps : my <= 0.5 + eps).toBe(true);
    }
    const spiral = makeSynthetic('spiral', opts);
    for (let i = 0; i < spiral.nTrain; i++) {
      expect(Math.hypot(spiral.trainX[2 * i]!, spiral.trainX[2 * i + 1]!)).toBeLessThan(1 + eps);
    }
  });

  it('makes a spiral no straight line separates, while blobs are separable', () => {
    const spiral = makeSynthetic('spiral', { ...baseOpts, noise: 0 });
    expect(bestLinearAccuracy(spiral.trainX, spiral.trainY, spiral.nTrain)).toBeLessThan(0.75);
    const blobs = makeSynthetic('blobs', { ...baseOpts, noise: 0 });
    const oneVsRest = blobs.trainY.map((c) => (c === 0 ? 1 : 0));
    expect(bestLinearAccuracy(blobs.trainX, oneVsRest, blobs.nTrain)).toBeGreaterThan(0.98);
  });

  it('rejects bad options with a clear message', () => {
    expect(() => makeSynthetic('spiral', { ...baseOpts, samples: 1 })).toThrow(/samples/);
    expect(() => makeSynthetic('blobs', { ...baseOpts, samples: 10.5 })).toThrow(/samples/);
    expect(() => makeSynthetic('moons', { ...baseOpts, noise: -0.1 })).toThrow(/noise/);
    expect(() => makeSynthetic('moons', { ...baseOpts, noise: NaN })).toThrow(/noise/);
    expect(() => makeSynthetic('xor', { ...baseOpts, testFraction: 1 })).toThrow(/testFraction/);
    expect(() => makeSynthetic('xor', { ...baseOpts, samples: 2, testFraction: 0.9 })).toThrow(
      /no training rows/,
    );
    expect(() => makeSynthetic('circles', { ...baseOpts, seed: 0.5 })).toThrow(/seed/);
  });
});

describe('digits', () => {
  /** The mnist package's grey levels per class, as the build script reads them. */
  let classes: number[][];
  let asset28: DigitsAsset;
  let asset14: DigitsAsset;
  let bytes28: Uint8Array;

  beforeAll(() => {
    execFileSync(process.execPath, [buildScript], { cwd: repoRoot, stdio: 'pipe' });
    const mnistDir = dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
    classes = Array.from({ length: 10 }, (_, d) => {
      const json = JSON.parse(readFileSync(join(mnistDir, 'src', 'digits', `${d}.json`), 'utf8'));
      return json.data as number[];
    });
    bytes28 = new Uint8Array(readFileSync(assetPath(28)));
    asset28 = parseDigitsAsset(bytes28);
    asset14 = parseDigitsAsset(new Uint8Array(readFileSync(assetPath(14))));
  });

  /** [class, index within class] of each stored image: round-robin over the classes. */
  function storedOrder(): [number, number][] {
    const order: [number, number][] = [];
    const sizes = classes.map((c) => c.length / 784);
    for (let k = 0; k < Math.max(...sizes); k++) {
      for (let d = 0; d < 10; d++) if (k < sizes[d]!) order.push([d, k]);
    }
    return order;
  }

  it('builds both assets with the documented sizes', () => {
    expect(statSync(assetPath(28)).size).toBe(16 + 10_000 + 10_000 * 784);
    expect(statSync(assetPath(14)).size).toBe(16 + 10_000 + 10_000 * 196);
    expect([asset28.side, asset28.count, asset14.side, asset14.count]).toEqual([
      28, 10_000, 14, 10_000,
    ]);
  });

  it('has every class, in the numbers the mnist package ships', () => {
    const counts = histogram(asset28.labels, 10);
    expect(counts).toEqual(classes.map((c) => c.length / 784));
    expect(counts.every((c) => c > 800)).toBe(true);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(asset14.labels).toEqual(asset28.labels);
  });

  it('stores each 28×28 pixel as round(grey·255), classes interleaved round-robin', () => {
    const order = storedOrder();
    let mismatches = 0;
    let assetSum = 0;
    let jsonSum = 0;
    order.forEach(([digit, k], n) => {
      expect(asset28.labels[n]).toBe(digit);
      const grey = classes[digit]!;
      for (let p = 0; p < 784; p++) {
        const g = grey[k * 784 + p]!;
        const stored = asset28.pixels[n * 784 + p]!;
        if (stored !== Math.round(g * 255)) mismatches++;
        assetSum += stored / 255;
        jsonSum += g;
      }
    });
    expect(mismatches).toBe(0);
    const pixelCount = 10_000 * 784;
    expect(Math.abs(assetSum / pixelCount - jsonSum / pixelCount)).toBeLessThan(1 / 255);
    expect(jsonSum / pixelCount).toBeCloseTo(0.1311, 3); // MNIST's well-known mean intensity
  });

  it('stores each 14×14 pixel as the quantised 2×2 mean of the grey levels', () => {
    const order = storedOrder();
    let worstVsJson = 0;
    let worstVs28 = 0;
    order.forEach(([digit, k], n) => {
      const grey = classes[digit]!;
      for (let r = 0; r < 14; r++) {
        for (let c = 0; c < 14; c++) {
          const tl = 2 * r * 28 + 2 * c;
          const quads = [tl, tl + 1, tl + 28, tl + 29];
          const meanGrey = quads.reduce((s, p) => s + grey[k * 784 + p]!, 0) / 4;
          const mean28 = quads.reduce((s, p) => s + asset28.pixels[n * 784 + p]!, 0) / 4;
          const stored = asset14.pixels[n * 196 + r * 14 + c]!;
          worstVsJson = Math.max(worstVsJson, Math.abs(stored - meanGrey * 255));
          worstVs28 = Math.max(worstVs28, Math.abs(stored - mean28));
        }
      }
    });
    expect(worstVsJson).toBeLessThanOrEqual(0.5 + 1e-9); // quantisation only
    expect(worstVs28).toBeLessThanOrEqual(1); // two quantisations
  });

  it('skips the build when the assets are up to date', () => {
    const before = statSync(assetPath(28)).mtimeMs;
    const out = execFileSync(process.execPath, [buildScript], { cwd: repoRoot, encoding: 'utf8' });
    expect(out).toMatch(
      /up to date.*digits-28\.bin \(7850016 bytes\).*digits-14\.bin \(1970016 bytes\)/,
    );
    expect(out.trim().split('\n')).toHaveLength(1);
    expect(statSync(assetPath(28)).mtimeMs).toBe(before);
  });

  it('exits non-zero with a clear message when mnist is not installed', () => {
    const lonely = mkdtempSync(join(tmpdir(), 'build-digits-'));
    try {
      mkdirSync(join(lonely, 'scripts'));
      copyFileSync(buildScript, join(lonely, 'scripts', 'build-digits.mjs'));
      const run = spawnSync(process.execPath, [join(lonely, 'scripts', 'build-digits.mjs')], {
        cwd: lonely,
        encoding: 'utf8',
        env: { ...process.env, NODE_PATH: '' },
      });
      expect(run.status).not.toBe(0);
      expect(run.stderr).toMatch(/'mnist' is not installed/);
    } finally {
      rmSync(lonely, { recursive: true, force: true });
    }
  });

  describe('parseDigitsAsset rejects broken files', () => {
    const corrupt = (edit: (b: Uint8Array) => Uint8Array) => () =>
      parseDigitsAsset(edit(bytes28.slice()));

    it('wrong magic', () => {
      expect(
        corrupt((b) => {
          b[0] = 0x50; // 'P'
          b[1] = 0x4b; // 'K', as in a zip
          return b;
        }),
      ).toThrow(/not a digits asset: magic is "PKDG", expected "RLDG"/);
    });
    it('unsupported version', () => {
      expect(corrupt((b) => ((b[4] = 2), b))).toThrow(/unsupported digits asset version 2/);
    });
    it('shorter than a header', () => {
      expect(corrupt((b) => b.subarray(0, 10))).toThrow(
        /truncated: the header needs 16 bytes, got 10/,
      );
    });
    it('truncated pixels', () => {
      expect(corrupt((b) => b.subarray(0, b.length - 1))).toThrow(
        /truncated: 10000 digits of 28×28/,
      );
    });
    it('count larger than the file', () => {
      expect(corrupt((b) => (new DataView(b.buffer).setUint32(8, 10_001, true), b))).toThrow(
        /truncated/,
      );
    });
    it('trailing bytes', () => {
      const longer = new Uint8Array(bytes28.length + 3);
      longer.set(bytes28);
      expect(() => parseDigitsAsset(longer)).toThrow(/3 unexpected bytes/);
    });
    it('a label outside 0–9', () => {
      expect(corrupt((b) => ((b[DIGITS_HEADER_BYTES + 5] = 10), b))).toThrow(
        /label 10 at index 5 is not a digit/,
      );
    });
    it('reads a view that does not start at offset 0', () => {
      const padded = new Uint8Array(bytes28.length + 8);
      padded.set(bytes28, 8);
      const parsed = parseDigitsAsset(padded.subarray(8));
      expect(parsed.count).toBe(10_000);
      expect(parsed.labels).toEqual(asset28.labels);
    });
  });

  describe('makeDigits', () => {
    it('splits all 10,000 digits, scaled to [0, 1]', () => {
      const d = makeDigits(asset28, { testFraction: 0.2, seed: 1 });
      expect([d.name, d.inputDim, d.numClasses, d.imageSize]).toEqual(['digits', 784, 10, 28]);
      expect([d.nTrain, d.nTest]).toEqual([8000, 2000]);
      expect([d.trainX.length, d.testX.length, d.trainY.length, d.testY.length]).toEqual([
        8000 * 784,
        2000 * 784,
        8000,
        2000,
      ]);
      expect(d.extent).toBeUndefined();
      // every digit lands in exactly one split: the pixel and label totals survive
      let stored = 0;
      for (const v of asset28.pixels) stored += v;
      let split = 0;
      let max = 0;
      let min = 1;
      for (const x of [d.trainX, d.testX]) {
        for (const v of x) {
          split += v;
          max = Math.max(max, v);
          min = Math.min(min, v);
        }
      }
      expect(split).toBeCloseTo(stored / 255, 0);
      expect([min, max]).toEqual([0, 1]);
      expect(histogram([...d.trainY, ...d.testY], 10)).toEqual(histogram(asset28.labels, 10));
    });

    it('copies whole images with their own labels', () => {
      const d = makeDigits(asset14, { testFraction: 0.1, seed: 5, samples: 50 });
      // find each training image in the asset and check the label matches
      for (let r = 0; r < d.nTrain; r++) {
        const row = d.trainX.subarray(r * 196, (r + 1) * 196);
        let found = -1;
        for (let n = 0; n < asset14.count && found < 0; n++) {
          let same = true;
          for (let p = 0; p < 196 && same; p++) {
            same = Math.fround(asset14.pixels[n * 196 + p]! / 255) === row[p];
          }
          if (same) found = n;
        }
        expect(found).toBeGreaterThanOrEqual(0);
        expect(asset14.labels[found]).toBe(d.trainY[r]);
      }
    });

    it('is deterministic per seed and caps samples with a random, mixed subset', () => {
      const opts = { testFraction: 0.25, seed: 9, samples: 1000 };
      const a = makeDigits(asset14, opts);
      const b = makeDigits(asset14, { ...opts });
      const c = makeDigits(asset14, { ...opts, seed: 10 });
      expect([a.inputDim, a.imageSize, a.nTrain, a.nTest]).toEqual([196, 14, 750, 250]);
      expect(sameBits(a.trainX, b.trainX)).toBe(true);
      expect(a.testY).toEqual(b.testY);
      expect(sameBits(a.trainX, c.trainX)).toBe(false);
      const counts = histogram([...a.trainY, ...a.testY], 10);
      expect(counts.every((n) => n > 60)).toBe(true);
    });

    it('rejects bad options', () => {
      expect(() => makeDigits(asset14, { testFraction: 0.2, seed: 1, samples: 0 })).toThrow(
        /samples/,
      );
      expect(() => makeDigits(asset14, { testFraction: 0.2, seed: 1, samples: 10_001 })).toThrow(
        /samples/,
      );
      expect(() => makeDigits(asset14, { testFraction: -0.1, seed: 1 })).toThrow(/testFraction/);
    });
  });
});

describe('Batcher', () => {
  /** n rows of width dim where row i is [i, i + 0.5, …] and label i, so rows are recognisable. */
  function numbered(n: number, dim: number) {
    const x = new Float32Array(n * dim);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = i;
      for (let k = 0; k < dim; k++) x[i * dim + k] = i + k / 2;
    }
    return { x, y };
  }

  /** Labels of `batches` consecutive batches, checking each copied row matches its label. */
  function draw(batcher: Batcher, batches: number, dim: number, batchSize: number): number[] {
    const xOut = new Float32Array(batchSize * dim);
    const yOut = new Int32Array(batchSize);
    const seen: number[] = [];
    for (let b = 0; b < batches; b++) {
      const rows = batcher.next(xOut, yOut);
      expect(rows).toBe(batcher.batchRows);
      for (let r = 0; r < rows; r++) {
        for (let k = 0; k < dim; k++) expect(xOut[r * dim + k]).toBe(yOut[r]! + k / 2);
        seen.push(yOut[r]!);
      }
    }
    return seen;
  }

  it('visits every row exactly once per epoch, with every batch full across epoch ends', () => {
    const n = 10;
    const { x, y } = numbered(n, 3);
    const batcher = new Batcher(x, y, n, 3, 3, new Rng(1, 'batch'));
    const seen = draw(batcher, 20, 3, 3); // 60 rows = 6 epochs, epochs end mid-batch
    const identity = Array.from({ length: n }, (_, i) => i);
    const epochs: number[][] = [];
    for (let e = 0; e < 6; e++) {
      const epoch = seen.slice(e * n, (e + 1) * n);
      expect([...epoch].sort((a, b) => a - b)).toEqual(identity);
      epochs.push(epoch);
    }
    expect(new Set(epochs.map((e) => e.join(','))).size).toBeGreaterThan(1); // reshuffled
    expect(batcher.epoch).toBe(6);
  });

  it('counts completed epochs as soon as their last row is handed out', () => {
    const { x, y } = numbered(10, 1);
    const batcher = new Batcher(x, y, 10, 1, 4, new Rng(2, 'batch'));
    const xOut = new Float32Array(4);
    const yOut = new Int32Array(4);
    const epochs = Array.from({ length: 6 }, () => (batcher.next(xOut, yOut), batcher.epoch));
    expect(epochs).toEqual([0, 0, 1, 1, 2, 2]); // rows handed out: 4, 8, 12, 16, 20, 24
  });

  it('uses only the first n rows and caps the batch at n', () => {
    const { x, y } = numbered(8, 2);
    const batcher = new Batcher(x, y, 3, 2, 5, new Rng(3, 'batch'));
    expect(batcher.batchRows).toBe(3);
    const seen = draw(batcher, 4, 2, 5);
    for (let e = 0; e < 4; e++) expect(seen.slice(3 * e, 3 * e + 3).sort()).toEqual([0, 1, 2]);
    expect(batcher.epoch).toBe(4);
  });

  it('is deterministic per seed', () => {
    const { x, y } = numbered(50, 2);
    const make = (seed: number) => new Batcher(x, y, 50, 2, 8, new Rng(seed, 'batch'));
    const a = draw(make(7), 30, 2, 8);
    expect(draw(make(7), 30, 2, 8)).toEqual(a);
    expect(draw(make(8), 30, 2, 8)).not.toEqual(a);
  });

  it('rejects sizes that do not fit', () => {
    const { x, y } = numbered(4, 2);
    expect(() => new Batcher(x, y, 5, 2, 2, new Rng(0))).toThrow(/fewer than n=5 rows/);
    expect(() => new Batcher(x, y, 4, 2, 0, new Rng(0))).toThrow(/batchSize/);
    expect(() => new Batcher(x, y, 0, 2, 2, new Rng(0))).toThrow(/n must be/);
    const batcher = new Batcher(x, y, 4, 2, 2, new Rng(0));
    expect(() => batcher.next(new Float32Array(3), new Int32Array(2))).toThrow(
      /smaller than one batch/,
    );
  });
});
