import type { CliIO } from './io.ts';

/** One `resnet-lab <name>` command. Adding a command is one entry in COMMANDS (cli.ts). */
export interface Command {
  name: string;
  /** one line for the command list */
  summary: string;
  /** the full --help text */
  help(): string;
  /** runs with the arguments after the command name; resolves to the exit code */
  run(argv: readonly string[], io: CliIO): Promise<number>;
}
