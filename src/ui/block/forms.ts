/**
 * The block forms Residual Block Architecture switches between, and what the page's address
 * needs to know of them without loading the engine (the address is read on the first screen):
 * how many blocks the section's 20-layer network has in each form. A unit test checks the count
 * against the engine's own depth rule (blocksForDepth).
 */

/** The block forms the section draws (DenseNet's block is a concatenation, drawn in Variants). */
export const BLOCK_FORMS = ['resnet', 'preact', 'bottleneck', 'resnext', 'highway'] as const;
export type BlockForm = (typeof BLOCK_FORMS)[number];

/** The forms' names on the page. */
export const FORM_NAMES: Record<BlockForm, string> = {
  resnet: 'Basic (post-activation)',
  preact: 'Pre-activation',
  bottleneck: 'Bottleneck',
  resnext: 'ResNeXt (grouped)',
  highway: 'Highway (gated)',
};

/** Weight layers of the section's network. */
export const BLOCK_NET_DEPTH = 20;

/** weight layers per block, as the engine counts them (a highway layer is one) */
const LAYERS_PER_BLOCK: Record<BlockForm, number> = {
  resnet: 2,
  preact: 2,
  bottleneck: 3,
  resnext: 3,
  highway: 1,
};

/** Blocks of the section's network in a form: (depth − stem − head) / layers per block. */
export function blockCount(form: BlockForm): number {
  return (BLOCK_NET_DEPTH - 2) / LAYERS_PER_BLOCK[form];
}

/** What the section shows: the form, its plain twin or not, the block (1-based), the node. */
export interface BlockView {
  form: BlockForm;
  shortcut: boolean;
  block: number;
  /** the node's name inside its block (`in`, `out`, `2.bn`, `add`, …), or null: none chosen */
  node: string | null;
}

export const DEFAULT_BLOCK_VIEW: Readonly<BlockView> = Object.freeze({
  form: 'resnet',
  shortcut: true,
  block: 2,
  node: null,
});

/** `block3.2.bn` → `2.bn`, `block3.add` → `add` (`in` and `out` stay): a node's name in any block. */
export function nodeKey(id: string, blockName: string): string {
  return id.startsWith(`${blockName}.`) ? id.slice(blockName.length + 1) : id;
}

/** The graph's node id of a key in a block (the inverse of nodeKey). */
export function nodeId(key: string, blockName: string): string {
  return key === 'in' || key === 'out' ? key : `${blockName}.${key}`;
}
