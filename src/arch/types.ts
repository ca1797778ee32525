/**
 * The one spec format for full-size architectures. Field names mirror the constructor arguments
 * of the reference implementations, so a spec can be checked against them line by line:
 *
 * - `resnet`: torchvision `ResNet(block, layers, num_classes, groups, width_per_group)`
 *   (torchvision/models/resnet.py); ResNeXt is this family with `groups` > 1.
 * - `densenet`: torchvision `DenseNet(growth_rate, block_config, num_init_features, bn_size,
 *   num_classes)` (torchvision/models/densenet.py).
 * - `cifar-resnet`: akamaster/pytorch_resnet_cifar10 `resnet.py` (He et al. 2015 §4.2), depth 6n+2.
 * - `highway`: the fully connected highway stack of Srivastava et al. 2015 §3.1.
 *
 * Plain data only (JSON round-trips it), so the page, the worker and the CLI share it.
 */

/** ResNet residual block: two 3×3 convs (ResNet-18/34) or 1×1-3×3-1×1 (ResNet-50 and up). */
export type ResNetBlock = 'basic' | 'bottleneck';

/**
 * Where a downsampling bottleneck puts its stride 2: `"1x1"` in the first 1×1 conv (the original
 * paper's Caffe models, "V1"), `"3x3"` in the 3×3 conv (torchvision, "V1.5"). It changes the
 * multiply-adds, never the parameters. Basic blocks have no 1×1 conv, so it has no effect there.
 */
export type StrideIn = '1x1' | '3x3';

/** CIFAR shortcut where the dimensions change: A zero-pads (no parameters), B projects (1×1 conv + BN). */
export type CifarShortcut = 'A' | 'B';

export interface ResNetSpec {
  readonly family: 'resnet';
  readonly block: ResNetBlock;
  /** blocks per stage (conv2_x … conv5_x); torchvision's `layers` */
  readonly layers: readonly [number, number, number, number];
  /** cardinality of the 3×3 conv of a bottleneck (ResNeXt); torchvision's `groups` */
  readonly groups: number;
  /** torchvision's `width_per_group`: bottleneck width = ⌊planes·widthPerGroup/64⌋·groups */
  readonly widthPerGroup: number;
  readonly numClasses: number;
  readonly strideIn: StrideIn;
}

export interface DenseNetSpec {
  readonly family: 'densenet';
  /** k: channels each dense layer adds */
  readonly growthRate: number;
  /** dense layers per dense block */
  readonly blockConfig: readonly number[];
  /** channels of the 7×7 stem conv */
  readonly numInitFeatures: number;
  /** the 1×1 bottleneck conv outputs bnSize·k channels */
  readonly bnSize: number;
  readonly numClasses: number;
}

export interface CifarResNetSpec {
  readonly family: 'cifar-resnet';
  /** basic blocks per stage; depth = 6n + 2 */
  readonly n: number;
  readonly shortcut: CifarShortcut;
  readonly numClasses: number;
}

export interface HighwaySpec {
  readonly family: 'highway';
  /** layers counted as in §3.1: one plain layer plus depth − 1 highway layers (classifier not counted) */
  readonly depth: number;
  /** units of the plain layer and of every highway layer */
  readonly width: number;
  /** length of the input vector (MNIST: 784) */
  readonly inputSize: number;
  readonly numClasses: number;
  /** initial transform-gate bias b_T (an initial value: it changes no count) */
  readonly gateBias: number;
}

export type ArchSpec = ResNetSpec | DenseNetSpec | CifarResNetSpec | HighwaySpec;
export type ArchFamily = ArchSpec['family'];
export const ARCH_FAMILIES: readonly ArchFamily[] = [
  'resnet',
  'densenet',
  'cifar-resnet',
  'highway',
];

/** One row of the stage table (one torchvision module, or one run of identical blocks). */
export interface ArchStage {
  /** the reference implementation's module name: conv1, layer1, denseblock2, highway, fc … */
  readonly name: string;
  /** the paper's row name where it has one: conv2_x, Dense Block (1), Transition Layer (1) … */
  readonly label: string;
  /** output shape: [channels, height, width] for images, [features] for vectors */
  readonly outputShape: readonly number[];
  /** the paper's "output size" column: "56×56" for maps, "1000" for vectors */
  readonly outputSize: string;
  /** the block config as the papers write it, e.g. "[1×1, 64; 3×3, 64; 1×1, 256] × 3" */
  readonly block: string;
  /** how many times the block repeats in this stage */
  readonly repeats: number;
  /** strides, shortcuts and other notes needed to rebuild the stage */
  readonly detail: string;
  /** learnable parameters of the stage */
  readonly params: number;
  /** multiply-adds of the stage (conv and fully connected layers only) */
  readonly macs: number;
}

export interface ArchAnalysis {
  /** exact learnable parameters: weights, biases where the layer has one, BN γ and β */
  readonly params: number;
  /** multiply-adds at `inputShape`; see `convention` */
  readonly macs: number;
  /** [3, 224, 224] for ImageNet families, [3, 32, 32] for CIFAR, [inputSize] for highway */
  readonly inputShape: readonly number[];
  /** the same as text: "3×224×224", "784" */
  readonly inputSize: string;
  readonly stages: readonly ArchStage[];
  /** what is counted, in words */
  readonly convention: string;
}

export type Validation<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/** A frozen copy, so a shared spec (e.g. a builtin) cannot be changed by one of its users. */
export function freezeSpec<T extends ArchSpec>(spec: T): T {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(spec))
    copy[key] = Array.isArray(value) ? Object.freeze([...value]) : value;
  return Object.freeze(copy) as unknown as T;
}
