/**
 * JSON text with positions: where each value (and each member's key) sits in the text, by the
 * field path validateArchSpec uses (`layers[2]`, `blockConfig`), and where a syntax error is,
 * as line and column — JSON.parse's own messages do not always say (V8's "Unexpected token"
 * gives none). A small scanner following RFC 8259; it never throws.
 */

export interface JsonSpan {
  /** the value's first character */
  readonly start: number;
  /** one past the value's last character */
  readonly end: number;
  /** for an object member, its key's opening quote */
  readonly keyStart?: number;
}

export interface JsonSyntaxError {
  readonly message: string;
  /** offset into the text */
  readonly offset: number;
  /** 1-based */
  readonly line: number;
  readonly column: number;
}

export type JsonScan =
  | { readonly ok: true; readonly value: unknown; readonly spans: ReadonlyMap<string, JsonSpan> }
  | { readonly ok: false; readonly error: JsonSyntaxError };

/** Beyond this nesting the scanner stops recording spans (and cannot overflow the stack). */
const MAX_DEPTH = 200;

const NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const WORD = /[A-Za-z_]\w*/y;

class Fail extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Line and column (1-based) of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(Math.max(0, offset), text.length);
  for (let i = 0; i < end; i++)
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  return { line, column: end - lineStart + 1 };
}

function describe(ch: string | undefined): string {
  if (ch === undefined) return 'the end of the text';
  if (ch === '\n') return 'a line break';
  if (ch === '\t') return 'a tab';
  return `'${ch}'`;
}

/**
 * Parses `text` as JSON. On success: the value (from JSON.parse, so it is exactly what the rest
 * of the page would get) and the spans by path — the root is `''`, a member `key` (nested:
 * `parent.key`), an array item `parent[i]`. On failure: the first error and where it is.
 */
export function scanJson(text: string): JsonScan {
  const spans = new Map<string, JsonSpan>();
  let i = 0;

  const ws = () => {
    while (i < text.length) {
      const c = text[i];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') i++;
      else break;
    }
  };
  const fail = (message: string, at = i): never => {
    throw new Fail(message, at);
  };

  const string = (): string => {
    const start = i;
    i++; // the opening quote
    let out = '';
    while (true) {
      if (i >= text.length) fail('unterminated string (no closing ")', start);
      const c = text[i]!;
      if (c === '"') {
        i++;
        return out;
      }
      if (c === '\\') {
        const e = text[i + 1];
        const simple: Record<string, string> = {
          '"': '"',
          '\\': '\\',
          '/': '/',
          b: '\b',
          f: '\f',
          n: '\n',
          r: '\r',
          t: '\t',
        };
        if (e !== undefined && e in simple) {
          out += simple[e];
          i += 2;
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else fail(`invalid escape ${describe(e === undefined ? e : `\\${e}`)} in a string`);
        continue;
      }
      if (c < ' ') fail(`${describe(c)} inside a string (write it as an escape)`);
      out += c;
      i++;
    }
  };

  const number = () => {
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m) fail(`expected a value, found ${describe(text[i])}`);
    i += m![0].length;
    if (/[\d.eE+-]/.test(text[i] ?? '')) fail(`malformed number`, i);
  };

  const value = (path: string, depth: number, keyStart?: number) => {
    ws();
    const start = i;
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') i++;
      else
        while (true) {
          ws();
          if (text[i] !== '"')
            fail(
              `expected a field name in double quotes, found ${describe(text[i])}` +
                (text[i] === '}' ? ' (a comma before } is not allowed in JSON)' : ''),
            );
          const at = i;
          const key = string();
          ws();
          if (text[i] !== ':')
            fail(`expected ':' after the field name "${key}", found ${describe(text[i])}`);
          i++;
          value(path ? `${path}.${key}` : key, depth + 1, at);
          ws();
          if (text[i] === ',') {
            i++;
            continue;
          }
          if (text[i] === '}') {
            i++;
            break;
          }
          fail(`expected ',' or '}' after a field's value, found ${describe(text[i])}`);
        }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') i++;
      else
        for (let index = 0; ; index++) {
          ws();
          if (text[i] === ']')
            fail(`expected a value, found ']' (a comma before ] is not allowed in JSON)`);
          value(`${path}[${index}]`, depth + 1);
          ws();
          if (text[i] === ',') {
            i++;
            continue;
          }
          if (text[i] === ']') {
            i++;
            break;
          }
          fail(`expected ',' or ']' after an array item, found ${describe(text[i])}`);
        }
    } else if (c === '"') string();
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) number();
    else {
      WORD.lastIndex = i;
      const word = WORD.exec(text)?.[0];
      if (word === 'true' || word === 'false' || word === 'null') i += word.length;
      else if (word) fail(`expected a value, found ${word} (strings need double quotes)`);
      else
        fail(
          c === "'"
            ? "expected a value, found ' (JSON strings use double quotes)"
            : `expected a value, found ${describe(c)}`,
        );
    }
    if (depth <= MAX_DEPTH)
      spans.set(path, keyStart === undefined ? { start, end: i } : { start, end: i, keyStart });
  };

  try {
    value('', 0);
    ws();
    if (i < text.length) fail(`unexpected ${describe(text[i])} after the end of the JSON value`);
  } catch (e) {
    const offset = e instanceof Fail ? e.offset : i;
    const message = e instanceof Fail ? e.message : 'the JSON is nested too deeply';
    return { ok: false, error: { message, offset, ...lineColumn(text, offset) } };
  }
  // the scanner accepts what JSON.parse accepts; JSON.parse gives the value
  try {
    return { ok: true, value: JSON.parse(text) as unknown, spans };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, error: { message, offset: 0, line: 1, column: 1 } };
  }
}

/**
 * Where a validation message (`path: …`, as validateArchSpec writes them) points in the text:
 * the value at its path — the whole member, key included, for an unknown field; the whole text
 * for `spec:`. Null when the text has no such field (a required field that is missing).
 */
export function spanOfError(
  message: string,
  spans: ReadonlyMap<string, JsonSpan>,
): { start: number; end: number } | null {
  const cut = message.indexOf(': ');
  if (cut < 0) return null;
  const path = message.slice(0, cut);
  const span = spans.get(path === 'spec' ? '' : path);
  if (!span) return null;
  const unknownField = message.slice(cut + 2).startsWith('unknown field');
  return {
    start: unknownField && span.keyStart !== undefined ? span.keyStart : span.start,
    end: span.end,
  };
}
