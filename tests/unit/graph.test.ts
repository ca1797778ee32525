/**
 * The model describes itself (Model.graph), reports statistics per tensor, and takes the
 * interventions the studies need: branch switches and identity blocks (lesions), perturbations
 * with an exact restore (landscapes), filters, gradients from one output unit (shattered
 * gradients), and batches larger than the training batch.
 */
import { describe, expect, it } from 'vitest';
import { ARCHS, type Arch, Model } from '../../src/engine/model.ts';
import { Rng } from '../../src/engine/rng.ts';
import {
  compare,
  fillBatch,
  jitterParams,
  makeSpec,
  paramByName,
  range,
  SMALL,
} from '../helpers/engine.ts';

const bits = (v: Float32Array) => Array.from(new Uint32Array(v.buffer, v.byteOffset, v.length));

function small(arch: Arch, over: Parameters<typeof makeSpec>[0] = {}): Model {
  return new Model(makeSpec({ arch, ...SMALL[arch], activation: 'relu', norm: 'batch', ...over }));
}

describe('Model.graph()', () => {
  it('a 20-layer ResNet: 76 nodes, 9 identity shortcuts, shapes and parameter totals', () => {
    const model = new Model(
      makeSpec({ arch: 'resnet', depth: 20, width: 16, activation: 'relu', norm: 'batch' }),
    );
    const g = model.graph();
    // stem: dense, bn, relu; per block: dense, bn, relu, dense, bn, scale, add, relu; head
    expect(g.nodes).toHaveLength(3 + 9 * 8 + 1);
    expect(g.shortcuts).toHaveLength(9);
    expect(g.shortcuts.every((s) => s.kind === 'identity')).toBe(true);
    expect(g.blocks).toHaveLength(9);
    expect(g.params).toBe(model.paramCount);
    expect(g.parameters.reduce((s, p) => s + p.size, 0)).toBe(model.paramCount);
    const w = g.parameters.find((p) => p.name === 'block3.1.W')!;
    expect(w.shape).toEqual([16, 16]);
    expect(w.role).toBe('weight');
    expect(g.parameters.find((p) => p.name === 'stem.W')!.shape).toEqual([3, 16]);
    expect(g.tensors.find((t) => t.name === 'input')!.shape).toEqual([3]);
    expect(g.tensors.find((t) => t.name === g.output)!.shape).toEqual([3]);
    // every ReLU after a batch norm and every block's α are folded into the norm
    expect(g.fusions.filter((f) => f.kind === 'relu')).toHaveLength(1 + 9);
    expect(g.fusions.filter((f) => f.kind === 'scale')).toHaveLength(9);
    const bn = g.nodes.find((n) => n.name === 'block1.2.bn')!;
    expect(bn.attributes.fused).toEqual(['scale']);
    expect(g.nodes.find((n) => n.name === 'block1.scale')!.fusedInto).toBe('block1.2.bn');
    // the folded ReLU's input tensor is not stored: its storage holds the ReLU's output
    expect(g.tensors.find((t) => t.name === 'block1.1.bn.out')).toMatchObject({
      stored: false,
      storedAs: 'block1.1.relu',
    });
    const add = g.nodes.find((n) => n.kind === 'add' && n.block === 0)!;
    expect(add.inputs).toEqual(['stem.relu', 'block1.scaled']);
    expect(g.shortcuts[0]).toEqual({
      block: 0,
      kind: 'identity',
      from: 'stem.relu',
      into: ['block1.add'],
    });
  });

  it.each(ARCHS)('%s: nodes, tensors and shortcuts are consistent, twins have none', (arch) => {
    for (const shortcut of arch === 'plain' ? [false] : [true, false])
      for (const norm of ['none', 'batch'] as const) {
        const model = small(arch, { shortcut, norm });
        const g = model.graph();
        const names = new Set(g.tensors.map((t) => t.name));
        expect(names.size).toBe(g.tensors.length);
        for (const n of g.nodes) {
          for (const t of [...n.inputs, ...n.outputs]) expect(names.has(t), t).toBe(true);
          expect(n.block).toBeGreaterThanOrEqual(-1);
          expect(n.block).toBeLessThanOrEqual(model.blocks);
        }
        expect(g.nodes.filter((n) => n.kind === 'dense')).toHaveLength(model.layers.length);
        expect(g.params).toBe(model.paramCount);
        expect(g.shortcuts).toHaveLength(shortcut && arch !== 'plain' ? model.blocks : 0);
        expect(g.blocks.every((b) => b.shortcut === (shortcut && arch !== 'plain'))).toBe(true);
        if (norm === 'none') expect(g.fusions).toEqual([]);
        // the compiled list is the nodes minus the folded ones
        expect(model.ops).toHaveLength(g.nodes.length - g.fusions.length);
      }
  });

  it('shortcut kinds: highway carries, DenseNet concatenates', () => {
    expect(small('highway').graph().shortcuts[0]!.kind).toBe('carry');
    const dense = small('densenet').graph().shortcuts[0]!;
    expect(dense.kind).toBe('concat');
    expect(dense.into).toEqual(['block1.cat1', 'block1.cat2']);
    const grouped = small('resnext', { width: 8, cardinality: 2 }).graph();
    expect(grouped.nodes.find((n) => n.name === 'block1.2')!.attributes.groups).toBe(2);
    expect(grouped.parameters.find((p) => p.name === 'block1.2.W')!.shape).toEqual([2, 2, 2]);
  });
});

