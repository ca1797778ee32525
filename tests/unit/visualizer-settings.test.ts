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
  familyDefaults,
  fixDepth,
  nearestDepth,
  presetOf,
  setModel,
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

describe('visualizer link: the convolutional family', () => {
  it('round-trips viz-model=conv, written only when not the default, with its own defaults', () => {
    const state = defaultPageState();
    setModel(state.view.viz, 'conv');
    // the conv family's own defaults (digits, 8 channels) are not written
    expect(encodePageState(state)).toBe('?viz-model=conv');
    state.view.viz.depth = 8;
    state.view.viz.width = 4;
    const query = encodePageState(state);
    expect(query).toBe('?viz-model=conv&viz-depth=8&viz-width=4');
    const back = decodePageState(query);
    expect(back.notices).toEqual([]);
    expect(back.state.view.viz).toEqual(state.view.viz);
    expect(decodePageState('').state.view.viz.model).toBe('mlp');
  });

  it('names an invalid family, block type, width or depth and says what is used', () => {
    const bad = decodePageState('?viz-model=cnn');
    expect(bad.state.view.viz.model).toBe('mlp');
    expect(bad.notices.join('\n')).toMatch(/viz-model=cnn: expected one of mlp, conv/);
    const arch = decodePageState('?viz-model=conv&viz-arch=bottleneck');
    expect(arch.state.view.viz.arch).toBe('resnet');
    expect(arch.notices.join('\n')).toMatch(/viz-arch=bottleneck: .*basic blocks.*resnet is used/);
    // 32 units is a dense width; a conv net's first stage offers 4, 8 or 16 channels
    const width = decodePageState('?viz-model=conv&viz-width=32');
    expect(width.state.view.viz.width).toBe(8);
    expect(width.notices.join('\n')).toMatch(/viz-width=32: expected one of 4, 8, 16/);
    const depth = decodePageState('?viz-model=conv&viz-depth=11');
    expect(depth.state.view.viz.depth).toBe(14);
    expect(depth.notices.join('\n')).toMatch(/viz-depth=11: .*6n \+ 2.*depth 14 is used/);
  });
});

describe('visualizer settings: the convolutional family', () => {
  it('choosing conv applies its defaults and moves the depth and block type', () => {
    const view = { ...DEFAULT_VIZ, arch: 'bottleneck' as const, depth: 11, width: 32 };
    expect(setModel(view, 'conv')).toBe(true);
    expect(view).toMatchObject({ model: 'conv', arch: 'resnet', depth: 14, width: 8 });
    expect(view.dataset).toBe('digits');
    const config = livePair(view).resnet;
    expect(config.model).toBe('conv');
    expect(config.residualInit).toBe('one');
    expect(validateTrainConfig(livePair(view).plain).ok).toBe(true);
    expect(vizProblem(view)).toBeNull();
    // back to dense layers: their dataset and width again
    setModel(view, 'mlp');
    expect(view).toMatchObject({ model: 'mlp', dataset: 'spiral', width: 16, depth: 14 });
    expect(familyDefaults('conv').width).toBe(8);
  });

  it('offers the 6n + 2 depths and fixes any other', () => {
    expect(depthChoices('resnet', 'conv')).toEqual([8, 14, 20, 26, 32, 44, 56, 110]);
    expect(nearestDepth('plain', 11, 'conv')).toBe(14);
    expect(nearestDepth('resnet', 50, 'conv')).toBe(56);
    const view = { ...familyDefaults('conv'), depth: 11 };
    expect(fixDepth(view)).toBe(true);
    expect(view.depth).toBe(14);
    expect(fixDepth(view)).toBe(false);
    expect(vizProblem({ ...familyDefaults('conv'), depth: 11 })).toMatch(/6n \+ 2/);
  });

  it('the conv demonstration is a valid conv sweep that leaves out 110 layers', () => {
    const sweep = demoSweep(familyDefaults('conv'), 200);
    expect(validateSweepConfig(sweep).ok).toBe(true);
    expect(sweep.model).toBe('conv');
    expect(sweep.dataset).toBe('digits');
    expect(sweep.depths).toEqual([8, 20, 32, 56]);
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
