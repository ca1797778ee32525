/**
 * The shattered-gradients and ensemble-of-paths studies' page state: their URL keys round-trip
 * and refuse bad values; the configs the page runs; the captions are computed from the record
 * (a synthetic one here, so each branch of the wording is reached).
 */
import { describe, expect, it } from 'vitest';
import { decodePageState, defaultPageState, encodePageState } from '../../src/ui/state/url.ts';
import { captionOf, standardised, structureWord } from '../../src/ui/studies/shattered/caption.ts';
import { pathsConfigOf } from '../../src/ui/studies/paths/view.ts';
import { shatteredConfigOf } from '../../src/ui/studies/shattered/view.ts';
import { pathsCaptionOf } from '../../src/ui/studies/paths/caption.ts';
import {
  defaultShatteredConfig,
  type ShatteredRecord,
} from '../../src/experiments/shatteredConfig.ts';
import {
  defaultPathsConfig,
  pathCounts,
  pathShares,
  type PathsRecord,
} from '../../src/experiments/pathsConfig.ts';

describe('the studies in the URL', () => {
  it('shat-… and paths-… round-trip, and only what differs from the default is written', () => {
    const state = defaultPageState();
    expect(encodePageState(state)).not.toMatch(/shat-|paths-/);
    state.view.shattered = { depth: 110, seed: 7 };
    state.view.paths = { depth: 20, steps: 500, seed: 3 };
    const query = encodePageState(state);
    expect(query).toMatch(/shat-depth=110/);
    expect(query).toMatch(/paths-steps=500/);
    const back = decodePageState(query);
    expect(back.state.view.shattered).toEqual({ depth: 110, seed: 7 });
    expect(back.state.view.paths).toEqual({ depth: 20, steps: 500, seed: 3 });
    expect(back.notices).toEqual([]);
  });

  it('a bad value is refused with a notice and the default kept', () => {
    const { state, notices } = decodePageState('?shat-depth=51&paths-depth=21&paths-seed=x');
    expect(state.view.shattered.depth).toBe(50);
    expect(state.view.paths.depth).toBe(56);
    expect(notices.join(' ')).toMatch(/shat-depth=51/);
    expect(notices.join(' ')).toMatch(/paths-depth=21/);
    expect(notices.join(' ')).toMatch(/paths-seed=x/);
  });

  it('the page runs the studies with their defaults and the view', () => {
    expect(shatteredConfigOf({ depth: 8, seed: 2 })).toEqual({
      ...defaultShatteredConfig(),
      depth: 8,
      seed: 2,
    });
    expect(pathsConfigOf({ depth: 20, steps: 200, seed: 5 })).toEqual({
      ...defaultPathsConfig(),
      depth: 20,
      steps: 200,
      seed: 5,
    });
  });
});

function shattered(plainLag1: number, resnetLag1: number, depth = 50): ShatteredRecord {
  return {
    schema: 'resnet-lab/shattered@1',
    config: { ...defaultShatteredConfig(), depth },
    x: [],
    plain: { gradient: [], autocorrelation: [1, plainLag1] },
    resnet: { gradient: [], autocorrelation: [1, resnetLag1] },
    depths: [
      { depth: 2, plain: 0.99, resnet: 0.99 },
      { depth: 110, plain: 0.1, resnet: 0.95 },
    ],
  };
}

describe('the shattered-gradients caption', () => {
  it('says which gradient is more structured, from the numbers', () => {
    expect(captionOf(shattered(0.4, 0.9)).depth).toBe(
      'At depth 50 the lag-1 autocorrelation is 0.40 for the plain network (rough) and 0.90 for the residual one (smooth): the skip connections keep the gradient more structured.',
    );
    expect(captionOf(shattered(0.9, 0.4)).depth).toMatch(/against the paper/);
    expect(captionOf(shattered(0.99, 0.99, 2)).depth).toMatch(/^With one hidden layer/);
    expect(captionOf(shattered(0.4, 0.9)).across).toMatch(/falls from 0\.99 to 0\.10/);
    // the deepest plain gradient is near white noise here: no "not white noise" remark
    expect(captionOf(shattered(0.4, 0.9)).paper).not.toMatch(/not white noise/);
    expect(structureWord(0.1)).toBe('close to white noise');
  });

  it('standardises a series (mean 0, spread 1), a constant one to zeros', () => {
    const s = standardised([1, 2, 3, 4]);
    expect(s.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 12);
    expect(Math.sqrt(s.reduce((a, b) => a + b * b, 0) / 4)).toBeCloseTo(1, 12);
    expect(standardised([5, 5])).toEqual([0, 0]);
  });
});

describe('the ensemble-of-paths caption', () => {
  it('names the lengths that carry the gradient and their share of the paths', () => {
    const n = 4;
    const shares = pathShares(n);
    // one path of length k has magnitude 10^-k: the short paths carry the gradient
    const weights = shares.map((p, k) => p * 10 ** -k);
    const total = weights.reduce((a, b) => a + b, 0);
    const record: PathsRecord = {
      schema: 'resnet-lab/paths@1',
      config: { ...defaultPathsConfig(), depth: 10 },
      blocks: n,
      totalPaths: '16',
      batch: 64,
      final: { trainLoss: 0.1, trainAccuracy: 0.9, testLoss: 0.2, testAccuracy: 0.8 },
      fullMagnitude: 1,
      lengths: shares.map((p, k) => ({
        k,
        paths: pathCounts(n)[k]!.toString(),
        pathShare: p,
        magnitudes: [10 ** -k],
        meanMagnitude: 10 ** -k,
        gradientShare: weights[k]! / total,
      })),
    };
    const caption = pathsCaptionOf(record);
    // shares: k=0 1/16 → 0.0625, k=1 4/16·0.1 = 0.025, …; normalised 0.683, 0.273, 0.041, …
    expect(caption.carrying).toMatch(
      /^Paths of length 0–1 carry 95\.6% of the gradient, although they are only 31\.3% of the paths; the largest share comes from length 0/,
    );
    expect(caption.setup).toMatch(/2\^4 = 16 paths, mean length 2/);
    expect(caption.paper).toMatch(/5–17 blocks long/);
  });
});
