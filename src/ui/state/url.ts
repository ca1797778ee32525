/**
 * The page's state in its URL: every training setting plus the view (a preset, the section to
 * open, the controls a teacher hides), as query parameters spelt like the CLI's flags —
 * `?arch=resnet&depth=56&weight-decay=0.001&hide=optimizer,lr&section=training-dynamics`.
 * The same flags, in the same spelling, make the "reproduce from the command line" command, and
 * they are parsed by the CLI's own parser, so a link and a command can never disagree.
 *
 * The view also holds the state of two figures whose controls a reader would want to share:
 * Mathematical Foundation's scalar chain (`chain-depth=80&chain-w=constant&chain-gain=0.8`) and
 * ResNet Variants' choices (`variants-densenet=densenet169&variants-sort=params-desc`, and an
 * edited spec as compact JSON in `spec=…`). They are described by one table, FIGURE_PARAMS.
 *
 * Decoding never throws: a bad value is reported in a notice and replaced by its default.
 */
import { fieldOptions, type OptionSpec, parseArgs } from '../../cli/args.ts';
import {
  CONV_DEFAULTS,
  defaultTrainConfig,
  suggest,
  TRAIN_FIELDS,
  type TrainConfig,
  validateTrainConfig,
} from '../../experiments/config.ts';
import { BUILTIN_ARCH_NAMES } from '../../arch/builtins.ts';
import {
  type ChainNumberKey,
  type ChainSettings,
  DEFAULT_CHAIN,
  LIMITS as CHAIN_LIMITS,
} from '../math/chainSettings.ts';
import {
  CONVERGENCE_PARAMS,
  type ConvergenceView,
  defaultConvergenceView,
} from '../convergence/view.ts';
import { CARD_CHOICES, CHOICE_CARDS, type ChoiceCard, FIRST_SPEC } from '../variants/choices.ts';
import { scanJson } from '../variants/jsonSource.ts';
import { prettySpec, specText } from '../variants/specText.ts';
import { COMPARISON_COLUMNS, type ComparisonKey } from '../variants/columns.ts';
import type { SortDirection } from '../variants/table.ts';
import { PRESET_NAMES, PRESETS, type PresetName } from './presets.ts';
import {
  BLOCK_FORMS,
  blockCount,
  type BlockForm,
  type BlockView,
  DEFAULT_BLOCK_VIEW,
} from '../block/forms.ts';
import { defaultViz, VIZ_PARAMS, type VizView } from '../visualizer/settings.ts';
import {
  defaultShatteredView,
  SHATTERED_PARAMS,
  type ShatteredView,
} from '../studies/shattered/view.ts';
import { defaultPathsView, PATHS_PARAMS, type PathsView } from '../studies/paths/view.ts';
import { defaultLesionView, LESION_PARAMS, type LesionView } from '../studies/lesion/settings.ts';
import {
  defaultLandscapeView,
  LANDSCAPE_PARAMS,
  type LandscapeView,
} from '../studies/landscape/view.ts';

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
  'references',
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
  references: 'References',
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
  /** Mathematical Foundation's scalar chain */
  chain: ChainSettings;
  /** ResNet Variants' choices */
  variants: VariantsView;
  /** Residual Block Architecture: the form drawn, the block and the node chosen */
  block: BlockView;
  /** Convergence Speed Analysis' sweep settings */
  convergence: ConvergenceView;
  /** the Interactive ResNet Visualizer's network and colouring */
  viz: VizView;
  /** Plain vs ResNet's shattered-gradients study: depth and seed */
  shattered: ShatteredView;
  /** Plain vs ResNet's ensemble-of-paths study: depth, training steps and seed */
  paths: PathsView;
  /** Plain vs ResNet's lesion study: depth, dataset, steps, seed, draws */
  lesion: LesionView;
  /** Plain vs ResNet's loss-landscape study: depth, grid, range, steps, seed */
  landscape: LandscapeView;
}

export interface SortState {
  key: ComparisonKey;
  direction: SortDirection;
}

