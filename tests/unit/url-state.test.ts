import { describe, expect, it } from 'vitest';
import { fieldOptions, parseArgs } from '../../src/cli/args.ts';
import {
  defaultTrainConfig,
  TRAIN_FIELDS,
  type TrainConfig,
  validateTrainConfig,
} from '../../src/experiments/config.ts';
import { PRESET_NAMES, PRESETS } from '../../src/ui/state/presets.ts';
import {
  addressWithState,
  classroomState,
  cliCommand,
  decodePageState,
  defaultPageState,
  encodePageState,
  type PageState,
  SECTION_IDS,
  SECTION_TITLES,
  shareLink,
} from '../../src/ui/state/url.ts';

const custom: PageState = {
  config: {
    ...defaultTrainConfig(),
    arch: 'bottleneck',
    depth: 56,
    width: 32,
    shortcut: false,
    lr: 0.003,
    weightDecay: 0,
    dataset: 'moons',
    seed: 42,
  },
  view: { preset: null, section: 'training-dynamics', hide: ['optimizer', 'weightDecay'] },
};

describe('page state in the URL', () => {
  it('an empty query is the default state, without notices', () => {
    expect(decodePageState('')).toEqual({ state: defaultPageState(), notices: [] });
    expect(encodePageState(defaultPageState())).toBe('');
  });

  it('round-trips every setting and the view', () => {
    const query = encodePageState(custom);
    expect(query).toContain('weight-decay=0');
    expect(query).toContain('hide=optimizer,weight-decay');
    expect(decodePageState(query)).toEqual({ state: custom, notices: [] });
  });

  it('writes only what differs from the preset', () => {
    const state: PageState = {
      config: { ...defaultTrainConfig(), ...PRESETS.degradation.config, seed: 9 },
      view: { preset: 'degradation', section: null, hide: [] },
    };
    expect(encodePageState(state)).toBe('?preset=degradation&seed=9');
    expect(decodePageState('?preset=degradation&seed=9').state).toEqual(state);
  });

  it('every preset is a valid config', () => {
    for (const name of PRESET_NAMES) {
      const { state, notices } = decodePageState(`?preset=${name}`);
      expect(notices).toEqual([]);
      expect(state.config).toMatchObject(PRESETS[name].config);
    }
  });

  it('garbage gives one polite notice per problem and falls back to defaults', () => {
    const { state, notices } = decodePageState(
      '?depth=banana&arch=resnte&lr=-1&dpeth=3&section=nowhere&hide=optimizer,colour&seed=1.5',
    );
    expect(state.config).toEqual(defaultTrainConfig());
    expect(state.view).toEqual({ preset: null, section: null, hide: ['optimizer'] });
    expect(notices).toHaveLength(7);
    expect(notices.join('\n')).toMatch(/depth=banana: expected an integer.*default is used/);
    expect(notices.join('\n')).toMatch(/arch=resnte: expected one of .*did you mean resnet/);
    expect(notices.join('\n')).toMatch(
      /dpeth=3: unknown setting, ignored \(did you mean depth\?\)/,
    );
    expect(notices.join('\n')).toMatch(/hide: no setting called "colour"/);
  });

  it('an unbuildable combination drops the offending value and says so', () => {
    const { state, notices } = decodePageState('?arch=bottleneck&depth=21&width=32');
    expect(state.config.arch).toBe('bottleneck');
    expect(state.config.width).toBe(32);
    expect(state.config.depth).toBe(defaultTrainConfig().depth);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/^depth=21: .*nearest valid: 20 or 23 — the default is used$/);
  });

  it('never throws, whatever the query', () => {
    for (const q of [
      '?%',
      '?=',
      '?&&&',
      '?depth',
      '?hide=',
      '?preset=__proto__',
      '?constructor=1',
    ]) {
      expect(() => decodePageState(q)).not.toThrow();
    }
  });
});

describe('the reproduce-from-the-command-line command', () => {
  function configOfCommand(command: string): TrainConfig {
    const argv = command
      .replace(/^npx resnet-lab train ?/, '')
      .split(' ')
      .filter(Boolean);
    const parsed = parseArgs(argv, fieldOptions(TRAIN_FIELDS));
    expect(parsed.problems).toEqual([]);
    const checked = validateTrainConfig(parsed.values);
    if (!checked.ok) throw new Error(checked.errors.join('\n'));
    return checked.value;
  }

  it('parses back, through the CLI parser, to the same config', () => {
    for (const config of [defaultTrainConfig(), custom.config]) {
      expect(configOfCommand(cliCommand(config))).toEqual(config);
    }
  });

  it('always states the seed and the steps, and the output file when asked', () => {
    expect(cliCommand(defaultTrainConfig(), 'run.json')).toBe(
      'npx resnet-lab train --steps 2000 --seed 1 --out run.json',
    );
    expect(cliCommand(custom.config)).toContain('--no-shortcut');
  });
});

