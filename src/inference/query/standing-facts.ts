import { isInstruction, SAFETY } from '../../generation/strategies/pruned/lexicon.ts';
import type { ParsedMemory } from './memory-units.ts';

/**
 * Facts that hold whatever the question: an instruction for the assistant ("Always answer the user
 * in Spanish", "Never book red-eye flights") and what keeps the user safe at the table or the
 * pharmacy (an allergy, an intolerance, a diet, a condition). A question about a restaurant names
 * none of these words, and the selection dropped both (review: "Recommend a restaurant for
 * Saturday" lost "User is vegan and has a severe peanut allergy" and the answer-in-Spanish rule).
 * Only in a memory of facts or notes: a chat's turns ("Don't forget the cake!") are talk.
 */

/** Whether a fact's text (a line, a record's value) holds whatever the question. */
export const isStandingFact = (text: string): boolean => {
  const t = text.trim();
  return isInstruction(t) || SAFETY.test(text);
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
