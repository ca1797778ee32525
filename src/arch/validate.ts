/**
 * Validation of an architecture spec at the edge (URL, form, CLI flag, JSON file). Every
 * problem gives one message that starts with the field's path (`layers[2]: …`), all problems
 * are reported at once, and fields the reference constructor gives a default take it. The
 * values are checked by valibot schemas made from the rules table (which also writes --help and
 * the page's field hints); the unknown-field and family checks add their "did you mean".
 */
import { analyzeChecked, ArchError } from './analyze.ts';
import {
  ARCH_FAMILIES,
  type ArchFamily,
  type ArchSpec,
  freezeSpec,
  type Validation,
} from './types.ts';
import * as v from 'valibot';
import { editDistance } from '../common/editDistance.ts';

interface RuleBase {
  /** one line for --help and the page's tooltips */
  readonly help: string;
}
interface IntRule extends RuleBase {
  readonly kind: 'int';
  readonly min: number;
  readonly max: number;
  readonly default?: number;
}
interface NumberRule extends RuleBase {
  readonly kind: 'number';
  readonly min: number;
  readonly max: number;
  readonly default?: number;
}
interface EnumRule extends RuleBase {
  readonly kind: 'enum';
  readonly values: readonly string[];
  readonly default?: string;
}
interface IntListRule extends RuleBase {
  readonly kind: 'ints';
  readonly minLength: number;
  readonly maxLength: number;
  readonly min: number;
  readonly max: number;
  readonly default?: readonly number[];
}
/** A field of a family; a rule without `default` is required. */
export type ArchFieldRule = IntRule | NumberRule | EnumRule | IntListRule;

const numClasses = (fallback: number): IntRule => ({
  kind: 'int',
  min: 1,
  max: 1_000_000,
  default: fallback,
  help: 'outputs of the final fully connected layer',
});

/**
 * The fields of each family with their ranges and defaults. Defaults are those of the reference
 * constructor (torchvision's `ResNet`/`DenseNet`, akamaster's `ResNet`); the ranges only keep
 * the counts exact (below 2^53) and the messages early.
 */
export const ARCH_FIELDS: Readonly<Record<ArchFamily, Readonly<Record<string, ArchFieldRule>>>> = {
  resnet: {
    block: {
      kind: 'enum',
      values: ['basic', 'bottleneck'],
      help: 'basic (two 3×3 convs, ResNet-18/34) or bottleneck (1×1-3×3-1×1, ResNet-50 and up)',
    },
    layers: {
      kind: 'ints',
      minLength: 4,
      maxLength: 4,
      min: 1,
      max: 10_000,
      help: 'blocks in each of the four stages, e.g. [3, 4, 6, 3]',
    },
    groups: {
      kind: 'int',
      min: 1,
      max: 4096,
      default: 1,
      help: 'cardinality of the bottleneck 3×3 conv (ResNeXt); 1 for ResNet',
    },
    widthPerGroup: {
      kind: 'int',
      min: 1,
      max: 4096,
      default: 64,
      help: 'bottleneck width = ⌊planes·widthPerGroup/64⌋·groups (torchvision width_per_group)',
    },
    numClasses: numClasses(1000),
    strideIn: {
      kind: 'enum',
      values: ['3x3', '1x1'],
      default: '3x3',
      help: 'stride 2 of a downsampling bottleneck in its 3×3 conv (torchvision, V1.5) or first 1×1 conv (original paper, V1)',
    },
  },
  densenet: {
    growthRate: {
      kind: 'int',
      min: 1,
      max: 4096,
      default: 32,
      help: 'k: channels each dense layer adds',
    },
    blockConfig: {
      kind: 'ints',
      minLength: 1,
      maxLength: 64,
      min: 1,
      max: 10_000,
      default: [6, 12, 24, 16],
      help: 'dense layers in each dense block, e.g. [6, 12, 24, 16]',
    },
    numInitFeatures: {
      kind: 'int',
      min: 1,
      max: 65_536,
      default: 64,
      help: 'channels of the 7×7 stem conv',
    },
    bnSize: {
      kind: 'int',
      min: 1,
      max: 1024,
      default: 4,
      help: 'the 1×1 conv of a dense layer outputs bnSize·k channels',
    },
    numClasses: numClasses(1000),
  },
  'cifar-resnet': {
    n: {
      kind: 'int',
      min: 1,
      max: 100_000,
      help: 'basic blocks per stage; depth 6n+2 (n = 3, 5, 7, 9, 18, 200 for depth 20 … 1202)',
    },
    shortcut: {
      kind: 'enum',
      values: ['A', 'B'],
      default: 'A',
      help: 'where the dimensions change: A zero-pads (no parameters), B projects (1×1 conv + BN)',
    },
    numClasses: numClasses(10),
  },
  highway: {
    depth: {
      kind: 'int',
      min: 1,
      max: 1_000_000,
      help: 'one plain layer plus depth−1 highway layers (10, 20, 50, 100 in §3.1)',
    },
    width: {
      kind: 'int',
      min: 1,
      max: 1_000_000,
      help: 'units per layer (50 for the highway nets of §3.1)',
    },
    inputSize: {
      kind: 'int',
      min: 1,
      max: 100_000_000,
      default: 784,
      help: 'length of the input vector (MNIST: 784)',
    },
    numClasses: numClasses(10),
    gateBias: {
      kind: 'number',
      min: -100,
      max: 100,
      default: -2,
      help: 'initial transform-gate bias b_T; negative favours carrying the input',
    },
  },
};

