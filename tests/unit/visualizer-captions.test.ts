/** The visualizer's captions say what was measured, including when an effect did not appear. */
import { describe, expect, it } from 'vitest';
import type { SweepRecord } from '../../src/experiments/sweep.ts';
import {
  demoCaption,
  firstOverLast,
  gradientCaption,
  ratioText,
  zeroBranchNote,
} from '../../src/ui/visualizer/captions.ts';

const base = {
  depth: 56,
  plainLive: null,
  resnetLive: null,
  liveStep: null,
  plainLoss: null,
  resnetLoss: null,
};

describe('gradient captions', () => {
  it('forms ‖g_first‖/‖g_last‖ and says when it cannot', () => {
    expect(firstOverLast([1e-4, 5, 1e-2])).toBeCloseTo(1e-2, 12);
    expect(firstOverLast([0, 1, 2])).toBe(0);
    expect(firstOverLast([1, 0])).toBeNull();
    expect(ratioText([0, 0, 0])).toMatch(/every gradient is 0/);
    expect(ratioText(null)).toBe('—');
  });

  it('vanishing in the plain net, not in the ResNet', () => {
    const [a, b] = gradientCaption({
      ...base,
      plainInit: [1e-6, 1, 1e-2],
      resnetInit: [0.4, 0, 1],
    });
    expect(a).toBe(
      'At initialisation ‖g_first‖/‖g_last‖ (stem over head) is 1.00e-4 in Plain-56 and 0.400 in ResNet-56.',
    );
    expect(b).toMatch(
      /shrinks 10,000× on its way back.*ResNet's stays within an order of magnitude/,
    );
  });

  it('all zero, growing, and not vanishing: each said as measured', () => {
    expect(gradientCaption({ ...base, plainInit: [0, 0, 0], resnetInit: [1, 1] })[1]).toMatch(
      /vanished completely — it is exactly 0 in float32 at all 3/,
    );
    expect(gradientCaption({ ...base, plainInit: [500, 1], resnetInit: [1, 1] })[1]).toMatch(
      /grows 500× on its way back instead of vanishing/,
    );
    const calm = { ...base, plainInit: [1, 2], resnetInit: [1, 1], liveStep: 300 };
    expect(gradientCaption({ ...calm, plainLoss: 0.7, resnetLoss: 0.6 })[1]).toMatch(
      /did not vanish here.*and yet at step 300 it trains worse, with a training loss of 0.700 against the ResNet's 0.600/,
    );
    expect(gradientCaption({ ...calm, plainLoss: 0.6, resnetLoss: 0.6 })[1]).toMatch(
      /does not train worse either/,
    );
    expect(gradientCaption({ ...base, plainInit: null, resnetInit: [1] })).toEqual([]);
  });

  it('notes the zero-scaled branches only where there are zero gradients', () => {
    expect(zeroBranchNote([1, 0, 0, 1])).toMatch(/^2 of the ResNet's 4 weight layers/);
    expect(zeroBranchNote([1, 1])).toBeNull();
  });
});

function record(losses: Record<string, number>): SweepRecord {
  const runs = Object.entries(losses).map(([key, trainLoss]) => {
    const [arch, depth] = key.split('-');
    return {
      arch: arch as 'plain' | 'resnet',
      depth: Number(depth),
      seed: 1,
      final: { trainLoss, trainAccuracy: 0.5, testLoss: 0, testAccuracy: 0, steps: 100 },
      stepsToTarget: null,
      epochsToTarget: null,
      diverged: null,
    };
  });
  return { schema: 'resnet-lab/sweep@1', config: { depths: [8, 56], steps: 100 } as never, runs };
}

describe('demonstration caption', () => {
  it('claims degradation only when it was measured', () => {
    const worse = demoCaption(
      record({ 'plain-8': 0.5, 'plain-56': 0.7, 'resnet-8': 0.5, 'resnet-56': 0.55 }),
    );
    expect(worse[0]).toMatch(
      /56-layer plain net ends with a higher training loss than the 8-layer one \(0.700 against 0.500\)/,
    );
    expect(worse[1]).toMatch(/ResNet reaches 0.550, lower than its plain twin's 0.700/);
    const same = demoCaption(
      record({ 'plain-8': 0.5, 'plain-56': 0.5, 'resnet-8': 0.5, 'resnet-56': 0.5 }),
    );
    expect(same[0]).toMatch(/is not worse than the 8-layer one.*no degradation appeared/);
    expect(same[1]).toMatch(/not lower than/);
  });
});
