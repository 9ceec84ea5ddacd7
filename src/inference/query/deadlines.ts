import type { ParsedMemory } from './memory-units.ts';
import { queryDates } from './query-cues.ts';
import { BEST, liftAbove, rankedTexts, unitTexts } from './raise-best.ts';

/** A question asking for a deadline: "By when must ...?", "Until when ...?", "What is the deadline ...?". */
const ASKS_DEADLINE =
  /^\s*(?:by|until|till)\s+when\b|\bdeadline\b|\bby what (?:date|day|time)\b|\bno later than when\b/i;

/** A deadline stated: "by 4 November 2025", "before 15 Dec", "until 2 December", "no later than 1 March". */
const STATES_DEADLINE = /\b(?:by|before|until|till|no later than)\s+(?:\p{L}+day,?\s+)?(\S+(?:\s+\S+){0,2})/giu;

const statesDeadline = (text: string): boolean =>
  [...text.matchAll(STATES_DEADLINE)].some((m) => queryDates(m[1] as string).days.size > 0);

/**
 * A question asking by when something must be done: a line stating a deadline in the section of
 * one of the best lines goes above them. The question's words name what must be done, which the
 * lines around the deadline say, and the deadline itself ("Please tell us by 4 November 2025.")
 * names none of them (review 3: sixteenth, lost at 0.2 and 0.1).
 */
export function rankDeadlines(score: Float64Array, memory: ParsedMemory, query: string): void {
  // A document's sections only: a chat is one section, where "I lived in Porto until 2 March 2020"
  // states no deadline (review of session 29: raised above the deadline asked for).
  if (!ASKS_DEADLINE.test(query) || memory.format === 'dialogue') return;
  const { texts } = unitTexts(memory);
  const best = rankedTexts(score, texts).slice(0, BEST);
  if (!best.length) return;
  const sections = new Set(best.map((k) => memory.units[k]?.group));
  const top = score[best[0] as number] as number;
  const raised = memory.units.filter(
    (u) => !u.pinned && sections.has(u.group) && statesDeadline(u.text) && (score[u.index] as number) < top,
  );
  liftAbove(
    score,
    raised.map((u) => u.index),
    top,
  );
}
