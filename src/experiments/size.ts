/**
 * What a training run's network will need, known from its config alone: the input width and
 * classes of its data, the model spec, and the size limits every host enforces before it builds
 * anything — memory and time per step are estimated from the model's own op list
 * (`Model.footprint`), so a request that would not fit is refused with what it would need,
 * never attempted until the tab runs out of memory.
 */
import { DIGITS_NUM_CLASSES, syntheticNumClasses } from '../data/index.ts';
import { Model, type ModelSpec } from '../engine/model.ts';
import type { FieldError, Validation } from './fields.ts';
import { type TrainConfig, validateTrainConfig } from './config.ts';

/** The input width and classes a config's data has, without building the data. */
export function datasetShape(config: TrainConfig): { inputDim: number; numClasses: number } {
  if (config.dataset === 'digits')
    return { inputDim: config.digitsSize ** 2, numClasses: DIGITS_NUM_CLASSES };
  return { inputDim: 2, numClasses: syntheticNumClasses(config.dataset) };
}

/**
 * The spec of a config's network. A convolutional network reads each example as an image — one
 * grey channel of the digits' side² pixels, in the maps' layout h × w × c — so its spec names the
 * image and the shortcut option; a stack of dense layers reads the flat vector.
 */
export function modelSpec(
  config: TrainConfig,
  data: { inputDim: number; numClasses: number },
): ModelSpec {
  const conv =
    config.model === 'conv'
      ? {
          image: [config.digitsSize, config.digitsSize, 1] as const,
          shortcutOption: config.shortcutOption,
        }
      : {};
  return {
    model: config.model,
    ...conv,
    arch: config.arch,
    shortcut: config.shortcut,
    depth: config.depth,
    width: config.width,
    inputDim: data.inputDim,
    classes: data.numClasses,
    loss: config.loss,
    activation: config.activation,
    init: config.init,
    norm: config.norm,
    residualInit: config.residualInit,
    gateBias: config.gateBias,
    growthRate: config.growthRate,
    cardinality: config.cardinality,
    maxBatch: config.batch,
    seed: config.seed,
    kernels: config.kernels,
  };
}

/**
 * The most one training run may take: memory for the network's buffers and its data (a browser
 * tab holds a few GB at most, a phone's far less; WebAssembly memory is at most 4 GiB), and the
 * estimated time of one step (the page's worker answers between steps, and a step much longer
 * than this makes the page's controls and the pool's liveness check wait).
 */
export const SIZE_LIMITS = { bytes: 2 ** 30, stepSeconds: 10 } as const;

/**
 * Multiply-adds per second the wasm kernels reach on a big network (measured by `npm run bench`:
 * R56w128, 1.41 GFLOP per step in 33 ms on a 2-core 2026 laptop-class machine ≈ 2·10¹⁰ MAC/s),
 * for estimates only; the TypeScript path is about ten times slower.
 */
const MACS_PER_SECOND = 2e10;

export interface RunSize {
  params: number;
  /** the network's buffers and the data's */
  bytes: number;
  /** estimated seconds per training step on its kernel path (forward + backward ≈ 3 passes) */
  stepSeconds: number;
}

/** the last few sizes asked for (the page validates its form on every edit) */
const recent = new Map<string, RunSize>();

export function runSize(config: TrainConfig): RunSize {
  const shape = datasetShape(config);
  const spec = modelSpec(config, shape);
  const key = JSON.stringify([spec, config.samples]);
  const known = recent.get(key);
  if (known) return known;
  const net = Model.footprint(spec);
  const dataBytes = config.samples * (shape.inputDim * 4 + 4);
  const rate = config.kernels === 'ts' ? MACS_PER_SECOND / 10 : MACS_PER_SECOND;
  const size: RunSize = {
    params: net.params,
    bytes: net.bytes + dataBytes,
    stepSeconds: (3 * net.macsPerExample * config.batch) / rate,
  };
  if (recent.size >= 8) recent.delete(recent.keys().next().value!);
  recent.set(key, size);
  return size;
}

const mib = (bytes: number): string =>
  bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${Math.ceil(bytes / 2 ** 20)} MiB`;

const seconds = (s: number): string =>
  s >= 60
    ? `${(s / 60).toFixed(1)} min`
    : s >= 1
      ? `${s.toFixed(1)} s`
      : `${Math.round(s * 1000)} ms`;

/**
 * A run over the limits: one error naming the setting that weighs most (width when the weights
 * dominate, else batch), with what it would need and the limit.
 */
export function sizeProblems(config: TrainConfig): FieldError[] {
  const size = runSize(config);
  const over: string[] = [];
  if (size.bytes > SIZE_LIMITS.bytes)
    over.push(`about ${mib(size.bytes)} of memory (the limit is ${mib(SIZE_LIMITS.bytes)})`);
  if (size.stepSeconds > SIZE_LIMITS.stepSeconds)
    over.push(
      `about ${seconds(size.stepSeconds)} per training step (the limit is ${seconds(SIZE_LIMITS.stepSeconds)})`,
    );
  if (over.length === 0) return [];
  // 6 vectors of the parameters' size (values, gradients, decay mask, optimizer state, snapshot)
  const weightBytes = 6 * 4 * size.params;
  const key = weightBytes * 2 > size.bytes ? 'width' : 'batch';
  return [
    {
      key,
      message: `this network (${size.params.toLocaleString('en')} parameters) would need ${over.join(' and ')}: try a smaller width, depth or batch`,
    },
  ];
}

/**
 * A config that will run: valid (validateTrainConfig) and within the size limits. Every host
 * that builds a network validates with this — the CLI, the worker, the page's form.
 */
export function validateTrainRun(input: unknown): Validation<TrainConfig> {
  const checked = validateTrainConfig(input);
  if (!checked.ok) return checked;
  const errors = sizeProblems(checked.value);
  return errors.length ? { ok: false, errors } : checked;
}
