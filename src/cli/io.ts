/** What a command needs from its host; main.ts wires it to the process, tests may fake it. */
export interface CliIO {
  /** machine output (the run record) */
  stdout(text: string): void;
  /** everything meant for people: progress, summaries, errors */
  stderr(text: string): void;
  /** whether stderr is a terminal (progress bar) or not (plain progress lines) */
  stderrIsTTY: boolean;
  /** terminal width, when known */
  columns?: number;
  /** milliseconds, monotonic */
  now(): number;
  /** runs `handler` on Ctrl-C; returns a function that removes it */
  onInterrupt(handler: () => void): () => void;
  /** lets pending I/O and signals be handled during a long synchronous computation */
  yieldToHost(): Promise<void>;
}

/** Exit codes, documented in `resnet-lab --help` and docs/run-schema.md. */
export const EXIT = {
  ok: 0,
  /** an unexpected failure: I/O, the digits asset could not be built */
  failure: 1,
  /** a bad command line; nothing was run or written */
  usage: 2,
  /** the run diverged (loss not finite); the record is still written */
  diverged: 3,
  /** interrupted by Ctrl-C; nothing was written */
  interrupted: 130,
} as const;

export const EXIT_CODES_HELP = `Exit codes:
  0    the run finished
  1    failure (e.g. the record could not be written)
  2    bad command line: unknown command or flag, bad value; nothing is run or written
  3    the run diverged (loss not finite); the record is still written
  130  interrupted (Ctrl-C); nothing is written`;

/** Prints every problem, one per line, and returns the usage exit code. */
export function usageError(io: CliIO, prefix: string, problems: readonly string[], hint: string) {
  for (const p of problems) io.stderr(`${prefix}: ${p}\n`);
  io.stderr(`${hint}\n`);
  return EXIT.usage;
}
