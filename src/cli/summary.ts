/** The table printed to stderr when a run ends. */
import { formatCount } from '../arch/index.ts';
import type { RunRecord } from '../experiments/record.ts';
import { formatDuration, formatRate } from './progress.ts';

export interface SummaryExtras {
  wallSeconds: number;
  /** where the record went, e.g. "run.json (json)" or "stdout (csv)" */
  destination: string;
}

export function formatSummary(record: RunRecord, extras: SummaryExtras): string {
  const { model, dataset, config, final } = record;
  const steps = final?.steps ?? record.train.at(-1)?.step ?? 0;
  const rate = extras.wallSeconds > 0 ? steps / extras.wallSeconds : 0;
  const label = (s: string) => `  ${s.padEnd(12)}`;
  const loss = (x: number | null | undefined) => (x == null ? 'n/a' : x.toFixed(4));
  const acc = (x: number | null | undefined) => (x == null ? 'n/a' : `${(x * 100).toFixed(2)}%`);
  const cell = (s: string) => s.padStart(10);
  const shortcut = model.arch === 'plain' || model.shortcut ? '' : ' (no shortcut)';
  const lines = [
    'Summary',
    `${label('model')}${config.model === 'conv' ? 'convolutional ' : ''}${model.arch}${shortcut}, depth ${model.depth} (${model.blocks} blocks), width ${config.width}, ${formatCount(model.params)} params`,
    `${label('dataset')}${dataset.name}: ${dataset.train} train / ${dataset.test} test, ${dataset.classes} classes`,
    `${label('steps')}${steps} of ${config.steps}`,
    `${label('wall time')}${formatDuration(extras.wallSeconds)} (${formatRate(rate)} steps/s)`,
    `${label('final')}${cell('train')}${cell('test')}`,
    `${label('  loss')}${cell(loss(final?.trainLoss))}${cell(loss(final?.testLoss))}`,
    `${label('  accuracy')}${cell(acc(final?.trainAccuracy))}${cell(acc(final?.testAccuracy))}`,
  ];
  if (record.diverged)
    lines.push(`${label('diverged')}diverged at step ${record.diverged.step} (loss not finite)`);
  lines.push(`${label('record')}${extras.destination}`);
  return `${lines.join('\n')}\n`;
}
