/**
 * `resnet-lab arch`, spawned as `node bin/resnet-lab.mjs arch …` (as tests/unit/cli.test.ts
 * spawns `train`): the counts it prints are src/arch's, the builtins are all listed, spec files
 * are read and checked, and every bad command line exits 2 naming its problem. Plus the JSON
 * syntax scanner, in process.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  analyzeArch,
  archByName,
  BUILTIN_ARCH_NAMES,
  BUILTIN_ARCHS,
  COUNT_CONVENTION,
} from '../../src/arch/index.ts';
import { formatCount as thousands, formatMacs } from '../../src/arch/index.ts';
import { jsonSyntaxError } from '../../src/cli/arch.ts';
import { type CliResult, SPAWNED, useCli } from '../helpers/cli.ts';

const { work, cli } = useCli('resnet-lab-arch-');

/** Writes a file into the work directory; returns its path. */
function file(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

/** A bad command line: exit 2, nothing on stdout, every pattern on stderr, and the hint. */
async function expectUsageError(args: string[], ...patterns: RegExp[]): Promise<CliResult> {
  const r = await cli(['arch', ...args]);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  for (const p of patterns) expect(r.stderr).toMatch(p);
  expect(r.stderr).toMatch(/resnet-lab arch --help/);
  return r;
}

const JSON_KEYS = [
  'name',
  'description',
  'citation',
  'file',
  'spec',
  'imageSize',
  'params',
  'macs',
  'inputShape',
  'inputSize',
  'stages',
  'convention',
];

describe.concurrent('resnet-lab arch: counts', SPAWNED, () => {
  it('resnet50 --json: 25,557,032 parameters and the multiply-adds and stages of analyzeArch', async () => {
    const r = await cli(['arch', 'resnet50', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.endsWith('}\n')).toBe(true);
    const record = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(record)).toEqual(JSON_KEYS);
    const expected = analyzeArch(archByName('resnet50')!);
    expect(record.name).toBe('resnet50');
    expect(record.params).toBe(25_557_032);
    expect(record.macs).toBe(expected.macs);
    expect(record.macs).toBe(4_089_184_256);
    expect(record.inputSize).toBe('3×224×224');
    expect(record.stages).toEqual(expected.stages);
    expect(record.convention).toBe(COUNT_CONVENTION);
    expect(record.spec).toEqual(BUILTIN_ARCHS.resnet50);
    expect(record.citation).toMatch(/He et al\. 2015/);
  });

  it('resnet50 as a table: every stage, aligned, the total with separators and the MACs in G', async () => {
    const r = await cli(['arch', 'resnet50']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    const header = lines.find((l) => l.startsWith('stage'))!;
    expect(header).toMatch(/^stage\s+module\s+output size\s+block\s+repeats\s+params\s+MACs$/);
    for (const stage of analyzeArch(archByName('resnet50')!).stages) {
      const row = lines.find((l) => new RegExp(`^${stage.label}\\s+${stage.name}\\s`).test(l));
      expect(row, stage.name).toBeDefined();
      expect(row).toContain(stage.block);
      expect(row).toContain(thousands(stage.params));
      // the params column ends at the same place in every row
      expect(row!.indexOf(thousands(stage.params)) + thousands(stage.params).length).toBe(
        header.indexOf('params') + 'params'.length,
      );
    }
    expect(r.stdout).toMatch(/^Parameters: +25,557,032$/m);
    expect(r.stdout).toMatch(/^Multiply-adds: +4\.089 G \(4,089,184,256\) at 3×224×224$/m);
    expect(r.stdout).toMatch(/Source: He et al\. 2015/);
    expect(r.stdout).toMatch(/Counted: +params: conv and FC weights/);
  });

  it('names are forgiving, --image-size changes the input, and the same call prints the same bytes', async () => {
    const [a, b, big] = await Promise.all([
      cli(['arch', 'ResNet-50-v1', '--json']),
      cli(['arch', 'resnet50-v1', '--json']),
      cli(['arch', 'resnet50', '--image-size', '320', '--json']),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const v1 = JSON.parse(a.stdout) as { name: string; macs: number };
    expect(v1.name).toBe('resnet50-v1');
    expect(v1.macs).toBe(analyzeArch(archByName('resnet50-v1')!).macs);
    const at320 = JSON.parse(big.stdout) as { imageSize: number; macs: number; inputSize: string };
    expect(at320.imageSize).toBe(320);
    expect(at320.inputSize).toBe('3×320×320');
    expect(at320.macs).toBe(analyzeArch(archByName('resnet50')!, { imageSize: 320 }).macs);
  });

  it('--list names every builtin with its parameters, as a table and as JSON', async () => {
    const [table, json] = await Promise.all([
      cli(['arch', '--list']),
      cli(['arch', '--list', '--json']),
    ]);
    expect(table.code, table.stderr).toBe(0);
    for (const name of BUILTIN_ARCH_NAMES) {
      const params = thousands(analyzeArch(BUILTIN_ARCHS[name]!).params);
      expect(table.stdout).toMatch(new RegExp(`^${name}\\s+${params}\\s`, 'm'));
    }
    expect(json.code, json.stderr).toBe(0);
    const list = JSON.parse(json.stdout) as {
      architectures: { name: string; params: number; macs: number }[];
    };
    expect(list.architectures.map((a) => a.name)).toEqual([...BUILTIN_ARCH_NAMES]);
    for (const a of list.architectures) {
      const expected = analyzeArch(BUILTIN_ARCHS[a.name]!);
      expect([a.params, a.macs], a.name).toEqual([expected.params, expected.macs]);
    }
  });

  it('--spec reads a spec file, fills in the defaults and counts it', async () => {
    const path = file('option-b.json', '{ "family": "cifar-resnet", "n": 9, "shortcut": "B" }\n');
    const [json, table] = await Promise.all([
      cli(['arch', '--spec', path, '--json']),
      cli(['arch', '--spec', path]),
    ]);
    expect(json.code, json.stderr).toBe(0);
    const record = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(Object.keys(record)).toEqual(JSON_KEYS);
    expect(record.name).toBeNull();
    expect(record.file).toBe(path);
    expect(record.spec).toEqual({ family: 'cifar-resnet', n: 9, shortcut: 'B', numClasses: 10 });
    // the option-B count of shared/reference/literature.md
    expect(record.params).toBe(855_770);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^Parameters: +855,770$/m);
  });
});

describe.concurrent('resnet-lab arch: problems exit 2 and name themselves', SPAWNED, () => {
  it('a spec with an unknown field and a wrong type: both, each with its field path', async () => {
    const path = file(
      'bad-fields.json',
      JSON.stringify({ family: 'resnet', block: 'bottleneck', layers: [3, 4, 'six', 3], blok: 1 }),
    );
    await expectUsageError(
      ['--spec', path],
      /blok: unknown field "blok" for family "resnet" \(did you mean "block"\?\)/,
      /layers\[2\]: expected a positive integer, got "six"/,
    );
    const wrongType = file('wrong-type.json', '{ "family": "densenet", "growthRate": "32" }');
    await expectUsageError(['--spec', wrongType], /growthRate: expected a positive integer/);
  });

  it('an unknown name, with a suggestion', async () => {
    await expectUsageError(
      ['resnet51'],
      /unknown architecture "resnet51" \(did you mean resnet50\?\)/,
      /resnet-lab arch --list/,
    );
  });

  it('a name and --spec, or neither', async () => {
    await expectUsageError(
      ['resnet50', '--spec', 'x.json'],
      /give an architecture name or --spec <file>, not both/,
    );
    await expectUsageError([], /give an architecture name .* or --spec <file>/);
  });

  it('a file that cannot be read', async () => {
    await expectUsageError(
      ['--spec', join(work, 'missing.json')],
      /--spec: cannot read .*missing\.json: no such file/,
    );
    await expectUsageError(['--spec', work], /--spec: cannot read .*: it is a directory/);
  });

  it('invalid JSON, with the line and column of the mistake', async () => {
    const path = file('trailing.json', '{\n  "family": "resnet",\n  "layers": [3, 4, 6, 3],\n}\n');
    await expectUsageError(
      ['--spec', path],
      /trailing\.json is not valid JSON at line 4, column 1: unexpected "}"/,
    );
  });

  it('every problem at once: unknown flag, stray argument, bad --image-size', async () => {
    await expectUsageError(
      ['resnet50', 'resnet18', '--jsn', '--image-size', '0'],
      /--jsn: unknown flag \(did you mean --json\?\)/,
      /unexpected argument "resnet18"/,
      /--image-size: 0 is out of range \[1, 65536\]/,
    );
  });

  it('--image-size where it cannot apply', async () => {
    await expectUsageError(['highway-10', '--image-size', '32'], /highway net's input is a vector/);
    await expectUsageError(
      ['densenet121', '--image-size', '16'],
      /densenet121: blockConfig: .*1×1 .* \(at --image-size 16\)/,
    );
    await expectUsageError(['--list', 'resnet50'], /--list shows every builtin/);
  });
});

describe.concurrent('resnet-lab arch --help', SPAWNED, () => {
  it('shows the usage, every flag and the exit codes; help arch says the same', async () => {
    const [r, viaHelp, top] = await Promise.all([
      cli(['arch', '--help']),
      cli(['help', 'arch']),
      cli(['--help']),
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: resnet-lab arch <name>/);
    for (const flag of ['--spec <file>', '--list', '--image-size <pixels>', '--json', '--help'])
      expect(r.stdout).toContain(flag);
    expect(r.stdout).toMatch(/Exit codes:/);
    expect(viaHelp.stdout).toBe(r.stdout);
    expect(top.stdout).toMatch(/^ {2}arch +count parameters/m);
  });
});

describe('formatting and the JSON scanner (in process)', () => {
  it('thousands separators and MACs as docs/arch.md writes them', () => {
    expect(thousands(25_557_032)).toBe('25,557,032');
    expect(thousands(650)).toBe('650');
    expect(formatMacs(4_089_184_256)).toBe('4.089 G');
    expect(formatMacs(40_551_040)).toBe('40.55 M');
    expect(formatMacs(84_700)).toBe('84,700');
  });

  it('finds where JSON.parse would fail, and nothing in valid JSON', () => {
    const cases: [string, number, RegExp][] = [
      ['{"a":}', 5, /unexpected "}"/],
      ['{"a":1,}', 7, /property name in double quotes/],
      ['{"a":1', 6, /unexpected end of file/],
      ['', 0, /end of file/],
      ['{a:1}', 1, /unexpected "a"/],
      ['{"a":tru}', 8, /unexpected "}"/],
      ['[1 2]', 3, /expected ',' or '\]'/],
      ['{"a":"x\n"}', 7, /control character/],
      ['{} x', 3, /after the end/],
      ['{"a": 01}', 7, /unexpected "1"/],
    ];
    for (const [text, offset, message] of cases) {
      expect(() => JSON.parse(text), text).toThrow();
      const found = jsonSyntaxError(text);
      expect(found?.offset, text).toBe(offset);
      expect(found?.message, text).toMatch(message);
    }
    for (const text of ['{"a": [1, -2.5e3, true, false, null, "\\u00e9\\n"], "b": {}}', ' [] '])
      expect(jsonSyntaxError(text), text).toBeNull();
  });
});
