/**
 * The lesion study (Veit et al. 2016): a lesion of zero blocks is the trained network; the
 * ResNet's branch switch is exact (a lesioned block passes its input on, bit for bit) and
 * clearing it restores the trained accuracy exactly; at the page's default setting the ResNet
 * survives the loss of any one block better than its plain twin; the record follows its
 * contract; `resnet-lab lesion` names bad flags with exit 2 and writes the same bytes with
 * `--jobs 2` as with `--jobs 1`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJob, runPlan } from '../../src/experiments/job.ts';
import { runPart } from '../../src/experiments/jobs.ts';
import {
  lesionBlocks,
  lesionCSV,
  lesionPlan,
  type LesionConfig,
  type LesionRecord,
  lesionUnits,
  median,
  trainConfigOf,
  validateLesionConfig,
} from '../../src/experiments/lesion.ts';
import {
  lesionDraws,
  lesionedAccuracy,
  lesionNet,
  lesionNetRecorder,
  validateLesionRun,
} from '../../src/experiments/lesionNet.ts';
import { train } from '../../src/experiments/train.ts';
import {
  allDeletedSentence,
  netFindings,
  notLearned,
  paperComparison,
  randomCsvRows,
  randomPoints,
  randomSentence,
  singleSentence,
} from '../../src/ui/studies/lesion/figures.ts';
import {
  defaultLesionView,
  lesionCommand,
  lesionConfigOf,
} from '../../src/ui/studies/lesion/settings.ts';
import { decodePageState, defaultPageState, encodePageState } from '../../src/ui/state/url.ts';
import { loadDigitsAsset } from '../../src/cli/files.ts';
import { SPAWNED, useCli } from '../helpers/cli.ts';

const { work, cli } = useCli('resnet-lab-lesion-');

function configOf(input: Record<string, unknown>): LesionConfig {
  const checked = validateLesionConfig(input);
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  return checked.value;
}

/** The page's default study (src/ui/studies/lesion/settings.ts). */
const PAGE_DEFAULT = { depth: 20, width: 16, dataset: 'spiral', noise: 0, steps: 1500, seed: 1 };
/** A small, quick one for the record's shape. */
const SMALL = { depth: 8, width: 8, noise: 0, samples: 300, steps: 150, draws: 3 };

function study(input: Record<string, unknown>, digits?: Uint8Array): Promise<LesionRecord> {
  return runPlan(lesionPlan(configOf(input)), async (parts) =>
    parts.map((p) => runPart(p, { digits })),
  );
}

const bits = (xs: ArrayLike<number>) => Array.from(Float32Array.from(xs), (x) => x);

describe('lesion-net: one network trained, then lesioned', () => {
  it('a lesion of zero blocks equals the trained test accuracy, for both networks', async () => {
    const record = await study(SMALL);
    for (const net of ['plain', 'resnet'] as const) {
      const r = record[net];
      expect(r.final).not.toBeNull();
      expect(r.baseline.testAccuracy).toBe(r.final!.testAccuracy);
      // and the trained accuracy is the one a plain `train` run of the same config ends with
      const done = [...runJob(train(trainConfigOf(configOf(SMALL), net)))].find(
        (e) => e.type === 'done',
      );
      expect(done?.type === 'done' && done.final?.testAccuracy).toBe(r.baseline.testAccuracy);
    }
  });

  it('the ResNet’s branch switch is exact: a lesioned block passes its input on, bit for bit', () => {
    const run = train({ arch: 'resnet', depth: 8, width: 8, noise: 0, samples: 300, steps: 150 });
    for (const _event of runJob(run));
    const model = run.model;
    const rows = Math.min(model.spec.maxBatch, run.data.nTest);
    const forward = () => {
      model.input.value.set(run.data.testX.subarray(0, rows * run.data.inputDim));
      model.forward(rows, false);
      return bits(model.logits.value.subarray(0, rows * model.logits.dim));
    };
    const trained = forward();
    const trainedAccuracy = lesionedAccuracy(run, []);
    for (let b = 0; b < model.blocks; b++) {
      const info = model.blockInfo[b]!;
      const width = info.input.dim;
      // the trained branch does something: with it on, the block's output is not its input
      forward();
      expect(bits(info.output!.value.subarray(0, rows * width))).not.toEqual(
        bits(info.input.value.subarray(0, rows * width)),
      );
      model.lesion(b, true);
      const lesioned = forward();
      // y = relu(x + 0) = x, since x is itself a ReLU's output (x ≥ 0)
      const x = bits(info.input.value.subarray(0, rows * width));
      expect(x.every((v) => v >= 0)).toBe(true);
      expect(bits(info.output!.value.subarray(0, rows * width))).toEqual(x);
      expect(lesioned).not.toEqual(trained);
      model.clearLesions();
      expect(forward()).toEqual(trained);
      expect(lesionedAccuracy(run, [])).toBe(trainedAccuracy);
    }
    // a measurement clears its lesions: the network is the trained one afterwards
    lesionedAccuracy(run, [0, 1, 2]);
    expect(forward()).toEqual(trained);
  });

  it('the job’s progress covers training and every measurement', () => {
    const config = { ...trainConfigOf(configOf(SMALL), 'resnet'), draws: 3 };
    const job = lesionNet(config);
    expect(job.total).toBe(150 + 1 + 3 + 3 * 3);
    expect(lesionUnits(config)).toBe(13);
    const recorder = lesionNetRecorder();
    for (const e of runJob(job)) recorder.add(e);
    expect(job.progress).toBe(job.total);
    const r = recorder.result()!;
    expect(r.diverged).toBeNull();
    expect(r.single.map((s) => s.block)).toEqual([0, 1, 2]);
  });

  it('a cancelled part has no result', () => {
    const job = lesionNet({ ...trainConfigOf(configOf(SMALL), 'plain'), draws: 3 });
    job.advance();
    job.cancel();
    const recorder = lesionNetRecorder();
    for (const e of runJob(job)) recorder.add(e);
    expect(recorder.result()).toBeNull();
  });
});

