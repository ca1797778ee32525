/** Node-side file work for the CLI: the package root, the digits asset, atomic writes. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OptionSpec } from './args.ts';
import type { CliIO } from './io.ts';

/** The package root, found from this file (src/cli/files.ts), not from the working directory. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function digitsAssetPath(side: number): string {
  return join(PACKAGE_ROOT, 'public', 'data', `digits-${side}.bin`);
}

/**
 * The digits asset's bytes; builds it first (scripts/build-digits.mjs, idempotent) when it is
 * missing. The build's own output goes to stderr, so stdout stays machine-readable.
 * @throws Error when the build fails
 */
export function loadDigitsAsset(side: number, log: (text: string) => void): Uint8Array {
  const path = digitsAssetPath(side);
  if (!existsSync(path)) {
    log(`digits asset ${path} is missing; building it (node scripts/build-digits.mjs)\n`);
    const script = join(PACKAGE_ROOT, 'scripts', 'build-digits.mjs');
    const result = spawnSync(process.execPath, [script], {
      cwd: PACKAGE_ROOT,
      stdio: ['ignore', 2, 2],
    });
    if (result.error) throw new Error(`could not run ${script}: ${result.error.message}`);
    if (result.status !== 0 || !existsSync(path))
      throw new Error(`building the digits asset failed (exit status ${result.status})`);
  }
  return new Uint8Array(readFileSync(path));
}

/** Why `path` cannot be written, or null when it looks writable (checked before a long run). */
export function outputProblem(path: string): string | null {
  const full = resolve(path);
  const dir = dirname(full);
  if (!existsSync(dir)) return `directory ${dir} does not exist`;
  if (!statSync(dir).isDirectory()) return `${dir} is not a directory`;
  if (existsSync(full) && statSync(full).isDirectory()) return `${path} is a directory`;
  return null;
}

/**
 * A command's --out and --format: the path (checked, its problem added to `problems`) and the
 * format asked for, or csv when the path ends in .csv, else json.
 */
export function outputOf(
  args: { values: Record<string, unknown> },
  problems: string[],
): { out: string | null; format: 'json' | 'csv' } {
  const out = typeof args.values.out === 'string' ? args.values.out : null;
  if (out !== null) {
    const problem = outputProblem(out);
    if (problem) problems.push(`--out: ${problem}`);
  }
  const format =
    args.values.format === 'csv' || args.values.format === 'json'
      ? args.values.format
      : out?.toLowerCase().endsWith('.csv')
        ? 'csv'
        : 'json';
  return { out, format };
}

/** Writes a temporary file next to `path`, then renames it: readers never see half a file. */
export function writeFileAtomic(path: string, text: string): void {
  const full = resolve(path);
  const temp = join(dirname(full), `.${basename(full)}.${process.pid}.tmp`);
  try {
    writeFileSync(temp, text);
    renameSync(temp, full);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * --out and --format, as every command that writes a record has them: `record` names what is
 * written ("the run record"), `csvRows` what a CSV row is ("one row per run").
 */
export function outputFlags(record: string, csvRows: string): OptionSpec[] {
  return [
    {
      name: 'out',
      key: 'out',
      kind: 'string',
      placeholder: 'file',
      help: `write ${record} to this file (via a temporary file and a rename) instead of stdout`,
    },
    {
      name: 'format',
      key: 'format',
      kind: 'enum',
      values: ['json', 'csv'],
      help: `json: the whole record; csv: ${csvRows}. Default json, or csv when --out ends in .csv`,
    },
  ];
}

/** -h / --help, the last flag of every command. */
export const HELP_FLAG: OptionSpec = {
  name: 'help',
  key: 'help',
  kind: 'switch',
  help: 'show this help (also -h)',
};

/**
 * Writes `text` to `out` atomically, or to stdout when there is none. A file that cannot be
 * written is said on stderr (`resnet-lab <command>: cannot write …`) and gives false.
 */
export function emitOutput(io: CliIO, command: string, out: string | null, text: string): boolean {
  if (out === null) {
    io.stdout(text);
    return true;
  }
  try {
    writeFileAtomic(out, text);
    return true;
  } catch (error) {
    io.stderr(`resnet-lab ${command}: cannot write ${out}: ${(error as Error).message}\n`);
    return false;
  }
}
