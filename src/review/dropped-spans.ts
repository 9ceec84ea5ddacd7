import type { DroppedSpan } from '../contracts/view.ts';
import { flippedNegations } from '../generation/negations.ts';
import { findProtectedSpans } from '../generation/protect.ts';

/** Words and numbers of a text, lower-cased, thousands separators aside ("1,200" is "1200"). */
function words(text: string): string[] {
  return (
    text
      .toLowerCase()
      .replace(/(?<=\d),(?=\d{3}\b)/g, '')
      .match(/[\p{L}\p{N}_$]+(?:\.\d+)?/gu) ?? []
  ).filter(Boolean);
}

/**
 * The protected spans of the original (names, numbers, dates, times, identifiers, URLs, speakers:
 * `generation/protect.ts`) that the compression no longer contains, and the negations it flipped
 * (kind `negation`: "not take cards" kept as "take cards"). A span counts as kept when
 * every word of it still occurs in the compression as a word, case aside, so "May 8, 2023" kept
 * as "8 May 2023" is not flagged. Offsets are the original's, for the diff to colour.
 */
export function droppedSpans(original: string, compressed: string, domain?: string): DroppedSpan[] {
  const kept = new Set(words(compressed));
  const out: DroppedSpan[] = [];
  for (const span of findProtectedSpans(original, domain ? { domain } : {})) {
    if (span.kind === 'header') continue;
    const text = original.slice(span.start, span.end);
    const parts = words(text);
    if (parts.length && !parts.every((w) => kept.has(w))) out.push({ ...span, text });
  }
  // A negation the compression dropped while keeping what it negated: the pair says the opposite.
  for (const f of flippedNegations(original, compressed)) out.push({ ...f, kind: 'negation' });
  return out.sort((a, b) => a.start - b.start);
}
