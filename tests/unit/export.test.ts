import { describe, expect, it } from 'vitest';
import { defaultTrainConfig } from '../../src/experiments/config.ts';
import { RUN_SCHEMA, RunRecorder, toJSON } from '../../src/experiments/record.ts';
import { train, type TrainEvent } from '../../src/experiments/train.ts';
import {
  columnsToRows,
  csvField,
  jsonText,
  runJson,
  runRecord,
  toCsv,
  withXmlns,
} from '../../src/ui/export/files.ts';

/** A minimal RFC 4180 reader, to check that what toCsv writes reads back as it was. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field || row.length) rows.push([...row, field]);
  return rows;
}

describe('CSV', () => {
  it('quotes only what needs quoting (RFC 4180)', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
    expect(csvField('')).toBe('');
  });

  it('null, undefined and non-finite numbers are empty cells; numbers as JavaScript prints them', () => {
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
    expect(csvField(NaN)).toBe('');
    expect(csvField(Infinity)).toBe('');
    expect(csvField(0.0001)).toBe('0.0001');
    expect(csvField(1e-7)).toBe('1e-7');
    expect(csvField(-0)).toBe('0');
  });

  it('a header line, a line per row, \\n line ends and a trailing newline', () => {
    expect(toCsv(['step', 'loss'], [])).toBe('step,loss\n');
    expect(
      toCsv(
        ['step', 'plain, train', 'note'],
        [
          [0, 0.69, null],
          [10, null, 'diverged "here"'],
        ],
      ),
    ).toBe('step,"plain, train",note\n0,0.69,\n10,,"diverged ""here"""\n');
  });

  it('reads back cell for cell', () => {
    const header = ['a', 'b,c', 'd"e'];
    const rows = [
      ['x', 'y\nz', '"q"'],
      ['1', '', ','],
    ];
    expect(parseCsv(toCsv(header, rows))).toEqual([header, ...rows]);
  });

  it('columns (uPlot’s shape) become rows; a short column pads with empty cells', () => {
    expect(columnsToRows([[0, 10, 20], [1, null, 0.5], new Float32Array([2, 3])])).toEqual([
      [0, 1, 2],
      [10, null, 3],
      [20, 0.5, null],
    ]);
    expect(columnsToRows([])).toEqual([]);
  });
});

describe('the run record export', () => {
  const config = { ...defaultTrainConfig(), depth: 8, width: 8, steps: 20, evalEvery: 10 };

  it('is byte-identical to the CLI’s JSON for the same events', () => {
    const events: TrainEvent[] = [...train(config)];
    const recorder = new RunRecorder();
    for (const e of events) recorder.add(e);
    const cli = toJSON(recorder.record());
    expect(runJson(events)).toBe(cli);
    expect(runJson(recorder.record())).toBe(cli);
    const parsed = JSON.parse(runJson(events)!) as { schema: string; config: unknown };
    expect(parsed.schema).toBe(RUN_SCHEMA);
    expect(parsed.schema).toBe('resnet-lab/run@1');
    expect(parsed.config).toEqual(config);
  });

  it('is null before the run has started', () => {
    expect(runRecord([])).toBeNull();
    expect(runJson([])).toBeNull();
  });

  it('a download’s JSON text: strings as they are, values as 2-space JSON with a newline', () => {
    expect(jsonText('{"a":1}\n')).toBe('{"a":1}\n');
    expect(jsonText({ a: [1, null] })).toBe('{\n  "a": [\n    1,\n    null\n  ]\n}\n');
  });
});

describe('SVG text', () => {
  it('gets an XML declaration and the SVG namespace once', () => {
    const out = withXmlns('<svg width="2" height="2"><rect/></svg>');
    expect(out).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"><rect/></svg>\n',
    );
    expect(withXmlns(out)).toBe(out);
    const namespaced = withXmlns('<svg xmlns="http://www.w3.org/2000/svg"><g/></svg>');
    expect(namespaced.match(/xmlns=/g)).toHaveLength(1);
  });
});
