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
  defaultFigures,
  defaultPageState,
  encodePageState,
  type PageState,
  SECTION_IDS,
  SECTION_TITLES,
  shareLink,
  SPEC_LINK_MAX,
  specForLink,
} from '../../src/ui/state/url.ts';
import { BUILTIN_ARCHS } from '../../src/arch/index.ts';
import { DEFAULT_CHAIN } from '../../src/ui/math/chainSettings.ts';
import { prettySpec, specText } from '../../src/ui/variants/specCheck.ts';

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
  view: {
    preset: null,
    section: 'training-dynamics',
    hide: ['optimizer', 'weightDecay'],
    ...defaultFigures(),
  },
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
      view: { preset: 'degradation', section: null, hide: [], ...defaultFigures() },
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
    expect(state.view).toEqual({
      preset: null,
      section: null,
      hide: ['optimizer'],
      ...defaultFigures(),
    });
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

  it('a convolutional network: the digits unless the link names a dataset; its settings round-trip', () => {
    const conv = decodePageState('?model=conv&depth=8&width=4');
    expect(conv.notices).toEqual([]);
    expect(conv.state.config).toMatchObject({ model: 'conv', dataset: 'digits', depth: 8 });
    const state: PageState = {
      config: { ...conv.state.config, shortcutOption: 'B', digitsSize: 28 },
      view: { preset: null, section: null, hide: ['model'], ...defaultFigures() },
    };
    const query = encodePageState(state);
    expect(query).toContain('model=conv');
    expect(query).toContain('shortcut-option=B');
    expect(query).toContain('hide=model');
    expect(decodePageState(query)).toEqual({ state, notices: [] });
    // a 2-D set or a depth it cannot build is dropped, with a notice; the digits take its place
    const bad = decodePageState('?model=conv&dataset=spiral&depth=10&shortcut-option=C');
    expect(bad.state.config).toMatchObject({ model: 'conv', dataset: 'digits', depth: 20 });
    expect(bad.state.config.shortcutOption).toBe('A');
    expect(bad.notices).toHaveLength(3);
    expect(bad.notices.join('\n')).toMatch(/dataset=spiral: a convolutional network reads images/);
    expect(bad.notices.join('\n')).toMatch(/depth=10: .*nearest valid: 8 or 14/);
    expect(bad.notices.join('\n')).toMatch(/shortcut-option=C: expected one of A, B/);
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
      view: { preset: null, section: null, hide: ['lr'], ...defaultFigures() },
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
      ...defaultFigures(),
    });
    // without a preset: the current settings
    const current = classroomState(custom.config, { preset: null, hide: [], section: null });
    expect(decodePageState(encodePageState(current)).state.config).toEqual(custom.config);
  });

  it('every section has a title', () => {
    for (const id of SECTION_IDS) expect(SECTION_TITLES[id]).toMatch(/\w/);
  });
});

/** A state with every figure parameter away from its default. */
function figuresState(): PageState {
  const state = defaultPageState();
  const edited = { ...BUILTIN_ARCHS['resnet101']!, layers: [3, 4, 30, 3] };
  state.view.chain = { depth: 80, mode: 'constant', gain: 0.8, mean: 0.3, sd: 0.5, seed: 7 };
  state.view.variants = {
    picks: { densenet: 'densenet169', highway: 'highway-50' },
    sort: { key: 'params', direction: 'descending' },
    spec: { base: 'resnet101', text: prettySpec(edited) },
  };
  state.view.section = 'math';
  return state;
}

