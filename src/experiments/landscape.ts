/**
 * Loss landscapes (Li et al. 2018, "Visualizing the Loss Landscape of Neural Nets"): train a
 * network to θ*, then measure the loss on a grid θ* + α·δ + β·η around it, δ and η two seeded
 * Gaussian directions normalised filter by filter (each neuron's incoming weights rescaled to that
 * neuron's weight norm; biases, batch-norm parameters and residual scales zero), and along the
 * straight line from the initial weights θ₀ through θ*.
 *
 * A plan (job.ts): a first part trains the network and returns θ* (with its batch-norm running
 * statistics), the centre loss and the 1-D interpolation; then the grid is split into bands of
 * rows, each part rebuilding the network with θ* and evaluating its rows. A band reads nothing but
 * θ* and the config, so the record is the same byte for byte whatever the number of workers (or
 * bands). Retraining in every band would give the same numbers but cost the training once per
 * band (docs/experiments.md, "Loss landscapes").
 *
 * This module holds the plan and the settings only — no engine — so the page's main thread can
 * import it; the parts' jobs are in landscapeParts.ts.
 */
import {
  TRAIN_FIELDS,
  type TrainConfig,
  validateTrainConfig,
  withFamilyDefaults,
} from './config.ts';
import { type FieldError, type Validation, validateFields } from './fields.ts';
import { isPartFailure, type Part, type Plan } from './job.ts';

export const LANDSCAPE_SCHEMA = 'resnet-lab/landscape@1';

/** The part kinds of the plan (registered in jobs.ts). */
export const LANDSCAPE_TRAIN_KIND = 'landscape-train';
export const LANDSCAPE_BAND_KIND = 'landscape-band';

export const LANDSCAPE_FIELDS = {
  ...TRAIN_FIELDS,
  grid: {
    kind: 'int',
    min: 11,
    max: 51,
    default: 21,
    help: 'points per side of the grid of α and β (11 to 51; odd sizes include α = β = 0)',
  },
  range: {
    kind: 'number',
    min: 0,
    minExclusive: true,
    max: 10,
    default: 1,
    help: 'α and β run over [−range, range] (in units of the filter-normalised directions)',
  },
  examples: {
    kind: 'int',
    min: 1,
    max: 5000,
    default: 1000,
    help: 'evaluation set: the first N training examples (all of them when there are fewer), in evaluation mode',
  },
} as const;

export type LandscapeConfig = TrainConfig & { grid: number; range: number; examples: number };

export function validateLandscapeConfig(raw: unknown): Validation<LandscapeConfig> {
  const input = withFamilyDefaults(raw); // a convolutional network's data: the digits
  return validateFields<LandscapeConfig>(LANDSCAPE_FIELDS, input, (c, valid) => {
    const errors: FieldError[] = [];
    if (!valid(...Object.keys(TRAIN_FIELDS))) return errors;
    const checked = validateTrainConfig(trainConfigOf(c));
    if (!checked.ok) errors.push(...checked.errors);
    return errors;
  });
}

/** The training settings of a landscape config. */
export function trainConfigOf(c: LandscapeConfig): TrainConfig {
  const { grid: _g, range: _r, examples: _e, ...train } = c;
  return train;
}

/** The interpolation from θ₀ (t = 0) to θ* (t = 1): t from −0.5 to 1.5 in steps of 0.05. */
export const INTERPOLATION_POINTS = 41;
export function interpolationTs(): number[] {
  // (k − 10) / 20 is exactly 0 at k = 10 and exactly 1 at k = 30
  return Array.from({ length: INTERPOLATION_POINTS }, (_, k) => (k - 10) / 20);
}

/** The grid's coordinates: `grid` values over [−range, range]; exactly 0 in the middle. */
export function gridAxis(grid: number, range: number): number[] {
  return Array.from({ length: grid }, (_, i) => range * ((2 * i) / (grid - 1) - 1));
}

/** `next()` calls of the training part's measurement: the centre, each t, and the result. */
export const TRAIN_MEASURE_UNITS = INTERPOLATION_POINTS + 2;

/** Grid rows per band part (a fixed number, so the split never depends on the workers). */
export const BAND_ROWS = 4;

