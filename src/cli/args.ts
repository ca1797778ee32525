/**
 * A small argv parser driven by a table of options, and the --help text generated from the same
 * table. Training settings come from TRAIN_FIELDS (see `fieldOptions`), so a new setting gets
 * its flag, its parsing and its help line without touching the CLI.
 *
 * Syntax: `--flag value` and `--flag=value`; booleans as `--flag`, `--no-flag`, `--flag=false`
 * or `--flag false`; switches (`--quiet`) take no value; `-h` is `--help`; `--` ends the flags.
 * The last occurrence of a repeated flag wins. Every problem is collected, none stops the parse.
 */
import { type Field, suggest } from '../experiments/config.ts';

export type OptionKind =
  'enum' | 'int' | 'number' | 'bool' | 'switch' | 'string' | 'ints' | 'enums';

export interface OptionSpec {
  /** the flag without its dashes, kebab-case */
  name: string;
  /** where the parsed value goes */
  key: string;
  kind: OptionKind;
  help: string;
  /** enum: the allowed values */
  values?: readonly string[];
  /** int: the allowed values, when a small set */
  oneOf?: readonly number[];
  min?: number;
  max?: number;
  minExclusive?: boolean;
  default?: string | number | boolean | readonly (string | number)[];
  /** the value's name in --help (default: from the kind) */
  placeholder?: string;
}

export interface ParseProblem {
  /** the option's key, when the problem is about a known option */
  key?: string;
  message: string;
}

export type ArgValue = string | number | boolean | (string | number)[];

export interface ParsedArgs {
  values: Record<string, ArgValue>;
  positionals: string[];
  help: boolean;
  problems: ParseProblem[];
  /** keys whose value was given but could not be parsed */
  invalid: Set<string>;
}

/** One option per training setting, flag = field.flag ?? key. */
export function fieldOptions(fields: Record<string, Field>): OptionSpec[] {
  return Object.entries(fields).map(([key, field]): OptionSpec => {
    const base = { name: field.flag ?? key, key, help: field.help };
    switch (field.kind) {
      case 'enum':
        return { ...base, kind: 'enum', values: field.values, default: field.default };
      case 'bool':
        return { ...base, kind: 'bool', default: field.default };
      case 'int':
        return {
          ...base,
          kind: 'int',
          min: field.min,
          max: field.max,
          default: field.default,
          ...(field.oneOf ? { oneOf: field.oneOf } : {}),
        };
      case 'number':
        return {
          ...base,
          kind: 'number',
          min: field.min,
          max: field.max,
          default: field.default,
          ...(field.minExclusive ? { minExclusive: true } : {}),
        };
      case 'ints':
        return { ...base, kind: 'ints', min: field.min, max: field.max, default: field.default };
      case 'enums':
        return { ...base, kind: 'enums', values: field.values, default: field.default };
    }
  });
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const INTEGER = /^[+-]?\d+(e\+?\d+)?$/i;

function parseValue(spec: OptionSpec, raw: string): { value: ArgValue } | { error: string } {
  const flag = `--${spec.name}`;
  switch (spec.kind) {
    case 'ints':
    case 'enums': {
      const items = raw.split(',').map((x) => x.trim());
      const one: OptionSpec = { ...spec, kind: spec.kind === 'ints' ? 'int' : 'enum' };
      const out: (string | number)[] = [];
      for (const item of items) {
        const parsed = parseValue(one, item);
        if ('error' in parsed)
          return { error: `${parsed.error} (in a comma-separated list: ${JSON.stringify(raw)})` };
        out.push(parsed.value as string | number);
      }
      return { value: out };
    }
    case 'string':
      if (raw === '') return { error: `${flag}: expected a value, got ""` };
      return { value: raw };
    case 'enum': {
      const values = spec.values ?? [];
      if (values.includes(raw)) return { value: raw };
      return {
        error: `${flag}: expected one of ${values.join(', ')}, got ${JSON.stringify(raw)}${suggest(raw, values)}`,
      };
    }
    case 'int': {
      const n = Number(raw);
      if (!INTEGER.test(raw.trim()) || !Number.isSafeInteger(n))
        return { error: `${flag}: expected an integer, got ${JSON.stringify(raw)}` };
      return { value: n === 0 ? 0 : n };
    }
    case 'number': {
      const n = Number(raw);
      if (!DECIMAL.test(raw.trim()) || !Number.isFinite(n))
        return { error: `${flag}: expected a number, got ${JSON.stringify(raw)}` };
      return { value: n === 0 ? 0 : n }; // -0 is 0: a link or a record never shows "-0"
    }
    case 'bool':
      if (raw === 'true') return { value: true };
      if (raw === 'false') return { value: false };
      return { error: `${flag}: expected true or false, got ${JSON.stringify(raw)}` };
    case 'switch':
      return { error: `${flag} takes no value, got ${JSON.stringify(raw)}` };
  }
}

/**
 * Whether the token after an unknown flag looks like that flag's value; it is then skipped, so
 * that it is not reported a second time as a stray argument.
 */
function takesStrayValue(next: string | undefined): boolean {
  return next !== undefined && (!next.startsWith('-') || DECIMAL.test(next));
}

export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[]): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const out: ParsedArgs = {
    values: {},
    positionals: [],
    help: false,
    problems: [],
    invalid: new Set(),
  };
  const known = ['--help', ...specs.map((s) => `--${s.name}`)];
  for (const s of specs) if (s.kind === 'bool') known.push(`--no-${s.name}`);

  const set = (spec: OptionSpec, raw: string) => {
    const parsed = parseValue(spec, raw);
    if ('error' in parsed) {
      out.problems.push({ key: spec.key, message: parsed.error });
      out.invalid.add(spec.key);
    } else {
      out.values[spec.key] = parsed.value;
      out.invalid.delete(spec.key);
    }
  };

  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (token === '-h' || token === '--help') {
      out.help = true;
      continue;
    }
    if (!token.startsWith('-') || token === '-' || DECIMAL.test(token)) {
      out.positionals.push(token);
      continue;
    }
    if (!token.startsWith('--')) {
      out.problems.push({ message: `${token}: unknown flag (flags are spelt --name)` });
      if (takesStrayValue(argv[i + 1])) i++;
      continue;
    }
    const eq = token.indexOf('=');
    const name = token.slice(2, eq < 0 ? undefined : eq);
    const inline = eq < 0 ? undefined : token.slice(eq + 1);
    if (name === 'help') {
      if (inline !== undefined)
        out.problems.push({ message: `--help takes no value, got ${JSON.stringify(inline)}` });
      out.help = true;
      continue;
    }
    const spec = byName.get(name);
    if (!spec && name.startsWith('no-')) {
      const negated = byName.get(name.slice(3));
      if (negated?.kind === 'bool') {
        if (inline !== undefined)
          out.problems.push({
            key: negated.key,
            message: `--${name} takes no value, got ${JSON.stringify(inline)}`,
          });
        else {
          out.values[negated.key] = false;
          out.invalid.delete(negated.key);
        }
        continue;
      }
    }
    if (!spec) {
      out.problems.push({ message: `--${name}: unknown flag${suggest(`--${name}`, known)}` });
      if (inline === undefined && takesStrayValue(argv[i + 1])) i++;
      continue;
    }
    if (inline !== undefined) {
      set(spec, inline);
      continue;
    }
    if (spec.kind === 'switch') {
      out.values[spec.key] = true;
      continue;
    }
    if (spec.kind === 'bool') {
      const next = argv[i + 1];
      if (next === 'true' || next === 'false') {
        i++;
        set(spec, next);
      } else out.values[spec.key] = true;
      continue;
    }
    const next = argv[i + 1];
    if (next === undefined || (next.startsWith('--') && next.length > 2)) {
      out.problems.push({ key: spec.key, message: `--${spec.name}: expected a value` });
      out.invalid.add(spec.key);
      continue;
    }
    i++;
    set(spec, next);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Help text

