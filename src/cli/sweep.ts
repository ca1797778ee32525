/**
 * `resnet-lab sweep`: block types × depths × seeds, each a full training run, as one sweep record
 * (experiments/sweep.ts, docs/sweep-schema.md). Every `train` flag is accepted (but --arch and
 * --depth, which --archs and --depths replace); `--jobs N` runs the runs on N worker threads with
 * output byte-identical to `--jobs 1`.
 */
import { SWEEP_JOB } from '../experiments/jobs.ts';
import { SWEEP_SCHEMA, sweepCSV, sweepRuns } from '../experiments/sweep.ts';
import { fieldOptions, formatSections, type OptionSpec } from './args.ts';
import type { Command } from './command.ts';
import { emitOutput, HELP_FLAG, outputFlags, outputOf } from './files.ts';
import { type CliIO, EXIT, EXIT_CODES_HELP, usageError } from './io.ts';
import { defaultJobs } from './parallel.ts';
import { runPlanCommand } from './planRun.ts';
import { parseSettings, type SettingsGroup } from './settings.ts';

const SETTINGS: SettingsGroup<Parameters<typeof SWEEP_JOB.plan>[0]> = {
  fields: SWEEP_JOB.fields,
  validate: SWEEP_JOB.validate,
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
  ...outputFlags('the sweep record', 'one row per run'),
  { name: 'quiet', key: 'quiet', kind: 'switch', help: 'no progress and no summary on stderr' },
  HELP_FLAG,
];

const SWEEP_OWN = ['archs', 'depths', 'seeds', 'targetAccuracy'];

function help(): string {
  const all = fieldOptions(SWEEP_JOB.fields);
  return `Usage: resnet-lab sweep [flags]

Trains every block type of --archs at every depth of --depths with --seeds seeds (--seed,
--seed + 1, …), and writes the sweep record (schema ${SWEEP_SCHEMA}, see docs/sweep-schema.md):
per run the final metrics and the steps to reach --target-accuracy (null: not reached within the
budget). Identical flags give byte-identical output, whatever --jobs is.

${formatSections([
  { title: 'Sweep', options: all.filter((o) => SWEEP_OWN.includes(o.key)) },
  {
    title: 'Training settings (every run)',
    options: all.filter((o) => !SWEEP_OWN.includes(o.key)),
  },
  { title: 'Output', options: OUTPUT_OPTIONS },
])}

${EXIT_CODES_HELP}

Examples:
  resnet-lab sweep --archs plain,resnet --depths 8,20,56 --seeds 3 --steps 2000 --out sweep.json
  resnet-lab sweep --depths 8,20,32,56,110 --target-accuracy 0.9 --jobs 2 --format csv
`;
}

async function runSweep(argv: readonly string[], io: CliIO): Promise<number> {
  // (--arch and --depth are unknown flags here; the parser suggests --archs and --depths)
  const parsed = parseSettings(argv, SETTINGS, OUTPUT_OPTIONS, 'sweep');
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
      'resnet-lab sweep',
      problems,
      "Run 'resnet-lab sweep --help' for the flags and their allowed values.",
    );
  const jobs = typeof args.values.jobs === 'number' ? args.values.jobs : defaultJobs();
  const quiet = args.values.quiet === true;
  const startedAt = io.now();

  const runs = sweepRuns(config).length;
  const ran = await runPlanCommand(io, 'sweep', SWEEP_JOB.plan(config), {
    config,
    jobs,
    total: quiet ? null : runs * config.steps,
  });
  if (!ran.ok) return ran.exit;
  const record = ran.record;

  const text = format === 'csv' ? sweepCSV(record) : `${JSON.stringify(record, null, 2)}\n`;
  if (!emitOutput(io, 'sweep', out, text)) return EXIT.failure;
  if (!quiet) {
    const seconds = ((io.now() - startedAt) / 1000).toFixed(1);
    const reached = record.runs.filter((r) => r.stepsToTarget !== null).length;
    const diverged = record.runs.filter((r) => r.diverged).length;
    io.stderr(
      `${runs} runs in ${seconds} s on ${Math.min(jobs, runs)} thread(s): ${reached} reached ` +
        `training accuracy ${config.targetAccuracy}, ${diverged} diverged → ${out ?? 'stdout'} (${format})\n`,
    );
  }
  return EXIT.ok;
}

export const sweepCommand: Command = {
  name: 'sweep',
  summary: SWEEP_JOB.summary,
  help,
  run: runSweep,
};
