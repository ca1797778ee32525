import { describe, expect, it } from 'vitest';
import { decadeRange, decadeSplits, spansDecades } from '../../src/ui/charts/logAxis.ts';
import { CurveStore } from '../../src/ui/runs/curves.ts';
import { OPTION_LABELS, optionLabel } from '../../src/ui/state/labels.ts';
import { TRAIN_FIELDS } from '../../src/experiments/config.ts';
import { lossWords, modeGap, ratioWords, rowOf } from '../../src/ui/training/modes.ts';

describe('batch norm mode gap', () => {
  it('is measured from the two losses and left out where they agree', () => {
    const gap = modeGap(700, 2.2996, 682.86)!;
    expect(gap.ratio).toBeCloseTo(682.86 / 2.2996, 9);
    expect(modeGap(700, 0.5, 0.6)).toBeNull();
    expect(modeGap(700, 0.5, Infinity)).toBeNull();
    expect(modeGap(700, null, 1)).toBeNull();
    expect(modeGap(700, 3, 1)).toBeNull();
    expect(rowOf([0, 10, 20, 30], 20)).toBe(2);
    expect(rowOf([0, 10, 30], 20)).toBe(-1);
    expect(lossWords(1.35e31)).toBe('1.35 × 10³¹');
    expect([2.44, 38.4, 7.849e18].map(ratioWords)).toEqual(['2.4', '38', '7.85 × 10¹⁸']);
  });
});

describe('log axis', () => {
  it('spans whole decades, labels at most about seven, and is chosen for data over two decades', () => {
    expect(decadeRange(0.02, 700)).toEqual([0.01, 1000]);
    expect(decadeRange(1, 1)).toEqual([1, 10]);
    expect(decadeSplits(0.01, 1000)).toEqual([0.01, 0.1, 1, 10, 100, 1000]);
    expect(decadeSplits(1e-2, 1e31).length).toBeLessThanOrEqual(7);
    expect(spansDecades([[0.5, 0.7], [0.6]])).toBe(false);
    expect(spansDecades([[2.3, null], [682]])).toBe(true);
  });
});

describe('labels', () => {
  it('give every enum value of the form a human label, keeping the keys', () => {
    for (const [key, field] of Object.entries(TRAIN_FIELDS))
      if (field.kind === 'enum')
        for (const value of field.values as readonly string[])
          expect(
            OPTION_LABELS[key as keyof typeof TRAIN_FIELDS]?.[value],
            `${key}=${value}`,
          ).toBeTruthy();
    expect(optionLabel('optimizer', 'momentum')).toBe('SGD with momentum');
  });
});

describe('Introduction curves', () => {
  it('end at the last step both runs reached', () => {
    const store = new CurveStore(['a', 'b']);
    for (const [step, v] of [
      [10, 1],
      [20, 2],
      [30, 3],
    ] as const)
      store.set(step, 'a', v);
    for (const [step, v] of [
      [10, 4],
      [20, 5],
    ] as const)
      store.set(step, 'b', v);
    expect(store.commonRows(['a', 'b'])).toBe(2);
    expect(store.commonRows(['a'])).toBe(3);
    expect(store.data(['a', 'b'])).toEqual([
      [10, 20, 30],
      [1, 2, 3],
      [4, 5, null],
    ]);
  });
});
