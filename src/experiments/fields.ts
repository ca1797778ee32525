/**
 * Field tables and the one validator that takes any of them. A field table describes the
 * settings of a job (training, a sweep, a study): kind, range, default, one-line help and CLI
 * flag. The same table generates the CLI's flags and --help, the page's form and URL keys, and
 * validates every input the same way.
 *
 * Errors are structured, `{ key, message }`: the message never repeats the key, so each place
 * that shows it spells the setting its own way — `--weight-decay` on the command line, the URL's
 * key in a notice, the form's label on the page — without cutting strings apart again.
 */
import { editDistance } from '../common/editDistance.ts';

interface FieldBase {
  /** one line for --help and the page's tooltips */
  help: string;
  /** CLI flag name (kebab-case); defaults to the key */
  flag?: string;
}
interface EnumField<T extends string> extends FieldBase {
  kind: 'enum';
  values: readonly T[];
  default: T;
}
interface IntField extends FieldBase {
  kind: 'int';
  min: number;
  max: number;
  default: number;
  /** allowed values, if the field is a small set (e.g. 14|28) */
  oneOf?: readonly number[];
}
interface NumField extends FieldBase {
  kind: 'number';
  min: number;
  max: number;
  /** whether min itself is allowed */
  minExclusive?: boolean;
  default: number;
}
interface BoolField extends FieldBase {
  kind: 'bool';
  default: boolean;
}
/** A list of integers (a sweep's depths): comma-separated on the command line. */
interface IntListField extends FieldBase {
  kind: 'ints';
  min: number;
  max: number;
  maxItems: number;
  default: readonly number[];
}
/** A list of choices (a sweep's block types). */
interface EnumListField<T extends string> extends FieldBase {
  kind: 'enums';
  values: readonly T[];
  default: readonly T[];
}
export type Field =
  EnumField<string> | IntField | NumField | BoolField | IntListField | EnumListField<string>;
export type FieldTable = Record<string, Field>;

/** A problem with one setting (`key`: its key in the table; null: the input as a whole). */
export interface FieldError {
  key: string | null;
  message: string;
}

export type Validation<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/**
 * "key: message", the form logs and tests read (the UI spells keys its own way); an error about
 * the input as a whole is named `whole` ("config").
 */
export function errorLine(error: FieldError, whole = 'config'): string {
  return `${error.key ?? whole}: ${error.message}`;
}

export function defaultsOf<T>(fields: FieldTable): T {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(fields)) out[key] = field.default;
  return out as T;
}

function checkField(field: Field, raw: unknown): { value?: unknown; error?: string } {
  switch (field.kind) {
    case 'ints':
    case 'enums': {
      if (!Array.isArray(raw) || raw.length === 0)
        return { error: `expected a non-empty list, got ${show(raw)}` };
      const max = field.kind === 'ints' ? field.maxItems : field.values.length;
      if (raw.length > max) return { error: `at most ${max} values, got ${raw.length}` };
      const item: Field =
        field.kind === 'ints'
          ? { kind: 'int', min: field.min, max: field.max, default: field.min, help: '' }
          : { kind: 'enum', values: field.values, default: field.values[0]!, help: '' };
      for (const x of raw) {
        const checked = checkField(item, x);
        if (checked.error) return checked;
      }
      if (new Set(raw).size !== raw.length) return { error: `a value is repeated: ${show(raw)}` };
      return { value: [...(raw as unknown[])] };
    }
    case 'enum':
      if (typeof raw === 'string' && field.values.includes(raw)) return { value: raw };
      return { error: `expected one of ${field.values.join(', ')}, got ${show(raw)}` };
    case 'bool':
      if (typeof raw === 'boolean') return { value: raw };
      return { error: `expected true or false, got ${show(raw)}` };
    case 'int': {
      if (typeof raw !== 'number' || !Number.isInteger(raw))
        return { error: `expected an integer, got ${show(raw)}` };
      if (field.oneOf && !field.oneOf.includes(raw))
        return { error: `expected one of ${field.oneOf.join(', ')}, got ${raw}` };
      if (raw < field.min || raw > field.max)
        return { error: `${raw} is out of range [${field.min}, ${field.max}]` };
      return { value: raw };
    }
    case 'number': {
      if (typeof raw !== 'number' || !Number.isFinite(raw))
        return { error: `expected a finite number, got ${show(raw)}` };
      const belowMin = field.minExclusive ? raw <= field.min : raw < field.min;
      if (belowMin || raw > field.max) {
        const lo = field.minExclusive ? `(${field.min}` : `[${field.min}`;
        return { error: `${raw} is out of range ${lo}, ${field.max}]` };
      }
      return { value: raw };
    }
  }
}

function show(raw: unknown): string {
  if (raw === undefined) return 'nothing';
  if (typeof raw === 'string') return JSON.stringify(raw);
  // JSON.stringify writes NaN and ±Infinity as "null", which named the wrong value
  if (typeof raw === 'number') return String(raw);
  try {
    return JSON.stringify(raw) ?? String(raw);
  } catch {
    return String(raw);
  }
}

/**
 * Validates a (partial) input against a field table: unknown keys, wrong types and out-of-range
 * values each give one error; missing keys take their defaults. `combinations` then checks the
 * settings that depend on each other; it gets `valid(...keys)`, true when none of those keys was
 * rejected, so a combination is checked whenever its own fields are valid.
 */
export function validateFields<T>(
  fields: FieldTable,
  input: unknown,
  combinations?: (value: T, valid: (...keys: string[]) => boolean) => FieldError[],
): Validation<T> {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return { ok: false, errors: [{ key: null, message: 'expected an object' }] };
  const errors: FieldError[] = [];
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(input)) {
    // Object.hasOwn, not `in`: `in` also finds Object.prototype's members (constructor,
    // toString, __proto__…), which were then accepted and silently ignored.
    if (!Object.hasOwn(fields, key))
      errors.push({ key, message: `unknown setting${suggest(key, Object.keys(fields))}` });
  }
  /** fields whose own value was rejected: combinations involving them are not checked */
  const rejected = new Set<string>();
  for (const [key, field] of Object.entries(fields)) {
    const raw = (input as Record<string, unknown>)[key];
    if (raw === undefined) {
      out[key] = field.default;
      continue;
    }
    const { value, error } = checkField(field, raw);
    if (error) {
      errors.push({ key, message: error });
      rejected.add(key);
    } else out[key] = value;
  }
  if (combinations)
    errors.push(...combinations(out as T, (...keys) => keys.every((k) => !rejected.has(k))));
  return errors.length ? { ok: false, errors } : { ok: true, value: out as T };
}

/** "did you mean" for a misspelt key: the known key with the smallest edit distance ≤ 2. */
export function suggest(word: string, candidates: readonly string[]): string {
  let best = '';
  let bestDistance = 3;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best ? ` (did you mean ${best}?)` : '';
}