/** How a value reads in a message: strings quoted, long values cut. */
function show(raw: unknown): string {
  if (raw === undefined) return 'nothing';
  if (typeof raw === 'number') return String(raw);
  let text: string;
  try {
    text = JSON.stringify(raw) ?? String(raw);
  } catch {
    text = String(raw);
  }
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

const squash = (word: string) => word.toLowerCase().replace(/[-_\s]/g, '');

/**
 * The candidate a misspelt name most likely meant: same letters ignoring case and `_`/`-`
 * (torchvision's snake_case names), edit distance ≤ 2 (≤ a third of the word), or a shared start
 * of 3+ letters.
 */
export function closestName(word: string, candidates: readonly string[]): string | undefined {
  const w = squash(word);
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const k = squash(c);
    let score = editDistance(w, k);
    // short words are a distance 1 or 2 from too much: "C" is not a typo of "A"
    if (score > Math.min(2, Math.floor(w.length / 3))) {
      let common = 0;
      while (common < w.length && common < k.length && w[common] === k[common]) common++;
      score = common >= 3 ? 3 + (k.length - common) / 100 : Infinity;
    }
    if (score < bestScore) {
      bestScore = score;
      best = c;
    }
  }
  return best;
}

/*
 * Each rule becomes a valibot schema whose messages say what was expected and what came, as the
 * page's tooltips and --help describe the field (the rules table stays the one source of both).
 */
type Schema = v.GenericSchema<unknown, unknown>;

function intSchema(min: number, max: number): Schema {
  const expected = min === 1 ? 'a positive integer' : `an integer from ${min} to ${max}`;
  const wrong = (issue: v.BaseIssue<unknown>) => `expected ${expected}, got ${show(issue.input)}`;
  return v.pipe(
    v.number(wrong),
    v.integer(wrong),
    v.minValue(min, wrong),
    v.maxValue(max, (issue) => `must be at most ${max}, got ${show(issue.input)}`),
  );
}

function ruleSchema(rule: ArchFieldRule): Schema {
  switch (rule.kind) {
    case 'enum':
      return v.picklist(rule.values, (issue) => {
        const raw = issue.input;
        const hint = typeof raw === 'string' ? closestName(raw, rule.values) : undefined;
        return (
          `expected one of ${rule.values.map((x) => JSON.stringify(x)).join(', ')}, got ${show(raw)}` +
          (hint ? ` (did you mean "${hint}"?)` : '')
        );
      });
    case 'int':
      return intSchema(rule.min, rule.max);
    case 'number': {
      const range = (issue: v.BaseIssue<unknown>) =>
        `expected a number from ${rule.min} to ${rule.max}, got ${show(issue.input)}`;
      return v.pipe(
        v.number((issue) => `expected a finite number, got ${show(issue.input)}`),
        v.finite((issue) => `expected a finite number, got ${show(issue.input)}`),
        v.minValue(rule.min, range),
        v.maxValue(rule.max, range),
      );
    }
    case 'ints': {
      const count =
        rule.minLength === rule.maxLength
          ? `${rule.minLength}`
          : `${rule.minLength} to ${rule.maxLength}`;
      const length = (issue: v.BaseIssue<unknown>) =>
        `expected ${count} entries, got ${(issue.input as unknown[]).length}`;
      // the length first, alone: entries of a list of the wrong length are not worth listing
      const shape = v.pipe(
        v.array(
          v.unknown(),
          (issue) => `expected an array of ${count} positive integers, got ${show(issue.input)}`,
        ),
        v.minLength(rule.minLength, length),
        v.maxLength(rule.maxLength, length),
      );
      const items = v.array(intSchema(rule.min, rule.max));
      return v.pipe(
        v.unknown(),
        v.rawCheck(({ dataset, addIssue }) => {
          const first = v.safeParse(shape, dataset.value);
          const result = first.success ? v.safeParse(items, dataset.value) : first;
          if (!result.success)
            for (const issue of result.issues)
              addIssue({ message: issue.message, path: issue.path });
        }),
      );
    }
  }
}