describe('a network that diverges', () => {
  it('keeps its step and every field, with no accuracy (never one of the blow-up)', async () => {
    const record = await study({
      ...SMALL,
      steps: 100,
      norm: 'none',
      lr: 10,
      residualInit: 'one',
      optimizer: 'sgd',
    });
    for (const net of ['plain', 'resnet'] as const) {
      const r = record[net];
      expect(r.diverged?.step).toBeGreaterThan(0);
      expect(r.diverged!.step).toBeLessThan(100);
      expect(r.baseline.testAccuracy).toBeNull();
      expect(r.single.map((s) => s.testAccuracy)).toEqual([null, null, null]);
      expect(r.random.flatMap((k) => k.testAccuracy).every((a) => a === null)).toBe(true);
      expect(r.random).toHaveLength(3);
      const f = netFindings(record, net);
      expect(notLearned(f, 0.5)).toMatch(/diverged at step \d+/);
    }
    expect(paperComparison(record)).toMatch(/cannot be made/);
  });
});

describe('the random draws', () => {
  const NINE = Array.from({ length: 9 }, (_, b) => b);
  it('k distinct blocks in ascending order per draw, seeded, and the same for any network', () => {
    const drawn = lesionDraws(7, NINE, 5);
    expect(drawn).toHaveLength(9);
    drawn.forEach((forK, i) => {
      expect(forK).toHaveLength(5);
      for (const d of forK) {
        expect(d).toHaveLength(i + 1);
        expect(new Set(d).size).toBe(i + 1);
        expect([...d].sort((a, b) => a - b)).toEqual(d);
        expect(d.every((b) => b >= 0 && b < 9)).toBe(true);
      }
    });
    expect(lesionDraws(7, NINE, 5)).toEqual(drawn);
    expect(lesionDraws(8, NINE, 5)).not.toEqual(drawn);
    // not one fixed subset: the draws for k = 1 differ among themselves
    expect(new Set(drawn[0]!.map((d) => d[0])).size).toBeGreaterThan(1);
  });

  it('a convolutional network keeps the blocks that change the map: both networks lose the same', () => {
    // depth 20: 3 stages of 3 blocks; blocks 3 and 6 halve the maps and double the channels
    expect(lesionBlocks({ depth: 20, model: 'conv' })).toEqual([0, 1, 2, 4, 5, 7, 8]);
    expect(lesionBlocks({ depth: 20, model: 'mlp' })).toHaveLength(9);
    const drawn = lesionDraws(3, lesionBlocks({ depth: 20, model: 'conv' }), 2);
    expect(drawn).toHaveLength(7);
    for (const forK of drawn)
      for (const d of forK) expect(d.some((b) => b === 3 || b === 6)).toBe(false);
    expect(lesionUnits({ depth: 20, model: 'conv', draws: 2 })).toBe(1 + 7 + 7 * 2);
  });

  it('a convolutional study runs: plain and ResNet-14 on the digits lose blocks 0, 1, 3, 5', async () => {
    const digits = loadDigitsAsset(14, () => {});
    const record = await study(
      { model: 'conv', depth: 14, width: 2, samples: 200, steps: 20, batch: 16, draws: 1 },
      digits,
    );
    for (const net of ['plain', 'resnet'] as const) {
      expect(record[net].single.map((s) => s.block)).toEqual([0, 1, 3, 5]);
      expect(record[net].random.map((r) => r.k)).toEqual([1, 2, 3, 4]);
      expect(record[net].baseline.testAccuracy).toBe(record[net].final!.testAccuracy);
      expect(record[net].dataset.name).toBe('digits');
    }
  });
});

