import type { Rng } from '../engine/rng.ts';

/** Row indices of a seeded train/test split. */
export interface SplitIndices {
  train: Int32Array;
  test: Int32Array;
}

/**
 * Shuffles the row indices 0..n-1 with `rng`, keeps the first `keep` of them, and sends the last
 * round(keep*testFraction) of those to test. Shuffling before capping means a capped set is a
 * random sample, not a prefix of however the rows happen to be stored.
 */
export function shuffledSplit(
  n: number,
  testFraction: number,
  rng: Rng,
  keep: number = n,
): SplitIndices {
  if (!(testFraction >= 0 && testFraction < 1)) {
    throw new RangeError(`testFraction must be in [0, 1), got ${testFraction}`);
  }
  if (!Number.isInteger(keep) || keep < 1 || keep > n) {
    throw new RangeError(`cannot keep ${keep} of ${n} rows`);
  }
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  rng.shuffle(order);
  const nTest = Math.round(keep * testFraction);
  if (nTest === keep) {
    throw new RangeError(`testFraction ${testFraction} of ${keep} rows leaves no training rows`);
  }
  return { train: order.slice(0, keep - nTest), test: order.slice(keep - nTest, keep) };
}

/** Copies the rows `rows` of the row-major matrix `x` (width `inputDim`) into a new matrix. */
export function gatherRows(x: Float32Array, inputDim: number, rows: Int32Array): Float32Array {
  const out = new Float32Array(rows.length * inputDim);
  for (let r = 0; r < rows.length; r++) {
    const from = rows[r]! * inputDim;
    out.set(x.subarray(from, from + inputDim), r * inputDim);
  }
  return out;
}

/** Copies the labels `rows` of `y` into a new array. */
export function gatherLabels(y: ArrayLike<number>, rows: Int32Array): Int32Array {
  const out = new Int32Array(rows.length);
  for (let r = 0; r < rows.length; r++) out[r] = y[rows[r]!]!;
  return out;
}

/**
 * Allocation-free mini-batch iterator over the first `n` rows of (x, y).
 *
 * Each epoch visits the rows in a fresh seeded permutation (Fisher–Yates on one preallocated
 * Int32Array). Every batch is full — min(batchSize, n) rows: when fewer rows than that remain
 * in an epoch, the batch takes the epoch's remaining rows and then continues at the start of
 * the next epoch's permutation. No row is dropped and no row is seen twice in one epoch, so
 * the concatenation of all batches is a sequence of permutations of 0..n-1.
 */
export class Batcher {
  /** Rows in every batch: min(batchSize, n). */
  readonly batchRows: number;
  private readonly order: Int32Array;
  private cursor = 0;
  private completedEpochs = 0;

  constructor(
    private readonly x: Float32Array,
    private readonly y: Int32Array,
    private readonly n: number,
    private readonly inputDim: number,
    batchSize: number,
    private readonly rng: Rng,
  ) {
    if (!Number.isInteger(n) || n < 1)
      throw new RangeError(`n must be a positive integer, got ${n}`);
    if (!Number.isInteger(inputDim) || inputDim < 1) {
      throw new RangeError(`inputDim must be a positive integer, got ${inputDim}`);
    }
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
    }
    if (x.length < n * inputDim || y.length < n) {
      throw new RangeError(`x and y hold fewer than n=${n} rows of ${inputDim}`);
    }
    this.batchRows = Math.min(batchSize, n);
    this.order = new Int32Array(n);
    for (let i = 0; i < n; i++) this.order[i] = i;
    rng.shuffle(this.order);
  }

  /** Completed epochs: increases as soon as an epoch's last row has been handed out. */
  get epoch(): number {
    return this.completedEpochs;
  }

  /**
   * Copies the next batch into xOut (at least batchRows*inputDim floats) and yOut (at least
   * batchRows labels). Returns the number of rows written, always `batchRows`.
   */
  next(xOut: Float32Array, yOut: Int32Array): number {
    const rows = this.batchRows;
    const dim = this.inputDim;
    if (xOut.length < rows * dim || yOut.length < rows) {
      throw new RangeError(`output buffers are smaller than one batch of ${rows} rows`);
    }
    const { x, y, order } = this;
    for (let r = 0; r < rows; r++) {
      const row = order[this.cursor]!;
      yOut[r] = y[row]!;
      // A plain loop: `xOut.set(x.subarray(...))` would allocate a view per row.
      const from = row * dim;
      const to = r * dim;
      for (let k = 0; k < dim; k++) xOut[to + k] = x[from + k]!;
      this.cursor++;
      if (this.cursor === this.n) {
        this.cursor = 0;
        this.completedEpochs++;
        this.rng.shuffle(order);
      }
    }
    return rows;
  }
}
