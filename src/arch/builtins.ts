/**
 * Named architectures from the papers, written in the spec format. Their counts come from the
 * same walk as any other spec; tests/unit/arch.test.ts compares them with the published numbers
 * (shared/reference/literature.md).
 */
import {
  type ArchSpec,
  type CifarResNetSpec,
  type DenseNetSpec,
  freezeSpec,
  type HighwaySpec,
  type ResNetSpec,
  type StrideIn,
} from './types.ts';

export interface BuiltinArchInfo {
  /** one line: what it is and how it differs from its neighbours */
  readonly description: string;
  /** where it comes from: paper, table, reference implementation */
  readonly citation: string;
}

const HE_2015 = 'He et al. 2015, "Deep Residual Learning for Image Recognition", arXiv 1512.03385';
const TV_RESNET = 'torchvision models/resnet.py';

const resnet = (
  block: ResNetSpec['block'],
  layers: ResNetSpec['layers'],
  strideIn: StrideIn,
  groups = 1,
  widthPerGroup = 64,
): ResNetSpec => ({
  family: 'resnet',
  block,
  layers,
  groups,
  widthPerGroup,
  numClasses: 1000,
  strideIn,
});

const densenet = (blockConfig: readonly number[]): DenseNetSpec => ({
  family: 'densenet',
  growthRate: 32,
  blockConfig,
  numInitFeatures: 64,
  bnSize: 4,
  numClasses: 1000,
});

const cifar = (n: number): CifarResNetSpec => ({
  family: 'cifar-resnet',
  n,
  shortcut: 'A',
  numClasses: 10,
});

/** §3.1: highway layers of 50 units (the plain nets of that section use 71 units instead). */
const highway = (depth: number): HighwaySpec => ({
  family: 'highway',
  depth,
  width: 50,
  inputSize: 784,
  numClasses: 10,
  gateBias: -2,
});

const entries: [string, ArchSpec, BuiltinArchInfo][] = [];

const RESNETS: [number, ResNetSpec['block'], ResNetSpec['layers']][] = [
  [18, 'basic', [2, 2, 2, 2]],
  [34, 'basic', [3, 4, 6, 3]],
  [50, 'bottleneck', [3, 4, 6, 3]],
  [101, 'bottleneck', [3, 4, 23, 3]],
  [152, 'bottleneck', [3, 8, 36, 3]],
];
for (const [depth, block, layers] of RESNETS) {
  const same =
    block === 'basic' ? ' (basic blocks have no 1×1 conv: both placements are the same net)' : '';
  entries.push([
    `resnet${depth}`,
    resnet(block, layers, '3x3'),
    {
      description: `ResNet-${depth}, torchvision's layout ("V1.5"): a downsampling block has its stride 2 in the 3×3 conv${same}`,
      citation: `${HE_2015}, Table 1; ${TV_RESNET} resnet${depth}()`,
    },
  ]);
  entries.push([
    `resnet${depth}-v1`,
    resnet(block, layers, '1x1'),
    {
      description: `ResNet-${depth} as in the paper's released Caffe models ("V1"): stride 2 in the first 1×1 conv of a downsampling block${same}`,
      citation: `${HE_2015}, Table 1; KaimingHe/deep-residual-networks prototxt`,
    },
  ]);
}
entries.push([
  'resnext50_32x4d',
  resnet('bottleneck', [3, 4, 6, 3], '3x3', 32, 4),
  {
    description:
      'ResNeXt-50 (32×4d): the ResNet-50 layout with a grouped 3×3 conv of 32 groups of 4 channels per 64 planes (width 128 … 1024)',
    citation:
      'Xie et al. 2017, "Aggregated Residual Transformations", arXiv 1611.05431, Table 1; torchvision resnext50_32x4d()',
  },
]);
const DENSENETS: [number, number[]][] = [
  [121, [6, 12, 24, 16]],
  [169, [6, 12, 32, 32]],
  [201, [6, 12, 48, 32]],
];
for (const [depth, config] of DENSENETS) {
  entries.push([
    `densenet${depth}`,
    densenet(config),
    {
      description: `DenseNet-BC-${depth}: k = 32, dense blocks ${config.join('-')}, bottleneck 1×1 convs of 4k channels, transitions halving the channels`,
      citation: `Huang et al. 2017, "Densely Connected Convolutional Networks", arXiv 1608.06993, Table 1; torchvision densenet${depth}()`,
    },
  ]);
}
for (const n of [3, 5, 7, 9, 18, 200]) {
  entries.push([
    `cifar-resnet${6 * n + 2}`,
    cifar(n),
    {
      description: `ResNet-${6 * n + 2} for CIFAR-10: n = ${n} basic blocks per stage on 32×32, 16×16 and 8×8 maps with 16/32/64 filters, option-A (zero-padding) shortcuts`,
      citation: `${HE_2015}, §4.2 and Table 6; akamaster/pytorch_resnet_cifar10 resnet.py resnet${6 * n + 2}()`,
    },
  ]);
}
for (const depth of [10, 20, 50, 100]) {
  entries.push([
    `highway-${depth}`,
    highway(depth),
    {
      description: `Fully connected highway net for MNIST, ${depth} layers: one plain layer 784→50, then ${depth - 1} highway layers of 50 units (H and T each 50→50 with bias, about 5,100 parameters per layer), softmax classifier`,
      citation:
        'Srivastava, Greff & Schmidhuber 2015, "Training Very Deep Networks" (Highway Networks), arXiv 1505.00387, §3.1',
    },
  ]);
}

/** The named architectures. `resnetNN` is torchvision's layout; `resnetNN-v1` the original paper's. */
export const BUILTIN_ARCHS: Readonly<Record<string, ArchSpec>> = Object.freeze(
  Object.fromEntries(entries.map(([name, spec]) => [name, freezeSpec(spec)])),
);

/** A description and a citation for every entry of `BUILTIN_ARCHS`. */
export const BUILTIN_ARCH_INFO: Readonly<Record<string, BuiltinArchInfo>> = Object.freeze(
  Object.fromEntries(entries.map(([name, , info]) => [name, Object.freeze(info)])),
);

export const BUILTIN_ARCH_NAMES: readonly string[] = Object.freeze(entries.map(([name]) => name));

const squash = (name: string) => name.toLowerCase().replace(/[-_\s.]/g, '');

/**
 * A builtin by name: exact first, then ignoring case, `-`, `_`, spaces and dots (so "ResNet-50"
 * and "resnext50-32x4d" work). Undefined when there is none; `BUILTIN_ARCH_NAMES` lists them.
 */
export function archByName(name: string): ArchSpec | undefined {
  if (Object.hasOwn(BUILTIN_ARCHS, name)) return BUILTIN_ARCHS[name];
  const key = squash(name);
  const found = BUILTIN_ARCH_NAMES.find((n) => squash(n) === key);
  return found === undefined ? undefined : BUILTIN_ARCHS[found];
}