describe('the lesion record', () => {
  it('follows its contract: baseline, one entry per block, draws per k; k = n deletes all', async () => {
    const record = await study(SMALL);
    expect(record.schema).toBe('resnet-lab/lesion@1');
    expect(record.config).toEqual(configOf(SMALL));
    expect(Object.keys(record)).toEqual(['schema', 'config', 'plain', 'resnet']);
    const n = lesionBlocks({ depth: 8, model: 'mlp' }).length;
    for (const net of ['plain', 'resnet'] as const) {
      const r = record[net];
      expect(r.single).toHaveLength(n);
      expect(r.random.map((x) => x.k)).toEqual([1, 2, 3]);
      for (const k of r.random) expect(k.testAccuracy).toHaveLength(3);
      // deleting every block is one network whichever draw it is
      const all = r.random[n - 1]!.testAccuracy;
      expect(new Set(all).size).toBe(1);
      expect(r.dataset).toEqual({ name: 'spiral', classes: 2, test: 60 });
    }
    // the CSV: a header, one baseline, n singles and n × draws random rows per network
    const lines = lesionCSV(record).trimEnd().split('\n');
    expect(lines[0]).toBe('net,deleted,k,block,draw,testAccuracy');
    expect(lines).toHaveLength(1 + 2 * (1 + n + n * 3));
  });

  it('the same seed gives the same record; another seed another', async () => {
    const a = JSON.stringify(await study(SMALL));
    expect(JSON.stringify(await study(SMALL))).toBe(a);
    expect(JSON.stringify(await study({ ...SMALL, seed: 2 }))).not.toBe(a);
  });

  it('at the page’s default, both train well and any one block costs the ResNet less than the plain net', async () => {
    const record = await study(PAGE_DEFAULT);
    const worst = (net: 'plain' | 'resnet') =>
      Math.min(...record[net].single.map((s) => s.testAccuracy!));
    const base = (net: 'plain' | 'resnet') => record[net].baseline.testAccuracy!;
    // both networks learn the spirals (so the lesions test the architecture, not a failed net)
    expect(base('plain')).toBeGreaterThan(0.9);
    expect(base('resnet')).toBeGreaterThan(0.9);
    expect(base('resnet') - worst('resnet')).toBeLessThan(base('plain') - worst('plain'));
    // the ResNet's worst single lesion keeps it well above chance (50 %); the plain net's does not
    expect(worst('resnet')).toBeGreaterThan(0.8);
    expect(worst('plain')).toBeLessThan(0.6);
    // one random block: the ResNet's median draw beats the plain net's
    expect(median(record.resnet.random[0]!.testAccuracy)!).toBeGreaterThan(
      median(record.plain.random[0]!.testAccuracy)!,
    );
  });
});

