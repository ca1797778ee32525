/**
 * The settings of an export (`resnet-lab export`, the page's "Open it elsewhere"): a training
 * config, the format (an ONNX file, or a PyTorch folder) and whether the ONNX file holds the
 * trained weights or the initial ones. No engine here: the page's main thread imports it (its
 * command lines, its file names); export.ts builds the files in a worker or the CLI.
 */
import { defaultTrainConfig, TRAIN_FIELDS, type TrainConfig } from './config.ts';
import { type Validation, validateFields } from './fields.ts';

export type ExportFormat = 'onnx' | 'torch';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['onnx', 'torch'];

export const EXPORT_FIELDS = {
  ...TRAIN_FIELDS,
  exportFormat: {
    kind: 'enum',
    values: EXPORT_FORMATS,
    default: 'onnx',
    help: 'onnx: the network as one ONNX file; torch: a folder with train.py for PyTorch',
  },
  exportTrained: {
    kind: 'bool',
    default: true,
    help: 'onnx: train for --steps first (false: the initial weights, as --steps 0)',
  },
} as const;

export interface ExportConfig extends TrainConfig {
  exportFormat: ExportFormat;
  /** onnx: the weights after config.steps steps (false: the initial weights) */
  exportTrained: boolean;
}

/** One file of an export: its path inside the export (a file name, or folder/file). */
export interface ExportFile {
  path: string;
  bytes: Uint8Array;
}

/** What an export job hands back: its files (one .onnx file, or the PyTorch folder's). */
export interface ExportResult {
  format: ExportFormat;
  files: ExportFile[];
}

/**
 * The settings without the size limits (those need the engine: export.ts adds them). The
 * training part is checked by the training config's own validator.
 */
export function validateExportSettings(
  input: unknown,
  validateTrain: (input: unknown) => Validation<TrainConfig>,
): Validation<ExportConfig> {
  return validateFields<ExportConfig>(EXPORT_FIELDS, input, (c) => {
    const { exportFormat: _format, exportTrained: _trained, ...trainConfig } = c;
    const checked = validateTrain(trainConfig);
    return checked.ok ? [] : checked.errors;
  });
}

/** The folder name of a PyTorch export and the file name of an ONNX one, from the config. */
export function exportName(config: TrainConfig): string {
  const arch = config.shortcut || config.arch === 'plain' ? config.arch : `${config.arch}-plain`;
  return `${arch}-${config.depth}`;
}

/**
 * The command line that writes the same export: every training setting that differs from the
 * defaults, plus the seed and the steps (as `resnet-lab train`'s reproduce line does).
 */
export function exportCommandLine(
  config: TrainConfig,
  format: ExportFormat,
  out: string,
  trained = true,
): string {
  const defaults = defaultTrainConfig();
  const parts = [`npx resnet-lab export --format ${format}`];
  for (const key of Object.keys(TRAIN_FIELDS) as (keyof TrainConfig)[]) {
    const value = config[key];
    if (value === defaults[key] && key !== 'seed' && key !== 'steps') continue;
    const field = TRAIN_FIELDS[key] as { flag?: string };
    const flag = field.flag ?? key;
    if (key === 'steps' && format === 'onnx' && !trained) parts.push('--steps 0');
    else if (typeof value === 'boolean') parts.push(value ? `--${flag}` : `--no-${flag}`);
    else parts.push(`--${flag} ${value}`);
  }
  parts.push(`--out ${out}`);
  return parts.join(' ');
}
