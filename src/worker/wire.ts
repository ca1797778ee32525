/**
 * How events travel from the training worker to the page. Every event goes as it is except the
 * per-layer statistics: a `layers` event is ~80 small objects, and structured-cloning those for
 * postMessage cost more than computing them (≈ 250–400 µs an event for a 56-layer net, i.e.
 * several per cent of the training time at one event every 10 steps). Packed, the numbers travel
 * as two Float64Arrays (a memory copy) and the names as strings; the page unpacks them into the
 * very same objects, key order and −0/NaN included, so what the page holds is still exactly what
 * `train()` yields in Node.
 */
import type { TrainEvent } from '../experiments/train.ts';
import type { BlockStats, LayerStats } from '../engine/model.ts';
import type { EventBatch } from './api.ts';

type LayersEvent = Extract<TrainEvent, { type: 'layers' }>;

/** numbers per layer in `PackedLayersEvent.layerNumbers` */
const PER_LAYER = 7;
/** bits of `PackedLayersEvent.nulls`: which nullable fields are null */
const NULL_UPDATE_RATIO = 1;
const NULL_DEAD_FRACTION = 2;

export interface PackedLayersEvent {
  type: 'packed-layers';
  step: number;
  names: string[];
  /** per layer: block, gradNorm, weightNorm, updateRatio, activationMean, activationStd, deadFraction */
  layerNumbers: Float64Array;
  /** per layer: NULL_UPDATE_RATIO | NULL_DEAD_FRACTION bits */
  nulls: Uint8Array;
  /** per block: block, inputGradNorm */
  blockNumbers: Float64Array;
}

export type WireEvent = Exclude<TrainEvent, LayersEvent> | PackedLayersEvent;

export interface WireBatch extends Omit<EventBatch, 'events'> {
  events: WireEvent[];
}

export function packEvent(event: TrainEvent): WireEvent {
  if (event.type !== 'layers') return event;
  const { layers, blocks } = event;
  const layerNumbers = new Float64Array(layers.length * PER_LAYER);
  const nulls = new Uint8Array(layers.length);
  layers.forEach((l, i) => {
    const o = i * PER_LAYER;
    layerNumbers[o] = l.block;
    layerNumbers[o + 1] = l.gradNorm;
    layerNumbers[o + 2] = l.weightNorm;
    layerNumbers[o + 3] = l.updateRatio ?? 0;
    layerNumbers[o + 4] = l.activationMean;
    layerNumbers[o + 5] = l.activationStd;
    layerNumbers[o + 6] = l.deadFraction ?? 0;
    nulls[i] =
      (l.updateRatio === null ? NULL_UPDATE_RATIO : 0) |
      (l.deadFraction === null ? NULL_DEAD_FRACTION : 0);
  });
  const blockNumbers = new Float64Array(blocks.length * 2);
  blocks.forEach((b, i) => {
    blockNumbers[2 * i] = b.block;
    blockNumbers[2 * i + 1] = b.inputGradNorm;
  });
  return {
    type: 'packed-layers',
    step: event.step,
    names: layers.map((l) => l.name),
    layerNumbers,
    nulls,
    blockNumbers,
  };
}

/** The event `packEvent` packed, key for key (the order `Model.layerStats` writes them in). */
export function unpackEvent(event: WireEvent): TrainEvent {
  if (event.type !== 'packed-layers') return event;
  const { names, layerNumbers: v, nulls, blockNumbers: b } = event;
  const layers = names.map((name, i): LayerStats => {
    const o = i * PER_LAYER;
    return {
      name,
      block: v[o]!,
      gradNorm: v[o + 1]!,
      weightNorm: v[o + 2]!,
      updateRatio: nulls[i]! & NULL_UPDATE_RATIO ? null : v[o + 3]!,
      activationMean: v[o + 4]!,
      activationStd: v[o + 5]!,
      deadFraction: nulls[i]! & NULL_DEAD_FRACTION ? null : v[o + 6]!,
    };
  });
  const blocks: BlockStats[] = [];
  for (let i = 0; i < b.length; i += 2) blocks.push({ block: b[i]!, inputGradNorm: b[i + 1]! });
  return { type: 'layers', step: event.step, layers, blocks };
}

export function packBatch(batch: EventBatch): WireBatch {
  return { ...batch, events: batch.events.map(packEvent) };
}

export function unpackBatch(batch: WireBatch): EventBatch {
  return { ...batch, events: batch.events.map(unpackEvent) };
}
