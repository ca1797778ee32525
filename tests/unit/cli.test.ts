/**
 * The real CLI, spawned as `node bin/resnet-lab.mjs …`, on small configs so each run takes
 * well under a second. Plus a few in-process checks of the argument parser.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { graphOf } from '../../src/cli/inspect.ts';
import { parseTrainArgs } from '../../src/cli/train.ts';
import { TRAIN_FIELDS } from '../../src/experiments/config.ts';
import { SPAWNED, useCli } from '../helpers/cli.ts';

const { work, cli } = useCli('resnet-lab-cli-');

const SMALL = ['--depth', '8', '--width', '8', '--steps', '30', '--samples', '200'];

const out = (name: string) => join(work, name);

let usageRuns = 0;

/** Runs a bad command line and checks what every usage error must do. */
async function expectUsageError(args: string[], ...patterns: RegExp[]) {
  const file = args.includes('--out')
    ? args[args.indexOf('--out') + 1]!
    : out(`never-${++usageRuns}.json`);
  const r = await cli(args.includes('--out') ? args : [...args, '--out', file]);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  for (const p of patterns) expect(r.stderr).toMatch(p);
  expect(existsSync(file)).toBe(false);
  return r;
}

describe.concurrent(
  'resnet-lab: usage errors exit 2, name the problem and write nothing',
  SPAWNED,
  () => {
    it('unknown flag, with a suggestion', async () => {
      await expectUsageError(
        ['train', ...SMALL, '--dpeth', '8'],
        /--dpeth: unknown flag \(did you mean --depth\?\)/,
      );
    });

    it('bad enum value, naming the flag and the allowed values', async () => {
      await expectUsageError(
        ['train', ...SMALL, '--optimizer', 'adamw'],
        /--optimizer: expected one of sgd, momentum, adam, got "adamw" \(did you mean adam\?\)/,
      );
    });

    it('out of range', async () => {
      await expectUsageError(
        ['train', ...SMALL, '--lr', '0', '--width=0'],
        /--lr: 0 is out of range \(0, 10\]/,
        /--width: 0 is out of range \[1, 1024\]/,
      );
    });

    it('non-numeric values, and a fraction for an integer', async () => {
      await expectUsageError(
        ['train', ...SMALL, '--lr', 'abc', '--batch', '1.5', '--seed=', '--momentum', '0x1'],
        /--lr: expected a number, got "abc"/,
        /--batch: expected an integer, got "1.5"/,
        /--seed: expected an integer, got ""/,
        /--momentum: expected a number, got "0x1"/,
      );
    });

    it('a network over the size limits, with what it would need', async () => {
      await expectUsageError(
        ['train', '--dataset', 'digits', '--depth', '110', '--width', '1024', '--batch', '256'],
        /--width: this network \(113,735,690 parameters\) would need about 3\.3 GiB of memory \(the limit is 1\.0 GiB\)/,
      );
    });

    it('invalid depth, naming the nearest valid depths', async () => {
      await expectUsageError(
        ['train', '--arch', 'resnet', '--depth', '57'],
        /--depth: 57 is not a valid depth for resnet blocks.*nearest valid: 56 or 58/,
      );
    });

    it('reports every problem at once', async () => {
      const r = await expectUsageError(
        ['train', '--depth', '57', '--lr', 'fast', '--quite', '--noise', '5', 'extra'],
        /--depth: 57 is not a valid depth/,
        /--lr: expected a number/,
        /--quite: unknown flag \(did you mean --quiet\?\)/,
        /--noise: 5 is out of range/,
        /unexpected argument "extra"/,
      );
      expect(r.stderr).toMatch(/resnet-lab train --help/);
    });

    it('a convolutional network: a bad --model or --shortcut-option, a 2-D set, a depth not 6n + 2', async () => {
      await expectUsageError(
        ['train', ...SMALL, '--model', 'cnn'],
        /--model: expected one of mlp, conv, got "cnn"/,
      );
      await expectUsageError(
        ['train', '--model', 'conv', '--depth', '10', '--dataset', 'spiral', '--shortcut-option=C'],
        /--shortcut-option: expected one of A, B, got "C"/,
        /--dataset: a convolutional network reads images: use digits/,
        /--depth: 10 is not a valid depth for a convolutional network .* nearest valid: 8 or 14/,
      );
      await expectUsageError(
        ['inspect', '--model', 'conv', '--arch', 'densenet'],
        /--arch: a convolutional network is built from basic blocks: plain or resnet \(got densenet\)/,
      );
      await expectUsageError(
        ['sweep', '--model', 'conv', '--archs', 'plain,highway', '--depths', '8,20'],
        /--archs: a convolutional network is built from basic blocks: plain or resnet \(got highway\)/,
      );
      await expectUsageError(
        ['sweep', '--model', 'conv', '--depths', '8,12,20'],
        /--depths: 12 is not a valid depth for a convolutional network/,
      );
    });

    it('--out in a directory that does not exist', async () => {
      await expectUsageError(
        ['train', ...SMALL, '--out', out('no/such/dir/run.json')],
        /--out: directory .* does not exist/,
      );
    });

    it('unknown command, with a suggestion', async () => {
      const r = await cli(['trian', '--out', out('cmd.json')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/unknown command "trian" \(did you mean train\?\)/);
      expect(existsSync(out('cmd.json'))).toBe(false);
    });

    it('no command prints the help to stderr', async () => {
      const r = await cli([]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/Usage: resnet-lab <command>/);
    });
  },
);

describe.concurrent('resnet-lab --help', SPAWNED, () => {
  it('lists the commands', async () => {
    const results = await Promise.all([cli(['--help']), cli(['-h']), cli(['help'])]);
    for (const r of results) {
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Usage: resnet-lab <command>/);
      expect(r.stdout).toMatch(/^ {2}train +train one network/m);
      expect(r.stdout).toMatch(/^ {2}help /m);
    }
  });

  it('train --help mentions every field: flag, allowed values, default and help text', async () => {
    const r = await cli(['train', '--help']);
    expect(r.code).toBe(0);
    const text = r.stdout.replace(/\s+/g, ' ');
    for (const [key, field] of Object.entries(TRAIN_FIELDS)) {
      const flag = 'flag' in field ? field.flag : key;
      expect(r.stdout, flag).toContain(field.kind === 'bool' ? `--[no-]${flag}` : `--${flag} <`);
      expect(text, flag).toContain(`default ${field.default}`);
      expect(text, flag).toContain(field.help.replace(/\s+/g, ' '));
      if (field.kind === 'enum') expect(text, flag).toContain(`one of: ${field.values.join(', ')}`);
    }
    for (const flag of ['--out', '--format', '--layer-stats', '--quiet', '--help'])
      expect(r.stdout).toContain(flag);
    expect(r.stdout).toMatch(/^ {2}3 +the run diverged/m);
  });

  it('-h and help train say the same, and help wins over bad flags', async () => {
    const [a, b, c] = await Promise.all([
      cli(['train', '-h']),
      cli(['help', 'train']),
      cli(['train', '--depth', '7', '--bogus', '--help']),
    ]);
    expect(b.stdout).toBe(a.stdout);
    expect(c.code).toBe(0);
    expect(c.stdout).toBe(a.stdout);
  });
});

