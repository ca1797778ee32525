/**
 * The ensemble of paths (Veit et al. 2016), measured on a trained residual network: the job
 * trains it first (StudyJob), then, for each path length k = 0 … n, samples k blocks whose
 * residual branch the gradient goes through while every other block's gradient takes its
 * shortcut — in the backward pass only (Model.setGradientPath); the forward pass stays intact, as
 * in the paper. The magnitude of a path's gradient is ‖∂loss/∂(first block's input)‖ on a fixed
 * batch (the first `batch` training examples, evaluation mode). Weighted by the number of paths
 * of each length, C(n, k), it gives the share of the total gradient each length carries.
 */
import { Rng } from '../engine/rng.ts';
import { type FieldError, validateFields, type Validation } from './fields.ts';
import {
  blocksOf,
  PATH_ARCHS,
  type PathLength,
  pathCounts,
  PATHS_FIELDS,
  PATHS_SCHEMA,
  type PathsConfig,
  type PathsRecord,
  pathShares,
} from './pathsConfig.ts';
import { validateTrainRun } from './size.ts';
import { StudyJob } from './study.ts';
import { train, type TrainingRun } from './train.ts';

export * from './pathsConfig.ts';

/** Validates the training settings (sizes included) and the study's own, and the block type. */
export function validatePathsConfig(input: unknown): Validation<PathsConfig> {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return { ok: false, errors: [{ key: null, message: 'expected an object' }] };
  const { pathSamples, ...trainInput } = input as Record<string, unknown>;
  const own = validateFields<{ pathSamples: number }>(
    { pathSamples: PATHS_FIELDS.pathSamples },
    pathSamples === undefined ? {} : { pathSamples },
  );
  const trained = validateTrainRun(trainInput);
  const errors: FieldError[] = [
    ...(own.ok ? [] : own.errors),
    ...(trained.ok ? [] : trained.errors),
  ];
  if (trained.ok && (!PATH_ARCHS.includes(trained.value.arch) || !trained.value.shortcut))
    errors.push({
      key: 'arch',
      message: `the ensemble of paths needs blocks whose shortcut adds the branch: ${PATH_ARCHS.join(', ')} (with the shortcut on)`,
    });
  if (errors.length > 0 || !own.ok || !trained.ok) return { ok: false, errors };
  return { ok: true, value: { ...trained.value, pathSamples: own.value.pathSamples } };
}

/** Units of work: the training steps, then one per path length k = 0 … n. */
export function pathsUnits(config: PathsConfig): number {
  return config.steps + (blocksOf(config) ?? 0) + 1;
}

function* measure(run: TrainingRun, config: PathsConfig): Generator<void, PathsRecord, void> {
  const { model, data } = run;
  const final = run.evaluate(Math.max(data.nTrain, data.nTest));
  const n = model.blocks;
  const rows = Math.min(config.batch, data.nTrain);
  model.input.value.set(data.trainX.subarray(0, rows * data.inputDim));
  model.labels.set(data.trainY.subarray(0, rows));
  model.forward(rows, false);
  model.loss(true); // ∂loss/∂logits, kept: every backward pass below starts from it
  const at = model.blockInputs[0]!;
  const magnitude = (): number => {
    model.backward();
    let sum = 0;
    for (let i = 0; i < rows * at.dim; i++) sum += at.grad[i]! * at.grad[i]!;
    return Math.sqrt(sum);
  };
  const fullMagnitude = magnitude();

  const rng = new Rng(config.seed, 'paths');
  const order = Array.from({ length: n }, (_, i) => i);
  const chosen: boolean[] = new Array<boolean>(n).fill(false);
  const magnitudes: number[][] = [];
  for (let k = 0; k <= n; k++) {
    const samples: number[] = [];
    for (let s = 0; s < config.pathSamples; s++) {
      // k blocks at random: the first k of a partial Fisher–Yates shuffle
      for (let i = 0; i < k; i++) {
        const j = i + rng.int(n - i);
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      chosen.fill(false);
      for (let i = 0; i < k; i++) chosen[order[i]!] = true;
      for (let b = 0; b < n; b++) model.setGradientPath(b, chosen[b] ? 'branch' : 'shortcut');
      samples.push(magnitude());
    }
    magnitudes.push(samples);
    if (k < n) yield; // one unit per length: the host may slice, pause or cancel between them
  }
  for (let b = 0; b < n; b++) model.setGradientPath(b, 'both');

  const counts = pathCounts(n);
  const shares = pathShares(n);
  const means = magnitudes.map((m) => m.reduce((s, v) => s + v, 0) / m.length);
  const weights = means.map((m, k) => shares[k]! * m);
  const total = weights.reduce((s, w) => s + w, 0);
  const lengths: PathLength[] = magnitudes.map((m, k) => ({
    k,
    paths: counts[k]!.toString(),
    pathShare: shares[k]!,
    magnitudes: m,
    meanMagnitude: means[k]!,
    gradientShare: total > 0 ? weights[k]! / total : 0,
  }));
  return {
    schema: PATHS_SCHEMA,
    config,
    blocks: n,
    totalPaths: (1n << BigInt(n)).toString(),
    batch: rows,
    final,
    fullMagnitude,
    lengths,
  };
}

/** The study as a job: train (the config's training settings), then measure the paths. */
export function pathsJob(
  config: PathsConfig,
  resources: Parameters<typeof train>[1] = {},
): StudyJob<PathsRecord> {
  const { pathSamples: _samples, ...trainConfig } = config;
  const run = train(trainConfig, resources);
  return new StudyJob('paths', run, () => measure(run, config), (blocksOf(config) ?? 0) + 1);
}
