/**
 * `resnet-lab train`: one training run, flags generated from TRAIN_FIELDS, the run record
 * (experiments/record.ts) to --out or stdout, progress and a summary on stderr.
 */
import { type TrainConfig, TRAIN_FIELDS } from '../experiments/config.ts';
import { RUN_SCHEMA, RunRecorder, toCSV, toJSON } from '../experiments/record.ts';
import { TRAIN_JOB } from '../experiments/jobs.ts';
import { train } from '../experiments/train.ts';
import { fieldOptions, formatSections, type OptionSpec } from './args.ts';
import type { Command } from './command.ts';
import { emitOutput, HELP_FLAG, loadDigitsAsset, outputFlags, outputOf } from './files.ts';
import { type CliIO, EXIT, EXIT_CODES_HELP, usageError } from './io.ts';
import { Progress } from './progress.ts';
import { parseSettings, TRAIN_SETTINGS } from './settings.ts';
import { formatSummary } from './summary.ts';

const FIELD_OPTIONS = fieldOptions(TRAIN_FIELDS);

const OUTPUT_OPTIONS: OptionSpec[] = [
  ...outputFlags('the run record', 'the evaluation history'),
  {
    name: 'layer-stats',
    key: 'layerStats',
    kind: 'switch',
    help: 'record per-layer statistics at every evaluation (sets --layer-stats-every to --eval-every)',
  },
  {
    name: 'tensor-stats',
    key: 'tensorStats',
    kind: 'switch',
    help: "record every tensor's and residual block's statistics at every evaluation (the record's tensorStats; the config is unchanged)",
  },
  {
    name: 'quiet',
    key: 'quiet',
    kind: 'switch',
    help: 'no progress and no summary on stderr (errors and warnings still print)',
  },
  HELP_FLAG,
];

const USAGE = 'Usage: resnet-lab train [flags]';
const HINT = "Run 'resnet-lab train --help' for the flags and their allowed values.";

function help(): string {
  return `${USAGE}

Trains one network on one dataset and writes its run record (schema ${RUN_SCHEMA}, see
docs/run-schema.md) to --out, or to stdout. Progress and a summary go to stderr.
Identical flags give byte-identical output.

${formatSections([
  { title: 'Training settings', options: FIELD_OPTIONS },
  { title: 'Output', options: OUTPUT_OPTIONS },
])}

${EXIT_CODES_HELP}

Examples:
  resnet-lab train --arch plain --depth 56 --steps 2000 --out plain-56.json
  resnet-lab train --arch resnet --depth 56 --seed 2 --format csv > resnet-56.csv
  resnet-lab train --dataset digits --depth 20 --width 64 --steps 500 --layer-stats --out d.json
`;
}

interface TrainInvocation {
  config: TrainConfig;
  out: string | null;
  format: 'json' | 'csv';
  quiet: boolean;
  /** steps between per-tensor statistics (an observation, not a setting); 0: none */
  tensorStatsEvery: number;
}

/** Parses and validates everything; returns every problem found, or what to run. */
export function parseTrainArgs(
  argv: readonly string[],
):
  | { kind: 'help' }
  | { kind: 'problems'; problems: string[] }
  | { kind: 'run'; value: TrainInvocation } {
  const parsed = parseSettings(argv, TRAIN_SETTINGS, OUTPUT_OPTIONS, 'train', (input, args) => {
    if (args.values.layerStats !== true) return [];
    if ('layerStatsEvery' in input)
      return ['--layer-stats and --layer-stats-every: give one or the other'];
    if (!args.invalid.has('evalEvery'))
      input.layerStatsEvery = input.evalEvery ?? TRAIN_FIELDS.evalEvery.default;
    return [];
  });
  if (parsed.kind === 'help') return parsed;
  const { args, problems } = parsed;
  const { out, format } = outputOf(args, problems);
  if (problems.length > 0 || !parsed.config) return { kind: 'problems', problems };
  return {
    kind: 'run',
    value: {
      config: parsed.config,
      out,
      format,
      quiet: args.values.quiet === true,
      tensorStatsEvery: args.values.tensorStats === true ? parsed.config.evalEvery : 0,
    },
  };
}

async function runTrain(argv: readonly string[], io: CliIO): Promise<number> {
  const parsed = parseTrainArgs(argv);
  if (parsed.kind === 'help') {
    io.stdout(help());
    return EXIT.ok;
  }
  if (parsed.kind === 'problems') return usageError(io, 'resnet-lab train', parsed.problems, HINT);
  const { config, out, format, quiet, tensorStatsEvery } = parsed.value;
  const startedAt = io.now();

  let digits: Uint8Array | undefined;
  try {
    if (config.dataset === 'digits') digits = loadDigitsAsset(config.digitsSize, io.stderr);
  } catch (error) {
    io.stderr(`resnet-lab train: ${(error as Error).message}\n`);
    return EXIT.failure;
  }

  const run = train(config, { digits }, { tensorStatsEvery });
  const recorder = new RunRecorder();
  const progress = quiet
    ? null
    : new Progress({
        total: config.steps,
        tty: io.stderrIsTTY,
        write: io.stderr,
        now: io.now,
        columns: io.columns,
      });
  let interrupted = false;
  const stopListening = io.onInterrupt(() => {
    interrupted = true;
    run.cancel();
  });
  try {
    let sliceStart = io.now();
    while (!run.done) {
      for (const event of run.advance()) {
        recorder.add(event);
        if (event.type === 'step' && progress) progress.loss = event.loss;
      }
      progress?.update(run.step);
      if (io.now() - sliceStart >= 50) {
        await io.yieldToHost();
        sliceStart = io.now();
      }
    }
  } finally {
    stopListening();
    progress?.finish();
  }
  if (interrupted) {
    io.stderr(`resnet-lab train: interrupted at step ${run.step}; nothing written\n`);
    return EXIT.interrupted;
  }

  const record = recorder.record();
  const text = format === 'csv' ? toCSV(record) : toJSON(record);
  if (!emitOutput(io, 'train', out, text)) return EXIT.failure;

  const wallSeconds = (io.now() - startedAt) / 1000;
  if (!quiet)
    io.stderr(
      formatSummary(record, { wallSeconds, destination: `${out ?? 'stdout'} (${format})` }),
    );
  if (record.diverged) {
    if (quiet)
      io.stderr(`resnet-lab train: diverged at step ${record.diverged.step} (loss not finite)\n`);
    return EXIT.diverged;
  }
  return EXIT.ok;
}

export const trainCommand: Command = {
  name: 'train',
  summary: TRAIN_JOB.summary,
  help,
  run: runTrain,
};
