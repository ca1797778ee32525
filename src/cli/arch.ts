/**
 * `resnet-lab arch`: the architecture calculator (src/arch) on the command line. A builtin by
 * name, or a spec from a JSON file: its stage table, exact parameter count and multiply-adds, as
 * a table for people or as JSON (--json). `--list` shows the builtins.
 */
import { readFileSync } from 'node:fs';
import {
  analyzeArch,
  type ArchAnalysis,
  ArchError,
  archByName,
  type ArchSpec,
  type ArchStage,
  BUILTIN_ARCH_INFO,
  BUILTIN_ARCH_NAMES,
  BUILTIN_ARCHS,
  closestName,
  COUNT_CONVENTION,
  formatCount,
  formatMacs,
  validateArchSpec,
} from '../arch/index.ts';
import { formatSections, type OptionSpec, parseArgs, wrap } from './args.ts';
import type { Command } from './command.ts';
import { type CliIO, EXIT, usageError } from './io.ts';

const OPTIONS: OptionSpec[] = [
  {
    name: 'spec',
    key: 'spec',
    kind: 'string',
    placeholder: 'file',
    help: 'read the spec from this JSON file instead of naming a builtin (format: docs/arch.md)',
  },
  {
    name: 'list',
    key: 'list',
    kind: 'switch',
    help: 'list the builtin architectures with their parameters and multiply-adds',
  },
  {
    name: 'image-size',
    key: 'imageSize',
    kind: 'int',
    min: 1,
    max: 65536,
    placeholder: 'pixels',
    help: 'side of the square input image (default 224 for resnet and densenet, 32 for cifar-resnet; highway specs take a vector)',
  },
  {
    name: 'json',
    key: 'json',
    kind: 'switch',
    help: 'print JSON on stdout instead of the table',
  },
  { name: 'help', key: 'help', kind: 'switch', help: 'show this help (also -h)' },
];

const USAGE = `Usage: resnet-lab arch <name> [--image-size <pixels>] [--json]
       resnet-lab arch --spec <file> [--image-size <pixels>] [--json]
       resnet-lab arch --list [--json]`;
const HINT = "Run 'resnet-lab arch --help' for the flags, 'resnet-lab arch --list' for the names.";

const ARCH_EXIT_CODES = `Exit codes:
  0    done
  1    unexpected failure
  2    bad command line, unknown name, unreadable file, invalid JSON or invalid spec; the
       message names every problem (spec problems start with the field's path)`;

function help(): string {
  return `${USAGE}

Counts a full-size architecture exactly: its stage table (output size, block, repeats),
parameters (BN γ and β included, running statistics excluded) and multiply-adds (conv and
fully connected layers) at its input size. Names are forgiving: "ResNet-50" finds resnet50.
The spec format and the counting rules are in docs/arch.md.

${formatSections([{ title: 'Flags', options: OPTIONS }])}

${ARCH_EXIT_CODES}

Examples:
  resnet-lab arch resnet50
  resnet-lab arch resnet50-v1 --json > resnet50-v1.json
  resnet-lab arch --spec my-net.json --image-size 320
  resnet-lab arch --list
`;
}

// ---------------------------------------------------------------------------------------------
// Formatting

/** `text` wrapped to `width` columns, the lines after the first indented by `indent`. */
function wrapIndented(text: string, width: number, indent: string): string {
  return wrap(text, width)
    .map((l, i) => (i === 0 ? l : indent + l))
    .join('\n');
}