describe('per-tensor statistics', () => {
  it('match the tensors, and a zero-initialised branch has norm 0', () => {
    const model = new Model(
      makeSpec({ arch: 'resnet', depth: 8, width: 6, activation: 'relu', norm: 'batch' }),
    );
    // makeSpec starts α at one: set it to zero by hand
    for (const p of model.params) if (p.role === 'scale') p.value.fill(0);
    fillBatch(model, 8);
    model.computeGradients(8);
    const { tensors, residuals } = model.tensorStats();
    const stem = model.slots.find((s) => s.name === 'stem.relu')!;
    const row = tensors.find((t) => t.name === 'stem.relu')!;
    let sum = 0;
    let sq = 0;
    let gsq = 0;
    for (let i = 0; i < 8 * 6; i++) {
      sum += stem.value[i]!;
      sq += stem.value[i]! ** 2;
      gsq += stem.grad[i]! ** 2;
    }
    expect(row.mean).toBeCloseTo(sum / 48, 6);
    expect(row.norm).toBeCloseTo(Math.sqrt(sq), 5);
    expect(row.gradNorm!).toBeCloseTo(Math.sqrt(gsq), 6);
    expect(row.gradNorm!).toBeGreaterThan(0);
    expect(tensors.find((t) => t.name === 'input')!.gradNorm).toBeNull();
    // skipped by a fusion: not listed
    expect(tensors.some((t) => t.name === 'stem.bn.out')).toBe(false);
    expect(residuals).toHaveLength(3);
    for (const r of residuals) {
      expect(r.branchNorm).toBe(0);
      expect(r.shortcutNorm).toBeGreaterThan(0);
      expect(r.sumNorm).toBe(r.shortcutNorm);
    }
  });

  it('highway blocks report transform and carry, plain twins no residual rows', () => {
    const hw = small('highway');
    fillBatch(hw, 8);
    hw.computeGradients(8);
    const r = hw.tensorStats().residuals;
    expect(r).toHaveLength(hw.blocks);
    expect(r[0]!.branchNorm).toBeGreaterThan(0);
    expect(r[0]!.shortcutNorm).toBeGreaterThan(0);
    const twin = small('resnet', { shortcut: false });
    fillBatch(twin, 8);
    twin.computeGradients(8);
    expect(twin.tensorStats().residuals).toEqual([]);
  });
});

describe('lesions', () => {
  const RESIDUAL: Arch[] = ['resnet', 'preact', 'bottleneck', 'resnext'];

  it.each(RESIDUAL)(
    '%s: switching off a zero-initialised branch leaves the forward pass bit-identical',
    (arch) => {
      for (const norm of ['none', 'batch'] as const) {
        const model = small(arch, { residualInit: 'zero', norm });
        fillBatch(model, 8);
        const before = bits(model.forward(8, false).value.slice(0, 8 * model.logits.dim));
        for (let b = 0; b < model.blocks; b++) model.setBranch(b, false);
        const after = bits(model.forward(8, false).value.slice(0, 8 * model.logits.dim));
        expect(after).toEqual(before);
      }
    },
  );

  it.each([...RESIDUAL, 'highway', 'densenet'] as Arch[])(
    '%s: a trained branch switched off changes the output; on again restores it exactly',
    (arch) => {
      const model = small(arch, { residualInit: 'one' });
      jitterParams(model);
      fillBatch(model, 8);
      const out = () => bits(model.forward(8, false).value.slice(0, 8 * model.logits.dim));
      const before = out();
      model.lesion(0, true);
      expect(out()).not.toEqual(before);
      model.lesion(0, false);
      expect(out()).toEqual(before);
    },
  );

  it('a plain block replaced by the identity passes its input on, forward and backward', () => {
    const model = small('plain', { depth: 8, norm: 'none', activation: 'tanh' });
    jitterParams(model);
    model.inputGradient = true;
    fillBatch(model, 8);
    model.lesion(1, true);
    model.computeGradients(8);
    const info = model.blockInfo[1]!;
    expect(bits(info.output!.value.slice(0, 48))).toEqual(bits(info.input.value.slice(0, 48)));
    // the skipped block's weights get no gradient, the others do
    expect(paramByName(model, 'block2.1.W').grad.every((g) => g === 0)).toBe(true);
    expect(paramByName(model, 'block1.1.W').grad.some((g) => g !== 0)).toBe(true);
    // and the gradient is that of the network without the block (finite differences)
    const analytic = Float64Array.from(model.flatGrads);
    const w = paramByName(model, 'block1.1.W');
    const nums: number[] = [];
    const anas: number[] = [];
    for (const i of range(w.size)) {
      const at = w.offset + i;
      const v = model.flatParams[at]!;
      model.flatParams[at] = v + 1e-2;
      const up = model.flatParams[at]!;
      model.forward(8, true);
      const lUp = model.loss(false).loss;
      model.flatParams[at] = v - 1e-2;
      const down = model.flatParams[at]!;
      model.forward(8, true);
      const lDown = model.loss(false).loss;
      model.flatParams[at] = v;
      nums.push((lUp - lDown) / (up - down));
      anas.push(analytic[at]!);
    }
    expect(compare(nums, anas).worst).toBeLessThanOrEqual(1);
    model.clearLesions();
    model.forward(8, true);
    expect(bits(info.output!.value.slice(0, 48))).not.toEqual(bits(info.input.value.slice(0, 48)));
  });

  it('a plain block has no branch to switch', () => {
    expect(() => small('plain').setBranch(0, false)).toThrow(/no residual branch/);
  });
});

