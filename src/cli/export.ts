/**
 * `resnet-lab export`: the network of a `train` config as an ONNX file (after training, or with
 * `--steps 0` its initial weights), or the run as a self-contained PyTorch folder (train.py, the
 * lab's initial weights, data and batch order; `torchrun` scales it out). Every problem is named
 * with its flag, exit 2, nothing written; files are written whole (a temporary name, then a
 * rename) or not at all.
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import {
  EXPORT_FORMATS,
  type ExportConfig,
  type ExportFormat,
} from '../experiments/exportConfig.ts';
import { exportJob, loadExportWriters } from '../experiments/export.ts';
import { TRAIN_FIELDS } from '../experiments/config.ts';
import { EXPORT_JOB } from '../experiments/jobs.ts';
import type { StudyEvent } from '../experiments/study.ts';
import type { ExportResult } from '../experiments/exportConfig.ts';
import { fieldOptions, formatSections, type OptionSpec } from './args.ts';
import type { Command } from './command.ts';
import { HELP_FLAG, loadDigitsAsset, outputProblem } from './files.ts';
import { type CliIO, EXIT, EXIT_CODES_HELP, usageError } from './io.ts';
import { Progress } from './progress.ts';
import { parseSettings, TRAIN_SETTINGS } from './settings.ts';

const OUTPUT_OPTIONS: OptionSpec[] = [
  {
    name: 'format',
    key: 'format',
    kind: 'enum',
    values: EXPORT_FORMATS,
    default: 'onnx',
    help: 'onnx: the network as one ONNX file (--out net.onnx); torch: a PyTorch folder (--out run/)',
  },
  {
    name: 'out',
    key: 'out',
    kind: 'string',
    placeholder: 'path',
    help: 'the ONNX file, or the folder for torch (new, or empty); required',
  },
  {
    name: 'quiet',
    key: 'quiet',
    kind: 'switch',
    help: 'no progress on stderr (errors still print)',
  },
  HELP_FLAG,
];

const USAGE = 'Usage: resnet-lab export --format onnx|torch --out PATH [training flags]';
const HINT = "Run 'resnet-lab export --help' for the flags and their allowed values.";

function help(): string {
  return `${USAGE}

--format onnx: trains the network the training flags describe (as 'resnet-lab train' does), then
writes it as an ONNX file (opset 15): the engine's own graph with the lab's node and parameter
names, batch norm in evaluation form, and two outputs, the logits and the probabilities.
--steps 0 writes the initial weights without training. Dense networks of every block type.

--format torch: writes a folder that trains the same run in plain PyTorch: train.py, README.md,
run.json, the initial weights, the data and the batch order as .bin files. Nothing is trained
here. Run it with 'python3 train.py' or 'torchrun --nproc_per_node N train.py'
(DistributedDataParallel); --width/--depth/--steps scale it up. See docs/export.md.

${formatSections([
  { title: 'Training settings', options: fieldOptions(TRAIN_FIELDS) },
  { title: 'Output', options: OUTPUT_OPTIONS },
])}

${EXIT_CODES_HELP}

Examples:
  resnet-lab export --format onnx --arch resnet --depth 20 --steps 2000 --out resnet-20.onnx
  resnet-lab export --format onnx --arch plain --depth 56 --steps 0 --out plain-56-init.onnx
  resnet-lab export --format torch --arch resnet --depth 56 --steps 2000 --out run/
`;
}

interface ExportInvocation {
  config: ExportConfig;
  out: string;
  quiet: boolean;
}

/**
 * `--steps 0` (the initial weights) is not a training setting (steps ≥ 1): taken out of argv
 * before the settings are parsed. Returns the rest and whether it was there.
 */
function takeStepsZero(argv: readonly string[]): { rest: string[]; initial: boolean } {
  const rest: string[] = [];
  let initial = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (a === '--steps=0' || (a === '--steps' && argv[i + 1] === '0')) {
      initial = true;
      if (a === '--steps') i++;
      continue;
    }
    // a later --steps N wins, as with every repeated flag
    if (a === '--steps' || a.startsWith('--steps=')) initial = false;
    rest.push(a);
  }
  return { rest, initial };
}

/** Why the folder `path` cannot receive a PyTorch export, or null. */
function folderProblem(path: string): string | null {
  const full = resolve(path);
  const parent = dirname(full);
  if (!existsSync(parent)) return `directory ${parent} does not exist`;
  if (!existsSync(full)) return null;
  if (!statSync(full).isDirectory()) return `${path} exists and is not a folder`;
  if (readdirSync(full).length > 0) return `${path} exists and is not empty`;
  return null;
}

