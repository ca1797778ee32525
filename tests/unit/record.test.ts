import { describe, expect, it } from 'vitest';
import { defaultTrainConfig, TRAIN_FIELDS } from '../../src/experiments/config.ts';
import {
  CSV_COLUMNS,
  RUN_SCHEMA,
  RunRecorder,
  toCSV,
  toJSON,
} from '../../src/experiments/record.ts';
import { train, type TrainEvent } from '../../src/experiments/train.ts';

const config = { ...defaultTrainConfig(), depth: 8, width: 8, steps: 20, evalEvery: 10 };

const start: TrainEvent = {
  type: 'start',
  config,
  model: {
    arch: 'resnet',
    shortcut: true,
    depth: 8,
    blocks: 3,
    weightLayers: 8,
    params: 554,
    inputDim: 2,
    outputs: 2,
  },
  dataset: { name: 'spiral', inputDim: 2, classes: 2, train: 800, test: 200 },
};

const layerEvent: TrainEvent = {
  type: 'layers',
  step: 10,
  layers: [
    {
      name: 'stem',
      block: -1,
      gradNorm: Infinity,
      weightNorm: 2.5,
      updateRatio: null,
      activationMean: NaN,
      activationStd: 0.3,
      deadFraction: 0,
    },
  ],
  blocks: [{ block: 0, inputGradNorm: 0.08 }],
};

/** A plausible event stream of a 20-step run; `stats` adds a layer-stats event. */
function events(stats = false): TrainEvent[] {
  return [
    start,
    {
      type: 'eval',
      step: 0,
      trainLoss: 0.7,
      trainAccuracy: 0.5,
      testLoss: 0.72,
      testAccuracy: 0.48,
    },
    { type: 'step', step: 10, epoch: 0, lr: 0.05, loss: 0.69, accuracy: 0.52 },
    ...(stats ? [layerEvent] : []),
    {
      type: 'eval',
      step: 10,
      trainLoss: 0.6,
      trainAccuracy: 0.6,
      testLoss: null,
      testAccuracy: null,
    },
    { type: 'step', step: 20, epoch: 1, lr: 0.05, loss: 0.55, accuracy: 0.7 },
    {
      type: 'eval',
      step: 20,
      trainLoss: 0.5,
      trainAccuracy: 0.75,
      testLoss: 0.52,
      testAccuracy: 0.7,
    },
    {
      type: 'done',
      steps: 20,
      final: {
        trainLoss: 0.49,
        trainAccuracy: 0.76,
        testLoss: 0.51,
        testAccuracy: 0.71,
        steps: 20,
      },
      diverged: null,
      cancelled: false,
    },
  ];
}

function recordOf(list: TrainEvent[]) {
  const recorder = new RunRecorder();
  for (const e of list) recorder.add(e);
  return recorder.record();
}

