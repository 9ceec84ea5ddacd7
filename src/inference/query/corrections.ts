import type { ParsedMemory } from './memory-units.ts';
import { raiseAmongBest, unitTexts } from './raise-best.ts';

/**
 * A memory that corrects itself ("One correction: our forecast is now 140 containers, not 120",
 * "Update: the launch moved to 12 May", "Rui no longer eats fish") holds the old figure too, and
 * the old one names the question's words as well or better: the ranker put "Our volume forecast is
 * 120 containers for Q1" first and the correction fourth, and at 0.2 only the stale figure was kept
 * (review: "What is Harbor Foods' current Q1 volume forecast?"). A correction among the best lines
 * goes above them, whatever the question: it is the memory's last word on what they share.
 */
const CORRECTS = [
  /\b(?:correction|corrected|to correct|updated|revised|scratch that|no longer|instead of)\b|\bupdate:/i,
  /\bchanged\s+(?:it\s+|that\s+)?to\b/i,
  // "is now 140 containers, not 120": a new value and the old one denied, in one clause.
  /\bnow\b[^.;!?]{0,60}?,?\s+(?:not|no longer)\b/i,
];
export const corrects = (text: string): boolean => CORRECTS.some((re) => re.test(text));

/** Raises the corrections among a memory's best units (raise-best.ts). */
export function rankCorrections(score: Float64Array, memory: ParsedMemory, query: string): void {
  const { texts, speakers } = unitTexts(memory);
  raiseAmongBest(score, texts, query, corrects, speakers);
}