/** Parses and validates everything; returns every problem found, or what to run. */
export function parseExportArgs(
  argv: readonly string[],
):
  | { kind: 'help' }
  | { kind: 'problems'; problems: string[] }
  | { kind: 'run'; value: ExportInvocation } {
  const { rest, initial } = takeStepsZero(argv);
  const parsed = parseSettings(rest, TRAIN_SETTINGS, OUTPUT_OPTIONS, 'export');
  if (parsed.kind === 'help') return parsed;
  const { args, problems } = parsed;
  const format = (args.values.format ?? 'onnx') as ExportFormat;
  const out = typeof args.values.out === 'string' ? args.values.out : null;
  if (out === null)
    problems.push(
      `--out: give where to write (${format === 'torch' ? 'a new or empty folder, e.g. run/' : 'a file, e.g. net.onnx'})`,
    );
  else {
    const problem = format === 'torch' ? folderProblem(out) : outputProblem(out);
    if (problem) problems.push(`--out: ${problem}`);
  }
  if (initial && format === 'torch')
    problems.push(
      '--steps: 0 is for an ONNX file of the initial weights; a PyTorch folder trains for --steps (at least 1)',
    );
  if (problems.length > 0 || !parsed.config || out === null) return { kind: 'problems', problems };
  return {
    kind: 'run',
    value: {
      config: { ...parsed.config, exportFormat: format, exportTrained: !initial },
      out,
      quiet: args.values.quiet === true,
    },
  };
}

/** Writes a file via a temporary name and a rename. */
function writeFileWhole(path: string, bytes: Uint8Array): void {
  const full = resolve(path);
  const temp = join(dirname(full), `.${basename(full)}.${process.pid}.tmp`);
  try {
    writeFileSync(temp, bytes);
    renameSync(temp, full);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** Writes a folder's files into a temporary folder beside it, then renames it into place. */
function writeFolderWhole(path: string, files: ExportResult['files']): void {
  const full = resolve(path);
  const temp = join(dirname(full), `.${basename(full)}.${process.pid}.tmp`);
  try {
    mkdirSync(temp);
    for (const file of files) writeFileSync(join(temp, file.path), file.bytes);
    if (existsSync(full)) rmSync(full, { recursive: false, force: true }); // empty: checked before
    renameSync(temp, full);
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    throw error;
  }
}

async function runExport(argv: readonly string[], io: CliIO): Promise<number> {
  const parsed = parseExportArgs(argv);
  if (parsed.kind === 'help') {
    io.stdout(help());
    return EXIT.ok;
  }
  if (parsed.kind === 'problems') return usageError(io, 'resnet-lab export', parsed.problems, HINT);
  const { config, out, quiet } = parsed.value;

  let digits: Uint8Array | undefined;
  try {
    if (config.dataset === 'digits') digits = loadDigitsAsset(config.digitsSize, io.stderr);
  } catch (error) {
    io.stderr(`resnet-lab export: ${(error as Error).message}\n`);
    return EXIT.failure;
  }

  let job;
  try {
    await loadExportWriters();
    job = exportJob(config, { digits });
  } catch (error) {
    io.stderr(`resnet-lab export: ${(error as Error).message}\n`);
    return EXIT.failure;
  }
  const progress =
    quiet || job.total <= 1
      ? null
      : new Progress({
          total: job.total,
          tty: io.stderrIsTTY,
          write: io.stderr,
          now: io.now,
          columns: io.columns,
        });
  let interrupted = false;
  const stopListening = io.onInterrupt(() => {
    interrupted = true;
    job.cancel();
  });
  let result: ExportResult | null = null;
  let diverged: { step: number } | null = null;
  try {
    let sliceStart = io.now();
    while (!job.done) {
      for (const event of job.advance() as readonly StudyEvent<ExportResult>[]) {
        if (event.type === 'trained') diverged = event.diverged;
        if (event.type === 'result') result = event.result;
      }
      progress?.update(job.progress);
      if (io.now() - sliceStart >= 50) {
        await io.yieldToHost();
        sliceStart = io.now();
      }
    }
  } catch (error) {
    io.stderr(`resnet-lab export: ${(error as Error).message}\n`);
    return EXIT.failure;
  } finally {
    stopListening();
    progress?.finish();
  }
  if (interrupted || !result) {
    io.stderr(`resnet-lab export: interrupted; nothing written\n`);
    return EXIT.interrupted;
  }
  if (diverged) {
    io.stderr(
      `resnet-lab export: diverged at step ${diverged.step} (loss not finite); nothing written\n`,
    );
    return EXIT.diverged;
  }
  try {
    if (result.format === 'onnx') writeFileWhole(out, result.files[0]!.bytes);
    else writeFolderWhole(out, result.files);
  } catch (error) {
    io.stderr(`resnet-lab export: cannot write ${out}: ${(error as Error).message}\n`);
    return EXIT.failure;
  }
  if (!quiet) {
    const bytes = result.files.reduce((s, f) => s + f.bytes.length, 0);
    const what =
      result.format === 'onnx'
        ? `ONNX file (${config.exportTrained ? `after ${config.steps} steps` : 'initial weights'})`
        : `PyTorch folder (${result.files.length} files; run: cd ${out} && python3 train.py)`;
    io.stderr(`resnet-lab export: wrote ${out}: ${what}, ${bytes.toLocaleString('en')} bytes\n`);
  }
  return EXIT.ok;
}

export const exportCommand: Command = {
  name: 'export',
  summary: EXPORT_JOB.summary,
  help,
  run: runExport,
};
