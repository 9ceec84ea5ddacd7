import { findProtectedSpans } from './protect.ts';

/**
 * Names, numbers, dates and times in a compression that its source does not contain: the check a
 * prompted compression must pass (an invented fact is worse than a long text). A span passes when
 * each of its words occurs in the source as a word, case aside ("8 May 2023" is supported by
 * "8 May, 2023"); numbers compare without thousands separators.
 */
export function unsupportedFacts(output: string, source: string): string[] {
  const norm = (w: string) => w.toLowerCase().replace(/(?<=\d),(?=\d{3}\b)/g, '');
  const words = new Set(
    (source.match(/[\p{L}\p{N}][\p{L}\p{N},']*/gu) ?? []).map((w) => norm(w).replace(/[,']+$/, '')),
  );
  // Numbers also count as present inside longer tokens of the source ("3pm", "v2").
  const numbers = new Set(norm(source).match(/\d+(?:\.\d+)?/g) ?? []);
  const missing: string[] = [];
  for (const span of findProtectedSpans(output)) {
    if (!['number', 'name', 'date', 'time', 'email', 'url'].includes(span.kind)) continue;
    const text = output.slice(span.start, span.end);
    const parts = norm(text).match(/[\p{L}\p{N}]+(?:\.\d+)?/gu) ?? [];
    const ok = parts.every((p) => words.has(p) || (/^\d/.test(p) && numbers.has(p.replace(/(st|nd|rd|th)$/, ''))));
    if (!ok && !missing.includes(text)) missing.push(text);
  }
  return missing;
}
