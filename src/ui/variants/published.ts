/**
 * Published results of the builtin networks, copied digit for digit from
 * shared/reference/literature.md (§1 He et al. 2015, §3 Xie et al. 2017, §4 Huang et al. 2017).
 * The error stays a string so it prints exactly as the paper does ("22.2", not "22.20").
 * Networks the literature file gives no error for (the highway MLPs of §3.1) have no entry.
 */
import { REFERENCES, type ReferenceId } from '../content/references.ts';

export interface PublishedResult {
  /** error in percent, as printed in the source */
  readonly error: string;
  /** what was measured: "ImageNet top-1, 10-crop" */
  readonly metric: string;
  readonly cite: ReferenceId;
  /** where in the work: "Table 3" */
  readonly at: string;
  /** "He et al. 2015, Table 3" */
  readonly source: string;
  /** how the measured net differs from the counted one, if it does */
  readonly note?: string;
  /** the top-5 error beside it, where the same table gives one */
  readonly top5?: string;
}

function result(
  error: string,
  metric: string,
  cite: ReferenceId,
  at: string,
  extra: { note?: string; top5?: string } = {},
): PublishedResult {
  return { error, metric, cite, at, source: `${REFERENCES[cite].short}, ${at}`, ...extra };
}

const TOP1_10 = 'ImageNet top-1, 10-crop';
const SINGLE = 'ImageNet top-1, single-crop';
const C10 = 'CIFAR-10 test';

export const PUBLISHED: Readonly<Record<string, PublishedResult>> = {
  resnet18: result('27.88', TOP1_10, 'he2015', 'Table 2', {
    note: 'option-A shortcuts (no parameters); torchvision’s net, counted here, uses option B',
  }),
  resnet34: result('24.52', TOP1_10, 'he2015', 'Table 3', {
    note: 'ResNet-34 B: projection shortcuts where the dimensions change',
    top5: '7.46',
  }),
  resnet50: result('22.85', TOP1_10, 'he2015', 'Table 3', { top5: '6.71' }),
  resnet101: result('21.75', TOP1_10, 'he2015', 'Table 3', { top5: '6.05' }),
  resnet152: result('21.43', TOP1_10, 'he2015', 'Table 3', { top5: '5.71' }),
  resnext50_32x4d: result('22.2', 'ImageNet top-1, 224 crop', 'xie2017', '§5.1', {
    note: 'ResNet-50 measured the same way: 23.9',
  }),
  densenet121: result('25.02', SINGLE, 'huang2017', 'Table 3', { top5: '7.71' }),
  densenet169: result('23.80', SINGLE, 'huang2017', 'Table 3', { top5: '6.85' }),
  densenet201: result('22.58', SINGLE, 'huang2017', 'Table 3', { top5: '6.34' }),
  'cifar-resnet20': result('8.75', C10, 'he2015', 'Table 6'),
  'cifar-resnet32': result('7.51', C10, 'he2015', 'Table 6'),
  'cifar-resnet44': result('7.17', C10, 'he2015', 'Table 6'),
  'cifar-resnet56': result('6.97', C10, 'he2015', 'Table 6'),
  'cifar-resnet110': result('6.43', C10, 'he2015', 'Table 6', {
    note: 'best of 5 runs; mean 6.61 ± 0.16',
  }),
  'cifar-resnet1202': result('7.93', C10, 'he2015', 'Table 6', {
    note: 'the paper blames overfitting',
  }),
};
