/**
 * The run record: one training run as a versioned, plain-JSON document, built from the run's
 * events. The CLI writes it (`resnet-lab train --out run.json`) and the page exports it, so
 * this module is pure (no Node or DOM APIs).
 *
 * The record holds no timestamps, durations or machine details: the same config and seed give
 * the same record, byte for byte. Every object is built here with a fixed key order and every
 * non-finite number becomes null, so the record object and its JSON text say the same thing.
 *
 * The format is documented in docs/run-schema.md; change that file and RUN_SCHEMA together.
 */
import {
  BLOCK_STATS,
  LAYER_STATS,
  RESIDUAL_STATS,
  type StatRow,
  type StatTable,
  TENSOR_STATS,
} from '../engine/stats.ts';
import { type TrainConfig, TRAIN_FIELDS } from './config.ts';
import type { DatasetSummary, Metrics, ModelSummary, TrainEvent } from './train.ts';

/** Names the format and its major version; bumped on any change a reader could trip over. */
export const RUN_SCHEMA = 'resnet-lab/run@1';

/** One periodic evaluation (evaluation mode, on up to config.evalSamples of each set). */
export interface HistoryPoint {
  step: number;
  trainLoss: number | null;
  trainAccuracy: number | null;
  testLoss: number | null;
  testAccuracy: number | null;
}

/** One training-loss event: means over the mini-batches since the previous one. */
export interface TrainPoint {
  step: number;
  epoch: number;
  lr: number;
  /** null only if the mean overflowed */
  loss: number | null;
  accuracy: number;
}

/** The last evaluation, on the whole train and test sets, in evaluation mode. */
export interface FinalMetrics extends Metrics {
  steps: number;
}

/** A statistics row as recorded: the table's keys in order, non-finite numbers as null. */
export type StatRecord = Record<string, string | number | null>;

export interface LayerStatsPoint {
  step: number;
  layers: StatRecord[];
  blocks: StatRecord[];
}

export interface TensorStatsPoint {
  step: number;
  tensors: StatRecord[];
  residuals: StatRecord[];
}

export interface RunRecord {
  schema: typeof RUN_SCHEMA;
  config: TrainConfig;
  model: ModelSummary;
  dataset: DatasetSummary;
  history: HistoryPoint[];
  train: TrainPoint[];
  /** null when the run did not finish (cancelled, or still running) */
  final: FinalMetrics | null;
  diverged: { step: number } | null;
  /** present only when the run produced layer statistics */
  layerStats?: LayerStatsPoint[];
  /** present only when the run produced tensor statistics (tensorStatsEvery > 0) */
  tensorStats?: TensorStatsPoint[];
}

/** Collects a run's events; `record()` may be called at any time after the start event. */
export class RunRecorder {
  private start: Extract<TrainEvent, { type: 'start' }> | null = null;
  private readonly history: HistoryPoint[] = [];
  private readonly trainPoints: TrainPoint[] = [];
  private readonly layerStats: LayerStatsPoint[] = [];
  private readonly tensorStats: TensorStatsPoint[] = [];
  private final: FinalMetrics | null = null;
  private diverged: { step: number } | null = null;
  private finished = false;

  add(event: TrainEvent): void {
    if (this.finished) return;
    switch (event.type) {
      case 'start':
        this.start = event;
        break;
      case 'eval':
        this.history.push({ step: event.step, ...metrics(event) });
        break;
      case 'step':
        this.trainPoints.push({
          step: event.step,
          epoch: event.epoch,
          lr: event.lr,
          loss: finite(event.loss),
          accuracy: event.accuracy,
        });
        break;
      case 'layers':
        this.layerStats.push({
          step: event.step,
          layers: statRecords(LAYER_STATS, event.layers),
          blocks: statRecords(BLOCK_STATS, event.blocks),
        });
        break;
      case 'tensors':
        this.tensorStats.push({
          step: event.step,
          tensors: statRecords(TENSOR_STATS, event.tensors),
          residuals: statRecords(RESIDUAL_STATS, event.residuals),
        });
        break;
      case 'featureMaps': // an observation for the page: not part of the record
        break;
      case 'diverged':
        this.diverged = { step: event.step };
        break;
      case 'done':
        this.finished = true;
        if (event.diverged) this.diverged = { step: event.diverged.step };
        if (event.final) this.final = { ...metrics(event.final), steps: event.final.steps };
        break;
    }
  }

