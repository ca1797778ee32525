/**
 * The worker → page wire format: packed per-layer statistics must come back as the very events
 * `train()` yields (same keys in the same order, every number's bits, nulls kept).
 */
import { describe, expect, it } from 'vitest';
import { train, type TrainEvent } from '../../src/experiments/train.ts';
import { packBatch, packEvent, unpackBatch, unpackEvent } from '../../src/worker/wire.ts';

/** JSON with every number as its float64 bits (JSON alone merges −0 with 0 and NaN with null). */
function bitsText(value: unknown): string {
  const f = new Float64Array(1);
  const u = new BigUint64Array(f.buffer);
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'number') return v;
    f[0] = v;
    return `f64:${u[0]!.toString(16)}`;
  });
}

function events(config: Parameters<typeof train>[0]): TrainEvent[] {
  return [...train(config)];
}

describe('packed layer statistics', () => {
  it('round-trip through structuredClone bit for bit, for every event of real runs', () => {
    const runs = [
      events({ depth: 8, steps: 40, layerStatsEvery: 10, norm: 'batch' }),
      // tanh: no dead-ReLU fraction (null); plain twin
      events({ depth: 8, steps: 30, layerStatsEvery: 5, activation: 'tanh', shortcut: false }),
    ];
    for (const run of runs) {
      const layerEvents = run.filter((e) => e.type === 'layers');
      expect(layerEvents.length).toBeGreaterThan(2);
      for (const event of run) {
        const wire = structuredClone(packEvent(event));
        if (event.type === 'layers') expect(wire.type).toBe('packed-layers');
        expect(bitsText(unpackEvent(wire))).toBe(bitsText(event));
      }
    }
  });

  it('keeps nulls, −0, NaN and infinities apart', () => {
    const event: TrainEvent = {
      type: 'layers',
      step: 7,
      layers: [
        {
          name: 'stem',
          block: -1,
          gradNorm: -0,
          weightNorm: Number.NaN,
          updateRatio: null,
          activationMean: Number.POSITIVE_INFINITY,
          activationStd: 0,
          deadFraction: 0,
        },
        {
          name: 'head',
          block: 3,
          gradNorm: 1e-300,
          weightNorm: 2,
          updateRatio: 0,
          activationMean: -1.5,
          activationStd: 3,
          deadFraction: null,
        },
      ],
      blocks: [{ block: 0, inputGradNorm: -0 }],
    };
    const back = unpackEvent(structuredClone(packEvent(event)));
    expect(bitsText(back)).toBe(bitsText(event));
    expect(back).toEqual(event);
  });

  it('a batch keeps its other fields and the order of its events', () => {
    const run = events({ depth: 8, steps: 20, layerStatsEvery: 10 });
    const batch = { events: run, step: 20, time: 1.5, activeMs: 3, paused: false };
    expect(bitsText(unpackBatch(structuredClone(packBatch(batch))))).toBe(bitsText(batch));
  });
});
