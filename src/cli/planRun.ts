/**
 * What every command that runs a plan does around it (sweep, lesion, landscape): load the digits
 * when its config trains on them, show progress over all its parts, run the parts on `--jobs`
 * threads, and stop at Ctrl-C with nothing written.
 */
import type { Plan } from '../experiments/job.ts';
import { runPlan } from '../experiments/job.ts';
import { loadDigitsAsset } from './files.ts';
import { type CliIO, EXIT } from './io.ts';
import { Cancelled, runParts } from './parallel.ts';
import { Progress } from './progress.ts';

export interface PlanRunOptions {
  /** the data the plan's parts train on */
  config: { dataset: string; digitsSize: number };
  jobs: number;
  /** units of work of the whole plan, for the progress line; null: no progress (--quiet) */
  total: number | null;
  /** an error of a part is said on stderr and exits 1, rather than thrown to the caller */
  reportErrors?: boolean;
}

/** The plan's result, or the exit code to return (its reason already said on stderr). */
export async function runPlanCommand<R>(
  io: CliIO,
  command: string,
  plan: Plan<R>,
  options: PlanRunOptions,
): Promise<{ ok: true; record: R } | { ok: false; exit: number }> {
  const { config, jobs, total } = options;
  let digits: Uint8Array | undefined;
  try {
    if (config.dataset === 'digits') digits = loadDigitsAsset(config.digitsSize, io.stderr);
  } catch (error) {
    io.stderr(`resnet-lab ${command}: ${(error as Error).message}\n`);
    return { ok: false, exit: EXIT.failure };
  }
  const progress =
    total === null
      ? null
      : new Progress({
          total,
          tty: io.stderrIsTTY,
          write: io.stderr,
          now: io.now,
          columns: io.columns,
        });
  const signal: { cancelled: boolean; onCancel?: () => void } = { cancelled: false };
  const stopListening = io.onInterrupt(() => {
    signal.cancelled = true;
    signal.onCancel?.();
  });
  // each list of parts counts from zero: the units of the lists before it come first
  let before = 0;
  try {
    const record = await runPlan(plan, async (parts) => {
      let latest = 0;
      const results = await runParts(parts, {
        jobs,
        resources: () => (digits ? { digits } : {}),
        onProgress: (done) => {
          latest = done;
          progress?.update(before + done);
        },
        yieldToHost: io.yieldToHost,
        signal,
      });
      before += latest;
      return results;
    });
    return { ok: true, record };
  } catch (error) {
    if (error instanceof Cancelled) {
      io.stderr(`resnet-lab ${command}: interrupted; nothing written\n`);
      return { ok: false, exit: EXIT.interrupted };
    }
    if (!options.reportErrors) throw error;
    io.stderr(`resnet-lab ${command}: ${(error as Error).message}\n`);
    return { ok: false, exit: EXIT.failure };
  } finally {
    stopListening();
    progress?.finish();
  }
}
