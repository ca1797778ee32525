/**
 * `resnet-lab lesion`: trains a plain network and its ResNet twin with the same settings, then
 * deletes blocks of each and measures test accuracy (experiments/lesion.ts, docs/lesion-schema.md).
 * Every `train` flag is accepted but --arch and --shortcut (the study trains both block types);
 * `--jobs 2` trains the two networks on two threads with output byte-identical to `--jobs 1`.
 */
import { LESION_JOB } from '../experiments/jobs.ts';
import {
  LESION_NETS,
  LESION_SCHEMA,
  lesionBlocks,
  lesionCSV,
  lesionUnits,
  type LesionRecord,
} from '../experiments/lesion.ts';
import { fieldOptions, formatSections, type OptionSpec } from './args.ts';
import type { Command } from './command.ts';
import { emitOutput, HELP_FLAG, outputFlags, outputOf } from './files.ts';
import { type CliIO, EXIT, EXIT_CODES_HELP, usageError } from './io.ts';
import { defaultJobs } from './parallel.ts';
import { runPlanCommand } from './planRun.ts';
import { parseSettings, type SettingsGroup } from './settings.ts';

const SETTINGS: SettingsGroup<Parameters<typeof LESION_JOB.plan>[0]> = {
  fields: LESION_JOB.fields,
  validate: LESION_JOB.validate,
};

const OUTPUT_OPTIONS: OptionSpec[] = [
  {
    name: 'jobs',
    key: 'jobs',
    kind: 'int',
    min: 1,
    max: 64,
    placeholder: 'n',
    help: 'worker threads (default: the cores; two networks, so at most 2 are used); the output is the same for every value',
  },
  ...outputFlags('the lesion record', 'one row per measurement'),
  { name: 'quiet', key: 'quiet', kind: 'switch', help: 'no progress and no summary on stderr' },
  HELP_FLAG,
];

const LESION_OWN = ['draws'];

function help(): string {
  const all = fieldOptions(LESION_JOB.fields);
  return `Usage: resnet-lab lesion [flags]

Trains a plain network and its ResNet twin (the same layers, settings and seed; the ResNet with
shortcuts), then deletes blocks and measures test accuracy in evaluation mode on the whole test
set, as Veit et al. (2016) did: each block alone (ResNet: its residual branch switched off, the
shortcut kept; plain: the block replaced by the identity), then k random blocks for k = 1…n,
--draws times each (the same blocks in both networks). Writes the lesion record (schema
${LESION_SCHEMA}, see docs/lesion-schema.md). Identical flags give byte-identical output,
whatever --jobs is.

${formatSections([
  { title: 'Lesions', options: all.filter((o) => LESION_OWN.includes(o.key)) },
  {
    title: 'Training settings (both networks)',
    options: all.filter((o) => !LESION_OWN.includes(o.key)),
  },
  { title: 'Output', options: OUTPUT_OPTIONS },
])}

${EXIT_CODES_HELP.replace('the run diverged', 'a network diverged')}

Examples:
  resnet-lab lesion --depth 56 --dataset spiral --steps 2000 --seed 1 --out lesion.json
  resnet-lab lesion --depth 20 --width 16 --noise 0 --steps 1500 --draws 10 --format csv
`;
}

/** Percent with one decimal, or "–" for no number. */
const pct = (x: number | null) => (x === null ? '–' : `${(100 * x).toFixed(1)}%`);

function summary(record: LesionRecord): string {
  const lines = LESION_NETS.map((net) => {
    const r = record[net];
    const singles = r.single.map((s) => s.testAccuracy).filter((a): a is number => a !== null);
    const worst = singles.length ? Math.min(...singles) : null;
    const state = r.diverged ? `, diverged at step ${r.diverged.step}` : '';
    return `  ${net.padEnd(6)} trained ${pct(r.baseline.testAccuracy)}; worst single lesion ${pct(worst)}${state}`;
  });
  return `${lines.join('\n')}\n`;
}

async function runLesion(argv: readonly string[], io: CliIO): Promise<number> {
  // (--arch and --shortcut are unknown flags here: the study trains both)
  const parsed = parseSettings(argv, SETTINGS, OUTPUT_OPTIONS, 'lesion');
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
      'resnet-lab lesion',
      problems,
      "Run 'resnet-lab lesion --help' for the flags and their allowed values.",
    );
  const jobs = typeof args.values.jobs === 'number' ? args.values.jobs : defaultJobs();
  const quiet = args.values.quiet === true;
  const startedAt = io.now();

  const ran = await runPlanCommand(io, 'lesion', LESION_JOB.plan(config), {
    config,
    jobs,
    total: quiet ? null : LESION_NETS.length * (config.steps + lesionUnits(config)),
  });
  if (!ran.ok) return ran.exit;
  const record = ran.record;

  const text = format === 'csv' ? lesionCSV(record) : `${JSON.stringify(record, null, 2)}\n`;
  if (!emitOutput(io, 'lesion', out, text)) return EXIT.failure;
  const diverged = LESION_NETS.filter((net) => record[net].diverged);
  if (!quiet) {
    const seconds = ((io.now() - startedAt) / 1000).toFixed(1);
    io.stderr(
      `2 networks, ${lesionBlocks(config).length} blocks deleted in each, ${config.draws} draws per k, in ` +
        `${seconds} s on ${Math.min(jobs, 2)} thread(s) → ${out ?? 'stdout'} (${format})\n` +
        summary(record),
    );
  }
  if (diverged.length > 0) {
    if (quiet)
      for (const net of diverged)
        io.stderr(
          `resnet-lab lesion: the ${net} network diverged at step ${record[net].diverged!.step} (loss not finite)\n`,
        );
    return EXIT.diverged;
  }
  return EXIT.ok;
}

export const lesionCommand: Command = {
  name: 'lesion',
  summary: LESION_JOB.summary,
  help,
  run: runLesion,
};
