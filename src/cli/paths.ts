/**
 * `resnet-lab paths`: the ensemble of paths of a trained residual network (experiments/paths.ts,
 * docs/paths-schema.md). Every `train` flag is accepted; the network is trained first, then the
 * gradient is measured along sampled paths of each length.
 */
import { PATHS_JOB } from '../experiments/jobs.ts';
import {
  carryingRange,
  PATHS_SCHEMA,
  pathsCSV,
  type PathsConfig,
  type PathsRecord,
} from '../experiments/pathsConfig.ts';
import { studyRecorder } from '../experiments/study.ts';
import { fieldOptions, formatSections, type OptionSpec } from './args.ts';
import type { Command } from './command.ts';
import { emitOutput, HELP_FLAG, loadDigitsAsset, outputFlags, outputOf } from './files.ts';
import { type CliIO, EXIT, EXIT_CODES_HELP, usageError } from './io.ts';
import { parseSettings, type SettingsGroup } from './settings.ts';

const SETTINGS: SettingsGroup<PathsConfig> = {
  fields: PATHS_JOB.fields,
  validate: PATHS_JOB.validate,
};

const OUTPUT_OPTIONS: OptionSpec[] = [
  ...outputFlags('the record', 'one row per path length'),
  { name: 'quiet', key: 'quiet', kind: 'switch', help: 'no summary on stderr' },
  HELP_FLAG,
];

function help(): string {
  const all = fieldOptions(PATHS_JOB.fields);
  return `Usage: resnet-lab paths [train flags] [--path-samples N]

Trains a residual network as 'resnet-lab train' would with the same flags, then unrolls it into
its 2^n paths (n blocks; C(n, k) paths go through k residual branches). For each length k it
samples --path-samples sets of k blocks and sends the gradient back through those blocks'
branches and every other block's shortcut only — in the backward pass; the forward pass is
intact (Veit et al. 2016) — and measures ‖∂loss/∂(first block's input)‖ on the first --batch
training examples (evaluation mode). Writes the record (schema ${PATHS_SCHEMA}, see
docs/paths-schema.md): per length the path count, the share of paths, the magnitudes and the
share of the total gradient. Block types: resnet, preact, bottleneck, resnext.

${formatSections([
  { title: 'Study', options: all.filter((o) => o.key === 'pathSamples') },
  { title: 'Training settings', options: all.filter((o) => o.key !== 'pathSamples') },
  { title: 'Output', options: OUTPUT_OPTIONS },
])}

${EXIT_CODES_HELP}

Examples:
  resnet-lab paths --depth 56 --dataset spiral --steps 2000 --seed 1
  resnet-lab paths --depth 110 --path-samples 10 --out paths.json
`;
}

async function runPaths(argv: readonly string[], io: CliIO): Promise<number> {
  const parsed = parseSettings(argv, SETTINGS, OUTPUT_OPTIONS, 'paths');
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
      'resnet-lab paths',
      problems,
      "Run 'resnet-lab paths --help' for the flags and their allowed values.",
    );
  let digits: Uint8Array | undefined;
  try {
    if (config.dataset === 'digits') digits = loadDigitsAsset(config.digitsSize, io.stderr);
  } catch (error) {
    io.stderr(`resnet-lab paths: ${(error as Error).message}\n`);
    return EXIT.failure;
  }
  let interrupted = false;
  const stopListening = io.onInterrupt(() => (interrupted = true));
  let record: PathsRecord | null;
  try {
    const job = PATHS_JOB.create(config, digits ? { digits } : {});
    const recorder = studyRecorder<PathsRecord>();
    for (let i = 0; !job.done; i++) {
      for (const event of job.advance()) recorder.add(event);
      if (i % 50 === 49) await io.yieldToHost(); // lets Ctrl-C be heard
      if (interrupted) job.cancel();
    }
    record = recorder.result();
  } finally {
    stopListening();
  }
  if (interrupted || !record) {
    io.stderr('resnet-lab paths: interrupted; nothing written\n');
    return EXIT.interrupted;
  }
  const text = format === 'csv' ? pathsCSV(record) : `${JSON.stringify(record, null, 2)}\n`;
  if (!emitOutput(io, 'paths', out, text)) return EXIT.failure;
  if (args.values.quiet !== true) {
    const range = carryingRange(record.lengths, 0.9);
    io.stderr(
      `${record.blocks} blocks, ${record.totalPaths} paths: lengths ${range.from}–${range.to} carry ` +
        `${(100 * range.share).toFixed(1)}% of the gradient → ${out ?? 'stdout'} (${format})\n`,
    );
  }
  return EXIT.ok;
}

export const pathsCommand: Command = {
  name: 'paths',
  summary: PATHS_JOB.summary,
  help,
  run: runPaths,
};
