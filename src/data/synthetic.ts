/**
 * Seeded 2-D toy sets. Every set is generated in "plot units": the clean data lie in about
 * [-1, 1]², and `noise` is the standard deviation of Gaussian jitter added to each coordinate
 * in those units (blobs: added to the clusters' base spread). Class c gets the points
 * i ≡ c (mod numClasses), so classes are balanced to within one point.
 *
 * All randomness comes from `new Rng(seed, 'data')`: first the points, then the shuffle that
 * splits them. Each point consumes the same draws whatever the noise, so moving the noise
 * slider jitters the same points and keeps the same split.
 */
import { Rng } from '../engine/rng.ts';
import { gatherLabels, gatherRows, shuffledSplit } from './batcher.ts';
import type { Dataset, SyntheticName, SyntheticOptions } from './types.ts';
import { cos, sin } from '../engine/math.ts';

/** Half-side of the plot square when no point falls outside it. */
export const BASE_EXTENT = 1.2;

/** Turns of each spiral arm, as in TensorFlow Playground. */
const SPIRAL_TURNS = 1.75;
/** Inner circle radius (the outer one is 1). */
const INNER_CIRCLE_RADIUS = 0.5;
/** Gap kept between the XOR quadrants and the axes, so the clean set has a margin. */
const XOR_PADDING = 0.05;
/** sklearn's moons span x ∈ [-1, 2], y ∈ [-0.5, 1]; this maps them onto x ∈ [-1, 1]. */
const MOONS_SCALE = 2 / 3;
const BLOB_CENTER_RADIUS = 0.6;
const BLOB_BASE_STD = 0.1;

const NUM_CLASSES: Record<SyntheticName, number> = {
  spiral: 2,
  circles: 2,
  xor: 2,
  moons: 2,
  blobs: 3,
};

/** Writes the clean point for class `label`, `k`-th of `classSize`, into out[0..1]. */
type PointMaker = (
  label: number,
  k: number,
  classSize: number,
  rng: Rng,
  out: Float64Array,
) => void;

/** Two interleaved arms; arm c is rotated by c·π, radius grows linearly from 0 to 1. */
const spiral: PointMaker = (label, k, classSize, _rng, out) => {
  // Evenly spaced along the arm (as in TensorFlow Playground): density matters in the core.
  const r = (k + 0.5) / classSize;
  const theta = SPIRAL_TURNS * 2 * Math.PI * r + label * Math.PI;
  out[0] = r * sin(theta);
  out[1] = r * cos(theta);
};

/** Class 0 on the unit circle, class 1 on the circle of radius 0.5; uniform angles. */
const circles: PointMaker = (label, _k, _n, rng, out) => {
  const radius = label === 0 ? 1 : INNER_CIRCLE_RADIUS;
  const angle = rng.range(0, 2 * Math.PI);
  out[0] = radius * cos(angle);
  out[1] = radius * sin(angle);
};

/** Class 0 fills quadrants I and III (x·y > 0), class 1 quadrants II and IV, alternating. */
const xor: PointMaker = (label, k, _n, rng, out) => {
  const ax = rng.range(XOR_PADDING, 1);
  const ay = rng.range(XOR_PADDING, 1);
  const sx = k % 2 === 0 ? 1 : -1;
  const sy = label === 0 ? sx : -sx;
  out[0] = sx * ax;
  out[1] = sy * ay;
};

/** sklearn's make_moons with uniform angles, centred and scaled to x ∈ [-1, 1]. */
const moons: PointMaker = (label, _k, _n, rng, out) => {
  const t = rng.range(0, Math.PI);
  const mx = label === 0 ? cos(t) : 1 - cos(t);
  const my = label === 0 ? sin(t) : 0.5 - sin(t);
  out[0] = (mx - 0.5) * MOONS_SCALE;
  out[1] = (my - 0.25) * MOONS_SCALE;
};

/** Three isotropic Gaussians (std 0.1 before noise) centred at 90°, 210°, 330° on r = 0.6. */
const blobs: PointMaker = (label, _k, _n, rng, out) => {
  const angle = Math.PI / 2 + (label * 2 * Math.PI) / 3;
  out[0] = BLOB_CENTER_RADIUS * cos(angle) + BLOB_BASE_STD * rng.normal();
  out[1] = BLOB_CENTER_RADIUS * sin(angle) + BLOB_BASE_STD * rng.normal();
};

const MAKERS: Record<SyntheticName, PointMaker> = { spiral, circles, xor, moons, blobs };

export function syntheticNumClasses(name: SyntheticName): number {
  return NUM_CLASSES[name];
}

export function makeSynthetic(name: SyntheticName, opts: SyntheticOptions): Dataset {
  const makePoint = MAKERS[name];
  if (makePoint === undefined) throw new RangeError(`unknown synthetic dataset '${String(name)}'`);
  const numClasses = NUM_CLASSES[name];
  const { samples, noise, testFraction, seed } = opts;
  if (!Number.isInteger(samples) || samples < numClasses) {
    throw new RangeError(
      `samples must be an integer ≥ ${numClasses} for '${name}', got ${samples}`,
    );
  }
  if (!(noise >= 0 && Number.isFinite(noise))) {
    throw new RangeError(`noise must be a finite number ≥ 0, got ${noise}`);
  }
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);

  const rng = new Rng(seed, 'data');
  const x = new Float32Array(samples * 2);
  const y = new Int32Array(samples);
  const point = new Float64Array(2);
  for (let i = 0; i < samples; i++) {
    const label = i % numClasses;
    const k = Math.floor(i / numClasses);
    const classSize = Math.floor((samples - 1 - label) / numClasses) + 1;
    makePoint(label, k, classSize, rng, point);
    // Draw the jitter even when noise is 0 so the stream, and hence the split, stays put.
    x[2 * i] = point[0]! + noise * rng.normal();
    x[2 * i + 1] = point[1]! + noise * rng.normal();
    y[i] = label;
  }

  const split = shuffledSplit(samples, testFraction, rng);
  return {
    name,
    inputDim: 2,
    numClasses,
    trainX: gatherRows(x, 2, split.train),
    trainY: gatherLabels(y, split.train),
    testX: gatherRows(x, 2, split.test),
    testY: gatherLabels(y, split.test),
    nTrain: split.train.length,
    nTest: split.test.length,
    extent: extentContaining(x),
  };
}

/** BASE_EXTENT, or the largest |coordinate| rounded up to the next 0.1 if that is larger. */
function extentContaining(x: Float32Array): number {
  let maxAbs = 0;
  for (let i = 0; i < x.length; i++) maxAbs = Math.max(maxAbs, Math.abs(x[i]!));
  if (maxAbs <= BASE_EXTENT) return BASE_EXTENT;
  let extent = Math.ceil(maxAbs * 10) / 10;
  if (extent < maxAbs) extent += 0.1; // the decimal division can land a hair below
  return extent;
}
