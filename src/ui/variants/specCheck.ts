/**
 * The "your own spec" editor's logic without the DOM: a builtin as editable JSON text, and the
 * text checked — JSON syntax (with line and column), then validateArchSpec (each error with the
 * range of the text it names), then the counts. Never throws, whatever the text.
 */
import { blockDiagram, type BlockDiagram } from '../../arch/diagram.ts';
import {
  analyzeArch,
  validateArchSpec,
  type ArchAnalysis,
  type ArchSpec,
} from '../../arch/index.ts';
import { scanJson, spanOfError, type JsonSyntaxError } from './jsonSource.ts';

export { prettySpec, specText } from './specText.ts';

export interface SpecProblem {
  readonly message: string;
  /** the field path the message starts with (`layers[2]`), or '' */
  readonly path: string;
  /** the text the message is about, when the text has it */
  readonly span: { readonly start: number; readonly end: number } | null;
}

export type SpecCheck =
  | { readonly kind: 'empty' }
  | { readonly kind: 'syntax'; readonly error: JsonSyntaxError }
  | { readonly kind: 'invalid'; readonly problems: readonly SpecProblem[] }
  | {
      readonly kind: 'valid';
      readonly spec: ArchSpec;
      readonly analysis: ArchAnalysis;
      readonly diagram: BlockDiagram;
    };

export function checkSpecText(text: string): SpecCheck {
  try {
    if (text.trim() === '') return { kind: 'empty' };
    const scanned = scanJson(text);
    if (!scanned.ok) return { kind: 'syntax', error: scanned.error };
    const checked = validateArchSpec(scanned.value);
    if (!checked.ok)
      return {
        kind: 'invalid',
        problems: checked.errors.map((message) => {
          const cut = message.indexOf(': ');
          return {
            message,
            path: cut < 0 ? '' : message.slice(0, cut),
            span: spanOfError(message, scanned.spans),
          };
        }),
      };
    return {
      kind: 'valid',
      spec: checked.value,
      analysis: analyzeArch(checked.value),
      diagram: blockDiagram(checked.value),
    };
  } catch (e) {
    // validation is meant to catch everything; if it ever misses, say so rather than break the page
    const message = `spec: could not be checked (${e instanceof Error ? e.message : String(e)})`;
    return { kind: 'invalid', problems: [{ message, path: 'spec', span: null }] };
  }
}
