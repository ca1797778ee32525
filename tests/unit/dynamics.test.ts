/** The Training Dynamics section's pure helpers: the pair's curve table, configs and maps. */
import { describe, expect, it } from 'vitest';
import { defaultTrainConfig } from '../../src/experiments/config.ts';
import { CurveStore } from '../../src/ui/runs/curves.ts';
import {
  argmax,
  gridInputs,
  mapPixels,
  pairConfigs,
  pairSeries,
} from '../../src/ui/training/pair.ts';

/** the pair's table, as the page makes it */
const SERIES = pairSeries();
class CurveTable extends CurveStore {
  constructor() {
    super(SERIES);
  }
}

describe('CurveTable', () => {
  it('aligns two networks by step, whichever runs ahead', () => {
    const t = new CurveTable();
    t.set(10, 'resnetTrainLoss', 1);
    t.set(20, 'resnetTrainLoss', 0.5);
    t.set(10, 'plainTrainLoss', 2); // the plain network lags behind
    t.set(0, 'plainTestLoss', 3); // an earlier step is inserted in order
    t.set(30, 'plainTrainLoss', 1.5); // and then runs ahead
    expect(t.steps).toEqual([0, 10, 20, 30]);
    expect(t.columns.resnetTrainLoss).toEqual([null, 1, 0.5, null]);
    expect(t.columns.plainTrainLoss).toEqual([null, 2, null, 1.5]);
    expect(t.columns.plainTestLoss).toEqual([3, null, null, null]);
    for (const k of SERIES) expect(t.columns[k]).toHaveLength(4);
    expect(t.data(['plainTrainLoss'])).toEqual([t.steps, t.columns.plainTrainLoss]);
  });

  it('writes CSV with a header and empty cells, and clears in place', () => {
    const t = new CurveTable();
    const steps = t.steps;
    t.set(1, 'plainTrainLoss', 0.25);
    t.set(2, 'resnetTestAcc', 0.5);
    expect(t.csv(['plainTrainLoss', 'resnetTestAcc'])).toBe(
      'step,plain_train_loss,resnet_test_acc\n1,0.25,\n2,,0.5\n',
    );
    t.clear();
    expect(t.length).toBe(0);
    expect(t.steps).toBe(steps);
    expect(t.columns.resnetTestAcc).toEqual([]);
  });
});

describe('pairConfigs', () => {
  it('differ only in the shortcut', () => {
    const c = { ...defaultTrainConfig(), arch: 'bottleneck' as const, depth: 56, width: 32 };
    const { plain, resnet } = pairConfigs(c);
    expect(resnet).toEqual({ ...c, shortcut: true });
    expect(plain).toEqual({ ...c, shortcut: false });
  });
  it("pair a 'plain' choice with the basic residual block", () => {
    const c = { ...defaultTrainConfig(), arch: 'plain' as const, depth: 20 };
    const { plain, resnet } = pairConfigs(c);
    expect(plain).toMatchObject({ arch: 'plain', shortcut: false, depth: 20 });
    expect(resnet).toMatchObject({ arch: 'resnet', shortcut: true, depth: 20 });
  });
});

describe('decision maps', () => {
  it('grid: cell centres, top-left first, y upwards', () => {
    const g = gridInputs(1, 2);
    expect(Array.from(g)).toEqual([-0.5, 0.5, 0.5, 0.5, -0.5, -0.5, 0.5, -0.5]);
  });
  it('argmax: first on ties, -1 on NaN', () => {
    expect(argmax([0.2, 0.5, 0.5], 0, 3)).toBe(1);
    expect(argmax([9, 0.1, 0.9], 1, 2)).toBe(1);
    expect(argmax([0.5, NaN], 0, 2)).toBe(-1);
  });
  it('pixels: white when undecided, tinted with the winner, grey for NaN', () => {
    const probs = new Float32Array([0.5, 0.5, 0, 1, 1, 0, NaN, NaN]);
    const px = mapPixels(probs, 2, 4);
    expect(Array.from(px.subarray(0, 4))).toEqual([255, 255, 255, 255]);
    const blue = Array.from(px.subarray(4, 8));
    const orange = Array.from(px.subarray(8, 12));
    expect(blue[2]).toBeGreaterThan(blue[0]!); // class 1: blue
    expect(orange[0]).toBeGreaterThan(orange[2]!); // class 0: orange
    expect(Array.from(px.subarray(12, 16))).toEqual([200, 200, 200, 255]);
  });
});
