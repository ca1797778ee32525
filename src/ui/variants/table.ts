/**
 * The pure parts of the Variants section's tables: number formats, sorting (missing values
 * last in either direction), the depth of a spec as its paper counts it, and the comparison
 * table's rows and CSV. No DOM.
 */
import {
  analyzeArch,
  BUILTIN_ARCH_INFO,
  BUILTIN_ARCHS,
  type ArchAnalysis,
  type ArchSpec,
} from '../../arch/index.ts';
import { toCsv } from '../export/files.ts';
import { PUBLISHED, type PublishedResult } from './published.ts';

// the formats live with the counts, for the CLI too
export { formatCount, formatGMacs, formatMacs } from '../../arch/index.ts';

/**
 * Weight layers as each paper counts them (the number in the network's name): ResNet stem +
 * block layers + fc; DenseNet stem + two convs per dense layer + transitions + classifier;
 * CIFAR ResNets 6n + 2; highway nets as §3.1 (plain layer + highway layers, no classifier).
 */
export function depthOf(spec: ArchSpec): number {
  switch (spec.family) {
    case 'resnet': {
      const perBlock = spec.block === 'basic' ? 2 : 3;
      return 2 + perBlock * spec.layers.reduce((a, b) => a + b, 0);
    }
    case 'densenet':
      return 2 + 2 * spec.blockConfig.reduce((a, b) => a + b, 0) + (spec.blockConfig.length - 1);
    case 'cifar-resnet':
      return 6 * spec.n + 2;
    case 'highway':
      return spec.depth;
  }
}

export type SortDirection = 'ascending' | 'descending';
export type SortValue = number | string | null | undefined;

const COLLATOR = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

const missing = (v: SortValue): v is null | undefined =>
  v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v));

/**
 * A sorted copy of `rows` by `key`. Numbers compare as numbers, strings in natural order
 * ("resnet50" before "resnet101"); a missing value (null, undefined, NaN) goes last whichever
 * the direction, since "no result" is neither the best nor the worst. Stable: equal keys keep
 * their order in both directions.
 */
export function sortRows<T>(
  rows: readonly T[],
  key: (row: T) => SortValue,
  direction: SortDirection,
): T[] {
  const sign = direction === 'ascending' ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index, value: key(row) }))
    .sort((a, b) => {
      const am = missing(a.value);
      const bm = missing(b.value);
      if (am || bm) return am === bm ? a.index - b.index : am ? 1 : -1;
      const av = a.value as number | string;
      const bv = b.value as number | string;
      const order =
        typeof av === 'number' && typeof bv === 'number'
          ? av - bv
          : COLLATOR.compare(String(av), String(bv));
      return order === 0 ? a.index - b.index : sign * order;
    })
    .map((e) => e.row);
}

/** The networks of the comparison table, in the order it starts in. */
export const COMPARISON_NAMES: readonly string[] = [
  'resnet18',
  'resnet34',
  'resnet50',
  'resnet101',
  'resnet152',
  'resnext50_32x4d',
  'densenet121',
  'densenet169',
  'densenet201',
  'cifar-resnet20',
  'cifar-resnet32',
  'cifar-resnet44',
  'cifar-resnet56',
  'cifar-resnet110',
  'cifar-resnet1202',
  'highway-10',
  'highway-20',
  'highway-50',
  'highway-100',
];

export interface ComparisonRow {
  /** the builtin's name (BUILTIN_ARCHS) */
  readonly name: string;
  /** as the papers write it: ResNet-50, ResNeXt-50 (32×4d), DenseNet-121 … */
  readonly title: string;
  /** block type in words */
  readonly block: string;
  /** what it was trained on in the cited result, or the input it is counted at */
  readonly data: string;
  readonly depth: number;
  readonly params: number;
  readonly macs: number;
  readonly input: string;
  readonly published: PublishedResult | null;
}

