/**
 * The real CLI for tests: `node bin/resnet-lab.mjs …` spawned in a scratch folder of its own
 * (removed after the file's tests), with its exit code, signal and output.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = join(repoRoot, 'bin', 'resnet-lab.mjs');

/** Spawned runs share the machine with the rest of the suite: allow for a slow, busy host. */
export const SPAWNED = { timeout: 120_000 };

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliRunner {
  /** the scratch folder the CLI runs in (its working directory) */
  readonly work: string;
  /** runs `resnet-lab <args>`; `onSpawn` gets the child (to signal it) and its stderr so far */
  cli(
    args: readonly string[],
    onSpawn?: (child: ChildProcess, stderr: () => string) => void,
  ): Promise<CliResult>;
}

/** A runner for one test file; call at its top level (it registers the folder's clean-up). */
export function useCli(prefix: string): CliRunner {
  const work = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  return {
    work,
    cli: (args, onSpawn) =>
      new Promise<CliResult>((done, fail) => {
        const child = spawn(process.execPath, [bin, ...args], {
          cwd: work,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
        child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
        child.on('error', fail);
        child.on('close', (code, signal) => done({ code, signal, stdout, stderr }));
        onSpawn?.(child, () => stderr);
      }),
  };
}