export interface HelpSection {
  title: string;
  options: readonly OptionSpec[];
}

const LEFT = 30;

function placeholder(spec: OptionSpec): string {
  if (spec.placeholder) return spec.placeholder;
  switch (spec.kind) {
    case 'enum':
      return 'name';
    case 'int':
      return 'int';
    case 'number':
      return 'x';
    case 'string':
      return 'value';
    case 'ints':
      return 'a,b,…';
    case 'enums':
      return 'names';
    default:
      return '';
  }
}

function flagColumn(spec: OptionSpec): string {
  if (spec.kind === 'bool') return `--[no-]${spec.name}`;
  if (spec.kind === 'switch') return `--${spec.name}`;
  return `--${spec.name} <${placeholder(spec)}>`;
}

/** What values are allowed and the default, e.g. "integer in [3, 1202]; default 20". */
export function allowedText(spec: OptionSpec): string {
  const parts: string[] = [];
  switch (spec.kind) {
    case 'enum':
      parts.push(`one of: ${(spec.values ?? []).join(', ')}`);
      break;
    case 'int':
      parts.push(
        spec.oneOf ? `one of: ${spec.oneOf.join(', ')}` : `integer in [${spec.min}, ${spec.max}]`,
      );
      break;
    case 'number':
      parts.push(`number in ${spec.minExclusive ? '(' : '['}${spec.min}, ${spec.max}]`);
      break;
    case 'ints':
      parts.push(`comma-separated integers in [${spec.min}, ${spec.max}]`);
      break;
    case 'enums':
      parts.push(`comma-separated, from: ${(spec.values ?? []).join(', ')}`);
      break;
    default:
      break;
  }
  if (spec.default !== undefined)
    parts.push(
      `default ${Array.isArray(spec.default) ? spec.default.join(',') : String(spec.default)}`,
    );
  return parts.join('; ');
}

/** `text`'s words in lines of at most `width` columns (a longer word stands alone). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** The options of a help section, one block per option, wrapped to `width` columns. */
export function formatOptions(options: readonly OptionSpec[], width = 100): string {
  const right = Math.max(30, width - LEFT - 2);
  const out: string[] = [];
  for (const spec of options) {
    const left = `  ${flagColumn(spec)}`;
    const allowed = allowedText(spec);
    const lines = wrap(spec.help, right);
    if (allowed) lines.push(...wrap(`(${allowed})`, right));
    const pad = ' '.repeat(LEFT + 2);
    if (left.length <= LEFT) out.push(`${left.padEnd(LEFT + 2)}${lines[0] ?? ''}`);
    else out.push(left, `${pad}${lines[0] ?? ''}`);
    for (const l of lines.slice(1)) out.push(`${pad}${l}`);
  }
  return out.join('\n');
}

export function formatSections(sections: readonly HelpSection[], width = 100): string {
  return sections.map((s) => `${s.title}:\n${formatOptions(s.options, width)}`).join('\n\n');
}