/** Columns padded to their widest cell; `right` columns (numbers) are right-aligned. */
function table(rows: readonly (readonly string[])[], right: ReadonlySet<number>): string {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, [...cell].length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => {
          // pad by code points: "×" and "γ" are one column each
          const pad = ' '.repeat((widths[i] ?? 0) - [...cell].length);
          return right.has(i) ? pad + cell : i === row.length - 1 ? cell : cell + pad;
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function stageTable(stages: readonly ArchStage[], analysis: ArchAnalysis): string {
  const rows = [
    ['stage', 'module', 'output size', 'block', 'repeats', 'params', 'MACs'],
    ...stages.map((s) => [
      s.label,
      s.name,
      s.outputSize,
      s.block,
      String(s.repeats),
      formatCount(s.params),
      formatMacs(s.macs),
    ]),
    ['total', '', '', '', '', formatCount(analysis.params), formatMacs(analysis.macs)],
  ];
  return table(rows, new Set([4, 5, 6]));
}

interface Described {
  /** the builtin's name, when one was named */
  name?: string;
  /** the file the spec came from */
  file?: string;
  spec: ArchSpec;
  imageSize?: number;
  analysis: ArchAnalysis;
}

function humanReport(d: Described): string {
  const info = d.name === undefined ? undefined : BUILTIN_ARCH_INFO[d.name];
  const head: string[] = [];
  if (d.name !== undefined) head.push(`${d.name}: ${info?.description ?? ''}`.trimEnd());
  else head.push(`spec from ${d.file ?? 'a file'}: ${JSON.stringify(d.spec)}`);
  if (info) head.push(`Source: ${info.citation}`);
  const a = d.analysis;
  return `${head.join('\n')}
Input: ${a.inputSize}

${stageTable(a.stages, a)}

Parameters:    ${formatCount(a.params)}
Multiply-adds: ${formatMacs(a.macs)} (${formatCount(a.macs)}) at ${a.inputSize}
Counted:       ${wrapIndented(a.convention, 85, ' '.repeat(15))}
`;
}

/** The JSON record: the same keys in the same order every time, newline-terminated. */
function jsonReport(d: Described): string {
  const info = d.name === undefined ? undefined : BUILTIN_ARCH_INFO[d.name];
  const a = d.analysis;
  const record = {
    name: d.name ?? null,
    description: info?.description ?? null,
    citation: info?.citation ?? null,
    file: d.file ?? null,
    spec: d.spec,
    imageSize: d.imageSize ?? null,
    params: a.params,
    macs: a.macs,
    inputShape: a.inputShape,
    inputSize: a.inputSize,
    stages: a.stages.map((s) => ({
      name: s.name,
      label: s.label,
      outputShape: s.outputShape,
      outputSize: s.outputSize,
      block: s.block,
      repeats: s.repeats,
      detail: s.detail,
      params: s.params,
      macs: s.macs,
    })),
    convention: a.convention,
  };
  return `${JSON.stringify(record, null, 2)}\n`;
}

function listReport(json: boolean): string {
  const entries = BUILTIN_ARCH_NAMES.map((name) => {
    const spec = BUILTIN_ARCHS[name]!;
    const a = analyzeArch(spec);
    const info = BUILTIN_ARCH_INFO[name];
    return {
      name,
      family: spec.family,
      description: info?.description ?? '',
      citation: info?.citation ?? '',
      params: a.params,
      macs: a.macs,
      inputSize: a.inputSize,
    };
  });
  if (json) return `${JSON.stringify({ architectures: entries }, null, 2)}\n`;
  const rows = [
    ['name', 'params', 'MACs', 'input', 'description'],
    ...entries.map((e) => [
      e.name,
      formatCount(e.params),
      formatMacs(e.macs),
      e.inputSize,
      e.description,
    ]),
  ];
  return `${table(rows, new Set([1, 2]))}

Counted: ${wrapIndented(COUNT_CONVENTION, 91, ' '.repeat(9))}
Details of one: resnet-lab arch <name>
`;
}

// ---------------------------------------------------------------------------------------------
// Reading a spec file

/**
 * Where a JSON text first goes wrong, and why. Only called after JSON.parse has failed: V8's
 * messages give an offset for some mistakes and not for others ("Unexpected token '}', … is not
 * valid JSON"), so this small scanner finds it itself. Returns null if it finds no mistake.
 */
export function jsonSyntaxError(text: string): { offset: number; message: string } | null {
  let i = 0;
  class Stop {
    constructor(
      readonly offset: number,
      readonly message: string,
    ) {}
  }
  const describe = (at: number) =>
    at >= text.length ? 'unexpected end of file' : `unexpected ${JSON.stringify(text[at])}`;
  const fail = (message = describe(i)): never => {
    throw new Stop(i, message);
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const literal = (word: string) => {
    for (const ch of word) {
      if (text[i] !== ch) fail();
      i++;
    }
  };
  const string = () => {
    i++; // the opening quote
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const ch = text[i]!;
      if (ch === '"') {
        i++;
        return;
      }
      if (ch < ' ') fail('a control character (e.g. a line break) inside a string');
      if (ch === '\\') {
        i++;
        const esc = text[i];
        if (esc === 'u') {
          for (let k = 1; k <= 4; k++)
            if (!/[0-9a-fA-F]/.test(text[i + k] ?? '')) {
              i += k;
              fail('bad \\u escape');
            }
          i += 5;
          continue;
        }
        if (esc === undefined || !'"\\/bfnrt'.includes(esc)) fail('bad escape in a string');
      }
      i++;
    }
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!match) fail();
    i += match![0].length;
  };
  const value = (): void => {
    space();
    const ch = text[i];
    if (ch === '{') {
      i++;
      space();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        space();
        if (text[i] !== '"')
          fail(`${describe(i)}; expected a property name in double quotes (no trailing commas)`);
        string();
        space();
        if (text[i] !== ':') fail(`${describe(i)}; expected ':'`);
        i++;
        value();
        space();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail(`${describe(i)}; expected ',' or '}'`);
      }
    }
    if (ch === '[') {
      i++;
      space();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        space();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail(`${describe(i)}; expected ',' or ']'`);
      }
    }
    if (ch === '"') return string();
    if (ch === 't') return literal('true');
    if (ch === 'f') return literal('false');
    if (ch === 'n') return literal('null');
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return number();
    fail(ch === undefined ? 'unexpected end of file; expected a value' : undefined);
  };
  try {
    if (text.charCodeAt(0) === 0xfeff) i = 1; // a byte-order mark, which JSON.parse rejects
    value();
    space();
    if (i < text.length) fail(`${describe(i)} after the end of the JSON value`);
    return null;
  } catch (e) {
    if (e instanceof Stop) return { offset: e.offset, message: e.message };
    throw e;
  }
}