describe('the figures’ state in the URL', () => {
  it('round-trips every field of the scalar chain and the variants', () => {
    const state = figuresState();
    const query = encodePageState(state);
    const params = new URLSearchParams(query);
    expect([...params.keys()]).toEqual([
      'chain-depth',
      'chain-w',
      'chain-gain',
      'chain-mean',
      'chain-sd',
      'chain-seed',
      'variants-densenet',
      'variants-highway',
      'variants-sort',
      'spec-from',
      'spec',
      'section',
    ]);
    expect(query).toContain('chain-depth=80&chain-w=constant&chain-gain=0.8');
    expect(query).toContain('variants-sort=params-desc');
    // the spec as compact JSON, its commas left readable
    expect(params.get('spec')).toBe(JSON.stringify(JSON.parse(state.view.variants.spec.text!)));
    expect(query).toContain('%22layers%22%3A%5B3,4,30,3%5D');
    expect(decodePageState(query)).toEqual({ state, notices: [] });
    // one field at a time: each alone in the link, each read back
    const defaults = defaultPageState();
    for (const [name, value] of params) {
      if (name === 'section') continue;
      const one = decodePageState(`?${new URLSearchParams([[name, value]])}`);
      expect(one.notices).toEqual([]);
      expect(one.state.view).not.toEqual(defaults.view);
      expect(new URLSearchParams(encodePageState(one.state)).get(name)).toBe(value);
    }
  });

  it('the random mode, and an ascending sort, read back', () => {
    const state = defaultPageState();
    state.view.chain = { ...DEFAULT_CHAIN, mode: 'normal', sd: 0.05, seed: 12 };
    state.view.variants.sort = { key: 'title', direction: 'ascending' };
    const query = encodePageState(state);
    expect(query).toBe('?chain-sd=0.05&chain-seed=12&variants-sort=network-asc');
    expect(decodePageState(query)).toEqual({ state, notices: [] });
    expect(decodePageState('?chain-w=random&variants-sort=network')).toEqual({
      state: { ...state, view: { ...state.view, chain: { ...DEFAULT_CHAIN } } },
      notices: [],
    });
  });

  it('writes only what differs from the defaults', () => {
    const state = defaultPageState();
    state.view.chain.depth = DEFAULT_CHAIN.depth;
    state.view.variants.picks.highway = 'highway-100'; // the card's initial choice
    state.view.variants.spec = { base: 'resnet50', text: specText('resnet50') }; // not edited
    expect(encodePageState(state)).toBe('');
    state.view.variants.spec = { base: 'densenet121', text: specText('densenet121') };
    expect(encodePageState(state)).toBe('?spec-from=densenet121');
    // a link's spec equal to its builtin reads as unedited
    const same = new URLSearchParams([
      ['spec-from', 'densenet121'],
      ['spec', JSON.stringify(BUILTIN_ARCHS['densenet121'])],
    ]);
    expect(decodePageState(`?${same}`).state.view.variants.spec).toEqual({
      base: 'densenet121',
      text: null,
    });
  });

  it('each kind of bad value: a notice, and the default', () => {
    const query = [
      'chain-depth=500',
      'chain-gain=1e9',
      'chain-seed=2.5',
      'chain-mean=lots',
      'chain-sd=-0.1',
      'chain-w=sometimes',
      'variants-densenet=densenet999',
      'variants-highway=resnet50',
      'variants-sort=colour-desc',
      'spec-from=resnet5O',
      `spec=${encodeURIComponent('{"family": "resnet",')}`,
    ].join('&');
    const { state, notices } = decodePageState(`?${query}`);
    expect(state).toEqual(defaultPageState());
    expect(notices).toEqual([
      'chain-depth=500: 500 is outside 1…200 — the default is used',
      'chain-gain=1e9: 1000000000 is outside -2…2 — the default is used',
      'chain-seed=2.5: expected an integer, got "2.5" — the default is used',
      'chain-mean=lots: expected a number, got "lots" — the default is used',
      'chain-sd=-0.1: -0.1 is outside 0…1 — the default is used',
      'chain-w=sometimes: expected one of random, constant, got "sometimes" — the default is used',
      'variants-densenet=densenet999: expected one of densenet121, densenet169, densenet201, got "densenet999" (did you mean densenet169?) — the default is used',
      'variants-highway=resnet50: expected one of highway-10, highway-20, highway-50, highway-100, got "resnet50" — the default is used',
      'variants-sort=colour-desc: no column called "colour" (columns: network, block, depth, params, macs, error; then -asc or -desc) — the default is used',
      'spec-from=resnet5O: no builtin network called "resnet5O" (did you mean resnet50?) — the default is used',
      'spec={"family": "resnet",: not valid JSON (column 21: expected a field name in double quotes, found the end of the text) — the editor shows the resnet50 spec',
    ]);
  });

  it('a misspelt figure parameter is unknown, with a suggestion; an empty one is reported', () => {
    const { state, notices } = decodePageState('?chain-dpeth=80&variants-sort=');
    expect(state).toEqual(defaultPageState());
    expect(notices).toHaveLength(2);
    expect(notices[0]).toMatch(
      /^chain-dpeth=80: unknown setting, ignored \(did you mean chain-depth\?\)/,
    );
    expect(notices[1]).toMatch(/^variants-sort=: expected a value.*the default is used$/);
  });

  it('an invalid spec that is valid JSON loads into the editor, without a notice', () => {
    const spec = '{"family":"resnet","layers":[2,2],"groups":0}';
    const { state, notices } = decodePageState(`?spec=${encodeURIComponent(spec)}`);
    expect(notices).toEqual([]);
    expect(state.view.variants.spec).toEqual({
      base: 'resnet50',
      text: prettySpec(JSON.parse(spec)),
    });
  });

  it('a long spec stays out of the link; text that is not JSON too', () => {
    const long = prettySpec({ ...BUILTIN_ARCHS['resnet50']!, note: 'x'.repeat(SPEC_LINK_MAX) });
    const state = defaultPageState();
    state.view.variants.spec.text = long;
    expect(specForLink(long)).toMatchObject({ ok: false, reason: 'long' });
    expect(encodePageState(state)).toBe('');
    state.view.variants.spec.text = '{"family": ';
    expect(specForLink('{"family": ')).toMatchObject({ ok: false, reason: 'syntax' });
    expect(encodePageState(state)).toBe('');
    // a spec just under the limit goes in
    const fits = prettySpec({ family: 'resnet', note: 'x'.repeat(SPEC_LINK_MAX - 80) });
    expect(specForLink(fits).ok).toBe(true);
  });

  it('a long spec in a notice is named, not quoted', () => {
    const bad = `{"family": "${'x'.repeat(200)}`;
    const { notices } = decodePageState(`?spec=${encodeURIComponent(bad)}`);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/^spec: not valid JSON \(column \d+: .*\) — the editor shows/);
    expect(notices[0]!.length).toBeLessThan(200);
  });

  it('never throws on figure parameters, whatever their value', () => {
    for (const q of [
      '?spec=%7B',
      '?spec=null',
      '?spec=%5B%5D',
      '?spec=%22%22',
      '?variants-sort=-desc',
      '?variants-sort=__proto__',
      '?chain-w=__proto__',
      '?chain-w=toString',
      '?chain-depth=Infinity',
      '?chain-depth=0x10',
    ]) {
      const { state, notices } = decodePageState(q);
      expect(state.view.chain).toEqual(DEFAULT_CHAIN);
      if (!q.startsWith('?spec=')) expect(notices).toHaveLength(1);
    }
  });
});
