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
  cliCommand,
  decodePageState,
  defaultPageState,
  encodePageState,
  type PageState,
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
    expect(notices.join('\n')).toMatch(/dpeth=3: unknown setting, ignored \(did you mean depth\?\)/);
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
