/**
 * Pure helpers of the Training Dynamics section: the plain/ResNet pair of configs, the grid of
 * inputs a decision-boundary map asks the networks about, and the map's pixels.
 */
import type { TrainConfig } from '../../experiments/config.ts';
import { seriesKey } from '../runs/curves.ts';

/** The two networks of the pair: their run ids on the page. */
export type Net = 'plain' | 'resnet';
export const NETS: readonly Net[] = ['plain', 'resnet'];

/**
 * The pair's curve series in column order (the CSV exports keep it): each network's training
 * and test loss, then its training and test accuracy.
 */
export function pairSeries(): string[] {
  return [
    ...NETS.flatMap((net) => [seriesKey(net, 'trainLoss'), seriesKey(net, 'testLoss')]),
    ...NETS.flatMap((net) => [seriesKey(net, 'trainAcc'), seriesKey(net, 'testAcc')]),
  ];
}

/**
 * The two networks compared: the residual network and its plain twin, identical except for the
 * shortcut. With arch 'plain' the pair is the basic residual block against the plain one.
 */
export function pairConfigs(config: TrainConfig): Record<Net, TrainConfig> {
  if (config.arch === 'plain')
    return {
      plain: { ...config, shortcut: false },
      resnet: { ...config, arch: 'resnet', shortcut: true },
    };
  return { plain: { ...config, shortcut: false }, resnet: { ...config, shortcut: true } };
}

/**
 * A side × side grid of 2-D inputs covering [-extent, extent]², row-major from the top-left
 * corner (x grows to the right, y grows upwards, as on a plot), each at its cell's centre.
 */
export function gridInputs(extent: number, side: number): Float32Array {
  const out = new Float32Array(side * side * 2);
  const cell = (2 * extent) / side;
  for (let r = 0; r < side; r++) {
    const y = extent - (r + 0.5) * cell;
    for (let c = 0; c < side; c++) {
      const i = (r * side + c) * 2;
      out[i] = -extent + (c + 0.5) * cell;
      out[i + 1] = y;
    }
  }
  return out;
}

/** Class colours (Okabe–Ito, distinguishable with the common colour-vision deficiencies). */
export const CLASS_COLOURS: readonly [number, number, number][] = [
  [230, 159, 0], // orange
  [0, 114, 178], // blue
  [0, 158, 115], // bluish green
  [204, 121, 167], // reddish purple
  [86, 180, 233], // sky blue
  [213, 94, 0], // vermillion
  [240, 228, 66], // yellow
  [0, 0, 0],
  [120, 120, 120],
  [160, 100, 40],
];

export function classColour(k: number): string {
  const [r, g, b] = CLASS_COLOURS[k % CLASS_COLOURS.length]!;
  return `rgb(${r} ${g} ${b})`;
}

/** Index of the largest of `count` values from `offset` (the first on ties; -1 if any is NaN). */
export function argmax(values: ArrayLike<number>, offset: number, count: number): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let k = 0; k < count; k++) {
    const v = values[offset + k]!;
    if (Number.isNaN(v)) return -1;
    if (v > bestValue) {
      bestValue = v;
      best = k;
    }
  }
  return best;
}

/** How strongly a map's tint shows at full confidence (the points must stay readable on it). */
const MAX_TINT = 0.6;

/**
 * RGBA pixels of a decision map: each cell tinted with its predicted class's colour, the
 * stronger the more confident (white where the classes are equally likely). Cells whose
 * probabilities are not numbers (a diverged network) are grey.
 */
export function mapPixels(
  probs: Float32Array,
  classes: number,
  cells: number,
  out = new Uint8ClampedArray(cells * 4),
): Uint8ClampedArray {
  const floor = 1 / classes;
  for (let i = 0; i < cells; i++) {
    const k = argmax(probs, i * classes, classes);
    const o = i * 4;
    out[o + 3] = 255;
    if (k < 0) {
      out[o] = out[o + 1] = out[o + 2] = 200;
      continue;
    }
    const p = probs[i * classes + k]!;
    const t = MAX_TINT * Math.min(1, Math.max(0, (p - floor) / (1 - floor)));
    const [r, g, b] = CLASS_COLOURS[k % CLASS_COLOURS.length]!;
    out[o] = 255 + (r - 255) * t;
    out[o + 1] = 255 + (g - 255) * t;
    out[o + 2] = 255 + (b - 255) * t;
  }
  return out;
}
