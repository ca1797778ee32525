/**
 * The engine's choices a config names, and their rules: the block types and their depths (how
 * many weight layers a block has, which depths a block type can reach) and the kernel paths. A
 * module of their own so that what validates a config — the page's first screen reads links
 * with it — carries neither the model builder nor the kernels along.
 */

export type KernelPath = 'wasm' | 'ts';
export const KERNEL_PATHS: readonly KernelPath[] = ['wasm', 'ts'];

export type Arch =
  'plain' | 'resnet' | 'preact' | 'bottleneck' | 'highway' | 'densenet' | 'resnext';
export const ARCHS: readonly Arch[] = [
  'plain',
  'resnet',
  'preact',
  'bottleneck',
  'highway',
  'densenet',
  'resnext',
];

/** Weight layers per block: the unit of depth. */
export function layersPerBlock(arch: Arch): number {
  switch (arch) {
    case 'plain':
    case 'resnet':
    case 'preact':
      return 2;
    case 'bottleneck':
    case 'resnext':
    case 'densenet': // two densely connected layers + the compressing transition
      return 3;
    case 'highway': // one highway layer: H with its gate T, counted as one layer as in the paper
      return 1;
  }
}

/** Blocks for a depth, or null if the depth cannot be built from whole blocks. */
export function blocksForDepth(arch: Arch, depth: number): number | null {
  const per = layersPerBlock(arch);
  const blocks = (depth - 2) / per;
  return Number.isInteger(blocks) && blocks >= 1 ? blocks : null;
}

/** null if the depth is valid, otherwise a message naming the nearest valid depths. */
export function depthError(arch: Arch, depth: number): string | null {
  if (blocksForDepth(arch, depth) !== null) return null;
  const per = layersPerBlock(arch);
  const lower = depth - 2 - ((((depth - 2) % per) + per) % per) + 2;
  const above = [lower, lower + per].filter((d) => d >= 2 + per);
  // Below the smallest net (e.g. depth 1 for two-layer blocks) both neighbours are too small;
  // name the smallest valid depth rather than an empty list.
  const candidates = above.length > 0 ? above : [2 + per];
  const rule = per === 1 ? '2 + blocks' : `2 + ${per}·blocks`;
  return `${depth} is not a valid depth for ${arch} blocks (depth = ${rule}: stem + ${per} weight layer${per > 1 ? 's' : ''} per block + head); nearest valid: ${candidates.join(' or ')}`;
}

/** The two families of live network: stacks of dense layers, or He et al.'s CIFAR convnets. */
export type ModelFamily = 'mlp' | 'conv';
export const MODEL_FAMILIES: readonly ModelFamily[] = ['mlp', 'conv'];

/** The block types a convolutional network is built from (basic blocks, with or without skip). */
export const CONV_ARCHS: readonly Arch[] = ['plain', 'resnet'];

/**
 * How a shortcut crosses a change of shape (a stage's first block halves the maps and doubles
 * the channels): A subsamples and pads the new channels with zeros (no parameters, the paper's
 * CIFAR nets), B projects with a strided 1×1 convolution and batch norm.
 */
export type ShortcutOption = 'A' | 'B';
export const SHORTCUT_OPTIONS: readonly ShortcutOption[] = ['A', 'B'];

/**
 * Blocks per stage of a CIFAR-style convnet (three stages of n basic blocks): depth = 6n + 2, or
 * null if the depth is not of that form.
 */
export function convBlocksPerStage(depth: number): number | null {
  const n = (depth - 2) / 6;
  return Number.isInteger(n) && n >= 1 ? n : null;
}

/** null if the depth is valid for a convnet, otherwise a message naming the nearest valid ones. */
export function convDepthError(depth: number): string | null {
  if (convBlocksPerStage(depth) !== null) return null;
  const lower = Math.max(1, Math.floor((depth - 2) / 6));
  const candidates = [...new Set([6 * lower + 2, 6 * (lower + 1) + 2])].filter((d) => d !== depth);
  return `${depth} is not a valid depth for a convolutional network (depth = 6n + 2: a stem, three stages of n blocks of 2 layers, a head); nearest valid: ${candidates.join(' or ')}`;
}