describe('links', () => {
  it('a parameter given twice: the last value is used, and a notice says so', () => {
    const { state, notices } = decodePageState('?depth=20&depth=32&lr=0.1&lr=zero');
    expect(state.config.depth).toBe(32);
    expect(state.config.lr).toBe(defaultTrainConfig().lr);
    expect(notices).toHaveLength(3);
    expect(notices[0]).toBe('depth: given 2 times ("20", "32"); the last one is used');
    expect(notices[1]).toBe('lr: given 2 times ("0.1", "zero"); the last one is used');
    expect(notices[2]).toMatch(/^lr=zero: expected a number.*the default is used$/);
  });

  it('the page’s own parameters (?e2e) are passed over in silence', () => {
    expect(decodePageState('?e2e')).toEqual({ state: defaultPageState(), notices: [] });
    expect(decodePageState('?e2e=1&depth=32').notices).toEqual([]);
  });

  it('hide: unknown names are reported, known ones kept once each, CLI or config spelling', () => {
    const { state, notices } = decodePageState('?hide=lr,weight-decay,weightDecay,lr,,shortcutt');
    expect(state.view.hide).toEqual(['lr', 'weightDecay']);
    expect(notices).toEqual([
      'hide: no setting called "shortcutt" (did you mean shortcut?), ignored',
    ]);
  });

  it('the garbage link of the browser test: one notice per problem', () => {
    const { state, notices } = decodePageState('?depth=banana&arch=resnte&lr=-1&zzz=1');
    expect(state).toEqual(defaultPageState());
    expect(notices).toHaveLength(4);
    // in the link's order
    expect(notices[0]).toMatch(/^depth=banana: expected an integer/);
    expect(notices[1]).toMatch(/^arch=resnte: expected one of/);
    expect(notices[2]).toMatch(/^lr=-1: -1 is out of range/);
    expect(notices[3]).toMatch(/^zzz=1: unknown setting, ignored/);
  });

  it('the address keeps its hash and the page’s own parameters, and drops the rest', () => {
    const href = 'https://example.org/lab/?e2e&depth=banana&zzz=1#training-dynamics';
    const state: PageState = {
      config: { ...defaultTrainConfig(), depth: 32 },
      view: { preset: null, section: null, hide: ['lr'] },
    };
    expect(addressWithState(href, state)).toBe(
      'https://example.org/lab/?depth=32&hide=lr&e2e#training-dynamics',
    );
    expect(addressWithState('https://example.org/lab/?zzz=1', defaultPageState())).toBe(
      'https://example.org/lab/',
    );
    expect(addressWithState('https://example.org/lab/?e2e=1', defaultPageState())).toBe(
      'https://example.org/lab/?e2e=1',
    );
  });

  it('a shared link holds the state alone, and decodes back to it', () => {
    const link = shareLink('https://example.org/lab/index.html?e2e&seed=4#math', custom);
    expect(link).toBe(`https://example.org/lab/index.html${encodePageState(custom)}`);
    expect(decodePageState(new URL(link).search)).toEqual({ state: custom, notices: [] });
    expect(shareLink('file:///home/me/lab/index.html?e2e', defaultPageState())).toBe(
      'file:///home/me/lab/index.html',
    );
    expect(addressWithState('file:///lab/index.html?e2e#math', custom)).toBe(
      `file:///lab/index.html${encodePageState(custom)}&e2e#math`,
    );
  });

  it('a classroom link: the preset’s settings, the hidden controls in field order, the section', () => {
    const state = classroomState(custom.config, {
      preset: 'degradation',
      hide: ['lr', 'depth', 'lr'],
      section: 'training-dynamics',
    });
    const query = encodePageState(state);
    expect(query).toBe('?preset=degradation&hide=depth,lr&section=training-dynamics');
    const decoded = decodePageState(query);
    expect(decoded.notices).toEqual([]);
    expect(decoded.state.config).toEqual({
      ...defaultTrainConfig(),
      ...PRESETS.degradation.config,
    });
    expect(decoded.state.view).toEqual({
      preset: 'degradation',
      section: 'training-dynamics',
      hide: ['depth', 'lr'],
    });
    // without a preset: the current settings
    const current = classroomState(custom.config, { preset: null, hide: [], section: null });
    expect(decodePageState(encodePageState(current)).state.config).toEqual(custom.config);
  });

  it('every section has a title', () => {
    for (const id of SECTION_IDS) expect(SECTION_TITLES[id]).toMatch(/\w/);
  });
});
