import { negatingNo } from '../../generation/strategies/pruned/lexicon.ts';
import type { ParsedMemory } from './memory-units.ts';
import { raiseAmongBest, unitTexts } from './raise-best.ts';

/**
 * A question about what must not be done ("Which bucket must not get the new lifecycle rules?",
 * "What must I not pack?", "What won't Jon do?") is answered by a line that says "don't" or "not":
 * "But don't touch the audit bucket", "Monitors and docks stay, do NOT pack them". The ranker reads
 * neither negation, and the line beside it that names the same things without one ranked first
 * (review: a transcript's "Lifecycle rules were never applied to the log bucket" was kept at 0.1,
 * the audit bucket's cue not; a Slack export never kept its "do NOT pack"). Lines that hold a
 * negation and a word of the question, ranked near the best, are raised to the top in their own
 * order (raise-best.ts). A question whose negation restricts what it asks about ("goals that are not related to
 * basketball") asks no prohibition: a negated "be" is left out, as is a question about a table's
 * values (negated-values.ts).
 */

/** A negated modal or auxiliary, a subject between them allowed ("must I not", "should we never"). */
const NEGATED_MODAL =
  /\b(?:must|should|shall|can|could|will|would|may|might|need|do|does|ought to)(?:\s+(?:i|we|you|they|he|she|it|one))?\s+(?:not|never)\b/i;
/** The same contracted: "mustn't", "won't", "don't", "shouldn't I". */
const CONTRACTED = /\b(?:mustn|shouldn|shan|can|couldn|won|wouldn|needn|don|doesn)['’]t\b/i;
/**
 * A cause ("Why didn't the deploy work?") or a yes/no question opened by the negation ("Don't the
 * crates come on Wednesday?"): no rule asked for.
 */
const NOT_A_RULE = /^\s*(?:why|how come|(?:don|doesn|didn|won|can|isn|aren|wasn|weren)['’]t)\b/i;
/** "cannot", "not allowed to", "forbidden": asked as a rule. */
const RULE =
  /\b(?:cannot|not (?:allowed|permitted|supposed)|forbidden|prohibited)\b|(?<!\b(?:is|are|was|were|be|been|has|have|had|did)\s+(?:\w+\s+)?)\bnever\s+\w+/i;

/** Whether the question asks what must not (or will not) be done. */
export function asksProhibition(query: string): boolean {
  return !NOT_A_RULE.test(query) && (NEGATED_MODAL.test(query) || CONTRACTED.test(query) || RULE.test(query));
}

/**
 * A line that forbids or refuses: a negated modal or auxiliary ("do NOT pack them", "we should not
 * upgrade", "don't touch", "I won't quit"), "cannot", a "Never ..." or "No ..." opening a sentence,
 * "not allowed", "avoid". A negated "be" or "have" states a fact ("rules were never applied to it"):
 * the line a question about what not to do wants is a rule, not a fact that names its words.
 */
const FORBIDS = [
  NEGATED_MODAL,
  CONTRACTED,
  /\b(?:cannot|not (?:allowed|permitted|supposed)|forbidden|prohibited|avoid)\b/i,
];
/** "Never ..." or "No ..." opening a sentence, a line or a list item. */
const OPENING = /(?:^|[.!?:;>]\s*|\n\s*(?:[-*•]\s+)?)(never|no)\s+([\p{L}][\p{L}'’-]*)/giu;
const forbids = (text: string) =>
  FORBIDS.some((re) => re.test(text)) ||
  // "No problem, I will check it" answers; "No parking for employees" forbids (lexicon.ts negatingNo).
  [...text.matchAll(OPENING)].some((m) => (m[1] as string).toLowerCase() === 'never' || negatingNo(m[2] as string));

/** Raises the lines that forbid among the best when the question asks a prohibition (raise-best.ts). */
export function raiseProhibitions(
  score: Float64Array,
  texts: readonly (string | null)[],
  query: string,
  names: ReadonlySet<string> = new Set(),
): void {
  if (asksProhibition(query)) raiseAmongBest(score, texts, query, forbids, names);
}

/** The same over a memory's units, its speakers' names left out of the question's terms. */
export function rankProhibitions(score: Float64Array, memory: ParsedMemory, query: string): void {
  const { texts, speakers } = unitTexts(memory);
  raiseProhibitions(score, texts, query, speakers);
}