  /** @throws Error before the start event (there is no config or model to describe yet) */
  record(): RunRecord {
    const start = this.start;
    if (!start) throw new Error('RunRecorder: no start event yet');
    const out: RunRecord = {
      schema: RUN_SCHEMA,
      config: configRecord(start.config),
      model: modelRecord(start.model),
      dataset: datasetRecord(start.dataset),
      history: this.history.map((h) => ({ ...h })),
      train: this.trainPoints.map((t) => ({ ...t })),
      final: this.final && { ...this.final },
      diverged: this.diverged && { ...this.diverged },
    };
    if (this.layerStats.length > 0)
      out.layerStats = this.layerStats.map((p) => ({
        step: p.step,
        layers: p.layers.map((l) => ({ ...l })),
        blocks: p.blocks.map((b) => ({ ...b })),
      }));
    if (this.tensorStats.length > 0)
      out.tensorStats = this.tensorStats.map((p) => ({
        step: p.step,
        tensors: p.tensors.map((t) => ({ ...t })),
        residuals: p.residuals.map((r) => ({ ...r })),
      }));
    return out;
  }
}

/** The record as JSON: 2-space indent, trailing newline. */
export function toJSON(record: RunRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}

export const CSV_COLUMNS = [
  'step',
  'trainLoss',
  'trainAccuracy',
  'testLoss',
  'testAccuracy',
] as const satisfies readonly (keyof HistoryPoint)[];

/**
 * The evaluation history as CSV: a header line, then one row per evaluation; numbers as
 * JavaScript prints them (`String(x)`), null as an empty cell; `\n` line ends, trailing newline.
 */
export function toCSV(record: RunRecord): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const point of record.history)
    lines.push(CSV_COLUMNS.map((c) => (point[c] === null ? '' : String(point[c]))).join(','));
  return `${lines.join('\n')}\n`;
}

function finite(x: number | null): number | null {
  return x !== null && Number.isFinite(x) ? x : null;
}

function metrics(m: Metrics): Metrics {
  return {
    trainLoss: finite(m.trainLoss),
    trainAccuracy: finite(m.trainAccuracy),
    testLoss: finite(m.testLoss),
    testAccuracy: finite(m.testAccuracy),
  };
}

function configRecord(config: TrainConfig): TrainConfig {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(TRAIN_FIELDS)) out[key] = config[key as keyof TrainConfig];
  return out as unknown as TrainConfig;
}

function modelRecord(m: ModelSummary): ModelSummary {
  return {
    arch: m.arch,
    shortcut: m.shortcut,
    depth: m.depth,
    blocks: m.blocks,
    weightLayers: m.weightLayers,
    params: m.params,
    inputDim: m.inputDim,
    outputs: m.outputs,
  };
}

function datasetRecord(d: DatasetSummary): DatasetSummary {
  return { name: d.name, inputDim: d.inputDim, classes: d.classes, train: d.train, test: d.test };
}

/** Rows of a statistics table as recorded: keys in the table's order, non-finite numbers null. */
export function statRecords<Ctx>(table: StatTable<Ctx>, rows: readonly object[]): StatRecord[] {
  return rows.map((row) => {
    const r = row as StatRow;
    const out: StatRecord = {};
    for (const c of table.columns) {
      const v = r[c.key] ?? null;
      out[c.key] = typeof v === 'number' ? finite(v) : v;
    }
    return out;
  });
}
