/**
 * Shattered gradients (Balduzzi et al. 2017), measured at initialisation: a line of inputs goes
 * through a plain network and its residual twin (same depth, width and seed, so the same weights),
 * and ∂output/∂input along the line is read at every point (Model.outputGradient, projected on
 * the line's direction). Its autocorrelation by lag says how structured the gradient is: a deep
 * plain network's looks like white noise (it drops to about 0 after lag 0), a residual one's
 * stays correlated. Then the same measurement at a set of depths (the lag-1 autocorrelation
 * against depth). Nothing is trained and nothing is random but the seeded initialisation.
 *
 * The setting (documented in docs/shattered-schema.md): ReLU, He initialisation, no
 * normalisation (our batch norm at initialisation, in evaluation mode, is nearly the identity),
 * and residual branches that start at full strength (residual-init one, as He et al. 2015 —
 * with our default zero-initialised branch scale a residual network starts as a linear map of
 * its stem and there would be nothing to shatter).
 */
import { Model, type ModelSpec } from '../engine/model.ts';
import {
  ACROSS_DEPTHS,
  BIAS_STD,
  LINE,
  SHATTERED_SCHEMA,
  type ShatteredConfig,
  type ShatteredRecord,
} from './shatteredConfig.ts';
import { Rng } from '../engine/rng.ts';
import { StudyJob } from './study.ts';

export {
  ACROSS_DEPTHS,
  BIAS_STD,
  defaultShatteredConfig,
  LINE,
  SHATTERED_FIELDS,
  SHATTERED_SCHEMA,
  shatteredCSV,
  validateShatteredConfig,
} from './shatteredConfig.ts';
export type { ShatteredConfig, ShatteredNet, ShatteredRecord } from './shatteredConfig.ts';

/** The points of the line, evenly spaced, both ends included. */
export function linePoints(points: number): number[] {
  const [x0] = LINE.from;
  const [x1] = LINE.to;
  return Array.from({ length: points }, (_, i) => x0 + ((x1 - x0) * i) / (points - 1));
}

/**
 * Autocorrelation by lag of a series, mean removed, normalised by the lag-0 sum so that lag 0 is
 * 1: r(k) = Σᵢ (gᵢ − ḡ)(gᵢ₊ₖ − ḡ) / Σᵢ (gᵢ − ḡ)². A constant series (no variation at all, e.g. a
 * network that is linear on the whole line) is perfectly correlated: 1 at every lag.
 */
export function autocorrelation(series: readonly number[], maxLag: number): number[] {
  const n = series.length;
  const mean = series.reduce((s, v) => s + v, 0) / n;
  const centred = series.map((v) => v - mean);
  let zero = 0;
  for (const v of centred) zero += v * v;
  const out: number[] = [];
  for (let k = 0; k <= Math.min(maxLag, n - 1); k++) {
    if (zero === 0) {
      out.push(1);
      continue;
    }
    let sum = 0;
    for (let i = 0; i + k < n; i++) sum += centred[i]! * centred[i + k]!;
    out.push(sum / zero);
  }
  return out;
}

/** The spec of the network measured: `shortcut` false gives the plain twin. */
export function shatteredSpec(
  config: ShatteredConfig,
  depth: number,
  shortcut: boolean,
): ModelSpec {
  return {
    arch: 'resnet',
    shortcut,
    depth,
    width: config.width,
    inputDim: 2,
    classes: 2,
    loss: 'softmax',
    activation: 'relu',
    init: 'he',
    norm: 'none',
    residualInit: 'one',
    gateBias: 0,
    growthRate: 1,
    cardinality: 1,
    maxBatch: config.points,
    seed: config.seed,
    kernels: 'wasm',
  };
}

/** The network of a depth: depth 2 is the stem and the head alone (one hidden layer). */
export function shatteredModel(config: ShatteredConfig, depth: number, shortcut: boolean): Model {
  const spec = shatteredSpec(config, depth, shortcut);
  const model =
    depth !== 2
      ? new Model(spec)
      : new Model({ ...spec, depth: 4 }, (builder, input) => {
          const hidden = builder.act(builder.dense(input, config.width, 'stem'), 'stem');
          builder.block = 0;
          return builder.dense(hidden, 2, 'head', { bias: true });
        });
  // Random biases, as Balduzzi et al. initialise them: with the engine's zero biases a ReLU
  // network is positively homogeneous, and along a line through the origin its gradient would
  // only change sign at 0. The same stream for both networks keeps them twins.
  const rng = new Rng(config.seed, 'shattered-bias');
  for (const p of model.params)
    if (p.role === 'bias') for (let i = 0; i < p.size; i++) p.value[i] = BIAS_STD * rng.normal();
  return model;
}

/** ∂output₀/∂input along the line (its direction is the first axis) at every point. */
export function lineGradient(model: Model, x: readonly number[]): number[] {
  const input = model.input.value;
  const [, y0] = LINE.from;
  for (let i = 0; i < x.length; i++) {
    input[2 * i] = x[i]!;
    input[2 * i + 1] = y0;
  }
  const grad = model.outputGradient(x.length, 0).grad;
  return Array.from({ length: x.length }, (_, i) => grad[2 * i]!);
}

function measureNet(config: ShatteredConfig, depth: number, shortcut: boolean, x: number[]) {
  const gradient = lineGradient(shatteredModel(config, depth, shortcut), x);
  return { gradient, autocorrelation: autocorrelation(gradient, Math.floor(x.length / 2)) };
}

/** Units of work: the chosen depth, then one per depth of the across-depth measurement. */
export function shatteredUnits(config: ShatteredConfig): number {
  return 1 + (config.across ? ACROSS_DEPTHS.length : 0);
}

function* measure(config: ShatteredConfig): Generator<void, ShatteredRecord, void> {
  const x = linePoints(config.points);
  const plain = measureNet(config, config.depth, false, x);
  const resnet = measureNet(config, config.depth, true, x);
  const depths: ShatteredRecord['depths'] = [];
  if (config.across)
    for (const depth of ACROSS_DEPTHS) {
      yield; // one unit per depth: the host may slice, pause or cancel between them
      const lag1 = (shortcut: boolean) =>
        measureNet(config, depth, shortcut, x).autocorrelation[1] ?? 1;
      depths.push({ depth, plain: lag1(false), resnet: lag1(true) });
    }
  return { schema: SHATTERED_SCHEMA, config, x, plain, resnet, depths };
}

/** The study as a job (nothing to train): one unit per depth measured. */
export function shatteredJob(config: ShatteredConfig): StudyJob<ShatteredRecord> {
  return new StudyJob('shattered', null, () => measure(config), shatteredUnits(config));
}
