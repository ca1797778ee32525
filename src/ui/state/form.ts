/**
 * The settings form as plain data, generated from TRAIN_FIELDS: which fields the page shows
 * (and in which group), their labels, and the conversion between the inputs' values and a
 * config for validateTrainConfig.
 */
import { CONV_ARCHS, convBlocksPerStage } from '../../engine/choices.ts';
import {
  CONV_MAX_WIDTH,
  type Field,
  type FieldError,
  errorLine,
  TRAIN_FIELDS,
  type TrainConfig,
  type TrainConfigInput,
} from '../../experiments/config.ts';

export type FieldKey = keyof TrainConfig;

/** What an input holds: a select's string, a checkbox's boolean, a number input's number (null when empty or not a number). */
export type FieldValue = string | number | boolean | null;
export type FormValues = Record<FieldKey, FieldValue>;

export interface FieldGroup {
  legend: string;
  keys: FieldKey[];
}

/** The settings shown up front, grouped; every other field goes under "More settings". */
export const MAIN_GROUPS: FieldGroup[] = [
  { legend: 'Network', keys: ['model', 'arch', 'depth', 'width', 'norm', 'activation', 'init'] },
  { legend: 'Data', keys: ['dataset'] },
  { legend: 'Training', keys: ['optimizer', 'lr', 'batch', 'steps', 'seed'] },
];

/**
 * Settings the page does not offer: the comparison always trains a network with shortcuts and
 * its twin without them.
 */
export const PAIR_KEYS: ReadonlySet<FieldKey> = new Set<FieldKey>(['shortcut']);

const MAIN_KEYS = new Set(MAIN_GROUPS.flatMap((g) => g.keys));
export const MORE_KEYS: FieldKey[] = (Object.keys(TRAIN_FIELDS) as FieldKey[]).filter(
  (k) => !MAIN_KEYS.has(k) && !PAIR_KEYS.has(k),
);

export const LABELS: Record<FieldKey, string> = {
  model: 'Network',
  arch: 'Block type',
  shortcut: 'Shortcut connections',
  shortcutOption: 'Shortcut across stages (convolutional)',
  depth: 'Depth (weight layers)',
  width: 'Width (units)',
  activation: 'Activation',
  init: 'Initialisation',
  norm: 'Normalisation',
  residualInit: 'Residual branch scale at start',
  gateBias: 'Highway gate bias',
  growthRate: 'DenseNet growth rate',
  cardinality: 'ResNeXt cardinality',
  dataset: 'Dataset',
  samples: 'Samples',
  noise: 'Noise',
  testFraction: 'Test fraction',
  digitsSize: 'Digit image side',
  loss: 'Loss',
  optimizer: 'Optimizer',
  lr: 'Learning rate',
  momentum: 'Momentum',
  weightDecay: 'Weight decay',
  schedule: 'Learning-rate schedule',
  warmup: 'Warm-up steps',
  steps: 'Steps',
  batch: 'Batch size',
  seed: 'Seed',
  evalEvery: 'Evaluate every (steps)',
  evalSamples: 'Evaluation samples',
  logEvery: 'Log every (steps)',
  layerStatsEvery: 'Layer statistics every (steps)',
  kernels: 'Compute kernels',
};

export function fieldOf(key: FieldKey): Field {
  return TRAIN_FIELDS[key] as Field;
}

export function formFromConfig(config: TrainConfig): FormValues {
  return { ...config } as FormValues;
}

/**
 * The config the inputs describe, ready for validateTrainConfig, plus the problems only the form
 * can see (an empty number box). Empty boxes are left out of `input` (so they are not mistaken
 * for "use the default") and reported instead.
 */
export function configFromForm(values: FormValues): {
  input: TrainConfigInput;
  errors: FieldError[];
} {
  const input: TrainConfigInput = {};
  const errors: FieldError[] = [];
  for (const key of Object.keys(TRAIN_FIELDS) as FieldKey[]) {
    const field = fieldOf(key);
    const value = values[key];
    if ((field.kind === 'int' || field.kind === 'number') && typeof value !== 'number') {
      errors.push({ key, message: 'enter a number' });
      continue;
    }
    input[key] = value;
  }
  return { input, errors };
}

/** The field an error is about, or null (one about the settings as a whole). */
export function errorField(error: FieldError): FieldKey | null {
  return error.key !== null && Object.hasOwn(TRAIN_FIELDS, error.key)
    ? (error.key as FieldKey)
    : null;
}

/** What to show next to the field (the field's label is shown apart from it). */
export function errorText(error: FieldError): string {
  return errorField(error) ? error.message : errorLine(error);
}

/** A label that depends on the network family: a convolutional network's width is channels. */
export function labelOf(key: FieldKey, values: Pick<FormValues, 'model'>): string {
  if (key === 'width' && values.model === 'conv') return 'Width (first stage’s channels)';
  return LABELS[key];
}

/**
 * The form after the reader picks a network family. Choosing a convolutional network moves the
 * settings it cannot take to the nearest ones it can — the digits (it reads images), a basic
 * block, a depth of 6n + 2, at most CONV_MAX_WIDTH channels — so that the choice alone gives a
 * network that runs, and sets the paper's branch initialisation (CONV_DEFAULTS); going back to
 * dense layers keeps everything (they take all of it).
 */
export function withFamily(values: FormValues, model: FieldValue): FormValues {
  const next: FormValues = { ...values, model };
  if (model !== 'conv' || values.model === 'conv') return next;
  if (next.dataset !== 'digits') next.dataset = 'digits';
  // He et al.'s CIFAR networks start their residual branches at full strength
  next.residualInit = 'one';
  if (!(CONV_ARCHS as readonly FieldValue[]).includes(next.arch)) next.arch = 'resnet';
  if (typeof next.depth === 'number' && convBlocksPerStage(next.depth) === null)
    next.depth = 6 * Math.max(1, Math.round((next.depth - 2) / 6)) + 2;
  if (typeof next.width === 'number' && next.width > CONV_MAX_WIDTH) next.width = CONV_MAX_WIDTH;
  return next;
}
