/**
 * Size limits: what a network needs is read from its own op list before anything is allocated
 * (Model.footprint), equals what the built model takes, and a config over the limits is refused
 * with what it would need — never attempted.
 */
import { describe, expect, it } from 'vitest';
import { Model } from '../../src/engine/model.ts';
import { Arena } from '../../src/engine/tensor.ts';
import { defaultTrainConfig, validateTrainConfig } from '../../src/experiments/config.ts';
import { runSize, SIZE_LIMITS, validateTrainRun } from '../../src/experiments/size.ts';
import { modelSpec } from '../../src/experiments/train.ts';

const config = (over: object) => ({ ...defaultTrainConfig(), kernels: 'ts' as const, ...over });

describe('Model.footprint', () => {
  it.each([
    { arch: 'resnet', depth: 8, width: 16 },
    { arch: 'plain', depth: 20, width: 24, norm: 'none' },
    { arch: 'bottleneck', depth: 11, width: 32 },
    { arch: 'resnext', depth: 11, width: 32, cardinality: 4 },
    { arch: 'highway', depth: 10, width: 16 },
    { arch: 'densenet', depth: 11, width: 16 },
    { arch: 'preact', depth: 14, width: 8, batch: 33 },
  ] as const)('%o: the parameters and buffers of the built model', (over) => {
    const spec = modelSpec(config(over), { inputDim: 2, numClasses: 3 });
    const size = Model.footprint(spec);
    const model = new Model(spec);
    expect(size.params).toBe(model.paramCount);
    // the ts path allocates exactly the arena; the footprint adds the dense scratch beside it
    const arena = model.flatParams.buffer.byteLength;
    expect(size.bytes).toBeGreaterThanOrEqual(arena);
    const largestWeight = Math.max(
      ...model
        .graph()
        .parameters.filter((p) => p.role === 'weight')
        .map((p) => p.size),
    );
    expect(size.bytes - arena).toBeLessThanOrEqual(4 * largestWeight);
  });

  it('counts the multiply-adds of one example: 2·16 + 6·16² + 16·2 for a depth-8 width-16 net', () => {
    const spec = modelSpec(config({ arch: 'resnet', depth: 8, width: 16 }), {
      inputDim: 2,
      numClasses: 2,
    });
    expect(Model.footprint(spec).macsPerExample).toBe(2 * 16 + 6 * 16 * 16 + 16 * 2);
  });

  it('lays out more than 2 GiB without wrapping (offsets are not 32-bit masks)', () => {
    const arena = new Arena();
    const gib = 2 ** 28; // floats: 1 GiB
    for (let i = 0; i < 3; i++) arena.f32(gib + 1, () => {});
    expect(arena.size).toBe(3 * (4 * gib + 16) - 12);
  });
});

describe('size limits', () => {
  it('the schema alone does not size (links on the first screen are read without the engine)', () => {
    expect(validateTrainConfig(config({ depth: 1202, width: 1024, batch: 4096 })).ok).toBe(true);
  });

  it('refuses a network over the memory limit, naming what it would need and the limit', () => {
    const r = validateTrainRun(
      config({ dataset: 'digits', depth: 110, width: 1024, batch: 256, kernels: 'wasm' }),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.key).toBe('width');
    expect(r.errors[0]!.message).toMatch(/about 3\.3 GiB of memory \(the limit is 1\.0 GiB\)/);
  });

  it('refuses a step estimated over the time limit, and names the batch when activations weigh most', () => {
    const r = validateTrainRun(config({ depth: 1202, width: 1024, batch: 4096, kernels: 'wasm' }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors[0]!.key).toBe('batch');
    expect(r.errors[0]!.message).toMatch(
      /GiB of memory .* and about [\d.]+ min per training step \(the limit is 10\.0 s\)/,
    );
  });

  it('accepts the largest networks the page offers presets for, well inside the limits', () => {
    for (const over of [
      { depth: 110, width: 512 },
      { depth: 56, width: 128, batch: 256 },
      { dataset: 'digits', depth: 56, width: 64, samples: 10000 },
    ]) {
      const c = config({ ...over, kernels: 'wasm' });
      expect(validateTrainRun(c).ok, JSON.stringify(over)).toBe(true);
      const size = runSize(c as never);
      expect(size.bytes).toBeLessThan(SIZE_LIMITS.bytes);
    }
  });

  it('estimates the TypeScript path ten times slower than the wasm path', () => {
    const over = { depth: 56, width: 128, batch: 256 };
    const wasm = runSize(config({ ...over, kernels: 'wasm' }) as never).stepSeconds;
    const ts = runSize(config({ ...over, kernels: 'ts' }) as never).stepSeconds;
    expect(ts / wasm).toBeCloseTo(10, 6);
  });
});
