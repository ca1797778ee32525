/**
 * The comparison table's columns (their keys are part of the page's address). Apart from
 * table.ts, which computes the rows from the architecture analysis, so that the address code on
 * the first screen does not pull that in.
 */
export const COMPARISON_COLUMNS = [
  { key: 'title', label: 'Network', align: 'left' },
  { key: 'block', label: 'Block', align: 'left' },
  { key: 'depth', label: 'Depth', align: 'right' },
  { key: 'params', label: 'Parameters', align: 'right' },
  { key: 'macs', label: 'Multiply-adds', align: 'right' },
  // sorted as a number, but its cells are text (value, dataset, citation)
  { key: 'error', label: 'Published error', align: 'left' },
] as const;

export type ComparisonKey = (typeof COMPARISON_COLUMNS)[number]['key'];