describe('perturbations and filters', () => {
  it('perturb then restore leaves every parameter bit-identical', () => {
    const model = small('resnet');
    jitterParams(model);
    const base = model.flatParams.slice();
    const before = bits(base);
    const rng = new Rng(4, 'dirs');
    const dir = () => Float32Array.from(model.flatParams, () => rng.normal());
    const d1 = dir();
    const d2 = dir();
    model.perturb([d1, d2], [0.3, -0.7]);
    // θ* + 0.3·d₁ − 0.7·d₂, each step rounded to float32
    const expected = base.map((v, i) => Math.fround(Math.fround(v + 0.3 * d1[i]!) - 0.7 * d2[i]!));
    expect(bits(model.flatParams)).toEqual(bits(expected));
    model.perturb([d1, d2], [1, 1]); // measured from θ*, not from the previous point
    model.restore();
    expect(bits(model.flatParams)).toEqual(before);
  });

  it('filters: one per output unit, covering every weight exactly once', () => {
    const model = small('resnext', { width: 8, cardinality: 2 });
    const filters = model.filters();
    const units = model.layers.reduce((s, l) => s + l.output.dim, 0);
    expect(filters).toHaveLength(units);
    const seen = new Uint8Array(model.flatParams.length);
    for (const f of filters) for (let c = 0; c < f.count; c++) seen[f.start + c * f.stride]! += 1;
    for (const p of model.params)
      for (let i = 0; i < p.size; i++) expect(seen[p.offset + i]).toBe(p.role === 'weight' ? 1 : 0);
  });
});

describe('gradients from one output unit, and large evaluation batches', () => {
  it('∂logit[unit]/∂input matches finite differences', () => {
    const model = small('resnet', { norm: 'batch', activation: 'tanh', residualInit: 'one' });
    jitterParams(model);
    for (let s = 0; s < 3; s++) {
      fillBatch(model, 8, 20 + s);
      model.forward(8, true); // running statistics, so that evaluation mode is not trivial
    }
    fillBatch(model, 8);
    const unit = 2;
    const grad = Float64Array.from(model.outputGradient(8, unit).grad.subarray(0, 8 * 3));
    const x = model.input.value;
    const nums: number[] = [];
    for (let i = 0; i < 8 * 3; i++) {
      const v = x[i]!;
      const row = Math.floor(i / 3);
      const at = (h: number) => {
        x[i] = v + h;
        const z = model.forward(8, false).value[row * model.logits.dim + unit]!;
        return { z, step: x[i]! - v };
      };
      const up = at(1e-2);
      const down = at(-1e-2);
      x[i] = v;
      nums.push((up.z - down.z) / (up.step - down.step));
    }
    expect(compare(nums, Array.from(grad)).worst).toBeLessThanOrEqual(1);
  });

  it('evaluates a batch larger than the training batch, row for row as in chunks', () => {
    const model = new Model(
      makeSpec({ arch: 'resnet', depth: 8, norm: 'batch', maxBatch: 4, evalBatch: 12 }),
    );
    jitterParams(model);
    fillBatch(model, 12);
    const whole = bits(model.forward(12, false).value.slice(0, 36));
    const input = model.input.value.slice(0, 36);
    const parts: number[] = [];
    for (let start = 0; start < 12; start += 4) {
      model.input.value.set(input.subarray(start * 3, (start + 4) * 3));
      parts.push(...bits(model.forward(4, false).value.slice(0, 12)));
    }
    expect(parts).toEqual(whole);
    expect(() => model.forward(13, false)).toThrow(/\[1, 12\]/);
  });
});
