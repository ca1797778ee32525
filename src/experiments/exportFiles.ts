/**
 * The export's files: a network as an ONNX file (onnx.ts), or a run as a self-contained PyTorch
 * folder — train.py, the lab's initial weights, its data and its batch order as files, a README.
 * Pure. Loaded on demand by the export job (export.ts, `loadExportWriters`), so that the page's
 * worker carries the protobuf library and the script's text only once an export is asked for.
 */
import { Rng } from '../engine/rng.ts';
import { exportCommandLine, type ExportFile, exportName } from './exportConfig.ts';
import { toOnnx } from './onnx.ts';
import { TRAIN_PY } from './torch/trainPy.ts';
import { torchReadme } from './torch/readme.ts';
import type { TrainingRun } from './train.ts';

/** The schema of the PyTorch folder's run.json. */
export const TORCH_EXPORT_SCHEMA = 'resnet-lab/torch-export@1';

/**
 * The ONNX file of a run's network as it is now (after `steps` training steps; 0: as built).
 */
export function onnxFile(run: TrainingRun, steps: number): ExportFile {
  const config = run.config;
  const command = exportCommandLine(config, 'onnx', `${exportName(config)}.onnx`, steps > 0);
  const bytes = toOnnx(run.model, { command, config, steps });
  return { path: `${exportName(config)}.onnx`, bytes };
}

/**
 * The row indices of every step's batch, in the order the run's Batcher takes them (the same
 * seeded stream, 'batches', and the same rule: one permutation per epoch, batches running on
 * across epochs), `steps` × min(batch, n) int32 values.
 */
export function batchOrder(seed: number, n: number, batch: number, steps: number): Int32Array {
  const rng = new Rng(seed, 'batches');
  const rows = Math.min(batch, n);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  rng.shuffle(order);
  const out = new Int32Array(steps * rows);
  let cursor = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = order[cursor]!;
    cursor++;
    if (cursor === n) {
      cursor = 0;
      rng.shuffle(order);
    }
  }
  return out;
}

const encoder = new TextEncoder();

/** Little-endian bytes of a typed array (the layout train.py reads). */
function littleEndian(values: Float32Array | Int32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  const float = values instanceof Float32Array;
  for (let i = 0; i < values.length; i++)
    if (float) view.setFloat32(4 * i, values[i]!, true);
    else view.setInt32(4 * i, values[i]!, true);
  return bytes;
}

/**
 * The PyTorch folder of a run, from its config (nothing is trained: the weights are the
 * initial ones, and train.py trains). Paths are relative to the folder.
 * @param run a run built from the config and not advanced (its model holds the initial weights)
 */
export function torchFiles(run: TrainingRun): ExportFile[] {
  const config = run.config;
  const data = run.data;
  const model = run.model;
  // train.py builds the dense family; a convolutional network must not turn into an MLP there
  if (model.spec.model === 'conv')
    throw new Error(
      'the PyTorch export covers dense networks; convolutional ones are not exported yet',
    );
  const rows = Math.min(config.batch, data.nTrain);
  const command = exportCommandLine(config, 'torch', `${exportName(config)}/`);
  let offset = 0;
  const params = model.params.map((p) => {
    const entry = { name: p.name, shape: [...p.shape], role: p.role, offset, size: p.size };
    offset += p.size;
    return entry;
  });
  const meta = {
    schema: TORCH_EXPORT_SCHEMA,
    command,
    config,
    model: run.summary(),
    dataset: {
      name: data.name,
      inputDim: data.inputDim,
      classes: data.numClasses,
      train: data.nTrain,
      test: data.nTest,
    },
    params,
    batchSteps: config.steps,
  };
  const text = (path: string, s: string): ExportFile => ({ path, bytes: encoder.encode(s) });
  const bin = (path: string, v: Float32Array | Int32Array): ExportFile => ({
    path,
    bytes: littleEndian(v),
  });
  return [
    text(
      'README.md',
      torchReadme({
        command,
        config,
        params: model.paramCount,
        train: data.nTrain,
        test: data.nTest,
        batchRows: rows,
      }),
    ),
    text('train.py', TRAIN_PY),
    text('run.json', `${JSON.stringify(meta, null, 2)}\n`),
    bin('weights.bin', model.flatParams),
    bin('train_x.bin', data.trainX.subarray(0, data.nTrain * data.inputDim)),
    bin('train_y.bin', data.trainY.subarray(0, data.nTrain)),
    bin('test_x.bin', data.testX.subarray(0, data.nTest * data.inputDim)),
    bin('test_y.bin', data.testY.subarray(0, data.nTest)),
    bin('batches.bin', batchOrder(config.seed, data.nTrain, config.batch, config.steps)),
  ];
}
