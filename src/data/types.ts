export type DatasetName = 'spiral' | 'circles' | 'xor' | 'moons' | 'blobs' | 'digits';

export type SyntheticName = Exclude<DatasetName, 'digits'>;

export const DATASET_NAMES: readonly DatasetName[] = [
  'spiral',
  'circles',
  'xor',
  'moons',
  'blobs',
  'digits',
];

export const SYNTHETIC_NAMES: readonly SyntheticName[] = [
  'spiral',
  'circles',
  'xor',
  'moons',
  'blobs',
];

export interface Dataset {
  name: DatasetName;
  /** 2 for the 2-D sets, 196 or 784 for digits */
  inputDim: number;
  /** 2 for spiral/circles/xor/moons, 3 for blobs, 10 for digits */
  numClasses: number;
  /** row-major, nTrain*inputDim */
  trainX: Float32Array;
  /** class indices in [0, numClasses) */
  trainY: Int32Array;
  testX: Float32Array;
  testY: Int32Array;
  nTrain: number;
  nTest: number;
  /**
   * For 2-D sets: the square [-extent, extent]² that contains every train and test point, for
   * decision-boundary plots. 1.2 unless the noise pushes points further out; then it is the
   * largest |coordinate| rounded up to the next 0.1.
   */
  extent?: number;
  /** For digits: image side (14 or 28). */
  imageSize?: number;
}

export interface SyntheticOptions {
  /** total number of points (train + test), at least one per class */
  samples: number;
  /** standard deviation of the Gaussian jitter, in plot units (the data spans about [-1, 1]) */
  noise: number;
  /** fraction of the points held out for testing, in [0, 1) */
  testFraction: number;
  /** any integer; the data are drawn from the seed's 'data' stream */
  seed: number;
}
