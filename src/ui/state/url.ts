/**
 * The page's state in its URL: every training setting plus the view (a preset, the section to
 * open, the controls a teacher hides), as query parameters spelt like the CLI's flags —
 * `?arch=resnet&depth=56&weight-decay=0.001&hide=optimizer,lr&section=training-dynamics`.
 * The same flags, in the same spelling, make the "reproduce from the command line" command, and
 * they are parsed by the CLI's own parser, so a link and a command can never disagree.
 *
 * Decoding never throws: a bad value is reported in a notice and replaced by its default.
 */
import { fieldOptions, type OptionSpec, parseArgs } from '../../cli/args.ts';
import {
  defaultTrainConfig,
  suggest,
  TRAIN_FIELDS,
  type TrainConfig,
  validateTrainConfig,
} from '../../experiments/config.ts';
import { PRESET_NAMES, PRESETS, type PresetName } from './presets.ts';

/** The page's sections, in order: their anchors. */
export const SECTION_IDS = [
  'introduction',
  'degradation',
  'visualizer',
  'residual-block',
  'training-dynamics',
  'convergence',
  'plain-vs-resnet',
  'math',
  'variants',
  'impact',
  'takeaways',
] as const;
export type SectionId = (typeof SECTION_IDS)[number];

/** The sections' headings, for choosers (a classroom link's "open at"). */
export const SECTION_TITLES: Record<SectionId, string> = {
  introduction: 'Introduction',
  degradation: 'The Degradation Problem',
  visualizer: 'Interactive ResNet Visualizer',
  'residual-block': 'Residual Block Architecture',
  'training-dynamics': 'Training Dynamics Comparison',
  convergence: 'Convergence Speed Analysis',
  'plain-vs-resnet': 'Plain Network Issues vs ResNet Advantages',
  math: 'Mathematical Foundation',
  variants: 'ResNet Variants',
  impact: 'Impact and Applications',
  takeaways: 'Key Takeaways',
};

export type FieldKey = keyof TrainConfig;
const FIELD_KEYS = Object.keys(TRAIN_FIELDS) as FieldKey[];

export interface ViewState {
  /** a named starting point; the URL's own settings override it */
  preset: PresetName | null;
  /** the section to scroll to on load */
  section: SectionId | null;
  /** settings whose controls are hidden (a classroom link) */
  hide: FieldKey[];
}

export interface PageState {
  config: TrainConfig;
  view: ViewState;
}

const FIELD_SPECS = fieldOptions(TRAIN_FIELDS);
const FLAG_OF = new Map(FIELD_SPECS.map((s) => [s.key, s.name]));
const VIEW_SPECS: OptionSpec[] = [
  { name: 'preset', key: 'preset', kind: 'enum', values: PRESET_NAMES, help: 'preset' },
  { name: 'section', key: 'section', kind: 'enum', values: SECTION_IDS, help: 'section' },
  { name: 'hide', key: 'hide', kind: 'string', help: 'controls to hide' },
];

/** The flag (and URL parameter) name of a setting: its CLI spelling. */
export function flagOf(key: FieldKey): string {
  return FLAG_OF.get(key) ?? key;
}

export function defaultPageState(): PageState {
  return { config: defaultTrainConfig(), view: { preset: null, section: null, hide: [] } };
}

/** The config a preset starts from: the defaults with the preset's settings. */
export function presetBase(preset: PresetName | null): TrainConfig {
  return { ...defaultTrainConfig(), ...(preset ? PRESETS[preset].config : {}) };
}

/** "--depth: 57 is not…" → "depth=57: 57 is not…" (the URL's spelling) */
function asUrlMessage(message: string, raw: ReadonlyMap<string, string>): string {
  return message.replace(/^--([\w-]+)/, (_, name: string) => {
    const value = raw.get(name);
    return value === undefined ? name : `${name}=${value}`;
  });
}

/**
 * Parameters that belong to the page itself, not to its state (`?e2e` turns on the browser
 * tests' hook): decoding passes over them in silence and rewriting the URL keeps them.
 */
