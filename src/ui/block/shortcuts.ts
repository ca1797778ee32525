/**
 * Where a full-size network changes width, the identity shortcut cannot be added as it is: He et
 * al.'s option A zero-pads the extra channels (no parameters), option B projects x with a 1×1
 * convolution and a batch norm. The cost of B, counted by src/arch for the CIFAR ResNets (whose
 * spec has both options): the same network counted twice, per stage and in total.
 */
import { analyzeArch, BUILTIN_ARCHS, type CifarResNetSpec } from '../../arch/index.ts';

export interface ShortcutStage {
  /** the stage's row name, e.g. "16×16 maps" */
  label: string;
  paramsA: number;
  paramsB: number;
  /** what src/arch says about that stage's shortcut under option B */
  detailB: string;
}

export interface ShortcutCost {
  name: string;
  depth: number;
  paramsA: number;
  paramsB: number;
  /** paramsB − paramsA: the projections' parameters */
  extra: number;
  /** the stages whose counts differ (those that change width) */
  stages: ShortcutStage[];
}

/** Option A against option B for a CIFAR ResNet builtin (`cifar-resnet20`, …). */
export function shortcutCost(name: string): ShortcutCost {
  const spec = BUILTIN_ARCHS[name];
  if (!spec || spec.family !== 'cifar-resnet') throw new Error(`${name}: not a CIFAR ResNet`);
  const a = analyzeArch({ ...spec, shortcut: 'A' } satisfies CifarResNetSpec);
  const b = analyzeArch({ ...spec, shortcut: 'B' } satisfies CifarResNetSpec);
  const stages: ShortcutStage[] = [];
  a.stages.forEach((stage, i) => {
    const other = b.stages[i]!;
    if (other.params !== stage.params)
      stages.push({
        label: stage.label,
        paramsA: stage.params,
        paramsB: other.params,
        detailB: other.detail,
      });
  });
  return {
    name,
    depth: 6 * spec.n + 2,
    paramsA: a.params,
    paramsB: b.params,
    extra: b.params - a.params,
    stages,
  };
}

/** The CIFAR ResNets the section compares. */
export const SHORTCUT_NETS = ['cifar-resnet20', 'cifar-resnet56', 'cifar-resnet110'] as const;