describe.concurrent('resnet-lab train', SPAWNED, () => {
  it('writes byte-identical JSON for the same seed, different JSON for another seed', async () => {
    const [a, b, c, d] = await Promise.all([
      cli(['train', ...SMALL, '--seed', '3', '--out', out('a.json')]),
      cli(['train', ...SMALL, '--seed', '3', '--out', out('b.json')]),
      cli(['train', ...SMALL, '--seed', '4', '--out', out('c.json')]),
      cli(['train', ...SMALL, '--seed', '3', '--quiet']),
    ]);
    for (const r of [a, b, c, d]) expect(r.code, r.stderr).toBe(0);
    const bytesA = readFileSync(out('a.json'));
    expect(bytesA.equals(readFileSync(out('b.json')))).toBe(true);
    expect(bytesA.equals(readFileSync(out('c.json')))).toBe(false);
    expect(d.stdout).toBe(bytesA.toString('utf8'));
    expect(a.stdout).toBe('');
    // no temporary files left next to the outputs
    expect(readdirSync(work).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('writes a record with every schema field, of the right type', async () => {
    const r = await cli(['train', ...SMALL, '--eval-every', '10', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.endsWith('}\n')).toBe(true);
    const rec = JSON.parse(r.stdout);
    expect(Object.keys(rec)).toEqual([
      'schema',
      'config',
      'model',
      'dataset',
      'history',
      'train',
      'final',
      'diverged',
    ]);
    expect(rec.schema).toBe('resnet-lab/run@1');
    expect(Object.keys(rec.config)).toEqual(Object.keys(TRAIN_FIELDS));
    expect(rec.config).toMatchObject({ depth: 8, width: 8, steps: 30, samples: 200, seed: 1 });
    expect(rec.model).toEqual({
      arch: 'resnet',
      shortcut: true,
      depth: 8,
      blocks: 3,
      weightLayers: 8,
      params: expect.any(Number),
      inputDim: 2,
      outputs: 2,
    });
    expect(rec.dataset).toEqual({ name: 'spiral', inputDim: 2, classes: 2, train: 160, test: 40 });
    expect(rec.history.map((h: { step: number }) => h.step)).toEqual([0, 10, 20, 30]);
    for (const h of rec.history)
      expect(h).toEqual({
        step: expect.any(Number),
        trainLoss: expect.any(Number),
        trainAccuracy: expect.any(Number),
        testLoss: expect.any(Number),
        testAccuracy: expect.any(Number),
      });
    expect(rec.train.map((t: { step: number }) => t.step)).toEqual([10, 20, 30]);
    for (const t of rec.train)
      expect(t).toEqual({
        step: expect.any(Number),
        epoch: expect.any(Number),
        lr: 0.05,
        loss: expect.any(Number),
        accuracy: expect.any(Number),
      });
    expect(rec.final).toEqual({
      trainLoss: expect.any(Number),
      trainAccuracy: expect.any(Number),
      testLoss: expect.any(Number),
      testAccuracy: expect.any(Number),
      steps: 30,
    });
    expect(rec.diverged).toBeNull();
  });

  it('writes CSV: by --format, and by an --out ending in .csv', async () => {
    const [json, csv, file] = await Promise.all([
      cli(['train', ...SMALL, '--quiet']),
      cli(['train', ...SMALL, '--quiet', '--format', 'csv']),
      cli(['train', ...SMALL, '--quiet', '--out', out('run.csv')]),
    ]);
    expect(csv.code).toBe(0);
    const lines = csv.stdout.split('\n');
    expect(lines[0]).toBe('step,trainLoss,trainAccuracy,testLoss,testAccuracy');
    expect(lines.at(-1)).toBe('');
    const history = JSON.parse(json.stdout).history as Record<string, number>[];
    expect(lines.slice(1, -1)).toEqual(
      history.map((h) =>
        [h.step, h.trainLoss, h.trainAccuracy, h.testLoss, h.testAccuracy].map(String).join(','),
      ),
    );
    expect(file.code).toBe(0);
    expect(readFileSync(out('run.csv'), 'utf8')).toBe(csv.stdout);
  });

  it('--layer-stats adds layerStats at every evaluation', async () => {
    const [r, plain] = await Promise.all([
      cli(['train', ...SMALL, '--eval-every', '15', '--layer-stats', '--quiet']),
      cli(['train', ...SMALL, '--eval-every', '15', '--quiet']),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const rec = JSON.parse(r.stdout);
    expect(rec.config.layerStatsEvery).toBe(15);
    expect(rec.layerStats.map((p: { step: number }) => p.step)).toEqual([15, 30]);
    const [first] = rec.layerStats;
    expect(first.layers).toHaveLength(rec.model.weightLayers);
    expect(first.layers[0]).toEqual({
      name: expect.any(String),
      block: -1,
      gradNorm: expect.any(Number),
      weightNorm: expect.any(Number),
      updateRatio: expect.any(Number),
      activationMean: expect.any(Number),
      activationStd: expect.any(Number),
      deadFraction: expect.any(Number),
    });
    expect(first.blocks).toHaveLength(rec.model.blocks);
    expect(first.blocks[0]).toEqual({ block: 0, inputGradNorm: expect.any(Number) });
    // and without it there is no layerStats key at all
    expect('layerStats' in JSON.parse(plain.stdout)).toBe(false);
  });

  it('--tensor-stats adds tensorStats at every evaluation and changes no other number', async () => {
    const [r, plain] = await Promise.all([
      cli([
        'train',
        ...SMALL,
        '--arch',
        'resnet',
        '--eval-every',
        '15',
        '--tensor-stats',
        '--quiet',
      ]),
      cli(['train', ...SMALL, '--arch', 'resnet', '--eval-every', '15', '--quiet']),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const { tensorStats, ...rest } = JSON.parse(r.stdout);
    expect(rest).toEqual(JSON.parse(plain.stdout));
    expect(tensorStats.map((p: { step: number }) => p.step)).toEqual([15, 30]);
    const graph = graphOf(JSON.parse(plain.stdout).config);
    const [first] = tensorStats;
    expect(first.tensors.map((t: { name: string }) => t.name)).toEqual(
      graph.tensors.filter((t) => t.stored).map((t) => t.name),
    );
    expect(first.residuals.map((b: { block: number }) => b.block)).toEqual([0, 1, 2]);
    for (const b of first.residuals) expect(b.branchNorm).toBeGreaterThan(0);
  });

  it('runs on the digits', async () => {
    const r = await cli([
      'train',
      '--dataset',
      'digits',
      '--depth',
      '8',
      '--width',
      '16',
      '--steps',
      '3',
      '--samples',
      '300',
      '--quiet',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const rec = JSON.parse(r.stdout);
    expect(rec.dataset).toEqual({
      name: 'digits',
      inputDim: 196,
      classes: 10,
      train: 240,
      test: 60,
    });
    expect(rec.model.outputs).toBe(10);
    expect(rec.final.steps).toBe(3);
  });

  it('--model conv: trains a convolutional net on the digits; inspect shows its maps as C×H×W', async () => {
    const flags = ['--model', 'conv', '--depth', '8', '--width', '4'];
    const r = await cli(['train', ...flags, '--steps', '4', '--samples', '200', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const rec = JSON.parse(r.stdout);
    expect(rec.config).toMatchObject({ model: 'conv', shortcutOption: 'A', dataset: 'digits' });
    expect(rec.dataset).toMatchObject({ name: 'digits', inputDim: 196, classes: 10 });
    expect(rec.final.steps).toBe(4);
    const table = await cli(['inspect', ...flags]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^convolutional resnet, depth 8, width 4 \(channels 4, 8, 16/);
    // the stem's map: 4 channels of 14×14 (stored 14×14×4); the last stage's: 16 of 4×4
    expect(table.stdout).toMatch(/^stem +conv +stem +\[4×14×14\] +36$/m);
    expect(table.stdout).toMatch(/^stage3\.block1\.2 +conv +3 +\[16×4×4\]/m);
    expect(table.stdout).toMatch(/^pool +pool +head +\[16\]/m);
    const json = JSON.parse((await cli(['inspect', ...flags, '--json'])).stdout);
    expect(json.config.model).toBe('conv');
    expect(json.tensors.find((t: { name: string }) => t.name === 'stem.out').shape).toEqual([
      14, 14, 4,
    ]);
    expect(json.params).toBe(rec.model.params);
    const sweep = await cli([
      'sweep',
      ...['--model', 'conv', '--depths', '8,14', '--seeds', '1', '--width', '4'],
      ...['--steps', '3', '--samples', '200', '--quiet'],
    ]);
    expect(sweep.code, sweep.stderr).toBe(0);
    const runs = JSON.parse(sweep.stdout);
    expect(runs.config).toMatchObject({ model: 'conv', dataset: 'digits' });
    expect(runs.runs.map((x: { arch: string; depth: number }) => `${x.arch}-${x.depth}`)).toEqual([
      'plain-8',
      'plain-14',
      'resnet-8',
      'resnet-14',
    ]);
  });

  it('prints progress and a summary on stderr, the record alone on stdout', async () => {
    const r = await cli(['train', ...SMALL, '--out', out('summary.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const progress = r.stderr.split('\n').filter((l) => l.startsWith('step '));
    expect(progress).toHaveLength(10);
    expect(progress.at(-1)).toMatch(/^step 30\/30 +100% +loss \d\.\d{4} +[\d.]+ steps\/s$/);
    expect(r.stderr).toMatch(/^Summary$/m);
    expect(r.stderr).toMatch(/model +resnet, depth 8 \(3 blocks\), width 8, [\d,]+ params/);
    expect(r.stderr).toMatch(/loss +\d\.\d{4} +\d\.\d{4}/);
    expect(r.stderr).toMatch(/accuracy +[\d.]+% +[\d.]+%/);
    expect(r.stderr).toMatch(/steps +30 of 30/);
    expect(r.stderr).toMatch(/wall time +[\d.]+s/);
    expect(r.stderr).toMatch(/record +.*summary\.json \(json\)/);
    expect(r.stderr).not.toMatch(/diverged/);
  });

  it('exits 3 for a diverged run, still writing its record', async () => {
    const r = await cli([
      'train',
      ...SMALL,
      '--norm',
      'none',
      '--activation',
      'identity',
      '--optimizer',
      'sgd',
      '--lr',
      '10',
      '--out',
      out('diverged.json'),
    ]);
    expect(r.code, r.stderr).toBe(3);
    const rec = JSON.parse(readFileSync(out('diverged.json'), 'utf8'));
    expect(rec.diverged).toEqual({ step: expect.any(Number) });
    expect(rec.final.steps).toBe(rec.diverged.step);
    expect(r.stderr).toContain(`diverged at step ${rec.diverged.step}`);
  });

  it('Ctrl-C cancels the run: exit 130, no --out file, no temporary file', async () => {
    const file = out('interrupted.json');
    let sent = false;
    const r = await cli(
      ['train', '--depth', '56', '--width', '32', '--steps', '400', '--out', file],
      (child, stderr) => {
        // Interrupt once the run is under way (its first progress line, at 10%).
        const poll = setInterval(() => {
          if (!sent && /^step /m.test(stderr())) {
            sent = true;
            child.kill('SIGINT');
            clearInterval(poll);
          }
        }, 20);
        child.on('close', () => clearInterval(poll));
      },
    );
    expect(sent).toBe(true);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/interrupted at step \d+; nothing written/);
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(work).filter((f) => f.startsWith('.interrupted'))).toEqual([]);
  });

  it('replaces an existing --out file only when the run succeeds', async () => {
    const file = out('keep.json');
    const first = await cli(['train', ...SMALL, '--quiet', '--out', file]);
    expect(first.code).toBe(0);
    const before = statSync(file).mtimeMs;
    const bad = await cli(['train', ...SMALL, '--lr', 'nope', '--out', file]);
    expect(bad.code).toBe(2);
    expect(statSync(file).mtimeMs).toBe(before);
  });
});

describe('parseTrainArgs (in process)', () => {
  const run = (argv: string[]) => {
    const r = parseTrainArgs(argv);
    if (r.kind !== 'run') throw new Error(JSON.stringify(r));
    return r.value;
  };

  it('takes --flag value and --flag=value, numbers in any decimal form', () => {
    const v = run(['--lr', '1e-3', '--momentum=.5', '--gate-bias', '-3', '--steps=1e4']);
    expect(v.config).toMatchObject({ lr: 0.001, momentum: 0.5, gateBias: -3, steps: 10000 });
  });

  it('booleans: --shortcut, --no-shortcut, --shortcut false, --shortcut=false', () => {
    expect(run(['--no-shortcut']).config.shortcut).toBe(false);
    expect(run(['--shortcut', 'false']).config.shortcut).toBe(false);
    expect(run(['--shortcut=false']).config.shortcut).toBe(false);
    expect(run(['--no-shortcut', '--shortcut']).config.shortcut).toBe(true);
  });

  it('the last of a repeated flag wins; defaults fill the rest', () => {
    const v = run(['--depth', '8', '--depth', '20']);
    expect(v.config.depth).toBe(20);
    expect(v.config.width).toBe(TRAIN_FIELDS.width.default);
  });

  it('chooses the format from --format, else from the --out extension', () => {
    expect(run([]).format).toBe('json');
    expect(run(['--out', join(work, 'x.CSV')]).format).toBe('csv');
    expect(run(['--out', join(work, 'x.csv'), '--format', 'json']).format).toBe('json');
    expect(run(['--format=csv']).format).toBe('csv');
  });

  it('--layer-stats follows --eval-every, and conflicts with --layer-stats-every', () => {
    expect(run(['--layer-stats', '--eval-every', '7']).config.layerStatsEvery).toBe(7);
    expect(run(['--layer-stats']).config.layerStatsEvery).toBe(TRAIN_FIELDS.evalEvery.default);
    const r = parseTrainArgs(['--layer-stats', '--layer-stats-every', '5']);
    expect(r.kind).toBe('problems');
  });

  it('--model conv trains on the digits unless a dataset is given, with option A unless told', () => {
    const conv = run(['--model', 'conv', '--depth', '8', '--width', '4']).config;
    expect(conv).toMatchObject({ model: 'conv', dataset: 'digits', shortcutOption: 'A' });
    expect(run(['--model=conv', '--shortcut-option', 'B']).config.shortcutOption).toBe('B');
    expect(
      run(['--model', 'conv', '--dataset', 'digits', '--digits-size', '28']).config,
    ).toMatchObject({ dataset: 'digits', digitsSize: 28 });
    // dense layers keep the 2-D default
    expect(run([]).config).toMatchObject({ model: 'mlp', dataset: 'spiral' });
    const r = parseTrainArgs(['--model', 'conv', '--dataset', 'moons', '--width', '65']);
    expect(r.kind === 'problems' && r.problems).toEqual([
      '--dataset: a convolutional network reads images: use digits (moons is a set of 2-D points)',
      "--width: a convolutional network's width is its first stage's channels (the last stage has 4 × width): at most 64, got 65",
    ]);
  });

  it('rejects values for switches and stray short flags', () => {
    const r = parseTrainArgs(['--quiet=yes', '-d', '8', '--no-shortcut=true']);
    expect(r.kind === 'problems' && r.problems).toEqual([
      '--quiet takes no value, got "yes"',
      '-d: unknown flag (flags are spelt --name)',
      '--no-shortcut takes no value, got "true"',
    ]);
  });
});