export const PAGE_PARAMS: readonly string[] = ['e2e'];

/**
 * Reads a page state from a query string (`location.search`). Returns the state and one polite
 * notice per problem — an unknown parameter, a value of the wrong kind or out of range, a
 * combination the engine cannot build — each saying what was used instead.
 */
export function decodePageState(search: string): { state: PageState; notices: string[] } {
  const { state, notices } = decode(search);
  return { state, notices: inLinkOrder(notices, search) };
}

/** Notices in the order of the parameters they are about (others last, in their order). */
function inLinkOrder(notices: string[], search: string): string[] {
  const names: string[] = [];
  for (const [name] of new URLSearchParams(search)) if (!names.includes(name)) names.push(name);
  const rank = (notice: string): number => {
    const name = /^([^=:\s]+)[=:]/.exec(notice)?.[1];
    const i = name === undefined ? -1 : names.indexOf(name);
    return i < 0 ? names.length : i;
  };
  return notices
    .map((notice, i) => ({ notice, i, rank: rank(notice) }))
    .sort((a, b) => a.rank - b.rank || a.i - b.i)
    .map((n) => n.notice);
}

function decode(search: string): { state: PageState; notices: string[] } {
  // The last value of each parameter, in the order of their first appearance.
  const raw = new Map<string, string>();
  const notices: string[] = [];
  const repeated = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(search)) {
    if (PAGE_PARAMS.includes(name)) continue;
    if (raw.has(name)) repeated.set(name, [...(repeated.get(name) ?? [raw.get(name)!]), value]);
    raw.set(name, value);
  }
  for (const [name, values] of repeated)
    notices.push(
      `${name}: given ${values.length} times (${values.map((v) => JSON.stringify(v)).join(', ')}); the last one is used`,
    );
  const argv = [...raw].map(([name, value]) => `--${name}=${value}`);
  const parsed = parseArgs(argv, [...FIELD_SPECS, ...VIEW_SPECS]);
  for (const p of parsed.problems) {
    const message = asUrlMessage(p.message, raw);
    const unknown = / unknown flag/.test(message);
    notices.push(
      unknown
        ? `${message.replace(/ \(did you mean --/, ' (did you mean ').replace(/: unknown flag/, ': unknown setting, ignored')}`
        : `${message} — the default is used`,
    );
  }
  const values = parsed.values;
  const preset = (values.preset as PresetName | undefined) ?? null;
  const section = (values.section as SectionId | undefined) ?? null;
  const hide: FieldKey[] = [];
  if (typeof values.hide === 'string') {
    for (const name of values.hide.split(',').filter(Boolean)) {
      const key = FIELD_KEYS.find((k) => flagOf(k) === name || k === name);
      if (key) {
        if (!hide.includes(key)) hide.push(key);
      } else
        notices.push(
          `hide: no setting called ${JSON.stringify(name)}${suggest(name, FIELD_KEYS.map(flagOf))}, ignored`,
        );
    }
  }

  // Settings: preset, then the URL's own. A combination the engine cannot build (a depth the
  // block type cannot reach) drops the URL's value that the message names, and tries again.
  const base = presetBase(preset);
  const given: Partial<Record<FieldKey, unknown>> = {};
  for (const key of FIELD_KEYS) if (key in values) given[key] = values[key];
  for (let attempt = 0; attempt <= FIELD_KEYS.length; attempt++) {
    const checked = validateTrainConfig({ ...base, ...given });
    if (checked.ok)
      return { state: { config: checked.value, view: { preset, section, hide } }, notices };
    let dropped = false;
    for (const error of checked.errors) {
      const key = error.slice(0, error.indexOf(':')) as FieldKey;
      if (key in given) {
        notices.push(
          `${flagOf(key)}=${String(given[key])}: ${error.slice(key.length + 2)} — the default is used`,
        );
        delete given[key];
        dropped = true;
      }
    }
    if (!dropped) break;
  }
  // The preset itself cannot be combined with what is left: start from the defaults.
  notices.push('these settings cannot be combined; the defaults are used');
  return {
    state: { config: defaultTrainConfig(), view: { preset: null, section, hide } },
    notices,
  };
}

