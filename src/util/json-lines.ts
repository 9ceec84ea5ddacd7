import { emitJson, parseJsonSource, withoutBom } from './json-source.ts';

/**
 * JSON Lines (one JSON object or array a line: an app's memories, a chat log, a tool's records)
 * read as the JSON array of its lines, so every JSON stage works on it, and written back a record
 * a line. A record is written from the source (numbers and escapes as they were), minified.
 */

/** Fewer records than this: a JSON document that happens to fit on two lines is no log. */
const MIN_RECORDS = 2;

/** The records of a JSON Lines text, each as written, or null when a non-empty line is no JSON object or array. */
export function parseJsonLines(text: string): string[] | null {
  const lines = withoutBom(text)
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines.length < MIN_RECORDS) return null;
  for (const line of lines) if (!/^[[{]/.test(line) || !parseJsonSource(line)) return null;
  return lines;
}

/**
 * Where JSON Lines break: the number (from 1, in `text`) of the first line with something on it
 * that JSON.parse refuses, or null when every one parses.
 */
export function firstBrokenLine(text: string): number | null {
  for (const [k, line] of text.split(/\r?\n/).entries()) {
    if (!line.trim()) continue;
    try {
      JSON.parse(line);
    } catch {
      return k + 1;
    }
  }
  return null;
}

/** The records as one JSON array, for the JSON stages. */
export function linesToArray(records: readonly string[]): string {
  return `[${records.join(',\n')}]`;
}

/** A JSON array written back a record a line (minified), or null when `json` is no array. */
export function arrayToLines(json: string): string | null {
  const root = parseJsonSource(json);
  if (root?.type !== 'array') return null;
  return (root.children ?? []).map((item) => emitJson(json, item) ?? '').join('\n');
}
