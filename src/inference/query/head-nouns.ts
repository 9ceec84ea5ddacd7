import { terms } from './bm25.ts';
import type { ParsedMemory } from './memory-units.ts';
import { BEST, liftAbove, rankedTexts, unitTexts } from './raise-best.ts';

/**
 * A question asking for a thing of something ("What is the IBAN for payment?", "What is the booking
 * reference for the hotel?", "What is the notice period for termination?") names the thing asked
 * (its head noun: "IBAN") and what it is for (its modifier: "payment"). In a document the line
 * holding the thing answers; a line holding only the modifier does not, but BM25 weighs each word by
 * its rarity and the line's length alike, so two short lines on payment outranked the long line with
 * the IBAN (review, session 36: "Payment terms: 30 days net." and "Please quote the invoice number
 * with your payment." above "Please transfer to: ..., IBAN DE44 ...", which 0.1 left out). Among the
 * best lines, those holding every word of the head, then those holding more of the modifier's words,
 * go first. None in a dialogue: a chat's turns answer by what they say, not by a field's name.
 */

/**
 * "What is the <head> for <modifier>?": the head a few words after an article or a possessive, the
 * modifier after a preposition. A "which" question with a noun first asks which record, not this.
 */
const HEAD_OF =
  /^\s*what(?:\s+is|\s+are|\s+was|\s+were|'s|’s)\s+(?:(?:the|a|an|my|our|your|their|his|her|its)\s+)?((?:[\p{L}\d-]+\s+){0,2}?[\p{L}\d-]+)\s+(?:for|of|on|in|to|at|with|from|about|under|by)\s+(.+?)\s*\??\s*$/iu;

/** The head's and the modifier's terms of a question asking for a thing of something, or null. */
export function headOf(query: string): { head: string[]; modifier: string[] } | null {
  const m = HEAD_OF.exec(query);
  if (!m) return null;
  const modifier = terms(m[2] as string);
  const head = terms(m[1] as string).filter((t) => !modifier.includes(t));
  return head.length ? { head, modifier } : null;
}

/**
 * Raises, in place, the best lines holding every term of the question's head (those holding more of
 * its modifier's terms first) above the best line, when the best does not hold them as well.
 */
export function rankHeadNouns(score: Float64Array, memory: ParsedMemory, query: string): void {
  if (memory.format === 'dialogue') return;
  const asked = headOf(query);
  if (!asked) return;
  const { texts } = unitTexts(memory);
  const best = rankedTexts(score, texts).slice(0, BEST);
  const first = best[0];
  if (first === undefined) return;
  /** 0 when a line lacks a term of the head; else 1 + the modifier's terms it holds. */
  const fit = (k: number) => {
    const held = new Set(terms(texts[k] as string));
    if (!asked.head.every((t) => held.has(t))) return 0;
    return 1 + asked.modifier.filter((t) => held.has(t)).length;
  };
  const fits = best.map(fit);
  const most = Math.max(...fits);
  if (most === 0 || fits[0] === most) return;
  liftAbove(
    score,
    best.filter((_, at) => fits[at] === most),
    score[first] as number,
  );
}
