/**
 * How events travel from the worker to the page. Every event goes as it is except those that
 * carry statistics tables (`layers`, `tensors`): ~80–300 small objects each, and structured-
 * cloning those for postMessage cost more than computing them (≈ 250–400 µs an event for a
 * 56-layer net's layer statistics). Packed, a table's numbers travel as one Float64Array (a memory
 * copy), its nulls as one byte per nullable cell and its names as strings; the page unpacks them
 * into the very same objects, key order and −0/NaN included, so what the page holds is still
 * exactly what the job yields in Node.
 *
 * The layout comes from the statistics tables (src/engine/stats.ts): a new column is packed,
 * unpacked and recorded without touching this file.
 */
import {
  BLOCK_STATS,
  LAYER_STATS,
  RESIDUAL_STATS,
  type StatRow,
  type StatTable,
  TENSOR_STATS,
} from '../engine/stats.ts';
import type { JobEvent } from '../experiments/job.ts';
import type { TrainEvent } from '../experiments/train.ts';
import type { EventBatch } from './api.ts';

/** Events that carry statistics tables: the event type → its array fields and their tables. */
export const STAT_EVENTS: Record<string, Record<string, StatTable<never>>> = {
  layers: { layers: LAYER_STATS, blocks: BLOCK_STATS },
  tensors: { tensors: TENSOR_STATS, residuals: RESIDUAL_STATS },
} as Record<string, Record<string, StatTable<never>>>;

/** One table's rows, packed. */
export interface PackedRows {
  rows: number;
  /** per string column, its values */
  strings: string[][];
  /** per row, the number columns in table order */
  numbers: Float64Array;
  /** per row, one byte per nullable column: 1 where the value is null */
  nulls: Uint8Array;
}

export interface PackedEvent {
  /** `packed-` + the event's type */
  type: string;
  step: number;
  tables: Record<string, PackedRows>;
}

export type WireEvent = JobEvent | PackedEvent;

export interface WireBatch extends Omit<EventBatch<JobEvent>, 'events'> {
  events: WireEvent[];
}

export function packRows(table: StatTable<never>, rows: readonly StatRow[]): PackedRows {
  const cols = table.columns;
  const numeric = cols.filter((c) => c.type !== 'string');
  const nullable = cols.filter((c) => c.type === 'nullable');
  const strings = cols
    .filter((c) => c.type === 'string')
    .map((c) => rows.map((r) => r[c.key] as string));
  const numbers = new Float64Array(rows.length * numeric.length);
  const nulls = new Uint8Array(rows.length * nullable.length);
  rows.forEach((r, i) => {
    numeric.forEach((c, j) => (numbers[i * numeric.length + j] = (r[c.key] as number | null) ?? 0));
    nullable.forEach((c, j) => (nulls[i * nullable.length + j] = r[c.key] === null ? 1 : 0));
  });
  return { rows: rows.length, strings, numbers, nulls };
}

export function unpackRows(table: StatTable<never>, packed: PackedRows): StatRow[] {
  const cols = table.columns;
  const numericCount = cols.filter((c) => c.type !== 'string').length;
  const nullableCount = cols.filter((c) => c.type === 'nullable').length;
  const out: StatRow[] = [];
  for (let i = 0; i < packed.rows; i++) {
    const row: StatRow = {};
    let s = 0;
    let n = 0;
    let z = 0;
    for (const c of cols) {
      if (c.type === 'string') row[c.key] = packed.strings[s++]![i]!;
      else {
        const v = packed.numbers[i * numericCount + n++]!;
        if (c.type === 'nullable') row[c.key] = packed.nulls[i * nullableCount + z++] ? null : v;
        else row[c.key] = v;
      }
    }
    out.push(row);
  }
  return out;
}

export function packEvent(event: JobEvent): WireEvent {
  const tables = STAT_EVENTS[event.type];
  if (!tables) return event;
  const e = event as unknown as Record<string, unknown> & { step: number };
  const packed: Record<string, PackedRows> = {};
  for (const [field, table] of Object.entries(tables))
    packed[field] = packRows(table, e[field] as StatRow[]);
  return { type: `packed-${event.type}`, step: e.step, tables: packed };
}

/** The event `packEvent` packed, key for key (type, step, then its tables in order). */
export function unpackEvent(event: WireEvent): JobEvent {
  if (!event.type.startsWith('packed-')) return event;
  const { type, step, tables } = event as PackedEvent;
  const original = type.slice('packed-'.length);
  const out: Record<string, unknown> = { type: original, step };
  for (const [field, table] of Object.entries(STAT_EVENTS[original] ?? {}))
    out[field] = unpackRows(table, tables[field]!);
  return out as unknown as JobEvent;
}

export function packBatch(batch: EventBatch<JobEvent>): WireBatch {
  return { ...batch, events: batch.events.map(packEvent) };
}

/** A batch as it left the job (typed for the job's events: a training run's by default). */
export function unpackBatch<E extends JobEvent = TrainEvent>(batch: WireBatch): EventBatch<E> {
  return { ...batch, events: batch.events.map(unpackEvent) as E[] };
}
