/** The page's run model, its pure parts: the curve store of N runs and the status derivation. */
import { describe, expect, it } from 'vitest';
import { CurveStore, seriesKey } from '../../src/ui/runs/curves.ts';
import { groupStatus, isActive, isFinished } from '../../src/ui/runs/status.ts';
import { pairSeries } from '../../src/ui/training/pair.ts';

describe('CurveStore', () => {
  it('keys a series by run id and metric; the pair keeps its CSV columns', () => {
    expect(seriesKey('plain', 'trainLoss')).toBe('plainTrainLoss');
    expect(seriesKey('Plain-20', 'testAcc')).toBe('Plain-20TestAcc');
    expect(pairSeries()).toEqual([
      'plainTrainLoss',
      'plainTestLoss',
      'resnetTrainLoss',
      'resnetTestLoss',
      'plainTrainAcc',
      'plainTestAcc',
      'resnetTrainAcc',
      'resnetTestAcc',
    ]);
  });

  it('aligns N runs by step; a series added late is empty where it has no value', () => {
    const keys = ['a', 'b', 'c'].map((id) => seriesKey(id, 'trainLoss'));
    const s = new CurveStore(keys);
    s.set(10, keys[0]!, 1);
    s.set(10, keys[1]!, 2);
    s.set(20, keys[0]!, 0.5);
    const late = seriesKey('d', 'trainLoss');
    expect(s.has(late)).toBe(false);
    s.set(5, late, 9);
    expect(s.steps).toEqual([5, 10, 20]);
    expect(s.column(late)).toEqual([9, null, null]);
    expect(s.column(keys[2]!)).toEqual([null, null, null]);
    expect(s.data([keys[1]!])).toEqual([
      [5, 10, 20],
      [null, 2, null],
    ]);
  });

  it('counts the leading rows every given run has reached', () => {
    const s = new CurveStore(['x', 'y']);
    expect(s.commonRows(['x', 'y'])).toBe(0);
    s.set(10, 'x', 1);
    s.set(20, 'x', 1);
    s.set(10, 'y', NaN); // a diverged value still counts as reached
    expect(s.commonRows(['x', 'y'])).toBe(1);
    expect(s.commonRows(['x'])).toBe(2);
  });

  it('clears one run in place and drops the rows nobody has any more', () => {
    const s = new CurveStore(['x', 'y']);
    const steps = s.steps;
    const x = s.column('x');
    s.set(10, 'x', 1);
    s.set(10, 'y', 2);
    s.set(20, 'x', 3);
    s.clearSeries(['x']);
    expect(s.steps).toBe(steps);
    expect(s.column('x')).toBe(x);
    expect(s.steps).toEqual([10]);
    expect(s.columns).toEqual({ x: [null], y: [2] });
    s.clearSeries(['y']);
    expect(s.length).toBe(0);
  });
});

describe('run status', () => {
  it('active, finished', () => {
    expect(['loading', 'running', 'paused'].every((s) => isActive(s as never))).toBe(true);
    expect(isActive('idle') || isActive('done') || isActive('error')).toBe(false);
    expect(['done', 'diverged', 'cancelled', 'error'].every((s) => isFinished(s as never))).toBe(
      true,
    );
    expect(isFinished('idle') || isFinished('paused')).toBe(false);
  });

  it('a group shows the most pressing of its runs, finished once none is active', () => {
    expect(groupStatus([])).toBe('idle');
    expect(groupStatus(['idle', 'idle'])).toBe('idle');
    expect(groupStatus(['done', 'loading', 'running'])).toBe('loading');
    expect(groupStatus(['paused', 'running', 'done'])).toBe('running');
    expect(groupStatus(['paused', 'done'])).toBe('paused');
    expect(groupStatus(['done', 'diverged', 'idle'])).toBe('finished');
    expect(groupStatus(['error', 'cancelled'])).toBe('finished');
  });
});
