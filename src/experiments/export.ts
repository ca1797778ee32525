/**
 * Exports (`resnet-lab export`, the page's "Open it elsewhere") as a job: a network as an ONNX
 * file, or a run as a self-contained PyTorch folder (the files: exportFiles.ts). Pure: the CLI
 * writes the files, the page's worker hands them to the page (which zips a folder). Uses the
 * engine, so never on the page's main thread (exportConfig.ts holds what the page needs).
 */
import type { TrainConfig } from './config.ts';
import { type ExportConfig, type ExportResult, validateExportSettings } from './exportConfig.ts';
import type * as ExportFiles from './exportFiles.ts';
import type { Validation } from './fields.ts';
import type { JobResources } from './job.ts';
import { validateTrainRun } from './size.ts';
import { StudyJob } from './study.ts';
import { train } from './train.ts';

/** An export's settings with the training run's size limits. */
export function validateExportConfig(input: unknown): Validation<ExportConfig> {
  return validateExportSettings(input, validateTrainRun);
}

/** The training part of an export's config. */
export function trainConfigOf(config: ExportConfig): TrainConfig {
  const { exportFormat: _format, exportTrained: _trained, ...rest } = config;
  return rest;
}

let writers: typeof ExportFiles | null = null;

/**
 * Loads the file writers (the ONNX protobuf library, the PyTorch script's text: about 160 kB of
 * the worker's script). A host awaits it before it creates an export job — the export's job
 * definition says so with `prepare` — so a worker that never exports never carries them.
 */
export async function loadExportWriters(): Promise<void> {
  writers ??= await import('./exportFiles.ts');
}

/** Units of an export job: the training (an ONNX file of trained weights) and the writing. */
export function exportUnits(config: ExportConfig): number {
  return (config.exportFormat === 'onnx' && config.exportTrained ? config.steps : 0) + 1;
}

/**
 * The export as a job (kind `export`): trains first when the ONNX file is to hold the trained
 * weights, then builds the files in one unit. The writers must have been loaded.
 */
export function exportJob(
  config: ExportConfig,
  resources: JobResources = {},
): StudyJob<ExportResult> {
  const files = writers;
  if (!files) throw new Error('the export writers are not loaded: await loadExportWriters() first');
  const run = train(trainConfigOf(config), resources);
  const trains = config.exportFormat === 'onnx' && config.exportTrained;
  return new StudyJob<ExportResult>(
    'export',
    trains ? run : null,
    // eslint-disable-next-line require-yield -- one unit: the files, built at once
    function* () {
      if (config.exportFormat === 'torch') return { format: 'torch', files: files.torchFiles(run) };
      return { format: 'onnx', files: [files.onnxFile(run, trains ? run.step : 0)] };
    },
    1,
  );
}