/** The bands of rows [from, to) the grid is split into. */
export function bandsOf(grid: number): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  for (let from = 0; from < grid; from += BAND_ROWS)
    out.push({ from, to: Math.min(grid, from + BAND_ROWS) });
  return out;
}

/** What the training part returns to the plan (Float32Arrays clone fine between threads). */
export interface TrainedPart {
  /** θ*, as the model's flat parameter vector */
  trained: Float32Array;
  /** every batch norm's running mean then variance, in the model's order */
  runningStats: Float32Array;
  /** examples in the evaluation set (the first `examples` training examples, or all) */
  examples: number;
  /** the kernel path that ran (wasm falls back to ts where WebAssembly SIMD is missing) */
  kernels: LandscapeConfig['kernels'];
  /** the loss at θ* on the evaluation set; null when it is not finite */
  center: number | null;
  interpolation: (number | null)[];
  diverged: { step: number } | null;
}

/** A band part's config: the landscape's, the rows, and the trained state it starts from. */
export type BandConfig = LandscapeConfig & {
  rowFrom: number;
  rowTo: number;
  trained: Float32Array;
  runningStats: Float32Array;
};

/** A band part's result: one row of losses per β (null where not finite), α along each row. */
export interface BandResult {
  rows: (number | null)[][];
}

export interface LandscapeRecord {
  schema: typeof LANDSCAPE_SCHEMA;
  /** the settings; `examples` is the size of the evaluation set and `kernels` the path used */
  config: LandscapeConfig;
  alphas: number[];
  betas: number[];
  /** rows over betas, columns over alphas; null where the loss is not finite */
  loss: (number | null)[][];
  /** the loss at α = β = 0 (θ* itself) on the evaluation set */
  center: number | null;
  interpolation: { t: number[]; loss: (number | null)[] };
}

function configRecord(c: LandscapeConfig, t: TrainedPart): LandscapeConfig {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(LANDSCAPE_FIELDS)) out[key] = c[key as keyof LandscapeConfig];
  out.examples = t.examples;
  out.kernels = t.kernels;
  return out as unknown as LandscapeConfig;
}

function failed(result: unknown, what: string): never {
  throw new Error(`${what}: ${isPartFailure(result) ? result.failed : 'no result'}`);
}

export function* landscapePlan(c: LandscapeConfig): Plan<LandscapeRecord> {
  const [trained] = (yield [{ kind: LANDSCAPE_TRAIN_KIND, config: c }]) as unknown[];
  if (!trained || isPartFailure(trained)) failed(trained, 'training');
  const t = trained as TrainedPart;
  const bands = bandsOf(c.grid);
  const parts: Part[] = bands.map((b) => ({
    kind: LANDSCAPE_BAND_KIND,
    config: {
      ...c,
      rowFrom: b.from,
      rowTo: b.to,
      trained: t.trained,
      runningStats: t.runningStats,
    } satisfies BandConfig,
  }));
  const results = (yield parts) as unknown[];
  const loss: (number | null)[][] = [];
  results.forEach((r, i) => {
    if (!r || isPartFailure(r)) failed(r, `grid rows ${bands[i]!.from}–${bands[i]!.to - 1}`);
    loss.push(...(r as BandResult).rows);
  });
  return {
    schema: LANDSCAPE_SCHEMA,
    config: configRecord(c, t),
    alphas: gridAxis(c.grid, c.range),
    betas: gridAxis(c.grid, c.range),
    loss,
    center: t.center,
    interpolation: { t: interpolationTs(), loss: t.interpolation },
  };
}

/** Units of work of a whole landscape (training steps, evaluations), for progress. */
export function landscapeUnits(c: LandscapeConfig): number {
  return c.steps + TRAIN_MEASURE_UNITS + c.grid * c.grid;
}

/**
 * Several plans run as one: each list of parts is the plans' lists one after another, and each
 * plan gets its own results back (the page computes the plain and the residual landscape together,
 * so that the pool's workers share both).
 */
