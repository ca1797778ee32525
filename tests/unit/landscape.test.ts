/**
 * Loss landscapes (Li et al. 2018): the filter-normalised directions, the centre of the grid, the
 * restored weights, the bands' independence, the page default's seeded outcome, and the CLI
 * (bad flags exit 2 and write nothing; --jobs 2 writes the bytes --jobs 1 writes).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPlan } from '../../src/experiments/job.ts';
import { runPart } from '../../src/experiments/jobs.ts';
import {
  bandsOf,
  gridAxis,
  landscapePlan,
  type LandscapeConfig,
  type LandscapeRecord,
  summarizeSurface,
  validateLandscapeConfig,
  zipPlans,
} from '../../src/experiments/landscape.ts';
import {
  filterNormalisedDirections,
  LandscapeEvaluator,
  runningStatsOf,
} from '../../src/experiments/landscapeParts.ts';
import { train } from '../../src/experiments/train.ts';
import { SPAWNED, useCli } from '../helpers/cli.ts';
import { defaultLandscapeView, landscapeConfigOf } from '../../src/ui/studies/landscape/view.ts';

function config(input: Record<string, unknown>): LandscapeConfig {
  const checked = validateLandscapeConfig(input);
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  return checked.value;
}

const SMALL = config({
  arch: 'resnet',
  depth: 8,
  width: 8,
  samples: 200,
  steps: 40,
  grid: 11,
  examples: 64,
});

const inThisThread = (parts: { kind: string; config: unknown }[]) =>
  Promise.resolve(parts.map((p) => runPart(p, {})));

function trainedRun(c: LandscapeConfig) {
  const { grid: _g, range: _r, examples: _e, ...t } = c;
  const run = train(t);
  for (const _ of run);
  return run;
}

describe('filter-normalised directions', () => {
  it('each neuron’s incoming weights in a direction have the norm they have in θ*; the rest is zero', () => {
    const run = trainedRun(SMALL);
    const theta = run.model.flatParams.slice();
    const filters = run.model.filters();
    const [d1, d2] = filterNormalisedDirections(run.model, theta, 1);
    const inFilter = new Uint8Array(theta.length);
    for (const f of filters) {
      let dn1 = 0;
      let dn2 = 0;
      let wn = 0;
      for (let k = 0; k < f.count; k++) {
        const i = f.start + k * f.stride;
        inFilter[i] = 1;
        dn1 += d1[i]! ** 2;
        dn2 += d2[i]! ** 2;
        wn += theta[i]! ** 2;
      }
      expect(Math.sqrt(dn1)).toBeCloseTo(Math.sqrt(wn), 5);
      expect(Math.sqrt(dn2)).toBeCloseTo(Math.sqrt(wn), 5);
    }
    // biases, batch-norm γ and β and the residual scales are in no filter: all zero
    let outside = 0;
    for (let i = 0; i < theta.length; i++)
      if (!inFilter[i]) {
        outside++;
        expect(d1[i]).toBe(0);
        expect(d2[i]).toBe(0);
      }
    expect(outside).toBeGreaterThan(0);
    // two different random directions, and the same ones again for the same seed
    expect(d1).not.toEqual(d2);
    expect(filterNormalisedDirections(run.model, theta, 1)[1]).toEqual(d2);
  });
});

describe('landscape plan', () => {
  it('the grid’s centre is θ* itself: the model’s own loss on the evaluation set', async () => {
    const record = await runPlan(landscapePlan(SMALL), inThisThread);
    const mid = (SMALL.grid - 1) / 2;
    expect(record.alphas[mid]).toBe(0);
    expect(record.loss[mid]![mid]).toBe(record.center);
    // t = 1 of the interpolation is θ* too
    expect(record.interpolation.loss[record.interpolation.t.indexOf(1)]).toBe(record.center);
    // the trained model of a plain training run, on the first 64 training examples
    const run = trainedRun(SMALL);
    const m = run.model;
    m.input.value.set(run.data.trainX.subarray(0, 64 * run.data.inputDim));
    m.labels.set(run.data.trainY.subarray(0, 64));
    m.forward(64, false);
    expect(record.center).toBeCloseTo(m.loss(false).loss, 12);
    expect(record.config.examples).toBe(64);
    expect(record.loss).toHaveLength(11);
    expect(record.loss.every((row) => row.length === 11)).toBe(true);
  });

  it('restores θ* bit for bit after evaluating the grid', () => {
    const run = trainedRun(SMALL);
    const theta = run.model.flatParams.slice();
    const stats = runningStatsOf(run.model);
    const evaluator = new LandscapeEvaluator(SMALL, run.data);
    evaluator.load(theta, stats);
    const [d1, d2] = filterNormalisedDirections(evaluator.model, theta, SMALL.seed);
    const before = evaluator.loss();
    for (const a of gridAxis(11, 1)) for (const b of [-1, 0.3, 1]) evaluator.lossAt(d1, d2, a, b);
    expect(evaluator.model.flatParams).not.toEqual(theta);
    evaluator.model.restore();
    expect(
      new Uint8Array(
        evaluator.model.flatParams.buffer,
        evaluator.model.flatParams.byteOffset,
        theta.byteLength,
      ),
    ).toEqual(new Uint8Array(theta.buffer));
    expect(evaluator.loss()).toBe(before);
  });

  it('gives the same record however the grid is split into bands, and for the same seed', async () => {
    const a = await runPlan(landscapePlan(SMALL), inThisThread);
    // the same plan with its bands answered one row at a time, in reverse order
    const b = await runPlan(landscapePlan(SMALL), async (parts) => {
      if (parts[0]!.kind !== 'landscape-band') return inThisThread(parts);
      const answers = [...parts].reverse().map((p) => {
        const c = p.config as { rowFrom: number; rowTo: number };
        const rows = [];
        for (let r = c.rowFrom; r < c.rowTo; r++)
          rows.push(
            ...(
              runPart({ kind: p.kind, config: { ...c, rowFrom: r, rowTo: r + 1 } }, {}) as {
                rows: unknown[];
              }
            ).rows,
          );
        return { rows };
      });
      return answers.reverse();
    });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(bandsOf(51).at(-1)!.to).toBe(51);
    // another seed: other directions and another training
    const c = await runPlan(landscapePlan({ ...SMALL, seed: 2 }), inThisThread);
    expect(c.loss).not.toEqual(a.loss);
  });

  it('runs the pair as one plan with the same records as alone', async () => {
    const plain = { ...SMALL, arch: 'plain' as const };
    const [p, r] = await runPlan(
      zipPlans([landscapePlan(plain), landscapePlan(SMALL)]),
      inThisThread,
    );
    expect(JSON.stringify(r)).toBe(
      JSON.stringify(await runPlan(landscapePlan(SMALL), inThisThread)),
    );
    expect(JSON.stringify(p)).toBe(
      JSON.stringify(await runPlan(landscapePlan(plain), inThisThread)),
    );
  });

  it('the page default: Plain-56 fails to train and its surface is rougher than ResNet-56’s', async () => {
    const view = defaultLandscapeView();
    const [plain, resnet] = (await runPlan(
      zipPlans([
        landscapePlan(landscapeConfigOf(view, 'plain')),
        landscapePlan(landscapeConfigOf(view, 'resnet')),
      ]),
      inThisThread,
    )) as LandscapeRecord[];
    const p = summarizeSurface(plain!.loss, plain!.alphas, plain!.betas);
    const r = summarizeSurface(resnet!.loss, resnet!.alphas, resnet!.betas);
    // Plain-56 ends near the guessing loss ln 2; ResNet-56 trains
    expect(plain!.center).toBeGreaterThan(0.6);
    expect(resnet!.center).toBeLessThan(0.2);
    expect(p.nonConvexShare).toBeGreaterThan(r.nonConvexShare + 0.2);
    expect(p.localMinima).toBeGreaterThan(r.localMinima);
    expect(p.max).toBeGreaterThan(r.max);
  }, 60_000);
});

describe('summarizeSurface', () => {
  const axis = gridAxis(11, 1);
  const surface = (f: (a: number, b: number) => number) =>
    axis.map((b) => axis.map((a) => f(a, b)));
  it('a bowl is convex everywhere with one minimum; a saddle is non-convex everywhere', () => {
    const bowl = summarizeSurface(
      surface((a, b) => a * a + 2 * b * b),
      axis,
      axis,
    );
    expect(bowl.nonConvexShare).toBe(0);
    expect(bowl.localMinima).toBe(1);
    expect(bowl.min).toBe(0);
    const saddle = summarizeSurface(
      surface((a, b) => a * a - b * b),
      axis,
      axis,
    );
    expect(saddle.nonConvexShare).toBe(1);
    expect(saddle.localMinima).toBe(0);
  });
  it('counts non-finite points and leaves them out', () => {
    const s = summarizeSurface(
      surface((a) => (a > 0.9 ? Infinity : a * a)),
      axis,
      axis,
    );
    expect(s.nonFinite).toBe(11);
    expect(s.max).toBe(1); // at α = −1; α = 1 is infinite
  });
});

describe('resnet-lab landscape', () => {
  const { work, cli } = useCli('landscape-cli-');
  const flags = [
    'landscape',
    '--arch',
    'plain',
    '--depth',
    '8',
    '--width',
    '8',
    '--samples',
    '200',
    '--steps',
    '40',
    '--grid',
    '11',
    '--examples',
    '64',
    '--quiet',
  ];

  it.each([
    [['--grid', '9'], '--grid'],
    [['--grid', '53'], '--grid'],
    [['--range', '0'], '--range'],
    [['--range', '-1'], '--range'],
    [['--examples', '0'], '--examples'],
    [['--depth', '9'], '--depth'],
    [['--gird', '21'], '--gird'],
  ])(
    '%j exits 2, names %s and writes nothing',
    async (bad, flag) => {
      const out = join(work, `bad-${flag.slice(2)}.json`);
      const result = await cli([...flags, ...bad, '--out', out]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(flag);
      expect(existsSync(out)).toBe(false);
    },
    SPAWNED.timeout,
  );

  it(
    '--jobs 2 writes the same bytes as --jobs 1, in the documented shape',
    async () => {
      const one = join(work, 'one.json');
      const two = join(work, 'two.json');
      const a = await cli([...flags, '--jobs', '1', '--out', one]);
      const b = await cli([...flags, '--jobs', '2', '--out', two]);
      expect(a.code, a.stderr).toBe(0);
      expect(b.code, b.stderr).toBe(0);
      const text = readFileSync(one, 'utf8');
      expect(readFileSync(two, 'utf8')).toBe(text);
      const record = JSON.parse(text);
      expect(Object.keys(record)).toEqual([
        'schema',
        'config',
        'alphas',
        'betas',
        'loss',
        'center',
        'interpolation',
      ]);
      expect(record.schema).toBe('resnet-lab/landscape@1');
      expect(record.config.arch).toBe('plain');
      expect(record.alphas).toHaveLength(11);
      expect(record.loss[5][5]).toBe(record.center);
      expect(Object.keys(record.interpolation)).toEqual(['t', 'loss']);
    },
    SPAWNED.timeout,
  );
});

describe('the page’s landscape settings in the address', () => {
  it('round-trips land-… values and names a bad one, keeping the default', async () => {
    const { decodePageState, defaultPageState, encodePageState } =
      await import('../../src/ui/state/url.ts');
    const state = defaultPageState();
    state.view.landscape = { depth: 20, grid: 51, range: 0.5, steps: 2000, seed: 3 };
    const query = encodePageState(state);
    expect(query).toBe('?land-depth=20&land-grid=51&land-range=0.5&land-steps=2000&land-seed=3');
    expect(decodePageState(query).state.view.landscape).toEqual(state.view.landscape);
    const bad = decodePageState('?land-grid=52');
    expect(bad.state.view.landscape).toEqual(defaultLandscapeView());
    expect(bad.notices.join(' ')).toMatch(/land-grid=52/);
  });
});

describe('the figure’s scale and caption', () => {
  it('one scale for both surfaces: from the lower minimum, capped at 10', async () => {
    const { position, sharedScale, legendTicks } =
      await import('../../src/ui/studies/landscape/scale.ts');
    const s = sharedScale([[[0.7, 1e11]], [[0.03, null, 144]]]);
    expect(s.lo).toBeCloseTo(Math.log10(0.03), 12);
    expect(s.hi).toBe(1);
    expect(position(0.03, s)).toBe(0);
    expect(position(1e11, s)).toBe(1);
    expect(position(null, s)).toBe(1);
    expect(legendTicks(s).map((v) => v.toPrecision(2))).toEqual([
      '0.030',
      '0.10',
      '0.30',
      '1.0',
      '3.0',
      '10',
    ]);
  });

  it('says which surface is rougher, from the numbers, and when it differs from Li et al.', async () => {
    const { landscapeCaption } = await import('../../src/ui/studies/landscape/caption.ts');
    const axis = gridAxis(11, 1);
    const record = (f: (a: number, b: number) => number, center: number): LandscapeRecord => ({
      schema: 'resnet-lab/landscape@1',
      config: { ...SMALL, depth: 56 },
      alphas: axis,
      betas: axis,
      loss: axis.map((b) => axis.map((a) => f(a, b))),
      center,
      interpolation: { t: [], loss: [] },
    });
    const bowl = record((a, b) => 0.05 + a * a + b * b, 0.05);
    const bumpy = record((a, b) => 0.7 + Math.sin(9 * a) * Math.cos(9 * b), 0.7);
    const asPaper = landscapeCaption({ plain: bumpy, resnet: bowl });
    expect(asPaper.comparison).toMatch(/^As in Li et al/);
    expect(asPaper.comparison).toMatch(/Plain-56 did not train/);
    expect(asPaper.finding).toContain('ResNet-56');
    expect(asPaper.resnet.nonConvexShare).toBe(0);
    const reversed = landscapeCaption({ plain: bowl, resnet: bumpy });
    expect(reversed.comparison).toMatch(/^Unlike Li et al/);
  });
});
