/**
 * The command line of any job: flags generated from its field table (training settings, and a
 * study's own), parsed and validated in one go, every problem named with its flag. `train`,
 * `inspect`, `sweep` and the studies share it, so a bad value reads the same in every command.
 */
import {
  type FieldError,
  type FieldTable,
  TRAIN_FIELDS,
  type TrainConfig,
  type Validation,
} from '../experiments/config.ts';
import { validateTrainRun } from '../experiments/size.ts';
import { fieldOptions, type OptionSpec, type ParsedArgs, parseArgs } from './args.ts';

/** "--weight-decay: …" for an error about weightDecay (the flag the user typed). */
export function flagError(error: FieldError, fields: FieldTable): string {
  if (error.key === null) return error.message;
  const field = fields[error.key];
  return `--${field?.flag ?? error.key}: ${error.message}`;
}

/** One group of settings a command takes: its table and its validator. */
export interface SettingsGroup<T> {
  fields: FieldTable;
  validate(input: unknown): Validation<T>;
}

export const TRAIN_SETTINGS: SettingsGroup<TrainConfig> = {
  fields: TRAIN_FIELDS,
  validate: validateTrainRun,
};

/** config: the validated settings, or null when a problem was found (listed in problems) */
export type Parsed<T> =
  { kind: 'help' } | { kind: 'parsed'; config: T | null; args: ParsedArgs; problems: string[] };

/**
 * Parses `argv` with the group's flags plus `extra` options (output, a study's own flags), and
 * validates the settings. Returns every problem found — the parser's (unknown flags, values
 * that are not numbers), then the validator's, then the combinations that involve only valid
 * settings — and the config when the settings are valid. The command adds its own problems
 * (e.g. --out) and runs only when there are none.
 * @param command the command's name, for "unexpected argument" messages
 */
export function parseSettings<T>(
  argv: readonly string[],
  group: SettingsGroup<T>,
  extra: readonly OptionSpec[],
  command: string,
  /** adjusts the input before validation (e.g. train's --layer-stats); returns problems */
  prepare?: (input: Record<string, unknown>, args: ParsedArgs) => string[],
): Parsed<T> {
  const fieldOpts = fieldOptions(group.fields);
  const args = parseArgs(argv, [...fieldOpts, ...extra]);
  if (args.help) return { kind: 'help' };
  const problems = args.problems.map((p) => p.message);
  for (const p of args.positionals)
    problems.push(`unexpected argument ${JSON.stringify(p)} (${command} takes only flags)`);

  // A value that did not parse is passed on as null, so that validation skips the checks that
  // combine settings; its message comes from the parser (and is not repeated below).
  const input: Record<string, unknown> = {};
  for (const option of fieldOpts) {
    if (args.invalid.has(option.key)) input[option.key] = null;
    else if (option.key in args.values) input[option.key] = args.values[option.key];
  }
  if (prepare) problems.push(...prepare(input, args));

  const checked = group.validate(input);
  if (!checked.ok) {
    const failed = new Set(args.invalid);
    for (const error of checked.errors) {
      if (error.key !== null && failed.has(error.key)) continue;
      if (error.key !== null) failed.add(error.key);
      problems.push(flagError(error, group.fields));
    }
    problems.push(...combinationProblems(group, input, failed));
  }
  return {
    kind: 'parsed',
    config: checked.ok && problems.length === 0 ? checked.value : null,
    args,
    problems,
  };
}

/**
 * The validator checks a combination of settings (depth for the block type, resnext's
 * cardinality, …) only when its own settings are valid. When some were not, validate again with
 * them at their defaults and keep the problems about settings that were given and valid, so that
 * every problem shows in one go. Skipped when a failed setting is a choice (arch, dataset, …):
 * the combination checks would then be about a choice the user did not make.
 */
function combinationProblems<T>(
  group: SettingsGroup<T>,
  input: Record<string, unknown>,
  failed: Set<string>,
): string[] {
  if (failed.size === 0) return [];
  if ([...failed].some((key) => group.fields[key]?.kind === 'enum')) return [];
  const retry: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) if (!failed.has(key)) retry[key] = value;
  const checked = group.validate(retry);
  if (checked.ok) return [];
  return checked.errors
    .filter(({ key }) => key === null || (!failed.has(key) && key in input))
    .map((e) => flagError(e, group.fields));
}
