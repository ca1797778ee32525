/**
 * The shattered-gradients study's settings, record and CSV (experiments/shattered.ts measures):
 * a module of its own, without the engine's model, so that the page's main thread can validate
 * its settings and export its record while the measurement runs in a worker.
 */
import { depthError } from '../engine/choices.ts';
import { defaultsOf, type FieldError, validateFields, type Validation } from './fields.ts';

export const SHATTERED_SCHEMA = 'resnet-lab/shattered@1';

/** The line the inputs lie on: x from −2 to 2 at y = 0 (the exact grid of the paper is unknown). */
export const LINE = { from: [-2, 0], to: [2, 0] } as const;

/** The standard deviation of the initial biases (see shatteredModel). */
export const BIAS_STD = 0.5;

/** The depths of the across-depth measurement (2: one hidden layer; then 2 + 2·blocks). */
export const ACROSS_DEPTHS: readonly number[] = [2, 4, 8, 14, 20, 32, 44, 56, 80, 110];

export interface ShatteredConfig {
  depth: number;
  width: number;
  points: number;
  seed: number;
  /** whether to measure ACROSS_DEPTHS too */
  across: boolean;
}

export const SHATTERED_FIELDS = {
  depth: {
    kind: 'int',
    min: 2,
    max: 110,
    default: 50,
    help: 'weight layers: 2 (one hidden layer, no blocks) or 2 + 2·blocks (4, 6, …, 110)',
  },
  width: { kind: 'int', min: 2, max: 256, default: 16, help: 'units per hidden layer' },
  points: {
    kind: 'int',
    min: 16,
    max: 4096,
    default: 256,
    help: 'points on the line x ∈ [−2, 2], y = 0 (evenly spaced, ends included)',
  },
  seed: {
    kind: 'int',
    min: 0,
    max: 4294967295,
    default: 1,
    help: 'seed of the initial weights (the plain and the residual network get the same)',
  },
  across: {
    kind: 'bool',
    default: true,
    help: `also measure the lag-1 autocorrelation at depths ${ACROSS_DEPTHS.join(', ')}`,
  },
} as const;

export function defaultShatteredConfig(): ShatteredConfig {
  return defaultsOf<ShatteredConfig>(SHATTERED_FIELDS);
}

export function validateShatteredConfig(input: unknown): Validation<ShatteredConfig> {
  return validateFields<ShatteredConfig>(SHATTERED_FIELDS, input, (c, valid) => {
    const errors: FieldError[] = [];
    if (valid('depth') && c.depth !== 2) {
      const problem = depthError('resnet', c.depth);
      if (problem) errors.push({ key: 'depth', message: `${problem}; or 2 (one hidden layer)` });
    }
    return errors;
  });
}

/** One network's measurement. */
export interface ShatteredNet {
  /** ∂output₀/∂input along the line's direction, one value per point */
  gradient: number[];
  /** the gradient's autocorrelation by lag (mean removed, lag 0 = 1), lags 0 … points/2 */
  autocorrelation: number[];
}

export interface ShatteredRecord {
  schema: typeof SHATTERED_SCHEMA;
  config: ShatteredConfig;
  /** the line's first coordinate at each point (the second is 0) */
  x: number[];
  plain: ShatteredNet;
  resnet: ShatteredNet;
  /** lag-1 autocorrelation at each depth of ACROSS_DEPTHS (empty when across is off) */
  depths: { depth: number; plain: number; resnet: number }[];
}

/** The record as CSV: one row per point (x, both gradients), then the autocorrelations by lag. */
export function shatteredCSV(record: ShatteredRecord): string {
  const rows = ['x,plain_gradient,resnet_gradient'];
  record.x.forEach((x, i) =>
    rows.push(`${x},${record.plain.gradient[i]},${record.resnet.gradient[i]}`),
  );
  return `${rows.join('\n')}\n`;
}
