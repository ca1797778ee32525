/**
 * Shared helpers for the engine's tests: small model specs, seeded batches, and a central
 * finite-difference gradient checker that works around float32 noise and ReLU kinks.
 */
import { Activation, BatchNorm } from '../../src/engine/ops.ts';
import { type Arch, type LayerBuilder, Model, type ModelSpec } from '../../src/engine/model.ts';
import { Rng } from '../../src/engine/rng.ts';
import type { Param, Slot } from '../../src/engine/tensor.ts';

/** A small spec: every field can be overridden. */
export function makeSpec(over: Partial<ModelSpec> = {}): ModelSpec {
  return {
    arch: 'resnet',
    shortcut: true,
    depth: 6,
    width: 6,
    inputDim: 3,
    classes: 3,
    loss: 'softmax',
    activation: 'tanh',
    init: 'he',
    norm: 'none',
    residualInit: 'one',
    gateBias: -1,
    growthRate: 4,
    cardinality: 2,
    maxBatch: 8,
    seed: 7,
    ...over,
  };
}

/** Small, valid (depth, width) settings per block type: two blocks each. */
export const SMALL: Record<Arch, { depth: number; width: number }> = {
  plain: { depth: 6, width: 6 },
  resnet: { depth: 6, width: 6 },
  preact: { depth: 6, width: 6 },
  bottleneck: { depth: 8, width: 8 },
  highway: { depth: 4, width: 6 },
  densenet: { depth: 8, width: 6 },
  resnext: { depth: 8, width: 8 },
};

/** Fills the first n rows of the model's input (standard normal) and labels (uniform). */
export function fillBatch(model: Model, n: number, seed = 1): void {
  const rng = new Rng(seed, 'test-batch');
  const d = model.input.dim;
  for (let i = 0; i < n * d; i++) model.input.value[i] = rng.normal();
  const classes = model.spec.classes;
  for (let r = 0; r < n; r++) model.labels[r] = r % classes; // every class present
  rng.shuffle(model.labels.subarray(0, n));
}

/**
 * Moves every parameter away from its initial value, so that no gradient is trivially zero or
 * symmetric: weights ×(1 ± noise), biases/betas small noise (plus `biasShift`, which keeps
 * ReLU units alive in nets without normalisation), gammas/scales around 1.
 */
export function jitterParams(model: Model, seed = 3, amount = 0.3, biasShift = 0): void {
  const rng = new Rng(seed, 'jitter');
  for (const p of model.params) {
    for (let i = 0; i < p.size; i++) {
      const z = rng.normal();
      switch (p.role) {
        case 'weight':
          p.value[i] = p.value[i]! * (1 + amount * z) + 0.05 * rng.normal();
          break;
        case 'bias':
        case 'beta':
          p.value[i] = p.value[i]! + biasShift + amount * z;
          break;
        case 'gamma':
        case 'scale':
          p.value[i] = 1 + amount * z;
          break;
      }
    }
  }
}

/** Mean loss of one forward pass on the first n rows (float64). */
export function lossAt(model: Model, n: number, training: boolean): number {
  model.forward(n, training);
  return model.loss(false).loss;
}

/** forward + loss + backward in the given mode; returns copies of the gradients. */
export function analyticGradients(
  model: Model,
  n: number,
  training: boolean,
): { loss: number; params: Float64Array; input: Float64Array } {
  model.forward(n, training);
  const loss = model.loss(true).loss;
  model.backward();
  return {
    loss,
    params: Float64Array.from(model.flatGrads),
    input: Float64Array.from(model.input.grad.subarray(0, n * model.input.dim)),
  };
}

/** The ReLU ops' pre-activation sign patterns (x > 0), concatenated. */
function reluPattern(model: Model, n: number): Uint8Array {
  // every ReLU: the Activation ops' inputs, and the outputs of batch norms fused with their ReLU
  const signs: Float32Array[] = [];
  for (const op of model.ops) {
    if (op instanceof Activation && op.fn === 'relu')
      signs.push(op.x.value.subarray(0, n * op.x.dim));
    if (op instanceof BatchNorm && op.relu) signs.push(op.y.value.subarray(0, n * op.y.dim));
  }
  const total = signs.reduce((s, v) => s + v.length, 0);
  const out = new Uint8Array(total);
  let k = 0;
  for (const v of signs) for (let i = 0; i < v.length; i++) out[k++] = v[i]! > 0 ? 1 : 0;
  return out;
}

