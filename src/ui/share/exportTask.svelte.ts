/**
 * One export from the page ("Open it elsewhere", "Download as ONNX"): built in a worker of the
 * pool (src/ui/runs/worker.ts startExport — the page's thread never trains), then offered as a
 * download; the PyTorch folder is zipped here with fflate (stored .bin files: float32 numbers
 * hardly compress, so the zip is a quick copy).
 */
import type { TrainConfig } from '../../experiments/config.ts';
import {
  type ExportConfig,
  type ExportFormat,
  exportName,
  type ExportResult,
} from '../../experiments/exportConfig.ts';
import { downloadBlob } from '../export/files.ts';
import { startExport, type StudyRun } from '../runs/worker.ts';

export type ExportState = 'idle' | 'working' | 'done' | 'failed';

/** The zip of a PyTorch folder: every file under `folder/`. */
export async function zipFolder(folder: string, files: ExportResult['files']): Promise<Uint8Array> {
  const { zipSync } = await import('fflate');
  const entries: Record<string, [Uint8Array, { level: 0 | 6 }]> = {};
  for (const f of files)
    entries[`${folder}/${f.path}`] = [f.bytes, { level: f.path.endsWith('.bin') ? 0 : 6 }];
  // a fixed time: the same settings give the same zip
  return zipSync(entries, { mtime: Date.UTC(2025, 0, 1) });
}

export class ExportTask {
  state: ExportState = $state('idle');
  /** a plain sentence for the status line */
  message = $state('');
  private run: StudyRun<ExportResult> | null = null;

  get busy(): boolean {
    return this.state === 'working';
  }

  /**
   * Builds the export in a worker and downloads it: `name.onnx`, or `name.zip` holding the
   * folder `name/`. `what` names it in the status line ("the residual network").
   */
  async download(
    config: TrainConfig,
    format: ExportFormat,
    what: string,
    trained = true,
  ): Promise<void> {
    if (this.busy) return;
    const full: ExportConfig = { ...config, exportFormat: format, exportTrained: trained };
    const name = exportName(config);
    const trains = format === 'onnx' && trained;
    const total = (trains ? config.steps : 0) + 1;
    this.state = 'working';
    this.message = trains
      ? `Training ${what} for ${config.steps.toLocaleString('en')} steps in a worker, for its ONNX file…`
      : `Writing ${what}'s ${format === 'onnx' ? 'ONNX file' : 'PyTorch folder'}…`;
    try {
      this.run = startExport(full, (done) => {
        if (trains && done < total)
          this.message = `Training ${what} in a worker, for its ONNX file: step ${done.toLocaleString('en')} of ${config.steps.toLocaleString('en')}…`;
      });
      const result = await this.run.result;
      if (!result) {
        this.state = 'idle';
        this.message = 'Cancelled: nothing downloaded.';
        return;
      }
      if (result.format === 'onnx') {
        const file = result.files[0]!;
        downloadBlob(
          file.path,
          new Blob([file.bytes as BlobPart], { type: 'application/octet-stream' }),
        );
        this.message = `Downloaded ${file.path} (${file.bytes.length.toLocaleString('en')} bytes): ${what}${trains ? `, trained for ${config.steps.toLocaleString('en')} steps` : ', initial weights'}.`;
      } else {
        const zip = await zipFolder(name, result.files);
        downloadBlob(`${name}.zip`, new Blob([zip as BlobPart], { type: 'application/zip' }));
        this.message = `Downloaded ${name}.zip (${zip.length.toLocaleString('en')} bytes): unzip it, then run python3 train.py in ${name}/.`;
      }
      this.state = 'done';
    } catch (error) {
      this.state = 'failed';
      this.message = `The export failed: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      this.run = null;
    }
  }

  cancel(): void {
    void this.run?.cancel();
  }
}
