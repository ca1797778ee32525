/**
 * Reading a sweep record back (a file a user opens on the page, or hands the CLI): refused over
 * a stated size before it is parsed, then checked against the documented schema
 * (docs/sweep-schema.md) with valibot — every problem named by its path in the file
 * (`runs[3].final.trainLoss: …`) — and the record's config with the sweep's own validator, so a
 * setting reads the same as on the command line. Its runs must be the ones its config implies,
 * in sweep order.
 */
import * as v from 'valibot';
import { ARCHS } from '../engine/choices.ts';
import { errorLine } from './fields.ts';
import { issueLines, jsonObject, MAX_PROBLEMS, plainObject, tooBigMessage } from './fileCheck.ts';
import { SWEEP_SCHEMA, type SweepRecord, sweepRuns, validateSweepConfig } from './sweep.ts';

/** The largest sweep file read (600 runs, the most a sweep holds, take about 250 kB). */
export const MAX_SWEEP_FILE_BYTES = 4 * 2 ** 20;

const count = v.pipe(v.number(), v.integer(), v.minValue(0));
const metric = v.pipe(v.number(), v.finite());
/** losses may be null in a record (non-finite numbers are written as null) */
const loss = v.nullable(metric);

const FINAL = v.strictObject({
  trainLoss: loss,
  trainAccuracy: v.pipe(metric, v.minValue(0), v.maxValue(1)),
  testLoss: loss,
  testAccuracy: v.pipe(metric, v.minValue(0), v.maxValue(1)),
  steps: count,
});

const RUN = v.strictObject({
  arch: v.picklist(ARCHS),
  depth: v.pipe(count, v.minValue(3)),
  seed: count,
  final: v.nullable(FINAL),
  stepsToTarget: v.nullable(count),
  epochsToTarget: v.nullable(v.pipe(metric, v.minValue(0))),
  diverged: v.nullable(v.strictObject({ step: count })),
  failed: v.optional(v.nullable(v.string())),
});

const RECORD = v.strictObject({
  schema: v.literal(SWEEP_SCHEMA),
  config: plainObject,
  runs: v.array(RUN),
});

export type SweepFileResult = { ok: true; record: SweepRecord } | { ok: false; problems: string[] };

/** Why a file of `bytes` is not read at all, or null when its size is fine. */
export function sweepFileTooBig(bytes: number): string | null {
  return tooBigMessage(bytes, MAX_SWEEP_FILE_BYTES, 'a sweep file', '600 runs take about 250 kB');
}

/** A sweep file's text (and its size in bytes, when known before reading it). */
export function readSweepFile(text: string, bytes = text.length): SweepFileResult {
  const tooBig = sweepFileTooBig(bytes);
  if (tooBig) return { ok: false, problems: [tooBig] };
  const json = jsonObject(
    text,
    `a sweep record: expected an object with schema "${SWEEP_SCHEMA}", config and runs`,
  );
  if (!json.ok) return json;
  const parsed = v.safeParse(RECORD, json.value);
  if (!parsed.success) return { ok: false, problems: issueLines(parsed.issues) };
  const config = validateSweepConfig(parsed.output.config);
  if (!config.ok)
    return { ok: false, problems: config.errors.map((e) => `config.${errorLine(e)}`) };
  const expected = sweepRuns(config.value);
  const runs = parsed.output.runs;
  const problems: string[] = [];
  if (runs.length !== expected.length)
    problems.push(
      `runs: the config implies ${expected.length} runs (${config.value.archs.length} block types × ${config.value.depths.length} depths × ${config.value.seeds} seeds), the file has ${runs.length}`,
    );
  else
    runs.forEach((run, i) => {
      const want = expected[i]!;
      if (run.arch !== want.arch || run.depth !== want.depth || run.seed !== want.seed)
        problems.push(
          `runs[${i}]: expected ${want.arch} depth ${want.depth} seed ${want.seed} (sweep order), got ${run.arch} depth ${run.depth} seed ${run.seed}`,
        );
    });
  if (problems.length) return { ok: false, problems: problems.slice(0, MAX_PROBLEMS) };
  const record: SweepRecord = {
    schema: SWEEP_SCHEMA,
    config: config.value,
    // `failed` is written only on a failed run
    runs: runs.map(({ failed, ...r }) => (failed ? { ...r, failed } : r)),
  };
  return { ok: true, record };
}