export function* zipPlans<R>(plans: Plan<R>[]): Plan<R[]> {
  let steps: IteratorResult<Part[], R>[] = plans.map((p) => p.next([]));
  while (steps.some((s) => !s.done)) {
    const counts = steps.map((s) => (s.done ? 0 : s.value.length));
    const parts = steps.flatMap((s) => (s.done ? [] : s.value));
    const results = (yield parts) as unknown[];
    let at = 0;
    steps = steps.map((s, i) => {
      const own = results.slice(at, at + counts[i]!);
      at += counts[i]!;
      return s.done ? s : plans[i]!.next(own);
    });
  }
  return steps.map((s) => s.value as R);
}

// ── what the surfaces say (pure; the page's caption and the CLI's summary) ──

export interface SurfaceSummary {
  /** lowest and highest finite loss on the grid */
  min: number;
  max: number;
  /** interior points whose discrete Hessian has a clearly negative eigenvalue, as a share */
  nonConvexShare: number;
  /** interior points lower than all 8 neighbours */
  localMinima: number;
  /** grid points whose loss is not finite */
  nonFinite: number;
}

/**
 * A surface's shape in numbers. At each interior point the Hessian of the loss in (α, β) is
 * estimated by central differences; the point counts as non-convex when its smaller eigenvalue is
 * negative and more than 1 % of its larger |eigenvalue| (λmin/|λmax| < −0.01, the 2-D analogue of
 * Li et al.'s map of |λmin/λmax|), unless both are below 10⁻³ (a flat plateau, where rounding
 * alone decides the sign).
 */
export function summarizeSurface(
  loss: readonly (readonly (number | null)[])[],
  alphas: readonly number[],
  betas: readonly number[],
): SurfaceSummary {
  let min = Infinity;
  let max = -Infinity;
  let nonFinite = 0;
  for (const row of loss)
    for (const v of row) {
      if (v === null || !Number.isFinite(v)) nonFinite++;
      else {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
    }
  const ha = alphas.length > 1 ? alphas[1]! - alphas[0]! : 1;
  const hb = betas.length > 1 ? betas[1]! - betas[0]! : 1;
  let interior = 0;
  let negative = 0;
  let minima = 0;
  // the eight neighbours, read without allocating (a 51 × 51 grid has 2,401 inner points, and
  // the page summarises both surfaces the moment a study ends)
  const around = new Float64Array(8);
  const OFFSETS = [-1, -1, -1, 0, -1, 1, 0, -1, 0, 1, 1, -1, 1, 0, 1, 1] as const;
  for (let j = 1; j < loss.length - 1; j++)
    for (let i = 1; i < loss[j]!.length - 1; i++) {
      const c = loss[j]![i];
      if (c == null) continue;
      let complete = true;
      let lowest = true;
      for (let q = 0; q < 8; q++) {
        const v = loss[j + OFFSETS[2 * q]!]![i + OFFSETS[2 * q + 1]!];
        if (v == null) {
          complete = false;
          break;
        }
        around[q] = v;
        if (!(c < v)) lowest = false;
      }
      if (!complete) continue;
      const n = around;
      if (lowest) minima++;
      const faa = (n[4]! - 2 * c + n[3]!) / (ha * ha);
      const fbb = (n[6]! - 2 * c + n[1]!) / (hb * hb);
      const fab = (n[7]! - n[5]! - n[2]! + n[0]!) / (4 * ha * hb);
      const mean = (faa + fbb) / 2;
      const spread = Math.sqrt(((faa - fbb) / 2) ** 2 + fab * fab);
      interior++;
      const lo = mean - spread;
      const largest = Math.max(Math.abs(lo), Math.abs(mean + spread));
      if (largest > 1e-3 && lo < -0.01 * largest) negative++;
    }
  return {
    min: Number.isFinite(min) ? min : NaN,
    max: Number.isFinite(max) ? max : NaN,
    nonConvexShare: interior ? negative / interior : 0,
    localMinima: minima,
    nonFinite,
  };
}

/** The record as CSV: one row per grid point (alpha, beta, loss). */
export function landscapeCSV(record: LandscapeRecord): string {
  const lines = ['alpha,beta,loss'];
  record.loss.forEach((row, j) =>
    row.forEach((v, i) => lines.push(`${record.alphas[i]},${record.betas[j]},${v ?? ''}`)),
  );
  return `${lines.join('\n')}\n`;
}
