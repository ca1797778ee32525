/**
 * Full-size architectures as plain data: one spec format (fields mirror the reference
 * constructors), validation with field paths, exact parameter and multiply-add counts and the
 * stage table. Pure functions, no DOM and no Node API: the page and the CLI share it.
 */
import { analyzeChecked, ArchError, type AnalyzeOptions } from './analyze.ts';
import type { ArchAnalysis, ArchSpec } from './types.ts';
import { validateArchSpec } from './validate.ts';

export type {
  ArchAnalysis,
  ArchFamily,
  ArchSpec,
  ArchStage,
  CifarResNetSpec,
  CifarShortcut,
  DenseNetSpec,
  HighwaySpec,
  ResNetBlock,
  ResNetSpec,
  StrideIn,
  Validation,
} from './types.ts';
export { ARCH_FAMILIES } from './types.ts';
export { formatCount, formatGMacs, formatMacs } from './format.ts';
export { ArchError, COUNT_CONVENTION, type AnalyzeOptions } from './analyze.ts';
export { ARCH_FIELDS, closestName, validateArchSpec, type ArchFieldRule } from './validate.ts';
export {
  archByName,
  BUILTIN_ARCH_INFO,
  BUILTIN_ARCH_NAMES,
  BUILTIN_ARCHS,
  type BuiltinArchInfo,
} from './builtins.ts';

/**
 * Parameters, multiply-adds (at 224×224 for `resnet`/`densenet`, 32×32 for `cifar-resnet`, the
 * input vector for `highway`; `options.imageSize` changes the image side) and the stage table of
 * a spec. The counting rules are in `COUNT_CONVENTION` (returned as `convention`): parameters
 * include BN γ/β but not running statistics; MACs count conv and FC layers only.
 *
 * Throws `ArchError` (message starting with the field path) if the spec is not valid; check
 * untrusted input with `validateArchSpec` first.
 */
export function analyzeArch(spec: ArchSpec, options: AnalyzeOptions = {}): ArchAnalysis {
  const checked = validateArchSpec(spec);
  if (!checked.ok) {
    const first = checked.errors[0] ?? 'spec: invalid';
    const cut = first.indexOf(': ');
    const error = new ArchError(first.slice(0, cut), first.slice(cut + 2));
    if (checked.errors.length > 1) error.message = checked.errors.join('; ');
    throw error;
  }
  return analyzeChecked(checked.value, options);
}
