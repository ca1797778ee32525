/**
 * Reading a run record back (a file `resnet-lab train --out` wrote, or the page's export of a
 * run, opened on the page): refused over a stated size before it is read, then checked against
 * the documented schema (docs/run-schema.md) with valibot — every problem named by its path in
 * the file (`history[3].testAccuracy: …`) — and its config with the training validator, so a
 * setting reads the same as on the command line. Its evaluations and training points must be
 * in step order within the run's steps.
 */
import * as v from 'valibot';
import { ARCHS } from '../engine/choices.ts';
import { TRAIN_FIELDS, validateTrainConfig } from './config.ts';
import { errorLine } from './fields.ts';
import { issueLines, jsonObject, MAX_PROBLEMS, plainObject, tooBigMessage } from './fileCheck.ts';
import { RUN_SCHEMA, type RunRecord } from './record.ts';

/**
 * The largest run record read. A 24,000-step run logged every step takes about 3 MB; per-tensor
 * statistics at every evaluation of a deep net can take tens of MB.
 */
export const MAX_RUN_FILE_BYTES = 64 * 2 ** 20;

const count = v.pipe(v.number(), v.integer(), v.minValue(0));
/** numbers a record may hold as null (non-finite numbers are written as null) */
const number = v.nullable(v.pipe(v.number(), v.finite()));
const fraction = v.nullable(v.pipe(v.number(), v.minValue(0), v.maxValue(1)));

const METRICS = {
  trainLoss: number,
  trainAccuracy: fraction,
  testLoss: number,
  testAccuracy: fraction,
};

const STAT_ROWS = v.array(v.pipe(plainObject, v.record(v.string(), v.union([v.string(), number]))));

const RECORD = v.strictObject({
  schema: v.literal(RUN_SCHEMA),
  config: plainObject,
  model: v.strictObject({
    arch: v.picklist(ARCHS),
    shortcut: v.boolean(),
    depth: count,
    blocks: count,
    weightLayers: count,
    params: count,
    inputDim: count,
    outputs: count,
  }),
  dataset: v.strictObject({
    name: v.string(),
    inputDim: count,
    classes: count,
    train: count,
    test: count,
  }),
  history: v.array(v.strictObject({ step: count, ...METRICS })),
  train: v.array(
    v.strictObject({
      step: count,
      epoch: count,
      lr: v.pipe(v.number(), v.finite()),
      loss: number,
      accuracy: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
    }),
  ),
  final: v.nullable(v.strictObject({ ...METRICS, steps: count })),
  diverged: v.nullable(v.strictObject({ step: count })),
  layerStats: v.optional(
    v.array(v.strictObject({ step: count, layers: STAT_ROWS, blocks: STAT_ROWS })),
  ),
  tensorStats: v.optional(
    v.array(v.strictObject({ step: count, tensors: STAT_ROWS, residuals: STAT_ROWS })),
  ),
});

export type RunFileResult = { ok: true; record: RunRecord } | { ok: false; problems: string[] };

/** Why a file of `bytes` is not read at all, or null when its size is fine. */
export function runFileTooBig(bytes: number): string | null {
  return tooBigMessage(
    bytes,
    MAX_RUN_FILE_BYTES,
    'a run record',
    'a 24,000-step run logged every step takes about 3 MB',
  );
}

/** Problems with the order of a list's steps (ascending, none past the run's last step). */
function stepProblems(name: string, steps: readonly number[], last: number): string[] {
  const problems: string[] = [];
  steps.forEach((step, i) => {
    if (i > 0 && step <= steps[i - 1]!)
      problems.push(`${name}[${i}].step: ${step} comes after step ${steps[i - 1]} (step order)`);
    if (step > last) problems.push(`${name}[${i}].step: ${step} is past the run's ${last} steps`);
  });
  return problems;
}

/**
 * Settings a run record written before they existed lacks; each such record ran with the
 * value they now default to (a stack of dense layers, where the shortcut option does nothing).
 */
const LATER_SETTINGS: ReadonlySet<string> = new Set(['model', 'shortcutOption']);

/** A run record's text (and its size in bytes, when known before reading it). */
export function readRunFile(text: string, bytes = text.length): RunFileResult {
  const tooBig = runFileTooBig(bytes);
  if (tooBig) return { ok: false, problems: [tooBig] };
  const json = jsonObject(
    text,
    `a run record: expected an object with schema "${RUN_SCHEMA}", config, model, dataset, history and train`,
  );
  if (!json.ok) return json;
  if (json.value.schema !== RUN_SCHEMA && typeof json.value.schema === 'string')
    return {
      ok: false,
      problems: [
        `schema: this is a "${json.value.schema}" file, not a run record ("${RUN_SCHEMA}")`,
      ],
    };
  const parsed = v.safeParse(RECORD, json.value);
  if (!parsed.success) return { ok: false, problems: issueLines(parsed.issues) };
  // a record holds every setting (docs/run-schema.md): a missing one would be read as its
  // default, which need not be what the run used — except the settings added after records
  // were first written, whose absence means the one network there was then (dense layers)
  const missing = Object.keys(TRAIN_FIELDS).filter(
    (key) => !(key in parsed.output.config) && !LATER_SETTINGS.has(key),
  );
  if (missing.length)
    return {
      ok: false,
      problems: missing.slice(0, MAX_PROBLEMS).map((key) => `config.${key}: missing`),
    };
  const config = validateTrainConfig(parsed.output.config);
  if (!config.ok)
    return { ok: false, problems: config.errors.map((e) => `config.${errorLine(e)}`) };
  const record = parsed.output;
  const last = record.final?.steps ?? config.value.steps;
  const problems = [
    ...(record.model.arch !== config.value.arch
      ? [`model.arch: ${record.model.arch}, but config.arch is ${config.value.arch}`]
      : []),
    ...stepProblems(
      'history',
      record.history.map((h) => h.step),
      last,
    ),
    ...stepProblems(
      'train',
      record.train.map((t) => t.step),
      last,
    ),
  ];
  if (problems.length) return { ok: false, problems: problems.slice(0, MAX_PROBLEMS) };
  return { ok: true, record: { ...record, schema: RUN_SCHEMA, config: config.value } };
}