describe('RunRecorder', () => {
  it('builds every field of the record from the events', () => {
    const record = recordOf(events());
    expect(Object.keys(record)).toEqual([
      'schema',
      'config',
      'model',
      'dataset',
      'history',
      'train',
      'final',
      'diverged',
    ]);
    expect(record.schema).toBe(RUN_SCHEMA);
    expect(record.schema).toBe('resnet-lab/run@1');
    expect(record.config).toEqual(config);
    expect(Object.keys(record.config)).toEqual(Object.keys(TRAIN_FIELDS));
    expect(record.model).toEqual((start as { model: unknown }).model);
    expect(record.dataset).toEqual({
      name: 'spiral',
      inputDim: 2,
      classes: 2,
      train: 800,
      test: 200,
    });
    expect(record.history).toEqual([
      { step: 0, trainLoss: 0.7, trainAccuracy: 0.5, testLoss: 0.72, testAccuracy: 0.48 },
      { step: 10, trainLoss: 0.6, trainAccuracy: 0.6, testLoss: null, testAccuracy: null },
      { step: 20, trainLoss: 0.5, trainAccuracy: 0.75, testLoss: 0.52, testAccuracy: 0.7 },
    ]);
    expect(record.train).toEqual([
      { step: 10, epoch: 0, lr: 0.05, loss: 0.69, accuracy: 0.52 },
      { step: 20, epoch: 1, lr: 0.05, loss: 0.55, accuracy: 0.7 },
    ]);
    expect(record.final).toEqual({
      trainLoss: 0.49,
      trainAccuracy: 0.76,
      testLoss: 0.51,
      testAccuracy: 0.71,
      steps: 20,
    });
    expect(record.diverged).toBeNull();
    expect('layerStats' in record).toBe(false);
  });

  it('adds layerStats only when there were layer events, with non-finite numbers as null', () => {
    const record = recordOf(events(true));
    expect(record.layerStats).toEqual([
      {
        step: 10,
        layers: [
          {
            name: 'stem',
            block: -1,
            gradNorm: null,
            weightNorm: 2.5,
            updateRatio: null,
            activationMean: null,
            activationStd: 0.3,
            deadFraction: 0,
          },
        ],
        blocks: [{ block: 0, inputGradNorm: 0.08 }],
      },
    ]);
    // The object and its JSON agree (JSON would turn Infinity and NaN into null anyway).
    expect(JSON.parse(toJSON(record))).toEqual(record);
  });

  it('records divergence, from the diverged event and from done', () => {
    const list: TrainEvent[] = [
      start,
      {
        type: 'eval',
        step: 0,
        trainLoss: 0.7,
        trainAccuracy: 0.5,
        testLoss: 0.7,
        testAccuracy: 0.5,
      },
      { type: 'diverged', step: 4 },
      {
        type: 'done',
        steps: 4,
        final: {
          trainLoss: NaN,
          trainAccuracy: 0.5,
          testLoss: Infinity,
          testAccuracy: 0.5,
          steps: 4,
        },
        diverged: { step: 4 },
        cancelled: false,
      },
    ];
    const record = recordOf(list);
    expect(record.diverged).toEqual({ step: 4 });
    expect(record.final).toEqual({
      trainLoss: null,
      trainAccuracy: 0.5,
      testLoss: null,
      testAccuracy: 0.5,
      steps: 4,
    });
    expect(recordOf(list.filter((e) => e.type !== 'diverged')).diverged).toEqual({ step: 4 });
  });

  it('gives final: null for a cancelled or unfinished run, and ignores events after done', () => {
    const cancelled = recordOf([
      ...events().slice(0, 3),
      { type: 'done', steps: 10, final: null, diverged: null, cancelled: true },
      { type: 'eval', step: 99, trainLoss: 1, trainAccuracy: 1, testLoss: 1, testAccuracy: 1 },
    ]);
    expect(cancelled.final).toBeNull();
    expect(cancelled.history.map((h) => h.step)).toEqual([0]);

    const recorder = new RunRecorder();
    for (const e of events().slice(0, 4)) recorder.add(e);
    const partial = recorder.record();
    expect(partial.final).toBeNull();
    expect(partial.history).toHaveLength(2);
  });

  it('throws before the start event', () => {
    expect(() => new RunRecorder().record()).toThrow(/no start event/);
  });

  it('returns a fresh copy each time', () => {
    const recorder = new RunRecorder();
    for (const e of events(true)) recorder.add(e);
    const a = recorder.record();
    a.history[0]!.step = 1234;
    a.layerStats![0]!.layers[0]!.name = 'changed';
    a.config.depth = 99;
    const b = recorder.record();
    expect(b.history[0]!.step).toBe(0);
    expect(b.layerStats![0]!.layers[0]!.name).toBe('stem');
    expect(b.config.depth).toBe(8);
  });
});

describe('toJSON', () => {
  it('is 2-space indented with a trailing newline', () => {
    const text = toJSON(recordOf(events()));
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.startsWith('{\n  "schema": "resnet-lab/run@1",\n  "config": {\n    "model"')).toBe(
      true,
    );
  });

  it('is deterministic: same events give the same bytes, whatever the key order of the events', () => {
    const shuffled = events(true).map(
      (e) => Object.fromEntries(Object.entries(e).reverse()) as TrainEvent,
    );
    expect(toJSON(recordOf(shuffled))).toBe(toJSON(recordOf(events(true))));
  });

  it('is byte-identical for two real runs with the same config, and differs for another seed', () => {
    const small = { depth: 8, width: 8, steps: 12, evalEvery: 4, layerStatsEvery: 6, samples: 200 };
    const run = (seed: number) => recordOf([...train({ ...small, seed })]);
    const a = toJSON(run(1));
    expect(toJSON(run(1))).toBe(a);
    expect(toJSON(run(2))).not.toBe(a);
    const record = JSON.parse(a);
    expect(record.history.map((h: { step: number }) => h.step)).toEqual([0, 4, 8, 12]);
    expect(record.layerStats.map((p: { step: number }) => p.step)).toEqual([6, 12]);
    expect(record.final.steps).toBe(12);
  });
});

describe('toCSV', () => {
  it('writes a header and one row per evaluation, null as an empty cell', () => {
    expect(toCSV(recordOf(events()))).toBe(
      [
        'step,trainLoss,trainAccuracy,testLoss,testAccuracy',
        '0,0.7,0.5,0.72,0.48',
        '10,0.6,0.6,,',
        '20,0.5,0.75,0.52,0.7',
        '',
      ].join('\n'),
    );
    expect(CSV_COLUMNS.join(',')).toBe('step,trainLoss,trainAccuracy,testLoss,testAccuracy');
  });

  it('prints numbers as JavaScript does', () => {
    const record = recordOf(events());
    record.history = [
      { step: 5, trainLoss: 1e-7, trainAccuracy: 1, testLoss: 0.1 + 0.2, testAccuracy: 0 },
    ];
    expect(toCSV(record).split('\n')[1]).toBe('5,1e-7,1,0.30000000000000004,0');
  });
});