const SCHEMAS = new Map<ArchFieldRule, Schema>();
const schemaOf = (rule: ArchFieldRule): Schema => {
  let schema = SCHEMAS.get(rule);
  if (!schema) SCHEMAS.set(rule, (schema = ruleSchema(rule)));
  return schema;
};

/** The field's value, or undefined with its problems added as `path: message` lines. */
function checkRule(path: string, rule: ArchFieldRule, raw: unknown, errors: string[]): unknown {
  const result = v.safeParse(schemaOf(rule), raw);
  if (result.success) return Array.isArray(result.output) ? [...result.output] : result.output;
  for (const issue of result.issues) {
    const at = (issue.path ?? []).map((item) => `[${String(item.key)}]`).join('');
    errors.push(`${path}${at}: ${issue.message}`);
  }
  return undefined;
}

/**
 * Checks an untrusted value (parsed JSON, URL state, CLI flags) and returns a complete spec with
 * defaults filled in, or every problem found, each message starting with the field's path:
 * unknown fields (with a "did you mean"), wrong types, values out of range, combinations the
 * reference implementation rejects (basic blocks with groups ≠ 1), and specs whose maps shrink
 * to nothing or whose counts would not be exact.
 */
export function validateArchSpec(input: unknown): Validation<ArchSpec> {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return { ok: false, errors: [`spec: expected an object, got ${show(input)}`] };
  const record = input as Record<string, unknown>;
  const family = record.family;
  if (typeof family !== 'string' || !(ARCH_FAMILIES as readonly string[]).includes(family)) {
    const hint = typeof family === 'string' ? closestName(family, ARCH_FAMILIES) : undefined;
    return {
      ok: false,
      errors: [
        `family: expected one of ${ARCH_FAMILIES.map((f) => JSON.stringify(f)).join(', ')}, got ${show(family)}` +
          (hint ? ` (did you mean "${hint}"?)` : ''),
      ],
    };
  }
  const rules = ARCH_FIELDS[family as ArchFamily];
  const names = Object.keys(rules);
  const errors: string[] = [];
  const out: Record<string, unknown> = { family };
  for (const key of Object.keys(record)) {
    if (key === 'family' || key in rules) continue;
    const hint = closestName(key, names);
    errors.push(
      `${key}: unknown field "${key}" for family "${family}"` +
        (hint ? ` (did you mean "${hint}"?)` : '') +
        `; its fields are family, ${names.join(', ')}`,
    );
  }
  for (const [key, rule] of Object.entries(rules)) {
    const raw = record[key];
    if (raw === undefined) {
      if (rule.default === undefined) errors.push(`${key}: required for family "${family}"`);
      else out[key] = Array.isArray(rule.default) ? [...rule.default] : rule.default;
      continue;
    }
    const value = checkRule(key, rule, raw, errors);
    if (value !== undefined) out[key] = value;
  }
  if (errors.length) return { ok: false, errors };

  const spec = out as unknown as ArchSpec;
  if (spec.family === 'resnet' && spec.block === 'basic') {
    // torchvision's BasicBlock raises "BasicBlock only supports groups=1 and base_width=64".
    if (spec.groups !== 1)
      errors.push(
        `groups: basic blocks support only groups 1 (as torchvision's BasicBlock), got ${spec.groups}`,
      );
    if (spec.widthPerGroup !== 64)
      errors.push(
        `widthPerGroup: basic blocks support only widthPerGroup 64 (as torchvision's BasicBlock), got ${spec.widthPerGroup}`,
      );
  }
  // ResNet groups need no divisibility check: the width is ⌊planes·widthPerGroup/64⌋·groups with
  // planes a multiple of 64, so it is always widthPerGroup·(planes/64)·groups, a multiple of groups.
  if (errors.length) return { ok: false, errors };
  try {
    analyzeChecked(spec);
  } catch (e) {
    if (e instanceof ArchError) return { ok: false, errors: [e.message] };
    throw e;
  }
  return { ok: true, value: freezeSpec(spec) };
}
