/**
 * `resnet-lab landscape`: trains one network, then writes the loss on a grid around its trained
 * weights θ* along two filter-normalised random directions, and along the line from its initial
 * weights (Li et al. 2018; experiments/landscape.ts, docs/landscape-schema.md). Every `train` flag
 * is accepted; `--jobs N` evaluates the grid's bands on N worker threads with output
 * byte-identical to `--jobs 1`.
 */
import {
  LANDSCAPE_SCHEMA,
  landscapeCSV,
  landscapeUnits,
  summarizeSurface,
} from '../experiments/landscape.ts';
import { LANDSCAPE_JOB } from '../experiments/landscapeJobs.ts';
import { fieldOptions, formatSections, type OptionSpec } from './args.ts';
import type { Command } from './command.ts';
import { emitOutput, HELP_FLAG, outputFlags, outputOf } from './files.ts';
import { type CliIO, EXIT, EXIT_CODES_HELP, usageError } from './io.ts';
import { defaultJobs } from './parallel.ts';
import { runPlanCommand } from './planRun.ts';
import { parseSettings, type SettingsGroup } from './settings.ts';

const SETTINGS: SettingsGroup<Parameters<typeof LANDSCAPE_JOB.plan>[0]> = {
  fields: LANDSCAPE_JOB.fields,
  validate: LANDSCAPE_JOB.validate,
};

const OUTPUT_OPTIONS: OptionSpec[] = [
  {
    name: 'jobs',
    key: 'jobs',
    kind: 'int',
    min: 1,
    max: 64,
    placeholder: 'n',
    help: 'worker threads (default: the cores); the output is the same for every value',
  },
  ...outputFlags('the landscape record', 'one row per grid point (alpha, beta, loss)'),
  { name: 'quiet', key: 'quiet', kind: 'switch', help: 'no progress and no summary on stderr' },
  HELP_FLAG,
];

const OWN = ['grid', 'range', 'examples'];

function help(): string {
  const all = fieldOptions(LANDSCAPE_JOB.fields);
  return `Usage: resnet-lab landscape [flags]

Trains one network (every train flag applies), then evaluates its loss on a --grid × --grid grid
θ* + α·δ + β·η, α and β over [−range, range], δ and η two Gaussian directions (seeded by --seed)
normalised filter by filter as in Li et al. 2018 (each neuron's incoming weights scaled to that
neuron's weight norm; biases and batch-norm parameters zero), and along θ₀ + t·(θ* − θ₀) for t
from −0.5 to 1.5. The evaluation set is the first --examples training examples, in evaluation
mode. Writes the landscape record (schema ${LANDSCAPE_SCHEMA}, see docs/landscape-schema.md).
Identical flags give byte-identical output, whatever --jobs is.

${formatSections([
  { title: 'Landscape', options: all.filter((o) => OWN.includes(o.key)) },
  { title: 'Training settings', options: all.filter((o) => !OWN.includes(o.key)) },
  { title: 'Output', options: OUTPUT_OPTIONS },
])}

${EXIT_CODES_HELP}

Examples:
  resnet-lab landscape --arch plain --depth 56 --dataset spiral --steps 2000 --grid 21 --seed 1 --out plain.json
  resnet-lab landscape --arch resnet --depth 56 --noise 0 --width 32 --grid 51 --range 1 --jobs 2
`;
}

async function runLandscape(argv: readonly string[], io: CliIO): Promise<number> {
  const parsed = parseSettings(argv, SETTINGS, OUTPUT_OPTIONS, 'landscape');
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
      'resnet-lab landscape',
      problems,
      "Run 'resnet-lab landscape --help' for the flags and their allowed values.",
    );
  const jobs = typeof args.values.jobs === 'number' ? args.values.jobs : defaultJobs();
  const quiet = args.values.quiet === true;
  const startedAt = io.now();

  const ran = await runPlanCommand(io, 'landscape', LANDSCAPE_JOB.plan(config), {
    config,
    jobs,
    total: quiet ? null : landscapeUnits(config),
    reportErrors: true,
  });
  if (!ran.ok) return ran.exit;
  const record = ran.record;

  const text = format === 'csv' ? landscapeCSV(record) : `${JSON.stringify(record, null, 2)}\n`;
  if (!emitOutput(io, 'landscape', out, text)) return EXIT.failure;
  if (!quiet) {
    const seconds = ((io.now() - startedAt) / 1000).toFixed(1);
    const s = summarizeSurface(record.loss, record.alphas, record.betas);
    io.stderr(
      `${config.grid}×${config.grid} grid in ${seconds} s on up to ${jobs} thread(s): loss at θ* ` +
        `${record.center ?? 'not finite'}, grid ${s.min.toPrecision(3)}…${s.max.toPrecision(3)}, ` +
        `${Math.round(100 * s.nonConvexShare)} % of interior points non-convex, ` +
        `${s.localMinima} local minima → ${out ?? 'stdout'} (${format})\n`,
    );
  }
  return EXIT.ok;
}

export const landscapeCommand: Command = {
  name: 'landscape',
  summary: LANDSCAPE_JOB.summary,
  help,
  run: runLandscape,
};