function samePattern(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export interface GradCheckOptions {
  /** rows of the batch (already filled) */
  n: number;
  training: boolean;
  /** finite-difference step */
  eps?: number;
  /** indices of flatParams to check; default: all */
  indices?: readonly number[];
  /** also check ∂loss/∂input (the model must have inputGradient = true) */
  input?: boolean;
}

export interface GradCheckResult {
  /** coordinates compared */
  checked: number;
  /** coordinates skipped because a perturbation moved a ReLU across its kink */
  skipped: number;
  /** ‖num − ana‖ / max(‖num‖, ‖ana‖) over the compared coordinates */
  relError: number;
  /** worst |num − ana| / (atol + rtol·|ana|) over the compared coordinates: ≤ 1 passes */
  worst: number;
  /** description of the worst coordinate */
  worstAt: string;
  /** ‖ana‖∞ over the compared coordinates (to see that the check is not vacuous) */
  maxAbs: number;
}

/**
 * Central finite differences of the model's mean loss, coordinate by coordinate, compared with
 * the engine's backward pass. The loss is evaluated in float64 from float32 activations, so the
 * difference quotient has a noise floor of about (float32 ε · |loss terms|) / eps; the per-
 * coordinate tolerance is atol + rtol·|ana| with atol scaled to the gradient's size.
 *
 * The step actually taken is the difference of the float32-rounded perturbed values, not eps.
 * Coordinates whose ±eps perturbation changes the sign pattern of any ReLU input are skipped:
 * there the loss is not differentiable on the segment and the quotient means nothing.
 */
export function gradCheck(
  model: Model,
  opts: GradCheckOptions,
  grad?: { params: Float64Array; input: Float64Array },
): GradCheckResult {
  const { n, training } = opts;
  const eps = opts.eps ?? 1e-2;
  const g = grad ?? analyticGradients(model, n, training);
  model.forward(n, training);
  const base = reluPattern(model, n);
  const nums: number[] = [];
  const anas: number[] = [];
  const where: string[] = [];
  let skipped = 0;

  const probe = (arr: Float32Array, i: number, ana: number, label: string): void => {
    const v = arr[i]!;
    let kink = false;
    // One central difference with step h (the float32-rounded step actually taken).
    const quotient = (h: number): number => {
      arr[i] = v + h;
      const up = arr[i]!;
      const lUp = lossAt(model, n, training);
      kink ||= !samePattern(base, reluPattern(model, n));
      arr[i] = v - h;
      const down = arr[i]!;
      const lDown = lossAt(model, n, training);
      kink ||= !samePattern(base, reluPattern(model, n));
      arr[i] = v;
      return (lUp - lDown) / (up - down);
    };
    // Richardson extrapolation: D(h) = f' + c·h² + O(h⁴), so (4·D(h/2) − D(h))/3 = f' + O(h⁴).
    // It removes the curvature error that a step large enough to beat float32 noise leaves.
    const coarse = quotient(eps);
    const fine = quotient(eps / 2);
    if (kink) {
      skipped++;
      return;
    }
    nums.push((4 * fine - coarse) / 3);
    anas.push(ana);
    where.push(label);
  };

  const indices = opts.indices ?? range(model.flatParams.length);
  for (const i of indices) probe(model.flatParams, i, g.params[i]!, paramLabel(model, i));
  if (opts.input) {
    const len = n * model.input.dim;
    for (let i = 0; i < len; i++) probe(model.input.value, i, g.input[i]!, `input[${i}]`);
  }
  return compare(nums, anas, where, skipped);
}

/** Tolerances of gradCheck: relative to each coordinate, plus a floor relative to the largest. */
export const GRAD_RTOL = 1e-2;
export const GRAD_ATOL_FRACTION = 2e-3;

export function compare(
  nums: readonly number[],
  anas: readonly number[],
  where: readonly string[] = [],
  skipped = 0,
): GradCheckResult {
  let maxAbs = 0;
  for (const a of anas) maxAbs = Math.max(maxAbs, Math.abs(a));
  const atol = GRAD_ATOL_FRACTION * maxAbs + 1e-6;
  let d2 = 0;
  let n2 = 0;
  let a2 = 0;
  let worst = 0;
  let worstAt = '';
  for (let k = 0; k < nums.length; k++) {
    const num = nums[k]!;
    const ana = anas[k]!;
    const diff = num - ana;
    d2 += diff * diff;
    n2 += num * num;
    a2 += ana * ana;
    const ratio = Math.abs(diff) / (atol + GRAD_RTOL * Math.abs(ana));
    if (!(ratio <= worst)) {
      worst = ratio;
      worstAt = `${where[k] ?? k}: numerical ${num}, analytic ${ana}`;
    }
  }
  const relError = Math.sqrt(d2) / Math.max(Math.sqrt(n2), Math.sqrt(a2), 1e-300);
  return { checked: nums.length, skipped, relError, worst, worstAt, maxAbs };
}

export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** "block1.2.W[3]" for a flat parameter index. */
export function paramLabel(model: Model, flatIndex: number): string {
  const p = paramAt(model, flatIndex);
  return `${p.name}[${flatIndex - p.offset}]`;
}

export function paramAt(model: Model, flatIndex: number): Param {
  for (const p of model.params)
    if (flatIndex >= p.offset && flatIndex < p.offset + p.size) return p;
  throw new Error(`no parameter at ${flatIndex}`);
}

export function paramByName(model: Model, name: string): Param {
  const p = model.params.find((q) => q.name === name);
  if (!p)
    throw new Error(`no parameter ${name} (have ${model.params.map((q) => q.name).join(', ')})`);
  return p;
}

export function slotByName(model: Model, name: string): Slot {
  const s = model.slots.find((q) => q.name === name);
  if (!s) throw new Error(`no slot ${name}`);
  return s;
}

/** The Model a LayerBuilder appends to (for custom builds that push ops directly). */
export function builderModel(builder: LayerBuilder): Model {
  return (builder as unknown as { model: Model }).model;
}

/** Up to `perParam` indices of every parameter (first, last and seeded others). */
export function sampleIndices(model: Model, perParam: number, seed = 5): number[] {
  const rng = new Rng(seed, 'indices');
  const out: number[] = [];
  for (const p of model.params) {
    if (p.size <= perParam) {
      for (let i = 0; i < p.size; i++) out.push(p.offset + i);
      continue;
    }
    const chosen = new Set<number>([0, p.size - 1]);
    while (chosen.size < perParam) chosen.add(rng.int(p.size));
    for (const i of [...chosen].sort((a, b) => a - b)) out.push(p.offset + i);
  }
  return out;
}

/** Standard deviation of the first n rows of a slot (float64). */
export function slotStd(slot: Slot, n: number): number {
  const len = n * slot.dim;
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < len; i++) {
    const v = slot.value[i]!;
    s += v;
    s2 += v * v;
  }
  const mean = s / len;
  return Math.sqrt(Math.max(0, s2 / len - mean * mean));
}