/** Settings that differ from `base`, as [flag, value] pairs in TRAIN_FIELDS order. */
export function changedSettings(config: TrainConfig, base: TrainConfig): [string, string][] {
  const out: [string, string][] = [];
  for (const key of FIELD_KEYS) {
    if (config[key] !== base[key]) out.push([flagOf(key), String(config[key])]);
  }
  return out;
}

/** The query string of a page state: only what differs from its preset (or the defaults). */
export function encodePageState(state: PageState): string {
  const params = new URLSearchParams();
  if (state.view.preset) params.set('preset', state.view.preset);
  for (const [flag, value] of changedSettings(state.config, presetBase(state.view.preset)))
    params.set(flag, value);
  if (state.view.hide.length) params.set('hide', state.view.hide.map(flagOf).join(','));
  if (state.view.section) params.set('section', state.view.section);
  const text = params.toString().replaceAll('%2C', ',');
  return text ? `?${text}` : '';
}

/**
 * The command that reproduces a run of `config`, bit for bit: every setting that differs from
 * the CLI's defaults, plus the seed and the steps, which are always written out.
 */
export function cliCommand(config: TrainConfig, out?: string): string {
  const defaults = defaultTrainConfig();
  const parts = ['npx resnet-lab train'];
  for (const key of FIELD_KEYS) {
    const value = config[key];
    if (value === defaults[key] && key !== 'seed' && key !== 'steps') continue;
    const flag = flagOf(key);
    if (typeof value === 'boolean') parts.push(value ? `--${flag}` : `--no-${flag}`);
    else parts.push(`--${flag} ${value}`);
  }
  if (out) parts.push(`--out ${out}`);
  return parts.join(' ');
}

/** Whether a raw query segment (`e2e`, `e2e=1`) names one of the page's own parameters. */
function isPageParam(segment: string): boolean {
  const name = segment.slice(0, segment.includes('=') ? segment.indexOf('=') : undefined);
  try {
    return PAGE_PARAMS.includes(decodeURIComponent(name.replaceAll('+', ' ')));
  } catch {
    return false;
  }
}

/**
 * The page's address (`location.href`) with `state` in its query, for history.replaceState: the
 * hash and the page's own parameters (PAGE_PARAMS, kept as written) stay; every other parameter
 * — settings, view, and the unknown ones a notice has already reported — is replaced.
 */
export function addressWithState(href: string, state: PageState): string {
  const url = new URL(href);
  const own = url.search.slice(1).split('&').filter(isPageParam);
  const query = [encodePageState(state).slice(1), ...own].filter(Boolean).join('&');
  return `${pathOf(url)}${query ? `?${query}` : ''}${url.hash}`;
}

/** The link to share for `state`: the page's address with the state alone (no hash, no PAGE_PARAMS). */
export function shareLink(href: string, state: PageState): string {
  return `${pathOf(new URL(href))}${encodePageState(state)}`;
}

/** The address without query and hash (`url.origin` is "null" for file: addresses). */
function pathOf(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

export interface ClassroomChoice {
  /** the preset to start from; null: the current settings */
  preset: PresetName | null;
  hide: readonly FieldKey[];
  section: SectionId | null;
}

/**
 * A classroom link's state: the preset's settings (or, without a preset, the current ones), the
 * controls to hide (in TRAIN_FIELDS order, once each) and the section to open.
 */
export function classroomState(current: TrainConfig, choice: ClassroomChoice): PageState {
  return {
    config: choice.preset ? presetBase(choice.preset) : { ...current },
    view: {
      preset: choice.preset,
      section: choice.section,
      hide: FIELD_KEYS.filter((k) => choice.hide.includes(k)),
    },
  };
}