export interface VariantsView {
  /** the network shown by each card that offers a choice */
  picks: Record<ChoiceCard, string>;
  /** the comparison table's order; null: its own (by family, shallow to deep) */
  sort: SortState | null;
  /** the spec editor: the builtin it starts from, and its text once edited (null: unedited) */
  spec: { base: string; text: string | null };
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

/** The figures' part of the view at its defaults (fresh objects: callers may change them). */
export function defaultFigures(): Pick<
  ViewState,
  | 'chain'
  | 'variants'
  | 'block'
  | 'convergence'
  | 'viz'
  | 'shattered'
  | 'paths'
  | 'lesion'
  | 'landscape'
> {
  const picks = {} as Record<ChoiceCard, string>;
  for (const card of CHOICE_CARDS) picks[card] = CARD_CHOICES[card].initial;
  return {
    chain: { ...DEFAULT_CHAIN },
    variants: { picks, sort: null, spec: { base: FIRST_SPEC, text: null } },
    block: { ...DEFAULT_BLOCK_VIEW },
    convergence: defaultConvergenceView(),
    viz: defaultViz(),
    shattered: defaultShatteredView(),
    paths: defaultPathsView(),
    lesion: defaultLesionView(),
    landscape: defaultLandscapeView(),
  };
}

export function defaultPageState(): PageState {
  return {
    config: defaultTrainConfig(),
    view: { preset: null, section: null, hide: [], ...defaultFigures() },
  };
}

// ── the figures' parameters ──

/**
 * One URL parameter of a figure's state. `write` gives the value the link carries, or undefined
 * where the view has the default (only what differs is written); `read` puts a link's value into
 * the view, or returns what is wrong with it and leaves the default.
 */
interface FigureParam {
  name: string;
  help: string;
  write(view: ViewState): string | undefined;
  read(raw: string, view: ViewState): string | undefined;
  /** what a notice says was used instead (default: "the default is used") */
  fallback?(view: ViewState): string;
}

/** The longest spec a link carries, as the URL-encoded `spec=` value. */
export const SPEC_LINK_MAX = 4000;

/**
 * The spec text as a link carries it: compact JSON. Not when the text is not JSON (a shared link
 * then opens the builtin), nor when it would make the link longer than SPEC_LINK_MAX.
 */
export function specForLink(
  text: string,
): { ok: true; json: string } | { ok: false; reason: 'syntax' | 'long'; length: number } {
  const scanned = scanJson(text);
  if (!scanned.ok) return { ok: false, reason: 'syntax', length: 0 };
  const json = JSON.stringify(scanned.value);
  const length = new URLSearchParams({ spec: json }).toString().length - 'spec='.length;
  return length > SPEC_LINK_MAX ? { ok: false, reason: 'long', length } : { ok: true, json };
}

/** The comparison table's columns as a link spells them (`variants-sort=params-desc`). */
const SORT_NAMES: Record<ComparisonKey, string> = {
  title: 'network',
  block: 'block',
  depth: 'depth',
  params: 'params',
  macs: 'macs',
  error: 'error',
};
const SORT_KEYS = COMPARISON_COLUMNS.map((c) => c.key);
const DIRECTIONS: Record<string, SortDirection> = { asc: 'ascending', desc: 'descending' };

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function oneOf(raw: string, values: readonly string[]): string {
  return `expected one of ${values.join(', ')}, got ${JSON.stringify(raw)}${suggest(raw, values)}`;
}

/** A chain slider's value: a number (an integer where its step is 1) within the slider's range. */
function chainNumber(key: ChainNumberKey, help: string): FigureParam {
  const { min, max, step } = CHAIN_LIMITS[key];
  const integer = step === 1;
  return {
    name: `chain-${key}`,
    help,
    write: (view) => (view.chain[key] === DEFAULT_CHAIN[key] ? undefined : String(view.chain[key])),
    read(raw, view) {
      const n = Number(raw);
      if (!DECIMAL.test(raw.trim()) || !Number.isFinite(n) || (integer && !Number.isInteger(n)))
        return `expected ${integer ? 'an integer' : 'a number'}, got ${JSON.stringify(raw)}`;
      if (n < min || n > max) return `${n} is outside ${min}…${max}`;
      view.chain[key] = n === 0 ? 0 : n; // -0 is 0
      return undefined;
    },
  };
}

/** The chain's modes as a link spells them: the text says "random" for w ~ Normal(mean, sd). */
const CHAIN_MODES: Record<string, ChainSettings['mode']> = {
  random: 'normal',
  constant: 'constant',
};

/** A card's network (`variants-densenet=densenet169`): one of the builtins the card offers. */
function cardPick(card: ChoiceCard): FigureParam {
  const { names, initial } = CARD_CHOICES[card];
  return {
    name: `variants-${card}`,
    help: `the network the ${card} card shows`,
    write: (view) =>
      view.variants.picks[card] === initial ? undefined : view.variants.picks[card],
    read(raw, view) {
      if (!(names as readonly string[]).includes(raw)) return oneOf(raw, names);
      view.variants.picks[card] = raw;
      return undefined;
    },
  };
}

/** Every figure parameter, in the order a link writes them. */
const FIGURE_PARAMS: readonly FigureParam[] = [
  chainNumber('depth', "the scalar chain's depth"),
  {
    name: 'chain-w',
    help: 'random (w ~ Normal(mean, sd)) or constant (the same w in every layer)',
    write(view) {
      if (view.chain.mode === DEFAULT_CHAIN.mode) return undefined;
      return Object.keys(CHAIN_MODES).find((k) => CHAIN_MODES[k] === view.chain.mode);
    },
    read(raw, view) {
      const mode = Object.hasOwn(CHAIN_MODES, raw) ? CHAIN_MODES[raw] : undefined;
      if (!mode) return oneOf(raw, Object.keys(CHAIN_MODES));
      view.chain.mode = mode;
      return undefined;
    },
  },
  chainNumber('gain', 'the constant derivative w'),
  chainNumber('mean', "the random derivatives' mean"),
  chainNumber('sd', "the random derivatives' spread"),
  chainNumber('seed', "the random derivatives' seed"),
  ...CHOICE_CARDS.map(cardPick),
  {
    name: 'variants-sort',
    help: "the comparison table's order: column-asc or column-desc",
    write(view) {
      const sort = view.variants.sort;
      return sort
        ? `${SORT_NAMES[sort.key]}-${sort.direction === 'ascending' ? 'asc' : 'desc'}`
        : undefined;
    },
    read(raw, view) {
      const m = /^(.*?)(?:-(asc|desc))?$/.exec(raw)!;
      const column = m[1]!;
      const key = SORT_KEYS.find((k) => SORT_NAMES[k] === column);
      if (!key)
        return `no column called ${JSON.stringify(column)}${suggest(column, Object.values(SORT_NAMES))} (columns: ${Object.values(SORT_NAMES).join(', ')}; then -asc or -desc)`;
      view.variants.sort = { key, direction: DIRECTIONS[m[2] ?? 'asc']! };
      return undefined;
    },
  },
  {
    name: 'spec-from',
    help: 'the builtin the spec editor starts from',
    write: (view) => (view.variants.spec.base === FIRST_SPEC ? undefined : view.variants.spec.base),
    read(raw, view) {
      if (!BUILTIN_ARCH_NAMES.includes(raw))
        return `no builtin network called ${JSON.stringify(raw)}${suggest(raw, BUILTIN_ARCH_NAMES)}`;
      view.variants.spec.base = raw;
      return undefined;
    },
  },
  {
    name: 'spec',
    help: "the spec editor's text, once edited, as compact JSON",
    write(view) {
      const { base, text } = view.variants.spec;
      if (text === null || text === specText(base)) return undefined;
      const link = specForLink(text);
      return link.ok ? link.json : undefined;
    },
    // After spec-from (table order), so that a text equal to its builtin's reads as unedited.
    read(raw, view) {
      const scanned = scanJson(raw);
      if (!scanned.ok) {
        const { line, column, message } = scanned.error;
        return `not valid JSON (${line > 1 ? `line ${line}, ` : ''}column ${column}: ${message})`;
      }
      // Valid JSON that is not a valid spec still loads: the editor lists its problems.
      const text = prettySpec(scanned.value);
      view.variants.spec.text = text === specText(view.variants.spec.base) ? null : text;
      return undefined;
    },
    fallback: (view) => `the editor shows the ${view.variants.spec.base} spec`,
  },
  // Residual Block Architecture (in this order: the block number is checked against the form)
  {
    name: 'block-form',
    help: `the block form drawn: ${BLOCK_FORMS.join(', ')}`,
    write: (view) => (view.block.form === DEFAULT_BLOCK_VIEW.form ? undefined : view.block.form),
    read(raw, view) {
      if (!(BLOCK_FORMS as readonly string[]).includes(raw)) return oneOf(raw, BLOCK_FORMS);
      view.block.form = raw as BlockForm;
      return undefined;
    },
  },
  {
    name: 'block-shortcut',
    help: 'on: the residual block; off: its plain twin, the same layers without the shortcut',
    write: (view) => (view.block.shortcut ? undefined : 'off'),
    read(raw, view) {
      if (raw !== 'on' && raw !== 'off') return oneOf(raw, ['on', 'off']);
      view.block.shortcut = raw === 'on';
      return undefined;
    },
  },
  {
    name: 'block-n',
    help: 'the block drawn, from 1',
    write: (view) =>
      view.block.block === DEFAULT_BLOCK_VIEW.block ? undefined : String(view.block.block),
    read(raw, view) {
      const count = blockCount(view.block.form);
      const n = Number(raw);
      if (!/^\d+$/.test(raw) || n < 1 || n > count)
        return `expected a block from 1 to ${count} (the ${view.block.form} network has ${count} blocks)`;
      view.block.block = n;
      return undefined;
    },
  },
  {
    name: 'block-node',
    help: 'the node chosen in the block diagram (in, out, 1, 1.bn, add, …)',
    write: (view) => view.block.node ?? undefined,
    // the section checks that the block has this node, and shows none otherwise
    read(raw, view) {
      if (!/^[A-Za-z0-9.]{1,40}$/.test(raw)) return 'not a node name';
      view.block.node = raw;
      return undefined;
    },
  },
  // Convergence Speed Analysis (convergence/view.ts)
  ...CONVERGENCE_PARAMS,
  // the Interactive ResNet Visualizer (viz-…)
  ...VIZ_PARAMS.map((p): FigureParam => ({
    name: p.name,
    help: p.help,
    write: (view) => p.write(view.viz),
    read: (raw, view) => p.read(raw, view.viz),
    fallback: p.fallback && ((view) => p.fallback!(view.viz)),
  })),
  // Plain vs ResNet's shattered-gradients study (studies/shattered/view.ts)
  ...SHATTERED_PARAMS,
  // Plain vs ResNet's ensemble-of-paths study (studies/paths/view.ts)
  ...PATHS_PARAMS,
  // Plain vs ResNet: the lesion study (studies/lesion/settings.ts)
  ...LESION_PARAMS,
  // Plain vs ResNet: the loss-landscape study (land-…)
  ...LANDSCAPE_PARAMS,
];

// Parsed as strings (so that an unknown parameter's "did you mean" knows them), read by the table.
const FIGURE_SPECS: OptionSpec[] = FIGURE_PARAMS.map((p) => ({
  name: p.name,
  key: p.name,
  kind: 'string',
  help: p.help,
}));

/** Every parameter a link may carry (settings, view, figures), with the values it allows. */
export const LINK_PARAMS: readonly OptionSpec[] = [...FIELD_SPECS, ...VIEW_SPECS, ...FIGURE_SPECS];

/** How a notice names a parameter: with its value, unless that is too long to read. */
function named(name: string, raw: string): string {
  return raw.length > 40 ? name : `${name}=${raw}`;
}

/** The config a preset starts from: the defaults with the preset's settings. */
export function presetBase(preset: PresetName | null): TrainConfig {
  return { ...defaultTrainConfig(), ...(preset ? PRESETS[preset].config : {}) };
}

/** "--depth: 57 is not…" → "depth=57: 57 is not…" (the URL's spelling) */
function asUrlMessage(message: string, raw: ReadonlyMap<string, string>): string {
  return message.replace(/^--([^=:\s]+)/, (_, name: string) => {
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
  return { state, notices: inLinkOrder(notices, search).map((n) => shortened(n, search)) };
}

/** A notice names a long value (a pasted essay, a spec) by its start and length, never whole. */
function shortened(notice: string, search: string): string {
  let out = notice;
  for (const [, value] of new URLSearchParams(search))
    if (value.length > 40) {
      const short = `${value.slice(0, 24)}… (${value.length} characters)`;
      out = out.replaceAll(JSON.stringify(value), JSON.stringify(short)).replaceAll(value, short);
    }
  return out;
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
  const parsed = parseArgs(argv, [...FIELD_SPECS, ...VIEW_SPECS, ...FIGURE_SPECS]);
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

  const view: ViewState = { preset, section, hide, ...defaultFigures() };
  for (const param of FIGURE_PARAMS) {
    const value = values[param.name];
    if (typeof value !== 'string') continue;
    const problem = param.read(value, view);
    if (problem)
      notices.push(
        `${named(param.name, value)}: ${problem} — ${param.fallback?.(view) ?? 'the default is used'}`,
      );
  }

  // Settings: preset, then the URL's own. A combination the engine cannot build (a depth the
  // block type cannot reach) drops the URL's value that the message names, and tries again.
  const base = presetBase(preset);
  const given: Partial<Record<FieldKey, unknown>> = {};
  for (const key of FIELD_KEYS) if (key in values) given[key] = values[key];
  for (let attempt = 0; attempt <= FIELD_KEYS.length; attempt++) {
    // a link that asks for a convolutional network gets its defaults for what it does not name
    // (the digits, branches at full strength), as on the command line, not the preset's
    const family: Record<string, unknown> = {};
    if (given.model === 'conv')
      for (const [key, value] of Object.entries(CONV_DEFAULTS))
        if (!(key in given)) family[key] = value;
    const checked = validateTrainConfig({ ...base, ...given, ...family });
    if (checked.ok)
      return {
        state: { config: checked.value, view },
        notices,
      };
    let dropped = false;
    for (const error of checked.errors) {
      const key = error.key as FieldKey | null;
      if (key !== null && key in given) {
        notices.push(
          `${flagOf(key)}=${String(given[key])}: ${error.message} — the default is used`,
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
    state: { config: defaultTrainConfig(), view: { ...view, preset: null } },
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
  for (const param of FIGURE_PARAMS) {
    const value = param.write(state.view);
    if (value !== undefined) params.set(param.name, value);
  }
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
      // a classroom link starts the figures afresh
      ...defaultFigures(),
    },
  };
}
