/**
 * The ResNet Variants section's pure parts: number formats, the depth of a spec, sorting with
 * missing values, the comparison rows and CSV, the published results against the literature
 * file, the JSON scanner behind the spec editor (positions, spans, agreement with JSON.parse),
 * the editor's check (never throws), the block-diagram layouts and the small versions.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  blockDiagram,
  textWidth,
  type BlockDiagram,
  DIAGRAM_FONT,
} from '../../src/arch/diagram.ts';
import {
  analyzeArch,
  BUILTIN_ARCH_NAMES,
  BUILTIN_ARCHS,
  type ArchSpec,
  type DenseNetSpec,
  type ResNetSpec,
} from '../../src/arch/index.ts';
import { REFERENCES } from '../../src/ui/content/references.ts';
import { presetBase } from '../../src/ui/state/url.ts';
import { scanJson, spanOfError, lineColumn } from '../../src/ui/variants/jsonSource.ts';
import { PUBLISHED } from '../../src/ui/variants/published.ts';
import { smallVersion } from '../../src/ui/variants/small.ts';
import { checkSpecText, specText } from '../../src/ui/variants/specCheck.ts';
import {
  COMPARISON_NAMES,
  comparisonCsv,
  comparisonRows,
  comparisonValue,
  depthOf,
  displayName,
  formatCount,
  formatGMacs,
  formatMacs,
  sortRows,
  stageCsv,
} from '../../src/ui/variants/table.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const LITERATURE = join(ROOT, '../shared/reference/literature.md');

const builtin = (name: string): ArchSpec => {
  const spec = BUILTIN_ARCHS[name];
  if (!spec) throw new Error(`no builtin ${name}`);
  return spec;
};

describe('number formats', () => {
  it('counts have thousands separators and nothing else', () => {
    expect(formatCount(25_557_032)).toBe('25,557,032');
    expect(formatCount(7_978_856)).toBe('7,978,856');
    expect(formatCount(510)).toBe('510');
    expect(formatCount(0)).toBe('0');
    expect(formatCount(Number.NaN)).toBe('—');
    expect(formatCount(Infinity)).toBe('—');
  });

  it('multiply-adds in G with three decimals; smaller nets in M or exact', () => {
    expect(formatGMacs(analyzeArch(builtin('resnet50')).macs)).toBe('4.089 G');
    expect(formatGMacs(analyzeArch(builtin('resnet50-v1')).macs)).toBe('3.858 G');
    expect(formatGMacs(analyzeArch(builtin('resnet152-v1')).macs)).toBe('11.282 G');
    expect(formatMacs(analyzeArch(builtin('resnext50_32x4d')).macs)).toBe('4.230 G');
    expect(formatMacs(analyzeArch(builtin('cifar-resnet56')).macs)).toBe('125.5 M');
    expect(formatMacs(analyzeArch(builtin('highway-20')).macs)).toBe('134,700');
    expect(formatMacs(Number.NaN)).toBe('—');
  });
});

describe('depthOf', () => {
  it('gives every builtin the depth in its name', () => {
    for (const name of BUILTIN_ARCH_NAMES) {
      const stated = Number(/(\d+)/.exec(name.replace('resnext50_32x4d', 'resnext50'))![1]);
      expect(depthOf(builtin(name)), name).toBe(stated);
    }
  });

  it('follows a custom spec', () => {
    const r50 = builtin('resnet50') as ResNetSpec;
    expect(depthOf({ ...r50, layers: [1, 1, 1, 1] })).toBe(2 + 3 * 4);
    expect(depthOf({ ...r50, block: 'basic', layers: [1, 2, 3, 4] })).toBe(2 + 2 * 10);
    const d121 = builtin('densenet121') as DenseNetSpec;
    expect(depthOf({ ...d121, blockConfig: [2, 2] })).toBe(2 + 2 * 4 + 1);
  });
});

describe('sortRows', () => {
  type Row = { id: string; v: number | string | null | undefined };
  const rows: Row[] = [
    { id: 'a', v: 3 },
    { id: 'b', v: null },
    { id: 'c', v: 1 },
    { id: 'd', v: 3 },
    { id: 'e', v: undefined },
    { id: 'f', v: Number.NaN },
    { id: 'g', v: 2 },
  ];
  const ids = (r: Row[]) => r.map((x) => x.id).join('');

  it('orders numbers both ways, missing values last in both, ties stable', () => {
    expect(ids(sortRows(rows, (r) => r.v, 'ascending'))).toBe('cgadbef');
    expect(ids(sortRows(rows, (r) => r.v, 'descending'))).toBe('adgcbef');
  });

  it('orders strings naturally and leaves its input alone', () => {
    const names = ['resnet152', 'resnet50', 'ResNet-101', 'densenet121'].map((id) => ({
      id,
      v: id,
    }));
    const before = ids(names);
    expect(sortRows(names, (r) => r.v, 'ascending').map((r) => r.id)).toEqual([
      'densenet121',
      'ResNet-101',
      'resnet50',
      'resnet152',
    ]);
    expect(ids(names)).toBe(before);
  });
});

describe('comparison table', () => {
  const rows = comparisonRows();

  it('has every network, counted by analyzeArch', () => {
    expect(rows.map((r) => r.name)).toEqual(COMPARISON_NAMES);
    for (const r of rows) {
      const a = analyzeArch(builtin(r.name));
      expect(r.params).toBe(a.params);
      expect(r.macs).toBe(a.macs);
    }
    const byName = Object.fromEntries(rows.map((r) => [r.name, r]));
    expect(byName.resnet50!.params).toBe(25_557_032);
    expect(byName.resnext50_32x4d!.params).toBe(25_028_904);
    expect(byName.densenet121!.params).toBe(7_978_856);
    expect(byName['cifar-resnet110']!.params).toBe(1_727_962);
    expect(byName.resnet50!.title).toBe('ResNet-50');
    expect(byName.resnext50_32x4d!.title).toBe('ResNeXt-50 (32×4d)');
  });

  it('sorts by parameters and puts the nets without a published error last', () => {
    const byParams = sortRows(rows, (r) => comparisonValue(r, 'params'), 'descending');
    expect(byParams[0]!.name).toBe('resnet152');
    expect(byParams.at(-1)!.name).toBe('highway-10');
    for (const dir of ['ascending', 'descending'] as const) {
      const byError = sortRows(rows, (r) => comparisonValue(r, 'error'), dir);
      const firstMissing = byError.findIndex((r) => r.published === null);
      expect(firstMissing).toBeGreaterThan(0);
      expect(byError.slice(firstMissing).every((r) => r.published === null)).toBe(true);
    }
    const ascending = sortRows(rows, (r) => comparisonValue(r, 'error'), 'ascending');
    expect(ascending[0]!.name).toBe('cifar-resnet110'); // 6.43
  });

  it('writes CSV with exact numbers and the published error as printed', () => {
    const csv = comparisonCsv(rows).trimEnd().split('\n');
    expect(csv[0]).toBe(
      'network,name,block,depth,input,params,macs,published_error_percent,metric,source',
    );
    expect(csv).toHaveLength(rows.length + 1);
    const r50 = csv.find((l) => l.startsWith('ResNet-50,'))!;
    expect(r50).toContain(',50,3×224×224,25557032,4089184256,22.85,');
    expect(r50).toContain('"He et al. 2015a, Table 3"');
    expect(csv.find((l) => l.startsWith('DenseNet-121,'))).toContain(',"dense, k = 32",');
    expect(csv.find((l) => l.includes(',highway-10,'))).toMatch(/,,,$/);
  });

  it('stage CSV rows add up to the totals', () => {
    const a = analyzeArch(builtin('densenet121'));
    const lines = stageCsv(a).trimEnd().split('\n');
    expect(lines[0]).toBe('stage,module,output_size,block,repeats,detail,params,macs');
    expect(lines).toHaveLength(a.stages.length + 1);
    expect(a.stages.reduce((s, x) => s + x.params, 0)).toBe(a.params);
  });
});

describe('published results', () => {
  it('cite works the References list has, for networks that exist', () => {
    for (const [name, p] of Object.entries(PUBLISHED)) {
      expect(BUILTIN_ARCHS[name], name).toBeDefined();
      expect(REFERENCES[p.cite], name).toBeDefined();
      expect(p.source).toBe(`${REFERENCES[p.cite].short}, ${p.at}`);
    }
    expect(displayName('densenet169')).toBe('DenseNet-169');
  });

  it('are the literature file’s numbers, digit for digit', () => {
    const expected: Record<string, string> = {
      resnet18: '27.88',
      resnet34: '24.52',
      resnet50: '22.85',
      resnet101: '21.75',
      resnet152: '21.43',
      resnext50_32x4d: '22.2',
      densenet121: '25.02',
      densenet169: '23.80',
      densenet201: '22.58',
      'cifar-resnet20': '8.75',
      'cifar-resnet32': '7.51',
      'cifar-resnet44': '7.17',
      'cifar-resnet56': '6.97',
      'cifar-resnet110': '6.43',
      'cifar-resnet1202': '7.93',
    };
    expect(Object.fromEntries(Object.entries(PUBLISHED).map(([k, v]) => [k, v.error]))).toEqual(
      expected,
    );
    expect(PUBLISHED.resnet50!.top5).toBe('6.71');
    expect(PUBLISHED.densenet121!.top5).toBe('7.71');
  });

  it.skipIf(!existsSync(LITERATURE))('appear in ../shared/reference/literature.md', () => {
    const text = readFileSync(LITERATURE, 'utf8');
    expect(text).toContain('R50 22.85/6.71; R101 21.75/6.05; R152 21.43/5.71');
    expect(text).toContain('R34-B 24.52/7.46');
    expect(text).toContain('ResNet-18 **27.88**');
    expect(text).toContain('R50 (1×64d) 23.9 vs **X50 (32×4d) 22.2**');
    expect(text).toContain('121: 25.02/23.61 and 7.71/6.66; 169: 23.80/22.08 and 6.85/5.92');
    expect(text).toContain('201: 22.58/21.46 and 6.34/5.54');
    for (const [n, e] of [
      [20, '8.75'],
      [32, '7.51'],
      [44, '7.17'],
      [56, '6.97'],
      [1202, '7.93'],
    ] as const)
      expect(text).toMatch(new RegExp(`\\| ${n} \\|[^\\n]*\\| ${e.replace('.', '\\.')}`));
    expect(text).toContain('| 110 | 1.7M | 1,727,962 | 6.43');
    expect(text).toContain('92.46');
  });
});

describe('scanJson', () => {
  const valid = [
    '{}',
    '[]',
    '0',
    '-0.5e+3',
    '"a\\u00e9\\n\\"b"',
    ' { "a" : [1, 2, {"b": null}], "c": true, "d": false } ',
    '{"family":"resnet","layers":[3,4,6,3]}',
    '[[[[1]]]]',
  ];
  const invalid = [
    '',
    '{',
    '{"a":}',
    '{"a":1,}',
    '[1,]',
    '{a:1}',
    "{'a':1}",
    '01',
    '1.',
    '-',
    '.5',
    '+1',
    '"\\x"',
    '"a\nb"',
    'tru',
    'True',
    'nul',
    '{"a":1} x',
    '{"a" 1}',
    '[1 2]',
    '"open',
    'NaN',
    '1e',
  ];

  it('accepts exactly what JSON.parse accepts, with the same value', () => {
    for (const text of valid) {
      const r = scanJson(text);
      expect(r.ok, text).toBe(true);
      if (r.ok) expect(r.value).toEqual(JSON.parse(text));
    }
    for (const text of invalid) {
      expect(() => JSON.parse(text), text).toThrow();
      expect(scanJson(text).ok, text).toBe(false);
    }
  });

  it('says where a syntax error is, in line and column', () => {
    const text = '{\n  "family": "resnet",\n  "layers": [3, 4, x, 3]\n}';
    const r = scanJson(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.line).toBe(3);
    expect(r.error.column).toBe(20);
    expect(text[r.error.offset]).toBe('x');
    expect(r.error.message).toMatch(/expected a value, found x/);
    const comma = scanJson('{"a": 1,\n}');
    expect(comma.ok ? '' : comma.error.message).toMatch(/comma before }/);
    expect(lineColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });

  it('records where each field is, by the validator’s paths', () => {
    const text = '{"family":"resnet","layers":[3,4,"x",3],"grops":2}';
    const r = scanJson(text);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const at = (path: string) => {
      const s = r.spans.get(path)!;
      return text.slice(s.start, s.end);
    };
    expect(at('layers[2]')).toBe('"x"');
    expect(at('layers')).toBe('[3,4,"x",3]');
    expect(at('')).toBe(text);
    const unknown = spanOfError('grops: unknown field "grops" for family "resnet"', r.spans)!;
    expect(text.slice(unknown.start, unknown.end)).toBe('"grops":2');
    expect(spanOfError('block: required for family "resnet"', r.spans)).toBeNull();
    const whole = spanOfError('spec: too big', r.spans)!;
    expect([whole.start, whole.end]).toEqual([0, text.length]);
  });

  it('survives very deep nesting', () => {
    const deep = '['.repeat(20_000) + ']'.repeat(20_000);
    expect(() => scanJson(deep)).not.toThrow();
  });
});

describe('the spec editor’s check', () => {
  it('shows every builtin as JSON that parses back to it, arrays on one line', () => {
    for (const name of BUILTIN_ARCH_NAMES) {
      const text = specText(name);
      expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(builtin(name))));
    }
    expect(specText('resnet50')).toContain('"layers": [3, 4, 6, 3]');
    expect(specText('no-such-net')).toBe('');
  });

  it('rejects a wrong type with the field path and the text it points at', () => {
    const text = '{"family":"resnet","block":"bottleneck","layers":[3,4,"x",3]}';
    const r = checkSpecText(text);
    expect(r.kind).toBe('invalid');
    if (r.kind !== 'invalid') return;
    expect(r.problems).toHaveLength(1);
    const [p] = r.problems;
    expect(p!.message).toMatch(/^layers\[2\]: expected a positive integer, got "x"$/);
    expect(p!.path).toBe('layers[2]');
    expect(text.slice(p!.span!.start, p!.span!.end)).toBe('"x"');
    const missing = checkSpecText('{"family":"resnet","layers":[3,4,6,3]}');
    expect(missing.kind === 'invalid' && missing.problems[0]!.span).toBeNull();
  });

  it('accepts a valid edit and counts it', () => {
    const r = checkSpecText(specText('resnet50').replace('[3, 4, 6, 3]', '[3, 4, 23, 3]'));
    expect(r.kind).toBe('valid');
    if (r.kind === 'valid') expect(r.analysis.params).toBe(44_549_160);
    expect(checkSpecText('   ').kind).toBe('empty');
    expect(checkSpecText('{"family": resnet}').kind).toBe('syntax');
  });

  it('never throws, whatever the text', () => {
    // a seeded generator: the same mutations on every run
    let s = 12345;
    const rand = (n: number) => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s % n;
    };
    const alphabet = '{}[]":,0123456789-.eE abcxyz\\\n';
    const seeds = BUILTIN_ARCH_NAMES.map(specText);
    let valid = 0;
    for (let i = 0; i < 3000; i++) {
      let text = seeds[rand(seeds.length)]!;
      for (let m = 0, n = 1 + rand(3); m < n; m++) {
        const at = rand(text.length + 1);
        const op = rand(3);
        if (op === 0) text = text.slice(0, at) + text.slice(at + 1);
        else if (op === 1)
          text = text.slice(0, at) + alphabet[rand(alphabet.length)] + text.slice(at);
        else text = text.slice(0, at) + String(rand(100_000)) + text.slice(at);
      }
      const r = checkSpecText(text);
      expect(['empty', 'syntax', 'invalid', 'valid']).toContain(r.kind);
      if (r.kind === 'valid') valid++;
    }
    expect(valid).toBeGreaterThan(0);
    for (const odd of [
      'null',
      '[]',
      '"x"',
      '1',
      '{"family":"resnet","layers":{}}',
      '{"__proto__":1}',
    ])
      expect(checkSpecText(odd).kind, odd).toBe('invalid');
  });
});

describe('block diagrams', () => {
  const inside = (d: BlockDiagram, x: number, y: number) =>
    x >= 0 && y >= 0 && x <= d.width && y <= d.height;
  const onOutline = (
    n: { x: number; y: number; w: number; h: number },
    [x, y]: readonly [number, number],
  ) => {
    const eps = 0.51;
    const within = x >= n.x - eps && x <= n.x + n.w + eps && y >= n.y - eps && y <= n.y + n.h + eps;
    const onEdge =
      Math.abs(x - n.x) < eps ||
      Math.abs(x - n.x - n.w) < eps ||
      Math.abs(y - n.y) < eps ||
      Math.abs(y - n.y - n.h) < eps;
    return within && onEdge;
  };

  const specs: [string, ArchSpec][] = [
    ...BUILTIN_ARCH_NAMES.map((n) => [n, builtin(n)] as [string, ArchSpec]),
    [
      'custom resnext',
      {
        family: 'resnet',
        block: 'bottleneck',
        layers: [1, 1, 1, 1],
        groups: 2,
        widthPerGroup: 3,
        numClasses: 10,
        strideIn: '3x3',
      },
    ],
    [
      'wide custom',
      {
        family: 'resnet',
        block: 'bottleneck',
        layers: [1, 1, 1, 1],
        groups: 1,
        widthPerGroup: 4096,
        numClasses: 10,
        strideIn: '3x3',
      },
    ],
  ];

  it('keeps every node, edge and label inside the view box, without overlaps', () => {
    for (const [name, spec] of specs) {
      const d = blockDiagram(spec);
      for (const n of d.nodes) {
        expect(inside(d, n.x, n.y) && inside(d, n.x + n.w, n.y + n.h), `${name} ${n.id}`).toBe(
          true,
        );
        if (n.kind !== 'op') {
          expect(textWidth(n.label), `${name} ${n.id} label`).toBeLessThanOrEqual(n.w);
          if (n.sublabel)
            expect(textWidth(n.sublabel, DIAGRAM_FONT.sublabel)).toBeLessThanOrEqual(n.w);
        }
      }
      for (let i = 0; i < d.nodes.length; i++)
        for (let j = i + 1; j < d.nodes.length; j++) {
          const a = d.nodes[i]!;
          const b = d.nodes[j]!;
          const apart =
            a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
          expect(apart, `${name}: ${a.id} overlaps ${b.id}`).toBe(true);
        }
      for (const e of d.edges) for (const [x, y] of e.points) expect(inside(d, x, y)).toBe(true);
      for (const item of d.legend) expect(inside(d, item.x, item.y)).toBe(true);
    }
  });

  it('connects edges from their source’s outline to their target’s', () => {
    for (const [name, spec] of specs) {
      const d = blockDiagram(spec);
      const byId = new Map(d.nodes.map((n) => [n.id, n]));
      expect(byId.size, name).toBe(d.nodes.length);
      for (const e of d.edges) {
        const from = byId.get(e.from)!;
        const to = byId.get(e.to)!;
        expect(from && to, `${name} ${e.from}→${e.to}`).toBeTruthy();
        expect(onOutline(from, e.points[0]!), `${name} ${e.from}→${e.to} start`).toBe(true);
        expect(onOutline(to, e.points.at(-1)!), `${name} ${e.from}→${e.to} end`).toBe(true);
        // axis-parallel segments only
        for (let k = 1; k < e.points.length; k++) {
          const [x0, y0] = e.points[k - 1]!;
          const [x1, y1] = e.points[k]!;
          expect(x0 === x1 || y0 === y1, `${name} ${e.from}→${e.to} segment ${k}`).toBe(true);
        }
      }
      // every diagram has a skip connection, and its legend says what it is
      expect(
        d.edges.some((e) => e.kind === 'skip'),
        name,
      ).toBe(true);
      expect(d.legend.find((l) => l.kind === 'skip')?.label, name).toMatch(/^skip connection/);
    }
  });

  it('draws the bottleneck with ResNet-50’s widths and an identity shortcut to ⊕', () => {
    const d = blockDiagram(builtin('resnet50'));
    expect(d.kind).toBe('bottleneck');
    expect(
      d.nodes.filter((n) => n.kind === 'layer' && n.id.startsWith('conv')).map((n) => n.label),
    ).toEqual(['1×1, 64', '3×3, 64', '1×1, 256']);
    const skip = d.edges.filter((e) => e.kind === 'skip');
    expect(skip).toHaveLength(1);
    expect([skip[0]!.from, skip[0]!.to]).toEqual(['in', 'add']);
    expect(blockDiagram(builtin('resnet18')).kind).toBe('basic');
    expect(blockDiagram(builtin('cifar-resnet20')).nodes.find((n) => n.id === 'conv1')!.label).toBe(
      '3×3, 16',
    );
  });

  it('draws ResNeXt’s paths, named up to the cardinality', () => {
    const d = blockDiagram(builtin('resnext50_32x4d'));
    expect(d.kind).toBe('resnext');
    expect(d.notes.map((n) => n.text)).toEqual(
      expect.arrayContaining(['path 1', 'path 2', 'path 32', '…']),
    );
    expect(d.nodes.find((n) => n.id === 'p1-conv1')!.label).toBe('256, 1×1, 4');
    expect(d.nodes.find((n) => n.id === 'p32-conv2')!.label).toBe('4, 3×3, 4');
    expect(d.notes.some((n) => n.text.includes('3×3, 128, 32 groups'))).toBe(true);
    // every path ends at the sum
    expect(d.edges.filter((e) => e.to === 'add' && e.kind === 'main')).toHaveLength(3);
    const two = blockDiagram(specs.find(([n]) => n === 'custom resnext')![1]);
    expect(two.notes.map((n) => n.text)).toEqual(expect.arrayContaining(['path 1', 'path 2']));
    expect(two.notes.some((n) => n.text === '…')).toBe(false);
    expect(two.nodes.find((n) => n.id === 'p1-conv2')!.label).toBe('3, 3×3, 3');
  });

  it('connects every dense layer to every later one', () => {
    const d = blockDiagram(builtin('densenet121'));
    expect(d.kind).toBe('dense');
    const cats = d.nodes.filter((n) => n.id.startsWith('cat'));
    expect(cats).toHaveLength(5); // four layers drawn, then the block's output
    for (let i = 1; i <= cats.length; i++) {
      const into = d.edges.filter((e) => e.to === `cat${i}`);
      expect(into, `cat${i}`).toHaveLength(i); // x0 and every earlier layer
      expect(into.filter((e) => e.kind === 'main')).toHaveLength(1);
    }
    expect(d.nodes.find((n) => n.id === 'h1')!.label).toBe('BN-ReLU-1×1, 128');
    expect(d.nodes.find((n) => n.id === 'h1')!.sublabel).toBe('BN-ReLU-3×3, 32');
    expect(d.notes.map((n) => n.text)).toEqual(
      expect.arrayContaining(['64 ch', '96 ch', '128 ch', '160 ch', '192 ch']),
    );
    expect(d.nodes.find((n) => n.id === 'out')!.label).toBe('2 more layers, then a transition');
  });

  it('draws the highway layer’s gate and carry path', () => {
    const d = blockDiagram(builtin('highway-20'));
    expect(d.kind).toBe('highway');
    expect(d.edges.filter((e) => e.kind === 'gate').map((e) => e.label)).toEqual(['T', '1 − T']);
    const skip = d.edges.filter((e) => e.kind === 'skip');
    expect(skip.map((e) => `${e.from}→${e.to}`)).toEqual(['in→mulCarry', 'mulCarry→add']);
    expect(d.nodes.find((n) => n.id === 'T')!.sublabel).toBe('sigmoid, b_T = −2');
  });
});

describe('small versions', () => {
  it('describe the preset the button loads', () => {
    for (const preset of ['bottleneck', 'resnext', 'densenet', 'highway'] as const) {
      const small = smallVersion(preset);
      expect(small.config).toEqual(presetBase(preset));
      expect(small.config.arch).toBe(preset);
      expect(small.network).toContain(`${small.config.depth} layers deep`);
      expect(small.network).toContain(`width ${small.config.width}`);
    }
    expect(smallVersion('resnext').network).toContain(
      `cardinality ${presetBase('resnext').cardinality}`,
    );
  });
});
