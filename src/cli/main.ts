/**
 * The CLI's entry: `resnet-lab` (bin/resnet-lab.mjs) and `npm run lab -- …` both run this file.
 * Everything testable lives in cli.ts; this file only connects it to the process.
 */
import { performance } from 'node:perf_hooks';
import { runCli } from './cli.ts';
import { type CliIO, EXIT } from './io.ts';

// `resnet-lab train | head` closes stdout early; that is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.ok);
  throw error;
});

const io: CliIO = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  stderrIsTTY: process.stderr.isTTY === true,
  columns: process.stderr.columns,
  now: () => performance.now(),
  onInterrupt(handler) {
    let count = 0;
    const listener = () => {
      // A second Ctrl-C while the first is being handled: stop now (nothing is half-written,
      // since the record is written through a temporary file).
      if (++count > 1) process.exit(EXIT.interrupted);
      handler();
    };
    process.on('SIGINT', listener);
    return () => void process.off('SIGINT', listener);
  },
  yieldToHost: () => new Promise((resolve) => setImmediate(resolve)),
};

try {
  process.exitCode = await runCli(process.argv.slice(2), io);
} catch (error) {
  process.stderr.write(
    `resnet-lab: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = EXIT.failure;
}