/** How the papers name a builtin. */
export function displayName(name: string): string {
  const spec = BUILTIN_ARCHS[name];
  if (!spec) return name;
  const depth = depthOf(spec);
  switch (spec.family) {
    case 'resnet':
      if (spec.groups > 1) return `ResNeXt-${depth} (${spec.groups}×${spec.widthPerGroup}d)`;
      return `ResNet-${depth}${name.endsWith('-v1') ? ' (V1)' : ''}`;
    case 'densenet':
      return `DenseNet-${depth}`;
    case 'cifar-resnet':
      return `ResNet-${depth} (CIFAR)`;
    case 'highway':
      return `Highway-${depth} (MNIST)`;
  }
}

/** The block type in a few words; no-break spaces keep "k = 32" and "option A" whole. */
function blockName(spec: ArchSpec): string {
  const nb = (text: string) => text.replaceAll(' ', '\u00a0');
  switch (spec.family) {
    case 'resnet':
      if (spec.groups > 1) return `grouped bottleneck, ${nb(`C = ${spec.groups}`)}`;
      return spec.block === 'basic' ? 'basic' : 'bottleneck';
    case 'densenet':
      return `dense, ${nb(`k = ${spec.growthRate}`)}`;
    case 'cifar-resnet':
      return `basic, ${nb(`option ${spec.shortcut}`)}`;
    case 'highway':
      return `highway, ${nb(`${spec.width} units`)}`;
  }
}

/** One row per network of COMPARISON_NAMES, counted by analyzeArch. */
export function comparisonRows(names: readonly string[] = COMPARISON_NAMES): ComparisonRow[] {
  return names.flatMap((name) => {
    const spec = BUILTIN_ARCHS[name];
    if (!spec || !BUILTIN_ARCH_INFO[name]) return [];
    const a = analyzeArch(spec);
    return [
      {
        name,
        title: displayName(name),
        block: blockName(spec),
        data:
          spec.family === 'cifar-resnet'
            ? 'CIFAR-10'
            : spec.family === 'highway'
              ? 'MNIST'
              : 'ImageNet',
        depth: depthOf(spec),
        params: a.params,
        macs: a.macs,
        input: a.inputSize,
        published: PUBLISHED[name] ?? null,
      },
    ];
  });
}

/** The comparison table's sortable columns; counts are aligned right. */
import type { ComparisonKey } from './columns.ts';
export { COMPARISON_COLUMNS, type ComparisonKey } from './columns.ts';

export function comparisonValue(row: ComparisonRow, key: ComparisonKey): SortValue {
  switch (key) {
    case 'title':
      return row.title;
    case 'block':
      return row.block;
    case 'depth':
      return row.depth;
    case 'params':
      return row.params;
    case 'macs':
      return row.macs;
    case 'error':
      return row.published ? Number(row.published.error) : null;
  }
}

/** The rows as CSV, exact counts, the published error as the literature gives it. */
export function comparisonCsv(rows: readonly ComparisonRow[]): string {
  return toCsv(
    [
      'network',
      'name',
      'block',
      'depth',
      'input',
      'params',
      'macs',
      'published_error_percent',
      'metric',
      'source',
    ],
    rows.map((r) => [
      r.title,
      r.name,
      r.block.replaceAll('\u00a0', ' '),
      r.depth,
      r.input,
      r.params,
      r.macs,
      r.published?.error ?? null,
      r.published?.metric ?? null,
      r.published ? `${r.published.source}` : null,
    ]),
  );
}

/** A stage table as CSV: one line per stage, exact counts. */
export function stageCsv(analysis: ArchAnalysis): string {
  return toCsv(
    ['stage', 'module', 'output_size', 'block', 'repeats', 'detail', 'params', 'macs'],
    analysis.stages.map((s) => [
      s.label,
      s.name,
      s.outputSize,
      s.block,
      s.repeats,
      s.detail,
      s.params,
      s.macs,
    ]),
  );
}
