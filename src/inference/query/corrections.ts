import type { ParsedMemory } from './memory-units.ts';
import { BEST, raiseAmongBest, rankedTexts, unitTexts } from './raise-best.ts';

/**
 * A memory that corrects itself ("One correction: our forecast is now 140 containers, not 120",
 * "Update: the launch moved to 12 May", "Rui no longer eats fish") holds the old figure too, and
 * the old one names the question's words as well or better: the ranker put "Our volume forecast is
 * 120 containers for Q1" first and the correction fourth, and at 0.2 only the stale figure was kept
 * (review: "What is Harbor Foods' current Q1 volume forecast?"). A correction among the best lines
 * goes above them, whatever the question: it is the memory's last word on what they share.
 */
const CORRECTS = [
  // Said as a correction: "Correction:", "Update:", "Scratch that", "to correct ...", "corrected to".
  /(?:^|[.!?;:>\n-]\s*|\()(?:one |a |small |quick )?(?:correction|update[d]?|scratch that|to correct)\b/iu,
  /\bcorrected\s+(?:it\s+|that\s+)?to\b|\bchanged\s+(?:it\s+|that\s+)?to\b/i,
  // A state that ended ("Rui no longer eats fish").
  /\bno longer\b/i,
  // "is now 140 containers, not 120", "now goes to school in Lisbon, not Porto": a new value and the
  // old one denied, a figure or a name ("Now I am not sure" is no correction).
  /\bnow\b[^.;!?]{0,60}?,\s*(?:not|no longer)\s+(?:\p{N}|\p{Lu})/u,
];
export const corrects = (text: string): boolean => CORRECTS.some((re) => re.test(text));

/** The old value a correction denies: "now 140 containers, not 120" -> "120". */
const DENIED = /\b(?:not|no longer|instead of)\s+(\p{N}[\p{N}.,]*\p{N}|\p{N})(?![\p{N}.,]*\p{N})/gu;

/**
 * A correction that denies a figure one of the best units states ("not 120" under "Our volume
 * forecast is 120 containers") joins them wherever it ranked, so it is raised above them: it
 * corrects that very line. The window of the best alone missed it when the quoted lines around the
 * stale figure ranked above it (review: sixth, and the stale 120 was kept alone at 0.2).
 */
function joinDenials(score: Float64Array, texts: readonly (string | null)[]): void {
  const order = rankedTexts(score, texts);
  const best = order.slice(0, BEST);
  if (best.length < BEST) return;
  const floor = score[best.at(-1) as number] as number;
  for (const k of order.slice(BEST)) {
    const text = texts[k] as string;
    if (!corrects(text)) continue;
    const denied = [...text.matchAll(DENIED)].map((m) => m[1] as string);
    const stated = (v: string) =>
      best.some((b) =>
        new RegExp(`(?<![\\p{N}.,])${v.replace(/[.]/g, '\\.')}(?![\\p{N}]|[.,]\\p{N})`, 'u').test(texts[b] as string),
      );
    if (denied.some(stated)) score[k] = floor + 1e-6;
  }
}

/** Raises the corrections among a memory's best units (raise-best.ts). */
export function rankCorrections(score: Float64Array, memory: ParsedMemory, query: string): void {
  const { texts, speakers } = unitTexts(memory);
  joinDenials(score, texts);
  raiseAmongBest(score, texts, query, corrects, speakers);
}