/** "line 3, column 12" (1-based; a column counts characters) of an offset into `text` */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return `line ${line}, column ${column}`;
}

/** The parsed JSON of a spec file, or the problems that stop it being read. */
function readSpecFile(path: string): { value: unknown } | { problems: string[] } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    const why =
      e.code === 'ENOENT'
        ? 'no such file'
        : e.code === 'EISDIR'
          ? 'it is a directory'
          : e.code === 'EACCES'
            ? 'permission denied'
            : e.message;
    return { problems: [`--spec: cannot read ${path}: ${why}`] };
  }
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    const found = jsonSyntaxError(text);
    const where = found ? `at ${lineColumn(text, found.offset)}: ${found.message}` : '';
    return {
      problems: [
        `--spec: ${path} is not valid JSON ${where || `(${(error as Error).message})`}`.trimEnd(),
      ],
    };
  }
}

// ---------------------------------------------------------------------------------------------
// The command

type ArchInvocation =
  | { kind: 'help' }
  | { kind: 'problems'; problems: string[] }
  | { kind: 'list'; json: boolean }
  | { kind: 'describe'; value: Described; json: boolean };

/** Parses the command line, reads and checks the spec; returns every problem found, or the result. */
export function parseArchArgs(argv: readonly string[]): ArchInvocation {
  const parsed = parseArgs(argv, OPTIONS);
  if (parsed.help) return { kind: 'help' };
  const problems = parsed.problems.map((p) => p.message);
  const json = parsed.values.json === true;
  const list = parsed.values.list === true;
  const file = typeof parsed.values.spec === 'string' ? parsed.values.spec : undefined;
  let imageSize = typeof parsed.values.imageSize === 'number' ? parsed.values.imageSize : undefined;
  // the parser checks that it is an integer; the range is ours to check
  if (imageSize !== undefined && (imageSize < 1 || imageSize > 65536)) {
    problems.push(`--image-size: ${imageSize} is out of range [1, 65536]`);
    parsed.invalid.add('imageSize');
    imageSize = undefined;
  }
  const [name, ...extra] = parsed.positionals;
  for (const p of extra)
    problems.push(`unexpected argument ${JSON.stringify(p)} (arch takes one architecture name)`);

  if (list) {
    if (name !== undefined || file !== undefined)
      problems.push('--list shows every builtin: give it no architecture name and no --spec');
    if (imageSize !== undefined || parsed.invalid.has('imageSize'))
      problems.push('--image-size: --list counts each builtin at its own input size');
    return problems.length > 0 ? { kind: 'problems', problems } : { kind: 'list', json };
  }

  let named: string | undefined;
  let spec: ArchSpec | undefined;
  if (name !== undefined && (file !== undefined || parsed.invalid.has('spec')))
    problems.push(
      `give an architecture name or --spec <file>, not both (got ${JSON.stringify(name)} and --spec)`,
    );
  else if (name === undefined && file === undefined && !parsed.invalid.has('spec'))
    problems.push(
      "give an architecture name (e.g. resnet50; 'resnet-lab arch --list' shows them) or --spec <file>",
    );
  else if (name !== undefined) {
    const found = archByName(name);
    named = found && BUILTIN_ARCH_NAMES.find((n) => BUILTIN_ARCHS[n] === found);
    if (found === undefined || named === undefined) {
      const hint = closestName(name, BUILTIN_ARCH_NAMES);
      problems.push(
        `unknown architecture ${JSON.stringify(name)}${hint ? ` (did you mean ${hint}?)` : ''}; 'resnet-lab arch --list' shows the builtins`,
      );
    } else spec = found;
  } else if (file !== undefined) {
    const read = readSpecFile(file);
    if ('problems' in read) problems.push(...read.problems);
    else {
      const checked = validateArchSpec(read.value);
      if (checked.ok) spec = checked.value;
      else problems.push(...checked.errors.map((e) => `${file}: ${e}`));
    }
  }

  if (spec?.family === 'highway' && imageSize !== undefined) {
    problems.push(
      `--image-size: a highway net's input is a vector of ${spec.inputSize} features (its "inputSize"), not an image; change "inputSize" in a spec instead`,
    );
    spec = undefined;
  }
  if (problems.length > 0 || spec === undefined) return { kind: 'problems', problems };

  let analysis: ArchAnalysis;
  try {
    analysis = analyzeArch(spec, imageSize === undefined ? {} : { imageSize });
  } catch (error) {
    // what only the walk through the layers can see, e.g. maps that shrink to nothing
    if (!(error instanceof ArchError)) throw error;
    const where = imageSize === undefined ? '' : ` (at --image-size ${imageSize})`;
    return {
      kind: 'problems',
      problems: [`${file ?? named ?? 'spec'}: ${error.message}${where}`],
    };
  }
  // a builtin goes through validation too, so that its `spec` lists every field, in the same
  // order as a spec read from a file
  const full = validateArchSpec(spec);
  return {
    kind: 'describe',
    json,
    value: {
      ...(named !== undefined ? { name: named } : {}),
      ...(file !== undefined ? { file } : {}),
      spec: full.ok ? full.value : spec,
      ...(imageSize !== undefined ? { imageSize } : {}),
      analysis,
    },
  };
}

async function runArch(argv: readonly string[], io: CliIO): Promise<number> {
  const parsed = parseArchArgs(argv);
  switch (parsed.kind) {
    case 'help':
      io.stdout(help());
      return EXIT.ok;
    case 'problems':
      return usageError(io, 'resnet-lab arch', parsed.problems, HINT);
    case 'list':
      io.stdout(listReport(parsed.json));
      return EXIT.ok;
    case 'describe':
      io.stdout(parsed.json ? jsonReport(parsed.value) : humanReport(parsed.value));
      return EXIT.ok;
  }
}

export const archCommand: Command = {
  name: 'arch',
  summary: 'count parameters and multiply-adds of ResNet, ResNeXt, DenseNet, highway specs',
  help,
  run: runArch,
};