describe('the page’s figures and words, from a record', () => {
  /** A made-up record: 4 blocks, chance 50 %. */
  function made(): LesionRecord {
    const net = (base: number, single: number[], random: number[][]) => ({
      final: { trainLoss: 0.1, trainAccuracy: base, testLoss: 0.1, testAccuracy: base, steps: 10 },
      diverged: null,
      baseline: { testAccuracy: base },
      single: single.map((testAccuracy, block) => ({ block, testAccuracy })),
      random: random.map((testAccuracy, i) => ({ k: i + 1, testAccuracy })),
      dataset: { name: 'spiral', classes: 2, test: 200 },
    });
    return {
      schema: 'resnet-lab/lesion@1',
      config: { ...configOf({ depth: 10, draws: 3 }) },
      plain: net(
        0.9,
        [0.5, 0.3, 0.8, 0.6],
        [
          [0.5, 0.6, 0.4],
          [0.5, 0.5, 0.5],
          [0.4, 0.5, 0.5],
          [0.45, 0.45, 0.45],
        ],
      ),
      resnet: net(
        1,
        [0.99, 0.95, 1, 0.97],
        [
          [0.99, 0.95, 0.97],
          [0.9, 0.85, 0.95],
          [0.7, 0.8, 0.6],
          [0.5, 0.5, 0.5],
        ],
      ),
    };
  }

  it('finds the worst single deletion, the medians and the k where each net gives out', () => {
    const record = made();
    const resnet = netFindings(record, 'resnet');
    expect(resnet.worst).toEqual({ block: 2, accuracy: 0.95 });
    expect(resnet.worstCost).toBeCloseTo(0.05, 12);
    expect(resnet.medianCost).toBeCloseTo(0.02, 12);
    expect(resnet.kWithin10).toBe(2);
    expect(resnet.kAtChance).toBe(4);
    const plain = netFindings(record, 'plain');
    expect(plain.worst).toEqual({ block: 2, accuracy: 0.3 });
    expect(plain.atChance).toBe(2); // 0.5 and 0.3 (near chance: 55 % or less)
    expect(plain.kWithin10).toBe(0);
    expect(plain.kAtChance).toBe(1);
    expect(randomPoints(record.resnet).map((p) => [p.x, p.y, p.lo, p.hi])).toEqual([
      [0, 1, 1, 1],
      [1, 0.97, 0.95, 0.99],
      [2, 0.9, 0.85, 0.95],
      [3, 0.7, 0.6, 0.8],
      [4, 0.5, 0.5, 0.5],
    ]);
    expect(randomCsvRows(record)[1]).toEqual([1, 0.5, 0.4, 0.6, 0.97, 0.95, 0.99]);
  });

  it('the captions give those numbers, and say where the result differs from the paper', () => {
    const record = made();
    expect(singleSentence(record)).toBe(
      "Deleting any one of the ResNet's 4 blocks costs at most 5.0 points (100.0% → 95.0%, block 2; over all blocks a median of 2.0 points); deleting one block of the plain net costs up to 60.0 points (90.0% → 30.0%, block 2; over all blocks a median of 35.0 points). Chance is 50.0%.",
    );
    expect(randomSentence(record)).toMatch(
      /the ResNet's median stays within 10 points of its trained accuracy up to k = 2 and is near chance \(55\.0% or less\) from k = 4; the plain net's median falls more than 10 points below its trained accuracy already at k = 1/,
    );
    expect(paperComparison(record)).toMatch(
      /^Unlike there, the ResNet's worst single deletion costs 5\.0 points/,
    );
    expect(paperComparison(record)).toMatch(
      /like the VGG network, the plain net falls near or below chance .* in 2 of its 4 single deletions/,
    );
    expect(allDeletedSentence(record)).toBe(
      'With all 4 blocks deleted — the first and last layers alone — the ResNet scores 50.0% and the plain net 45.0%: the blocks do the work on this task.',
    );
    const easy = made();
    easy.resnet.random[3]!.testAccuracy = [0.9, 0.9, 0.9];
    expect(allDeletedSentence(easy)).toMatch(/scores 90\.0% .*: this task needs few of the blocks/);
    expect(paperComparison(easy)).toMatch(
      /But with every block deleted the ResNet still scores 90\.0%/,
    );
    expect(paperComparison(record)).not.toMatch(/But with every block/);
    // a ResNet that loses at most 2 points agrees with the paper
    const agrees = made();
    agrees.resnet.single = agrees.resnet.single.map((s) => ({ ...s, testAccuracy: 0.99 }));
    expect(paperComparison(agrees)).toMatch(
      /^As there, no single deletion costs the ResNet more than 2\.0 points/,
    );
    // a plain net that did not learn: no comparison
    const failed = made();
    failed.plain.baseline.testAccuracy = 0.6;
    expect(netFindings(failed, 'plain').learned).toBe(false);
    expect(notLearned(netFindings(failed, 'plain'), 0.5)).toMatch(
      /^The plain net did not learn this task \(test accuracy 60\.0%; chance is 50\.0%\)/,
    );
    expect(notLearned(netFindings(failed, 'resnet'), 0.5)).toBeNull();
    expect(paperComparison(failed)).toMatch(/cannot be made/);
  });

  it('the page’s settings: valid, in the URL as lesion-…, and the command that gives the same record', () => {
    const ok = lesionConfigOf(defaultLesionView());
    expect(ok.ok && ok.value).toEqual(configOf(PAGE_DEFAULT));
    expect(lesionCommand(configOf(PAGE_DEFAULT))).toBe(
      'npx resnet-lab lesion --depth 20 --dataset spiral --noise 0 --steps 1500 --seed 1 --draws 5 --out lesion.json',
    );
    const state = defaultPageState();
    expect(encodePageState(state)).toBe('');
    state.view.lesion = { depth: 56, dataset: 'digits', steps: 600, seed: 4, draws: 10 };
    const query = encodePageState(state);
    expect(query).toBe(
      '?lesion-depth=56&lesion-data=digits&lesion-steps=600&lesion-seed=4&lesion-draws=10',
    );
    expect(decodePageState(query)).toEqual({ state, notices: [] });
    const bad = decodePageState('?lesion-depth=21&lesion-draws=0&lesion-data=moons');
    expect(bad.state.view.lesion).toEqual(defaultLesionView());
    expect(bad.notices).toHaveLength(3);
    expect(bad.notices[0]).toMatch(/^lesion-depth=21: expected one of 8, 14, 20/);
    const seedless = lesionConfigOf({ ...defaultLesionView(), seed: Number.NaN });
    expect(seedless.ok).toBe(false);
    // a seed being typed (empty: NaN) is not written into the address
    const typing = defaultPageState();
    typing.view.lesion.seed = Number.NaN;
    expect(encodePageState(typing)).toBe('');
  });
});

