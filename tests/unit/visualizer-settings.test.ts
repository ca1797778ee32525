/** The visualizer's settings: its link parameters, depth choices, presets and training configs. */
import { describe, expect, it } from 'vitest';
import { validateSweepConfig } from '../../src/experiments/sweep.ts';
import { validateTrainConfig } from '../../src/experiments/config.ts';
import { ARCHS, depthError } from '../../src/engine/model.ts';
import { decodePageState, defaultPageState, encodePageState } from '../../src/ui/state/url.ts';
import {
  DEFAULT_VIZ,
  demoSweep,
  depthChoices,
  initPair,
  livePair,
  nearestDepth,
  presetOf,
  vizProblem,
} from '../../src/ui/visualizer/settings.ts';

describe('visualizer link', () => {
  it('round-trips every viz- setting and writes only what differs', () => {
    const state = defaultPageState();
    expect(encodePageState(state)).toBe('');
    state.view.viz = {
      ...DEFAULT_VIZ,
      arch: 'bottleneck',
      depth: 110,
      width: 32,
      activation: 'sigmoid',
      init: 'naive',
      norm: 'none',
      dataset: 'moons',
      stat: 'deadFraction',
      demoSteps: 200,
    };
    const query = encodePageState(state);
    expect(query).toContain('viz-arch=bottleneck');
    expect(query).toContain('viz-stat=deadFraction');
    expect(query).toContain('viz-demo-steps=200');
    const back = decodePageState(query);
    expect(back.notices).toEqual([]);
    expect(back.state.view.viz).toEqual(state.view.viz);
  });

  it('names a bad value and keeps the default; moves a depth the block type cannot build', () => {
    const bad = decodePageState('?viz-depth=57&viz-stat=grad');
    expect(bad.state.view.viz.depth).toBe(DEFAULT_VIZ.depth);
    expect(bad.notices.join('\n')).toMatch(/viz-depth=57: expected one of 8, 11/);
    expect(bad.notices.join('\n')).toMatch(/viz-stat=grad: .*gradNorm/);
    expect(decodePageState('?viz-demo-steps=5').notices[0]).toMatch(/from 10 to 20000/);
    const moved = decodePageState('?viz-arch=resnet&viz-depth=11');
    expect(moved.state.view.viz.depth).toBe(14);
    expect(moved.notices).toHaveLength(1);
    expect(moved.notices[0]).toMatch(/viz-depth=11: .*depth 14 is used/);
  });
});

describe('visualizer settings', () => {
  it('offers 8 to 110 layers that each block type can build', () => {
    for (const arch of ARCHS) {
      const depths = depthChoices(arch);
      expect(depths[0]).toBe(8);
      expect(depths[depths.length - 1]).toBe(110);
      for (const d of depths) expect(depthError(arch, d)).toBeNull();
    }
    expect(depthChoices('resnet')).not.toContain(11);
    expect(nearestDepth('resnet', 11)).toBe(14);
    expect(nearestDepth('resnet', 56)).toBe(56);
  });

  it('the pairs differ only in the shortcut, the init pair is one step with statistics', () => {
    const live = livePair(DEFAULT_VIZ);
    expect(live.plain.shortcut).toBe(false);
    expect(live.resnet.shortcut).toBe(true);
    expect({ ...live.plain, shortcut: true }).toEqual(live.resnet);
    expect(validateTrainConfig(live.plain).ok).toBe(true);
    const init = initPair(DEFAULT_VIZ);
    expect(init.plain.steps).toBe(1);
    expect(init.plain.layerStatsEvery).toBe(1);
    expect(init.plain.seed).toBe(live.plain.seed);
    // arch plain: the basic residual block against the plain one
    expect(livePair({ ...DEFAULT_VIZ, arch: 'plain' }).resnet.arch).toBe('resnet');
  });

  it('recognises the presets and refuses combinations the engine cannot build', () => {
    expect(presetOf(DEFAULT_VIZ)).toBe('batchnorm');
    expect(presetOf({ ...DEFAULT_VIZ, activation: 'tanh', init: 'naive', norm: 'none' })).toBe(
      'saturating',
    );
    expect(presetOf({ ...DEFAULT_VIZ, activation: 'sigmoid' })).toBeNull();
    expect(vizProblem(DEFAULT_VIZ)).toBeNull();
    expect(vizProblem({ ...DEFAULT_VIZ, depth: 11 })).toMatch(/depth|11/);
  });

  it('the demonstration is a valid sweep of plain and residual nets over the depths', () => {
    const sweep = demoSweep(DEFAULT_VIZ, 200);
    const checked = validateSweepConfig(sweep);
    expect(checked.ok).toBe(true);
    expect(sweep.archs).toEqual(['plain', 'resnet']);
    expect(sweep.depths).toEqual([8, 20, 56, 110]);
    expect(sweep.steps).toBe(200);
    expect(sweep.seeds).toBe(1);
  });
});
