/**
 * `resnet-lab shattered`: shattered gradients at initialisation (experiments/shattered.ts,
 * docs/shattered-schema.md): the gradient of a plain network and its residual twin along a line
 * of inputs, its autocorrelation by lag, and the lag-1 autocorrelation against depth.
 */
import { runJob } from '../experiments/job.ts';
import { SHATTERED_JOB } from '../experiments/jobs.ts';
import {
  ACROSS_DEPTHS,
  SHATTERED_SCHEMA,
  shatteredCSV,
  type ShatteredConfig,
  type ShatteredRecord,
} from '../experiments/shattered.ts';
import { studyRecorder } from '../experiments/study.ts';
import { fieldOptions, formatSections, type OptionSpec } from './args.ts';
import type { Command } from './command.ts';
import { emitOutput, HELP_FLAG, outputFlags, outputOf } from './files.ts';
import { type CliIO, EXIT, EXIT_CODES_HELP, usageError } from './io.ts';
import { parseSettings, type SettingsGroup } from './settings.ts';

const SETTINGS: SettingsGroup<ShatteredConfig> = {
  fields: SHATTERED_JOB.fields,
  validate: SHATTERED_JOB.validate,
};

const OUTPUT_OPTIONS: OptionSpec[] = [
  ...outputFlags('the record', 'one row per point (x and both gradients)'),
  { name: 'quiet', key: 'quiet', kind: 'switch', help: 'no summary on stderr' },
  HELP_FLAG,
];

function help(): string {
  return `Usage: resnet-lab shattered [flags]

Builds a plain network and its residual twin (same depth, width and seed: the same weights) and,
at initialisation, computes the gradient of the first output along a line of inputs (x from −2
to 2 at y = 0), then its autocorrelation by lag (mean removed, lag 0 = 1). With --across (the
default) also the lag-1 autocorrelation at depths ${ACROSS_DEPTHS.join(', ')}. ReLU, He
initialisation, random biases, no normalisation, residual branches at full strength. Writes the
record (schema ${SHATTERED_SCHEMA}, see docs/shattered-schema.md). Trains nothing.

${formatSections([
  { title: 'Study', options: fieldOptions(SHATTERED_JOB.fields) },
  { title: 'Output', options: OUTPUT_OPTIONS },
])}

${EXIT_CODES_HELP}

Examples:
  resnet-lab shattered --depth 50 --seed 1
  resnet-lab shattered --depth 110 --points 512 --out shattered.json
`;
}

/** Runs the study in this thread (it is short: a few forward and backward passes). */
export function shatteredRecord(config: ShatteredConfig): ShatteredRecord {
  const recorder = studyRecorder<ShatteredRecord>();
  for (const event of runJob(SHATTERED_JOB.create(config, {}))) recorder.add(event);
  const record = recorder.result();
  if (!record) throw new Error('the study ended without a result');
  return record;
}

async function runShattered(argv: readonly string[], io: CliIO): Promise<number> {
  const parsed = parseSettings(argv, SETTINGS, OUTPUT_OPTIONS, 'shattered');
  if (parsed.kind === 'help') {
    io.stdout(help());
    return EXIT.ok;
  }
  const { args, problems } = parsed;
  const { out, format } = outputOf(args, problems);
  const config = parsed.config;
  if (problems.length > 0 || !config)
    return usageError(
      io,
      'resnet-lab shattered',
      problems,
      "Run 'resnet-lab shattered --help' for the flags and their allowed values.",
    );
  const record = shatteredRecord(config);
  const text = format === 'csv' ? shatteredCSV(record) : `${JSON.stringify(record, null, 2)}\n`;
  if (!emitOutput(io, 'shattered', out, text)) return EXIT.failure;
  if (args.values.quiet !== true) {
    const lag1 = (net: { autocorrelation: number[] }) => (net.autocorrelation[1] ?? 1).toFixed(3);
    io.stderr(
      `depth ${config.depth}: lag-1 autocorrelation of the gradient, plain ${lag1(record.plain)}, ` +
        `residual ${lag1(record.resnet)} → ${out ?? 'stdout'} (${format})\n`,
    );
  }
  return EXIT.ok;
}

export const shatteredCommand: Command = {
  name: 'shattered',
  summary: SHATTERED_JOB.summary,
  help,
  run: runShattered,
};
