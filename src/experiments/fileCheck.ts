/**
 * What every file the lab reads back shares (sweep records, run records): a size refused before
 * the text is read, and valibot's issues as lines that start with the field's path in the file
 * (`runs[3].final.trainLoss: …`), at most MAX_PROBLEMS of them.
 */
import * as v from 'valibot';

/** The most problems listed for one file: the first ones say what kind of file it is not. */
export const MAX_PROBLEMS = 20;

const kib = (bytes: number) => `${Math.ceil(bytes / 1024).toLocaleString('en')} kB`;

/** Why a file of `bytes` is not read at all (`what`: "a sweep file", and a hint), or null. */
export function tooBigMessage(
  bytes: number,
  limit: number,
  what: string,
  hint: string,
): string | null {
  return bytes > limit
    ? `the file is ${kib(bytes)}; ${what} is at most ${kib(limit)} (${hint})`
    : null;
}

/** valibot's words for a missing or an unknown key, said plainly; others as valibot says them. */
function plainWords(issue: v.BaseIssue<unknown>): string {
  if (issue.message.startsWith('Invalid key: Expected') && issue.input === undefined)
    return 'missing';
  if (issue.message.startsWith('Invalid key: Expected never'))
    return 'not a field of this file format';
  return issue.message;
}

/** valibot's issues as `path: message` lines, array indices in brackets. */
export function issueLines(issues: readonly v.BaseIssue<unknown>[]): string[] {
  return issues.slice(0, MAX_PROBLEMS).map((issue) => {
    const path = v.getDotPath(issue as v.GenericIssue);
    return `${path ? `${path.replace(/\.(\d+)(?=\.|$)/g, '[$1]')}: ` : ''}${plainWords(issue)}`;
  });
}

/** The text parsed as a JSON object, or the one problem that says it is not one. */
export function jsonObject(
  text: string,
  expected: string,
): { ok: true; value: Record<string, unknown> } | { ok: false; problems: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [`not JSON: ${(error as Error).message}`] };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return { ok: false, problems: [`not ${expected}`] };
  return { ok: true, value: json as Record<string, unknown> };
}

/**
 * A JSON object, not an array: valibot's object and record schemas let arrays through (a record
 * schema turns `[]` into `{}`), so pipe this before them.
 */
export const plainObject = v.custom<Record<string, unknown>>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  (issue) =>
    `Invalid type: Expected Object but received ${Array.isArray(issue.input) ? 'Array' : issue.received}`,
);
