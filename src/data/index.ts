export type { Dataset, DatasetName, SyntheticName, SyntheticOptions } from './types.ts';
export { DATASET_NAMES, SYNTHETIC_NAMES } from './types.ts';
export { BASE_EXTENT, makeSynthetic, syntheticNumClasses } from './synthetic.ts';
export type { DigitsAsset, DigitsOptions } from './digits.ts';
export {
  DIGITS_ASSET_PATHS,
  DIGITS_HEADER_BYTES,
  DIGITS_MAGIC,
  DIGITS_NUM_CLASSES,
  DIGITS_VERSION,
  makeDigits,
  parseDigitsAsset,
} from './digits.ts';
export type { SplitIndices } from './batcher.ts';
export { Batcher, gatherLabels, gatherRows, shuffledSplit } from './batcher.ts';
