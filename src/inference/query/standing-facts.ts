import { SAFETY } from '../../generation/strategies/pruned/lexicon.ts';
import type { ParsedMemory } from './memory-units.ts';

/**
 * Facts that hold whatever the question: an instruction for the assistant ("Always answer the user
 * in Spanish", "Never book red-eye flights") and what keeps the user safe at the table or the
 * pharmacy (an allergy, an intolerance, a diet, a condition). A question about a restaurant names
 * none of these words, and the selection dropped both (review: "Recommend a restaurant for
 * Saturday" lost "User is vegan and has a severe peanut allergy" and the answer-in-Spanish rule).
 * Only in a memory of facts or notes: a chat's turns ("Don't forget the cake!") are talk.
 */

/**
 * An instruction for the assistant: "always" or "never" before what an assistant does (answer,
 * reply, call the user, book, recommend), or "answer in ...". A handbook's "Always wear something
 * reflective after dark" is the document's own advice, not one.
 */
const INSTRUCTION =
  /^(?:[-*•]\s+|\d{1,3}[.)]\s+)?(?:(?:please\s+)?(?:always|never|do not|don't)\s+(?:[\p{L}'-]+\s+){0,2}?(?:answer|respond|reply|write|speak|call|address|mention|suggest|recommend|book|schedule|assume|ask|remind|refer|include|greet|sign|send|share|contact|message|email|text)\b|(?:answer|respond|reply|write|speak)\s+(?:to\s+)?(?:the user|me|him|her|them|in)\b)/iu;

/** A saved memory's lead before its words: a list marker, a date in brackets ("12. [2024-04-09] "). */
const LEAD = String.raw`^(?:[-*•]\s+|\d{1,3}[.)]\s+)?(?:\[[^\]\n]{1,40}\]\s*)?`;
/** Who a memory's preference is about: the user, a pronoun, or a name ("Dan prefers ..."). */
const SUBJECT = String.raw`(?:(?:the\s+)?user|he|she|they|i|\p{Lu}[\p{L}'-]+)`;
/** What an assistant gives: a preference about these is an instruction. */
const FOR_THE_ASSISTANT = String.raw`(?:answers?|repl(?:y|ies)|responses?|recipes?|suggestions?|recommendations?|(?:the\s+)?assistant|you|to\s+be\s+(?:called|addressed))\b`;

/**
 * An instruction written in the third person, as saved memories are (review: "User does not want
 * recipes that contain mushrooms", "User wants all answers in British English spelling", "User
 * prefers answers in Dutch", "User never wants emoji in replies" were read as ordinary facts): a
 * want negated, whatever its object, or a want, a preference, a like or a dislike of what an
 * assistant gives (answers, replies, recipes, suggestions); and a request ("Please always use metric
 * units"), whatever its verb. "User wants to visit Japan" is a wish, not one.
 */
const THIRD_PERSON = new RegExp(
  String.raw`${LEAD}(?:please\s+(?:always|never|do\s+not|don't)\b|${SUBJECT}\s+(?:(?:does\s+not|doesn't|do\s+not|don't|never|no\s+longer)\s+wants?\b|(?:(?:always|never|usually|generally|strongly|really)\s+)?(?:wants?|prefers?|likes?|dislikes?|hates?|expects?)\s+(?:[\p{L}'-]+,?\s+){0,3}?${FOR_THE_ASSISTANT}))`,
  'iu',
);

/** Whether a fact's text (a line, a record's value) holds whatever the question. */
export const isStandingFact = (text: string): boolean => {
  const t = text.trim();
  return INSTRUCTION.test(t) || THIRD_PERSON.test(t) || SAFETY.test(text);
};

/** The units that hold a standing fact, in memory order (none in a dialogue). */
export function standingFacts(memory: ParsedMemory): number[] {
  if (memory.format === 'dialogue') return [];
  return memory.units
    .filter((u) => !u.pinned && u.kind !== 'code' && u.kind !== 'turn' && u.speaker === null)
    .filter((u) => isStandingFact(u.text))
    .map((u) => u.index);
}

/**
 * Ranks the best standing facts right after the most relevant unit, in place, as long as they fit
 * in `room` tokens together (each costs its `cost`): the answer still comes first (and stays
 * verbatim), the standing facts next, and they cannot take the whole budget.
 */
export function rankStandingNext(
  score: Float64Array,
  standing: readonly number[],
  cost: (i: number) => number,
  room: number,
): void {
  if (!standing.length) return;
  const isStanding = new Set(standing);
  // The most relevant unit (the first, in a tie) is raised above them: it stays first.
  let best = -1;
  for (const [i, v] of score.entries()) if (!isStanding.has(i) && (best < 0 || v > (score[best] as number))) best = i;
  const top = best >= 0 ? (score[best] as number) : 0;
  const ranked = [...standing].sort((a, b) => (score[b] as number) - (score[a] as number));
  let left = room;
  let raised = false;
  ranked.forEach((i, k) => {
    // One too long for the room is passed over; a shorter one after it may fit (review).
    if (cost(i) > left) return;
    left -= cost(i);
    score[i] = top + (ranked.length - k) / (ranked.length + 1);
    raised = true;
  });
  if (raised && best >= 0) score[best] = top + 1;
}