describe('validation', () => {
  it('names each problem by its setting', () => {
    const bad = validateLesionConfig({ arch: 'resnet', depth: 21, draws: 0 });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    const keys = bad.errors.map((e) => e.key);
    expect(keys).toContain('arch');
    expect(keys).toContain('depth');
    expect(keys).toContain('draws');
    expect(bad.errors.find((e) => e.key === 'depth')!.message).toMatch(/not a valid depth/);
  });

  it('checks each network’s size as train does', () => {
    const big = validateLesionRun({ depth: 1202, width: 1024 });
    expect(big.ok).toBe(false);
  });
});

describe('resnet-lab lesion', SPAWNED, () => {
  const flags = ['lesion', ...['--depth', '8', '--width', '8', '--noise', '0']];
  const more = ['--samples', '300', '--steps', '150', '--draws', '3', '--quiet'];

  it('--jobs 2 writes the same bytes as --jobs 1, and the record equals the plan’s', async () => {
    const one = join(work, 'one.json');
    const two = join(work, 'two.json');
    const a = await cli([...flags, ...more, '--jobs', '1', '--out', one]);
    const b = await cli([...flags, ...more, '--jobs', '2', '--out', two]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const text = readFileSync(one, 'utf8');
    expect(readFileSync(two, 'utf8')).toBe(text);
    expect(text).toBe(`${JSON.stringify(await study(SMALL), null, 2)}\n`);
  });

  it('a bad flag or value is named, exit 2, nothing written', async () => {
    const out = join(work, 'bad.json');
    const r = await cli([...flags, '--arch', 'plain', '--draws', '0', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--arch: unknown flag/);
    expect(r.stderr).toMatch(/--draws: 0 is out of range/);
    expect(existsSync(out)).toBe(false);
    const more = await cli([
      ...flags,
      '--shortcut',
      '--out',
      join(work, 'no-such-folder', 'x.json'),
    ]);
    expect(more.code).toBe(2);
    expect(more.stderr).toMatch(/--shortcut: unknown flag/);
    expect(more.stderr).toMatch(/--out: /);
    const depth = await cli(['lesion', '--depth', '21', '--out', out]);
    expect(depth.code).toBe(2);
    expect(depth.stderr).toMatch(/--depth: 21 is not a valid depth/);
    expect(existsSync(out)).toBe(false);
    expect(depth.stdout).toBe('');
  });

  it('a network that diverged: exit 3, named, the record written', async () => {
    const out = join(work, 'diverged.json');
    const r = await cli([
      ...flags,
      ...['--samples', '300', '--steps', '100', '--draws', '2', '--quiet', '--out', out],
      ...['--norm', 'none', '--lr', '10', '--residual-init', 'one', '--optimizer', 'sgd'],
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/the plain network diverged at step \d+/);
    expect(JSON.parse(readFileSync(out, 'utf8')).resnet.diverged.step).toBeGreaterThan(0);
  });

  it('--help lists the draws and the training flags', async () => {
    const r = await cli(['lesion', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--draws/);
    expect(r.stdout).toMatch(/--depth/);
    expect(r.stdout).not.toMatch(/--arch/);
  });
});
