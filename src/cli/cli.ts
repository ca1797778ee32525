/**
 * `resnet-lab <command> [flags]`: the command table and the dispatch. Adding a command is one
 * entry in COMMANDS.
 */
import type { Command } from './command.ts';
import { type CliIO, EXIT, EXIT_CODES_HELP, usageError } from './io.ts';
import { archCommand } from './arch.ts';
import { exportCommand } from './export.ts';
import { inspectCommand } from './inspect.ts';
import { pathsCommand } from './paths.ts';
import { shatteredCommand } from './shattered.ts';
import { lesionCommand } from './lesion.ts';
import { landscapeCommand } from './landscape.ts';
import { sweepCommand } from './sweep.ts';
import { trainCommand } from './train.ts';
import { suggest } from '../experiments/config.ts';

const helpCommand: Command = {
  name: 'help',
  summary: "show this help, or a command's help (resnet-lab help <command>)",
  help: () => 'Usage: resnet-lab help [command]\n',
  run: async (argv, io) => {
    const [name, ...rest] = argv;
    if (name === undefined) {
      io.stdout(topHelp());
      return EXIT.ok;
    }
    const command = findCommand(name);
    const problems = [];
    if (!command) problems.push(unknownCommand(name));
    if (rest.length > 0) problems.push(`unexpected argument ${JSON.stringify(rest[0])}`);
    if (problems.length > 0 || !command)
      return usageError(
        io,
        'resnet-lab help',
        problems,
        "Run 'resnet-lab --help' for the commands.",
      );
    io.stdout(command.help());
    return EXIT.ok;
  },
};

export const COMMANDS: readonly Command[] = [
  trainCommand,
  sweepCommand,
  inspectCommand,
  archCommand,
  shatteredCommand,
  pathsCommand,
  lesionCommand,
  landscapeCommand,
  exportCommand,
  helpCommand,
];

function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}

function unknownCommand(name: string): string {
  return `unknown command ${JSON.stringify(name)}${suggest(
    name,
    COMMANDS.map((c) => c.name),
  )}`;
}

export function topHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  const commands = COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join('\n');
  return `resnet-lab: train plain and residual networks from the command line

Usage: resnet-lab <command> [flags]

Commands:
${commands}

Flags:
  -h, --help  show help; after a command, that command's flags with their defaults and
              allowed values

Run 'resnet-lab <command> --help' for a command's flags.

${EXIT_CODES_HELP}
`;
}

/** Runs the command line (the arguments after `resnet-lab`); resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '-h' || first === '--help') {
    io.stdout(topHelp());
    return EXIT.ok;
  }
  if (first === undefined) {
    io.stderr(topHelp());
    return EXIT.usage;
  }
  const command = findCommand(first);
  if (!command)
    return usageError(
      io,
      'resnet-lab',
      [unknownCommand(first)],
      "Run 'resnet-lab --help' for the commands.",
    );
  return command.run(rest, io);
}
