/**
 * The live feature maps of a convolutional run (`observe.featureMaps`): one test digit through
 * the network in evaluation mode at every evaluation — the output maps of the first stage's
 * blocks, NHWC — without changing any other event of the run, bit for bit.
 */
import { describe, expect, it } from 'vitest';
import { loadDigitsAsset } from '../../src/cli/files.ts';
import { FEATURE_MAP_EXAMPLE, type TrainEvent, train } from '../../src/experiments/train.ts';

const digits = loadDigitsAsset(14, () => {});
const CONV = {
  model: 'conv',
  depth: 14,
  width: 4,
  steps: 12,
  evalEvery: 5,
  samples: 200,
  batch: 16,
  seed: 5,
};

const eventsOf = (config: object, featureMaps: boolean): TrainEvent[] => [
  ...train(config, { digits }, { featureMaps }),
];
type MapsEvent = Extract<TrainEvent, { type: 'featureMaps' }>;

describe('feature maps of one test digit', () => {
  const observed = eventsOf(CONV, true);
  const maps = observed.filter((e): e is MapsEvent => e.type === 'featureMaps');

  it('change no other event of the run', () => {
    const plain = eventsOf(CONV, false);
    expect(plain.some((e) => e.type === 'featureMaps')).toBe(false);
    expect(JSON.stringify(observed.filter((e) => e.type !== 'featureMaps'))).toBe(
      JSON.stringify(plain),
    );
  });

  it('come at every evaluation, one map per block of the first stage, each 14×14×width', () => {
    const evalSteps = observed.filter((e) => e.type === 'eval').map((e) => e.step);
    expect(maps.map((e) => e.step)).toEqual(evalSteps);
    expect(evalSteps).toEqual([0, 5, 10, 12]);
    for (const e of maps) {
      expect(e.example).toBe(FEATURE_MAP_EXAMPLE);
      expect(e.input).toHaveLength(196);
      // depth 14 = 6·2 + 2: two blocks per stage
      expect(e.maps.map((m) => m.block)).toEqual(['stage1.block1', 'stage1.block2']);
      for (const m of e.maps) {
        expect(m.shape).toEqual([14, 14, 4]);
        expect(m.values).toHaveLength(14 * 14 * 4);
        // a block ends with a ReLU: no negative value, and the map is not blank
        expect(Math.min(...m.values)).toBeGreaterThanOrEqual(0);
        expect(Math.max(...m.values)).toBeGreaterThan(0);
      }
    }
    expect(maps[0]!.label).toBe(maps.at(-1)!.label);
  });

  it('show the network learning: the maps of the last step differ from those at the start', () => {
    const first = maps[0]!.maps[0]!.values;
    const last = maps.at(-1)!.maps[0]!.values;
    let diff = 0;
    for (let i = 0; i < first.length; i++) diff += Math.abs(first[i]! - last[i]!);
    expect(diff).toBeGreaterThan(0);
  });

  it('a network of dense layers has no maps to show', () => {
    const dense = eventsOf({ ...CONV, model: 'mlp', depth: 8, dataset: 'digits' }, true);
    expect(dense.some((e) => e.type === 'featureMaps')).toBe(false);
  });
});
